import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { actorFromSession, actorFromToken, createToken, listTokens, login, logout, revokeToken } from '../../src/services/auth.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { addUser, changeOwnPassword, getUserView, listUserViews, updateUser } from '../../src/services/users.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { DAY, HOUR, manualClock, rejectsWith, rowCount } from '../support/service-fixtures.js';

const PASSWORD = 'correct horse battery staple';

describe.each(dialects)('users and authentication ($name)', ({ name }) => {
  let h: Harness;
  let deps: ServiceDeps;
  const clock = manualClock('2030-04-01T08:00:00.000Z');

  beforeEach(async () => {
    clock.set('2030-04-01T08:00:00.000Z');
    h = await harness(name, clock.clock);
    deps = h.deps;
  });
  afterEach(async () => h.close());

  const addAlice = (roles: string[] = ['developer']) =>
    addUser(deps, SYSTEM_ACTOR, { username: 'alice', displayName: 'Alice A.', email: 'alice@example.org', password: PASSWORD, roles });

  it('normalizes roles given by id or name in any case', async () => {
    const alice = await addAlice(['Technical Lead', 'CMC', ' developer ', 'ADMIN', 'cmc', 'viewer / auditor']);
    expect(alice).toEqual({
      username: 'alice',
      displayName: 'Alice A.',
      email: 'alice@example.org',
      roles: ['admin', 'cmc', 'developer', 'technical-lead', 'viewer'],
      disabled: false,
      createdAt: '2030-04-01T08:00:00.000Z',
      updatedAt: '2030-04-01T08:00:00.000Z',
    });
    const stored = await deps.database.kysely
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .select('role')
      .where('username', '=', 'alice')
      .orderBy('role')
      .execute();
    expect(stored.map((r) => r.role)).toEqual(['admin', 'cmc', 'developer', 'technical-lead', 'viewer']);
    expect(await getUserView(deps, 'alice')).toEqual(alice);

    const updated = await updateUser(deps, SYSTEM_ACTOR, 'alice', { roles: ['systems analyst'] });
    expect(updated.roles).toEqual(['systems-analyst']);
  });

  it('refuses unknown roles, weak passwords, duplicates and non-admin callers', async () => {
    const unknown = await rejectsWith(addUser(deps, SYSTEM_ACTOR, { username: 'bob', roles: ['cmc', 'wizard', 'root'] }), ValidationError);
    expect(unknown.problems.map((p) => p.path)).toEqual(['roles[1]', 'roles[2]']);
    expect(unknown.problems[0]?.message).toContain('unknown role "wizard"; one of: cmc, technical-lead');

    const weak = await rejectsWith(addUser(deps, SYSTEM_ACTOR, { username: 'bob', roles: ['cmc'], password: 'short-pw' }), ValidationError);
    expect(weak.problems).toEqual([{ path: 'password', message: 'a password has at least 12 characters' }]);

    await addAlice();
    const dup = await rejectsWith(addAlice(), ConflictError);
    expect(dup.message).toContain('"alice" already exists');

    const dev = (await userWith(deps, ['developer', 'cmc'])).actor;
    const forbidden = await rejectsWith(addUser(deps, dev, { username: 'mallory', roles: ['admin'], password: PASSWORD }), ForbiddenError);
    expect(forbidden.action).toBe('user.create');
    await rejectsWith(updateUser(deps, dev, 'alice', { roles: ['admin'] }), ForbiddenError);

    expect((await listUserViews(deps)).map((u) => u.username).filter((u) => !u.startsWith('u'))).toEqual(['admin', 'alice']);
    expect((await updateUser(deps, SYSTEM_ACTOR, 'alice', {})).roles).toEqual(['developer']);
    await rejectsWith(updateUser(deps, SYSTEM_ACTOR, 'nobody', { displayName: 'x' }), NotFoundError);
  });

  it('logs in with the right password only, and keeps sessions hashed', async () => {
    await addAlice();
    const s = await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8, requestId: 'req-1' });
    expect(s.expiresAt).toBe('2030-04-01T16:00:00.000Z');
    expect(s.actor).toMatchObject({ username: 'alice', roles: ['developer'], requestId: 'req-1' });
    expect(s.sessionId).not.toBe(s.csrfToken);

    const back = await actorFromSession(deps, s.sessionId);
    expect(back?.actor.username).toBe('alice');
    expect(back?.csrfToken).toBe(s.csrfToken);
    const stored = await deps.database.kysely.selectFrom('sessions').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.id_hash).toBe(createHash('sha256').update(s.sessionId).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(s.sessionId);

    await rejectsWith(login(deps, { username: 'alice', password: 'wrong password!!', ttlHours: 8 }), UnauthenticatedError);
    await rejectsWith(login(deps, { username: 'alice', password: PASSWORD.toUpperCase(), ttlHours: 8 }), UnauthenticatedError);
    await rejectsWith(login(deps, { username: 'nobody', password: PASSWORD, ttlHours: 8 }), UnauthenticatedError);
    expect(await actorFromSession(deps, 'not-a-session')).toBeNull();

    await logout(deps, s.actor, s.sessionId);
    expect(await actorFromSession(deps, s.sessionId)).toBeNull();
    expect(await rowCount(deps, 'sessions')).toBe(0);
  });

  it('a session ends at its expiry time', async () => {
    await addAlice();
    const s = await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 2 });
    clock.advance(2 * HOUR - 1);
    expect((await actorFromSession(deps, s.sessionId))?.actor.username).toBe('alice');
    clock.advance(1);
    expect(await actorFromSession(deps, s.sessionId)).toBeNull();
    // A later login sweeps sessions that are past their expiry away.
    clock.advance(1);
    await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 2 });
    expect(await rowCount(deps, 'sessions')).toBe(1);
  });

  it('a password change takes effect at once and ends existing sessions when an admin sets it', async () => {
    await addAlice();
    const s = await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8 });
    await changeOwnPassword(deps, s.actor, PASSWORD, 'a brand new passphrase');
    await rejectsWith(login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8 }), UnauthenticatedError);
    const s2 = await login(deps, { username: 'alice', password: 'a brand new passphrase', ttlHours: 8 });
    await rejectsWith(changeOwnPassword(deps, s2.actor, 'not the current one', 'another new passphrase'), ValidationError);
    await rejectsWith(changeOwnPassword(deps, s2.actor, 'a brand new passphrase', 'short'), ValidationError);
    await rejectsWith(changeOwnPassword(deps, SYSTEM_ACTOR, PASSWORD, 'another new passphrase'), UnauthenticatedError);

    await updateUser(deps, SYSTEM_ACTOR, 'alice', { password: 'set by the administrator' });
    expect(await actorFromSession(deps, s2.sessionId)).toBeNull();
    expect((await login(deps, { username: 'alice', password: 'set by the administrator', ttlHours: 8 })).actor.username).toBe('alice');
  });

  it('a disabled user can neither log in nor use tokens or sessions', async () => {
    await addAlice();
    const alice = (await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8 })).actor;
    const token = await createToken(deps, alice, { name: 'laptop' });
    const session = await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8 });
    expect((await actorFromToken(deps, token.token))?.username).toBe('alice');

    const disabled = await updateUser(deps, SYSTEM_ACTOR, 'alice', { disabled: true });
    expect(disabled.disabled).toBe(true);
    expect(await actorFromToken(deps, token.token)).toBeNull();
    expect(await actorFromSession(deps, session.sessionId)).toBeNull();
    await rejectsWith(login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8 }), UnauthenticatedError);
    expect((await rejectsWith(createToken(deps, SYSTEM_ACTOR, { user: 'alice' }), ConflictError)).code).toBe('user-disabled');

    await updateUser(deps, SYSTEM_ACTOR, 'alice', { disabled: false });
    expect((await actorFromToken(deps, token.token))?.username).toBe('alice');
    expect((await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8 })).actor.username).toBe('alice');

    const admin = (await login(deps, { username: 'admin', password: 'admin-password-for-tests', ttlHours: 8 })).actor;
    expect((await rejectsWith(updateUser(deps, admin, 'admin', { disabled: true }), ConflictError)).code).toBe('self-lockout');
    expect((await rejectsWith(updateUser(deps, admin, 'admin', { roles: ['cmc'] }), ConflictError)).code).toBe('self-lockout');
  });

  it('shows a token once, stores only its hash and honours revocation', async () => {
    await addAlice();
    const alice = (await login(deps, { username: 'alice', password: PASSWORD, ttlHours: 8 })).actor;
    const created = await createToken(deps, alice, { name: 'ci' });
    expect(created.token).toMatch(/^rmt_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'ci', user: 'alice', expiresAt: null, lastUsedAt: null, revokedAt: null });

    const rows = await deps.database.kysely.selectFrom('api_tokens').selectAll().where('id', '=', created.id).execute();
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    const secretPart = created.token.slice(4);
    for (const table of ['api_tokens', 'audit_events', 'users', 'sessions'] as const) {
      const dump = JSON.stringify(await deps.database.kysely.selectFrom(table).selectAll().execute());
      expect(dump).not.toContain(secretPart);
    }
    const listed = await listTokens(deps, alice);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secretPart);

    const who = await actorFromToken(deps, created.token, 'req-9');
    expect(who).toMatchObject({ username: 'alice', roles: ['developer'], requestId: 'req-9' });
    expect((await listTokens(deps, alice))[0]?.lastUsedAt).toBe('2030-04-01T08:00:00.000Z');
    expect(await actorFromToken(deps, `${created.token}x`)).toBeNull();
    expect(await actorFromToken(deps, 'not-a-token')).toBeNull();

    const bob = (await userWith(deps, ['developer'], 'bob')).actor;
    await rejectsWith(revokeToken(deps, bob, created.id), NotFoundError);
    expect((await rejectsWith(createToken(deps, bob, { user: 'alice' }), ForbiddenError)).action).toBe('token.create-for-others');
    await rejectsWith(listTokens(deps, bob, 'alice'), ForbiddenError);

    clock.advance(5_000);
    const revoked = await revokeToken(deps, alice, created.id);
    expect(revoked.revokedAt).toBe('2030-04-01T08:00:05.000Z');
    expect(await actorFromToken(deps, created.token)).toBeNull();
    expect((await rejectsWith(revokeToken(deps, alice, created.id), ConflictError)).code).toBe('already-revoked');

    // An administrator may create and revoke tokens for others.
    const forAlice = await createToken(deps, SYSTEM_ACTOR, { user: 'alice', name: 'by-admin' });
    expect((await actorFromToken(deps, forAlice.token))?.username).toBe('alice');
    await revokeToken(deps, SYSTEM_ACTOR, forAlice.id);
    expect(await actorFromToken(deps, forAlice.token)).toBeNull();
  });

  it('refuses an expired token', async () => {
    await addAlice();
    const t = await createToken(deps, SYSTEM_ACTOR, { user: 'alice', expiresInDays: 1 });
    expect(t.expiresAt).toBe('2030-04-02T08:00:00.000Z');
    clock.advance(DAY - 1);
    expect((await actorFromToken(deps, t.token))?.username).toBe('alice');
    clock.advance(1);
    expect(await actorFromToken(deps, t.token)).toBeNull();
    clock.advance(30 * DAY);
    expect(await actorFromToken(deps, t.token)).toBeNull();
    const forever = await createToken(deps, SYSTEM_ACTOR, { user: 'alice' });
    clock.advance(3650 * DAY);
    expect((await actorFromToken(deps, forever.token))?.username).toBe('alice');
  });
});
