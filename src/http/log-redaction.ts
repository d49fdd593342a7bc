import type { FastifyRequest } from 'fastify';

export const REDACTED = '[REDACTED]';

/** Query parameters whose value is a credential (calendar feed tokens, and any other a client may send). */
const SECRET_PARAM = /token|secret|passw|pwd|key|auth|session|csrf|signature|sig$|code/i;
/** relman's own secrets (`rmt_` API tokens, `rmc_` calendar feed tokens, …) wherever they appear. */
const SECRET_VALUE = /rm[a-z]_[A-Za-z0-9_-]{16,}/g;
const hasSecret = (s: string): boolean => s.search(SECRET_VALUE) !== -1;

/**
 * A URL fit for a log: the values of secret-looking query parameters and
 * path segments that hold one of relman's secrets are replaced by
 * `[REDACTED]`. Works on the raw request target, malformed escapes included.
 */
export function redactUrl(url: string): string {
  // Most URLs have no query, no escape and no secret: nothing to take apart.
  if (!url.includes('?') && !url.includes('%') && !hasSecret(url)) return url;
  const q = url.indexOf('?');
  const pathPart = q === -1 ? url : url.slice(0, q);
  const safePath = pathPart
    .split('/')
    .map((seg) => {
      let decoded = seg;
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        // keep the raw segment
      }
      return hasSecret(decoded) ? decoded.replace(SECRET_VALUE, REDACTED) : seg;
    })
    .join('/');
  if (q === -1) return safePath;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      if (eq === -1) return pair;
      const value = pair.slice(eq + 1);
      let decodedValue = value;
      try {
        decodedValue = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        // keep the raw value
      }
      return SECRET_PARAM.test(name) || hasSecret(decodedValue) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${safePath}?${query}`;
}

/** pino serializer of `req` in every request log line: Fastify's fields, with the URL redacted. */
export function requestLogSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
