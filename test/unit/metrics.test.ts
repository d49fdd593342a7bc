import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { bearer, expectProblem } from '../support/http.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('GET /metrics', () => {
  let h: Harness;
  let app: FastifyInstance;
  let unconfigured: FastifyInstance;
  let admin: string;
  beforeAll(async () => {
    h = await harness('sqlite');
    app = await buildApp({ deps: h.deps, logLevel: 'silent', metricsToken: METRICS_TOKEN });
    unconfigured = await httpApp(h.deps);
    admin = (await userWith(h.deps, ['admin'], 'metrics-admin')).token;
  });
  afterAll(async () => {
    await app.close();
    await unconfigured.close();
    await h.close();
  });

  it('exposes request durations labelled by route pattern, not raw URL, to the metrics token', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/releases/CFIS042' });
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('relman_http_request_duration_seconds_count{method="GET",route="/api/v1/releases/:name",status="401"} 1');
    expect(res.body).not.toContain('CFIS042');
    expect(res.body).toContain('relman_process_cpu_seconds_total');
  });

  it('refuses anyone without the metrics token, an administrator’s API token too', async () => {
    for (const headers of [{}, bearer('metrics-token-0123456789abcdeX'), bearer(admin), { authorization: METRICS_TOKEN }]) {
      const res = await app.inject({ method: 'GET', url: '/metrics', headers });
      expectProblem(res, 401, 'unauthenticated');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('relman_process');
    }
  });

  it('is not served at all without a configured token', async () => {
    for (const headers of [{}, bearer(admin)]) {
      expectProblem(await unconfigured.inject({ method: 'GET', url: '/metrics', headers }), 404, 'not-found');
    }
    // A token nobody configured is just an invalid credential.
    expectProblem(await unconfigured.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) }), 401);
  });
});
