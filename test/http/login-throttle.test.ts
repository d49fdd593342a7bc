import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottlePolicy } from '../../src/domain/login-throttle.js';
import { buildApp } from '../../src/http/app.js';
import { createDeps } from '../../src/runtime.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { dialects, open } from '../support/databases.js';
import { ADMIN_PASSWORD, harness, userWith, type Harness } from '../support/harness.js';
import { expectJson, expectProblem } from '../support/http.js';
import { auditEvents, manualClock } from '../support/service-fixtures.js';

const PASSWORD = 'correct horse battery staple';

describe.each(dialects)('sign-in throttling ($name)', ({ name }) => {
  let h: Harness;
  const clock = manualClock('2030-05-01T08:00:00.000Z');
  const apps: FastifyInstance[] = [];
  const extra: ServiceDeps[] = [];

  beforeEach(async () => {
    clock.set('2030-05-01T08:00:00.000Z');
    h = await harness(name, clock.clock);
    await userWith(h.deps, ['developer'], 'alice');
    await userWith(h.deps, ['developer'], 'bob');
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    for (const d of extra.splice(0)) await d.database.close();
    await h.close();
  });

  async function app(policy: Partial<LoginThrottlePolicy> = {}, trustProxy: boolean | string[] = false, deps = h.deps) {
    const a = await buildApp({
      deps: { ...deps, loginThrottle: { ...DEFAULT_LOGIN_THROTTLE, ...policy } },
      logLevel: 'silent',
      trustProxy,
    });
    apps.push(a);
    return a;
  }
  const signIn = (a: FastifyInstance, username: string, password: string, from: { xff?: string; socket?: string } = {}) =>
    a.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username, password },
      ...(from.socket ? { remoteAddress: from.socket } : {}),
      ...(from.xff ? { headers: { 'x-forwarded-for': from.xff } } : {}),
    });

  it('answers 429 with Retry-After after ten wrong passwords, even for the right one, and audits the lock', async () => {
    const a = await app();
    for (let i = 0; i < 10; i++) expectProblem(await signIn(a, 'admin', 'wrong password'), 401, 'unauthenticated');
    const refused = expectProblem(await signIn(a, 'admin', ADMIN_PASSWORD), 429, 'too-many-attempts');
    expect(refused.detail).toBe('too many failed sign-ins; try again in 60 s');
    const res = await signIn(a, 'admin', ADMIN_PASSWORD);
    expect(res.headers['retry-after']).toBe('60');
    const events = (await auditEvents(h.deps)).filter((e) => e.action === 'login.lockout');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'system', subject: 'account:admin' });
    expect(events[0]?.after).toMatchObject({ failures: 10, lockedUntil: '2030-05-01T08:01:00.000Z' });
  });

  it('rotating X-Forwarded-For does not escape the per-account lock', async () => {
    const a = await app({ accountFailures: 3 }, true);
    for (let i = 1; i <= 3; i++) expectProblem(await signIn(a, 'alice', 'wrong password', { xff: `198.51.100.${i}` }), 401);
    expectProblem(await signIn(a, 'alice', PASSWORD, { xff: '203.0.113.99' }), 429, 'too-many-attempts');
    expectProblem(await signIn(a, 'ALICE ', PASSWORD, { xff: '2001:db8::99' }), 429, 'too-many-attempts');
    // Another account is not affected.
    expectJson(await signIn(a, 'bob', PASSWORD, { xff: '198.51.100.1' }), 200);
  });

  it('behind listed proxies only the right-most untrusted hop counts as the address', async () => {
    const a = await app({ addressFailures: 4 }, ['127.0.0.1', '10.0.0.0/8']);
    for (let i = 1; i <= 4; i++) {
      // The left part is whatever the client claims; the proxy appended the address it saw.
      expectProblem(await signIn(a, `nobody${i}`, 'wrong password', { xff: `192.0.2.${i}, 203.0.113.7, 10.1.2.3` }), 401);
    }
    expectProblem(await signIn(a, 'alice', PASSWORD, { xff: '192.0.2.77, 203.0.113.7' }), 429, 'too-many-attempts');
    expectJson(await signIn(a, 'alice', PASSWORD, { xff: '203.0.113.8' }), 200);
    // A client reaching relman directly cannot claim an address: its socket address counts.
    for (let i = 1; i <= 4; i++) {
      expectProblem(await signIn(a, `other${i}`, 'wrong password', { socket: '198.51.100.20', xff: `192.0.2.${100 + i}` }), 401);
    }
    expectProblem(await signIn(a, 'bob', PASSWORD, { socket: '198.51.100.20', xff: '192.0.2.200' }), 429, 'too-many-attempts');
  });

  it('many guesses sent at once do not slip past the limit', async () => {
    const a = await app({ accountFailures: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => signIn(a, 'alice', 'wrong password')));
    expect(answers.filter((r) => r.statusCode === 401)).toHaveLength(3);
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(5);
  });

  it('two relman processes on the same database share a lock', async () => {
    const second = createDeps(open(h.scratch), clock.clock);
    extra.push(second);
    const one = await app({ accountFailures: 3 });
    const two = await app({ accountFailures: 3 }, false, second);
    for (let i = 0; i < 3; i++) expectProblem(await signIn(one, 'alice', 'wrong password'), 401);
    expectProblem(await signIn(two, 'alice', PASSWORD), 429, 'too-many-attempts');
  });

  it('a successful sign-in resets the account’s count; the address keeps its other failures', async () => {
    const a = await app({ accountFailures: 3, addressFailures: 6 });
    for (let i = 0; i < 2; i++) expectProblem(await signIn(a, 'alice', 'wrong password'), 401);
    expectJson(await signIn(a, 'alice', PASSWORD), 200);
    for (let i = 0; i < 2; i++) expectProblem(await signIn(a, 'alice', 'wrong password'), 401);
    expectJson(await signIn(a, 'alice', PASSWORD), 200);
    for (let i = 0; i < 2; i++) expectProblem(await signIn(a, 'alice', 'wrong password'), 401);
    // Six failures from this address (the two successes were not counted): it is locked, for every account.
    expectProblem(await signIn(a, 'bob', PASSWORD), 429, 'too-many-attempts');
    expectJson(await signIn(a, 'bob', PASSWORD, { socket: '198.51.100.30' }), 200);
  });

  it('a lock doubles with each failure after it and ends on time', async () => {
    const a = await app({ accountFailures: 2 });
    for (let i = 0; i < 2; i++) expectProblem(await signIn(a, 'alice', 'wrong password'), 401);
    expect((await signIn(a, 'alice', PASSWORD)).headers['retry-after']).toBe('60');
    clock.advance(60_000);
    expectProblem(await signIn(a, 'alice', 'wrong password'), 401);
    expect((await signIn(a, 'alice', PASSWORD)).headers['retry-after']).toBe('120');
    clock.advance(119_000);
    expectProblem(await signIn(a, 'alice', PASSWORD), 429);
    clock.advance(1_000);
    expectJson(await signIn(a, 'alice', PASSWORD), 200);
    // The count starts again after a success.
    expectProblem(await signIn(a, 'alice', 'wrong password'), 401);
    expectJson(await signIn(a, 'alice', PASSWORD), 200);
  });

  it('stays bounded: old entries are purged, and an active lock is never dropped to make room', async () => {
    const a = await app({ accountFailures: 1, addressFailures: 1000, maxEntries: 3, forgetAfterMs: 10 * 60_000 });
    const keys = async () =>
      (await h.deps.database.kysely.selectFrom('login_throttle').select('key').orderBy('key').execute()).map((r) => r.key);
    for (const u of ['alice', 'bob', 'carol', 'dave']) expectProblem(await signIn(a, u, 'wrong password'), 401);
    // Four locked accounts and one address: the address (not locked) made room; the locks stay.
    expect(await keys()).toEqual(['account:alice', 'account:bob', 'account:carol', 'account:dave']);
    expectProblem(await signIn(a, 'alice', PASSWORD), 429, 'too-many-attempts');
    clock.advance(11 * 60_000);
    expectProblem(await signIn(a, 'erin', 'wrong password'), 401);
    expect(await keys()).toEqual(['account:erin', 'address:127.0.0.1']);
    expectJson(await signIn(a, 'alice', PASSWORD), 200);
  });
});
