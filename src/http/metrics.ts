import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { problem, sendProblem } from './problem.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Prometheus metrics at GET /metrics: process metrics plus one histogram of
 * request durations by method, route pattern (never the raw URL, so release
 * names do not explode the label set) and status code. Served only when a
 * metrics token is configured, and only to a scraper that sends it as
 * `Authorization: Bearer <token>`; without a token the route does not exist.
 */
export function registerMetrics(app: FastifyInstance, token: string | undefined): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'relman_' });
  const duration = new Histogram({
    name: 'relman_http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  if (token === undefined) return;
  const expected = digest(token);
  app.get('/metrics', { config: { public: true, ownCredentials: true }, schema: { hide: true } }, async (req, reply) => {
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      reply.header('www-authenticate', 'Bearer realm="relman metrics"');
      return sendProblem(
        reply,
        problem(401, 'unauthenticated', 'send the metrics token (RELMAN_METRICS_TOKEN) as Authorization: Bearer …', {
          instance: '/metrics',
          requestId: String(req.id),
        }),
      );
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
