import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

/** Where `npm run build` puts the browser application (dist/web beside dist/http). */
export const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Vite names every built asset `<name>-<hash>.<ext>`; nothing else under /assets is served. */
const ASSET_NAME = /^[A-Za-z0-9_.-]{1,200}$/;
const NONCE_PLACEHOLDER = '__RELMAN_STYLE_NONCE__';

/**
 * The page's policy: the same as the API's, except that style elements carrying
 * this response's nonce may apply (the component library writes its theme's CSS
 * variables into one). Scripts stay `'self'` only: no inline script runs.
 */
export function pagePolicy(nonce: string): string {
  return CONTENT_SECURITY_POLICY.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`);
}

/** Paths the browser application owns; everything else stays the API's (JSON 404s included). */
function isPagePath(url: string): boolean {
  const p = url.split('?')[0] ?? '/';
  return !(p.startsWith('/api/') || p === '/api' || p.startsWith('/assets/') || p === '/healthz' || p === '/readyz' || p === '/metrics');
}

function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

/**
 * Serves the built web application from `dir`: hashed assets with a year of
 * caching (and their pre-compressed `.gz` twin when the browser accepts gzip),
 * and `index.html` for every page path a browser asks for, never cached, so a
 * new release of relman is picked up on the next navigation.
 */
export function registerWebUi(app: FastifyInstance, dir: string = DEFAULT_WEB_DIR): void {
  const indexFile = path.join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ dir }, 'web UI not built (npm run build); only the API is served');
    return;
  }
  const indexHtml = readFileSync(indexFile, 'utf8');
  const assetsDir = path.join(dir, 'assets');

  const sendIndex = (reply: FastifyReply): FastifyReply => {
    const nonce = randomBytes(16).toString('base64');
    return reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', pagePolicy(nonce))
      .header('cache-control', 'no-cache')
      .send(indexHtml.replaceAll(NONCE_PLACEHOLDER, nonce));
  };

  app.get('/assets/:file', { config: { public: true }, schema: { hide: true } }, (req, reply) => {
    const file = (req.params as { file: string }).file;
    const type = TYPES[path.extname(file)];
    const full = path.join(assetsDir, file);
    if (!ASSET_NAME.test(file) || file.startsWith('.') || type === undefined || !existsSync(full)) {
      return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('not found');
    }
    reply.header('content-type', type).header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding');
    const gz = `${full}.gz`;
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && existsSync(gz)) {
      reply.header('content-encoding', 'gzip').header('content-length', String(statSync(gz).size));
      return reply.send(createReadStream(gz));
    }
    reply.header('content-length', String(statSync(full).size));
    return reply.send(createReadStream(full));
  });

  app.get('/', { config: { public: true }, schema: { hide: true } }, (_req, reply) => sendIndex(reply));

  // Page paths (/releases/CFIS001, /sign-in …) are the application's routes: a
  // browser navigating to one gets the application, which renders that page.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' || req.routeOptions.url !== undefined) return;
    if (!isPagePath(req.url) || !wantsHtml(req)) return;
    return sendIndex(reply);
  });
}
