import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_FILE } from '../../src/config/settings.js';
import { ConflictError, ValidationError } from '../../src/domain/errors.js';
import { createDeps } from '../../src/runtime.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { login } from '../../src/services/auth.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { changeOwnPassword, updateUser } from '../../src/services/users.js';
import { dialects, open, scratchDatabase } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { rejectsWith } from '../support/service-fixtures.js';

const V = '/api/v1';
const COOKIE = 'relman_session';
const PASSWORD = 'correct horse battery staple';

describe.each(dialects)('passwords, sessions and administrators ($name)', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let admin: Call;

  beforeEach(async () => {
    h = await harness(name);
    app = await httpApp(h.deps);
    admin = caller(app, (await userWith(h.deps, ['admin'], 'sec-admin')).token);
  });
  afterEach(async () => {
    await app.close();
    await h.close();
  });

  /** Signs in; returns the cookie and CSRF header of the new session. */
  async function signIn(username: string, password: string) {
    const res = await app.inject({ method: 'POST', url: `${V}/session`, payload: { username, password } });
    const body = expectJson(res, 200);
    return {
      cookies: { [COOKIE]: res.cookies.find((c) => c.name === COOKIE)?.value ?? '' },
      headers: { 'x-csrf-token': String(body.csrfToken) },
    };
  }
  const whoami = (s: { cookies: Record<string, string> }) => app.inject({ method: 'GET', url: `${V}/session`, cookies: s.cookies });

  it('changing your own password ends your other sessions, keeps this one and your API tokens', async () => {
    const alice = await userWith(h.deps, ['developer'], 'alice');
    const here = await signIn('alice', PASSWORD);
    const elsewhere = await signIn('alice', PASSWORD);
    const changed = await app.inject({
      method: 'PUT',
      url: `${V}/session/password`,
      ...here,
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expectJson(await whoami(here), 200);
    expectProblem(await whoami(elsewhere), 401, 'unauthenticated');
    expectJson(await caller(app, alice.token)('GET', `${V}/session`), 200);

    // Changed with an API token: every session ends (there is no current one to keep).
    const again = await signIn('alice', 'a brand new passphrase');
    const byToken = await caller(app, alice.token)('PUT', `${V}/session/password`, {
      currentPassword: 'a brand new passphrase',
      newPassword: 'yet another passphrase',
    });
    expect(byToken.statusCode, byToken.body).toBe(204);
    expectProblem(await whoami(again), 401, 'unauthenticated');
    expectProblem(await whoami(here), 401, 'unauthenticated');
  });

  it('a password reset by an administrator ends all of the user’s sessions; API tokens stay valid', async () => {
    const bob = await userWith(h.deps, ['developer'], 'bob');
    const one = await signIn('bob', PASSWORD);
    const two = await signIn('bob', PASSWORD);
    expectJson(await admin('PATCH', `${V}/users/bob`, { password: 'set by the administrator' }), 200);
    expectProblem(await whoami(one), 401, 'unauthenticated');
    expectProblem(await whoami(two), 401, 'unauthenticated');
    expectJson(await caller(app, bob.token)('GET', `${V}/session`), 200);
  });

  it('refuses blank, one-character, common, username-equal and reused passwords, naming the rule', async () => {
    const create = (username: string, password: string) => admin('POST', `${V}/users`, { username, password, roles: ['developer'] });
    const rule = async (password: string, username = 'carol') => {
      const p = expectProblem(await create(username, password), 422, 'validation');
      return (p.errors ?? []).map((e) => `${e.path}: ${e.message}`);
    };
    expect(await rule('            ')).toEqual(['password: a password cannot be blank or only spaces']);
    expect(await rule('aaaaaaaaaaaa')).toEqual(['password: a password cannot be a single character repeated']);
    expect(await rule('Password1234')).toEqual(['password: this password is on a list of common passwords; choose another']);
    expect(await rule('carol.example-1', 'carol.example-1')).toEqual(['password: a password cannot be the username']);
    expect(await rule('xq7-short')).toEqual(['password: a password has at least 12 characters']);
    expectJson(await create('carol', PASSWORD), 201);

    // The current password and the ones before it are refused on a change and on a reset.
    const carol = await signIn('carol', PASSWORD);
    const change = (currentPassword: string, newPassword: string) =>
      app.inject({ method: 'PUT', url: `${V}/session/password`, ...carol, payload: { currentPassword, newPassword } });
    const same = expectProblem(await change(PASSWORD, PASSWORD), 422, 'validation');
    expect(same.errors).toEqual([{ path: 'newPassword', message: 'a password cannot be the current one or one of the last 4 before it' }]);
    expect(same.detail).toContain('the current one');
    expect((await change(PASSWORD, 'second passphrase ok')).statusCode).toBe(204);
    expectProblem(await change('second passphrase ok', PASSWORD), 422, 'validation');
    const blank = expectProblem(await change('second passphrase ok', '            '), 422, 'validation');
    expect(blank.errors).toEqual([{ path: 'newPassword', message: 'a password cannot be blank or only spaces' }]);
    const reset = expectProblem(await admin('PATCH', `${V}/users/carol`, { password: PASSWORD }), 422, 'validation');
    expect(reset.errors?.[0]?.message).toContain('the last 4');
    expectProblem(await admin('PATCH', `${V}/users/carol`, { password: 'qwerty123456' }), 422, 'validation');

    // Five passwords later the first one may come back.
    for (const [from, to] of [
      ['second passphrase ok', 'third passphrase ok'],
      ['third passphrase ok', 'fourth passphrase ok'],
      ['fourth passphrase ok', 'fifth passphrase ok'],
    ] as const) {
      expect((await change(from, to)).statusCode).toBe(204);
    }
    expectProblem(await change('fifth passphrase ok', 'second passphrase ok'), 422, 'validation');
    expect((await change('fifth passphrase ok', 'sixth passphrase ok')).statusCode).toBe(204);
    expect((await change('sixth passphrase ok', PASSWORD)).statusCode).toBe(204);
    const rows = await h.deps.database.kysely
      .selectFrom('password_history')
      .innerJoin('users', 'users.id', 'password_history.user_id')
      .where('username', '=', 'carol')
      .selectAll()
      .execute();
    expect(rows).toHaveLength(5);
  });

  it('a user from before password history was kept cannot go back to the password they had', async () => {
    const erin = await userWith(h.deps, ['developer'], 'erin');
    await h.deps.database.kysely
      .deleteFrom('password_history')
      .where('user_id', '=', erin.actor.userId ?? '')
      .execute();
    await changeOwnPassword(h.deps, erin.actor, PASSWORD, 'erin has a new passphrase');
    const back = await rejectsWith(changeOwnPassword(h.deps, erin.actor, 'erin has a new passphrase', PASSWORD), ValidationError);
    expect(back.problems).toEqual([{ path: 'newPassword', message: expect.stringContaining('the current one or one of the last') }]);
  });

  it('refuses to leave a user without roles', async () => {
    await userWith(h.deps, ['developer'], 'dave');
    const p = expectProblem(await admin('PATCH', `${V}/users/dave`, { roles: [] }), 422, 'validation');
    expect(p.errors).toEqual([{ path: 'roles', message: expect.stringContaining('at least one role') }]);
    expect(expectJson(await admin('GET', `${V}/users/dave`), 200).roles).toEqual(['developer']);
  });

  it('refuses to demote or disable the last active administrator', async () => {
    // 'admin' (from the first start) and 'sec-admin' are the administrators.
    expectJson(await admin('PATCH', `${V}/users/admin`, { disabled: true }), 200);
    const last = await rejectsWith(updateUser(h.deps, SYSTEM_ACTOR, 'sec-admin', { roles: ['cmc'] }), ConflictError);
    expect(last.code).toBe('last-admin');
    expect(last.message).toContain('"sec-admin" is the last active administrator');
    expect((await rejectsWith(updateUser(h.deps, SYSTEM_ACTOR, 'sec-admin', { disabled: true }), ConflictError)).code).toBe('last-admin');
    // A disabled administrator does not count, and may lose the role.
    expect((await updateUser(h.deps, SYSTEM_ACTOR, 'admin', { roles: ['viewer'] })).roles).toEqual(['viewer']);
  });

  it('two administrators demoting each other at once: one succeeds, the other is refused', async () => {
    const x = await userWith(h.deps, ['admin'], 'adm-x');
    const y = await userWith(h.deps, ['admin'], 'adm-y');
    await updateUser(h.deps, SYSTEM_ACTOR, 'admin', { disabled: true });
    await updateUser(h.deps, SYSTEM_ACTOR, 'sec-admin', { disabled: true });
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.allSettled([
        updateUser(h.deps, x.actor, 'adm-y', { roles: ['cmc'] }),
        updateUser(h.deps, y.actor, 'adm-x', { roles: ['cmc'] }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'last-admin' });
      await updateUser(h.deps, SYSTEM_ACTOR, outcomes[0].status === 'fulfilled' ? 'adm-y' : 'adm-x', { roles: ['admin'] });
    }

    // The same over HTTP: two concurrent requests.
    const [a, b] = await Promise.all([
      caller(app, x.token)('PATCH', `${V}/users/adm-y`, { roles: ['cmc'] }),
      caller(app, y.token)('PATCH', `${V}/users/adm-x`, { roles: ['cmc'] }),
    ]);
    expect([a.statusCode, b.statusCode].filter((s) => s === 200)).toHaveLength(1);
    const refused = a.statusCode === 200 ? b : a;
    expect([403, 409]).toContain(refused.statusCode);
    const admins = await h.deps.database.kysely
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .select('username')
      .execute();
    expect(admins).toHaveLength(1);
  });
});

describe.each(dialects)('first start and the password policy ($name)', ({ name }) => {
  it('a generated admin password passes the policy; a common RELMAN_ADMIN_PASSWORD is refused by name', async () => {
    const generated = await scratchDatabase(name);
    const deps = createDeps(open(generated));
    try {
      const report = await bootstrap(deps, { templateFile: DEFAULT_TEMPLATE_FILE });
      expect(report.admin?.generated).toBe(true);
      expect((await login(deps, { username: 'admin', password: report.admin?.password ?? '', ttlHours: 1 })).actor.username).toBe('admin');
    } finally {
      await deps.database.close();
      await generated.drop();
    }
    const common = await scratchDatabase(name);
    const deps2 = createDeps(open(common));
    try {
      const err = await rejectsWith(
        bootstrap(deps2, { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: 'password1234' }),
        ValidationError,
      );
      expect(err.message).toContain('RELMAN_ADMIN_PASSWORD is refused by the password policy');
      expect(err.problems).toEqual([{ path: 'RELMAN_ADMIN_PASSWORD', message: expect.stringContaining('common passwords') }]);
    } finally {
      await deps2.database.close();
      await common.drop();
    }
  });
});
