import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { harness, httpApp, type Harness } from '../support/harness.js';

describe('GET /metrics', () => {
  let h: Harness;
  let app: FastifyInstance;
  beforeAll(async () => {
    h = await harness('sqlite');
    app = await httpApp(h.deps);
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  it('exposes request durations labelled by route pattern, not raw URL', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/releases/CFIS042' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('relman_http_request_duration_seconds_count{method="GET",route="/api/v1/releases/:name",status="401"} 1');
    expect(res.body).not.toContain('CFIS042');
    expect(res.body).toContain('relman_process_cpu_seconds_total');
  });
});
