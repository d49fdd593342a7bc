import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { ADMIN_PASSWORD, harness, type Harness } from '../support/harness.js';
import { head, portOf, rawExchange } from '../support/raw-http.js';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

function expectSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  expect(headers['content-security-policy'], what).toBe(CSP);
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  expect(headers['x-content-type-options'], what).toBe('nosniff');
}

const sessionCookie = (res: LightMyRequestResponse): string => {
  expect(res.statusCode, res.body).toBe(200);
  const set = res.headers['set-cookie'];
  const cookie = (Array.isArray(set) ? set : [set ?? '']).find((c) => c.startsWith('relman_session='));
  expect(cookie).toBeDefined();
  return cookie ?? '';
};

describe('security headers and the Secure cookie', () => {
  let h: Harness;
  let app: FastifyInstance;
  let behindProxy: FastifyInstance;
  let alwaysSecure: FastifyInstance;

  beforeAll(async () => {
    h = await harness('sqlite');
    app = await buildApp({ deps: h.deps, logLevel: 'silent' });
    behindProxy = await buildApp({ deps: h.deps, logLevel: 'silent', trustProxy: true });
    alwaysSecure = await buildApp({ deps: h.deps, logLevel: 'silent', cookieSecure: true });
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await behindProxy?.close();
    await alwaysSecure?.close();
    await h?.close();
  });

  it('sends the content security policy, framing, referrer and sniffing headers on every kind of answer', async () => {
    const answers: [string, LightMyRequestResponse][] = [
      ['health', await app.inject({ method: 'GET', url: '/healthz' })],
      ['unauthenticated', await app.inject({ method: 'GET', url: '/api/v1/releases' })],
      ['no route', await app.inject({ method: 'GET', url: '/nope' })],
      ['bad escape', await app.inject({ method: 'GET', url: '/api/v1/releases/%E0%A4%A' })],
      ['openapi', await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })],
    ];
    for (const [what, res] of answers) expectSecurityHeaders(res.headers, what);
    const malformed = await rawExchange(portOf(app), 'GET /api/v1/rel\u0000eases HTTP/1.1\r\nHost: x\r\n\r\n');
    expectSecurityHeaders(malformed.headers, 'malformed');
    const real = await rawExchange(portOf(app), head('GET /healthz HTTP/1.1', { host: 'x', connection: 'close' }));
    expectSecurityHeaders(real.headers, 'over a socket');
  });

  const signIn = (target: FastifyInstance, headers: Record<string, string> = {}) =>
    target.inject({ method: 'POST', url: '/api/v1/session', headers, payload: { username: 'admin', password: ADMIN_PASSWORD } });

  it('marks the session cookie Secure when the sign-in came over TLS through a trusted proxy', async () => {
    expect(sessionCookie(await signIn(behindProxy, { 'x-forwarded-proto': 'https' }))).toMatch(/;\s*Secure/i);
    expect(sessionCookie(await signIn(behindProxy, { 'x-forwarded-proto': 'http' }))).not.toMatch(/;\s*Secure/i);
    expect(sessionCookie(await signIn(behindProxy))).not.toMatch(/;\s*Secure/i);
  });

  it('ignores X-Forwarded-Proto without a trusted proxy, and RELMAN_COOKIE_SECURE marks it Secure always', async () => {
    expect(sessionCookie(await signIn(app, { 'x-forwarded-proto': 'https' }))).not.toMatch(/;\s*Secure/i);
    expect(sessionCookie(await signIn(alwaysSecure))).toMatch(/;\s*Secure/i);
    const cookie = sessionCookie(await signIn(app));
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
  });
});
