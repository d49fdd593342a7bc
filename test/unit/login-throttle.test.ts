import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { LoginThrottle } from '../../src/http/login-throttle.js';
import { ADMIN_PASSWORD, harness, httpApp, type Harness } from '../support/harness.js';

describe('LoginThrottle', () => {
  it('refuses after the maximum failures and allows again once the window has passed', () => {
    let now = 1_000_000;
    const t = new LoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter('k')).toBe(0);
      t.fail('k');
    }
    expect(t.retryAfter('k')).toBe(60);
    expect(t.retryAfter('other')).toBe(0);
    now += 30_000;
    expect(t.retryAfter('k')).toBe(30);
    now += 30_001;
    expect(t.retryAfter('k')).toBe(0);
  });

  it('forgets failures after a success', () => {
    const t = new LoginThrottle(2, 60_000, () => 0);
    t.fail('k');
    t.succeed('k');
    t.fail('k');
    expect(t.retryAfter('k')).toBe(0);
  });
});

describe('POST /api/v1/session throttling', () => {
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

  it('answers 429 with Retry-After after ten wrong passwords, even for the right one', async () => {
    const attempt = (password: string) => app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin', password } });
    for (let i = 0; i < 10; i++) expect((await attempt('wrong password')).statusCode).toBe(401);
    const refused = await attempt(ADMIN_PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ status: 429, type: 'urn:relman:problem:too-many-attempts' });
  });
});
