import { createHash, randomUUID } from 'node:crypto';
import { pushPasswordHash } from '../db/repositories/password-history.js';
import {
  activeAdminIds,
  deleteOtherSessionsOfUser,
  deleteSessionsOfUser,
  insertUser,
  lockUsers,
  listUsers,
  setUserRoles,
  updateUser as updateUserRow,
  userByName,
  type UserWithRoles,
} from '../db/repositories/users.js';
import type { Trx } from '../db/database.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError, type FieldProblem } from '../domain/errors.js';
import type { UserAuditView } from '../domain/audit/access.js';
import type { Actor } from './actor.js';
import { requireAdmin } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { PASSWORD_HISTORY_SIZE } from '../domain/password-policy.js';
import { checkAnAdminRemains, checkRolesGiven, takesAwayActiveAdmin, type UserState } from '../domain/user-rules.js';
import { checkNewPassword, hashPassword, policyProblems, verifyPassword } from './passwords.js';
import { knownRoles } from './templates.js';
import { write } from './write.js';

/** A user as listed and as audited. */
export type UserView = UserAuditView;

export function toUserView(u: UserWithRoles): UserView {
  return {
    username: u.username,
    displayName: u.display_name,
    email: u.email,
    roles: u.roles,
    disabled: u.disabled === 1,
    createdAt: u.created_at,
    updatedAt: u.updated_at,
  };
}

/** Maps role ids or names, in any case, to the role ids the templates in force declare. */
export async function normalizeRoles(deps: ServiceDeps, roles: string[]): Promise<string[]> {
  const known = await knownRoles(deps);
  const problems: FieldProblem[] = [];
  const out = new Set<string>();
  roles.forEach((r, i) => {
    const wanted = r.trim().toLowerCase();
    const hit = [...known].find(([id, name]) => id.toLowerCase() === wanted || name.toLowerCase() === wanted);
    if (hit) out.add(hit[0]);
    else problems.push({ path: `roles[${i}]`, message: `unknown role "${r}"; one of: ${[...known.keys()].join(', ')}` });
  });
  if (problems.length > 0) throw new ValidationError('unknown role', problems);
  return [...out].sort();
}

export type AddUserInput = {
  username: string;
  displayName?: string | undefined;
  email?: string | null | undefined;
  password?: string | undefined;
  roles: string[];
};

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export async function addUser(deps: ServiceDeps, actor: Actor, input: AddUserInput): Promise<UserView> {
  requireAdmin(actor, 'user.create');
  const problems: FieldProblem[] = [];
  if (!USERNAME.test(input.username)) {
    problems.push({ path: 'username', message: '1-64 letters, digits, dot, dash or underscore, starting with a letter or digit' });
  }
  if (input.email !== undefined && input.email !== null && !EMAIL.test(input.email)) {
    problems.push({ path: 'email', message: `"${input.email}" is not an e-mail address` });
  }
  if (input.password !== undefined) problems.push(...(await policyProblems(input.password, input.username)));
  if (input.roles.length === 0) problems.push({ path: 'roles', message: 'give the user at least one role' });
  if (problems.length > 0) throw new ValidationError('the user cannot be created', problems);
  const roles = await normalizeRoles(deps, input.roles);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    if (await userByName(db, input.username)) throw new ConflictError(`user "${input.username}" already exists`);
    const now = deps.clock().toISOString();
    const row = {
      id: randomUUID(),
      username: input.username,
      display_name: input.displayName ?? input.username,
      email: input.email ?? null,
      password_hash: passwordHash,
      disabled: 0,
      created_at: now,
      updated_at: now,
    };
    await insertUser(db, row, roles);
    if (passwordHash !== null) await pushPasswordHash(db, row.id, passwordHash, now, PASSWORD_HISTORY_SIZE);
    const v = toUserView({ ...row, roles });
    return tx.audit({ action: 'user.create', subjectType: 'user', subjectId: row.username, after: v }, v);
  });
}

async function loadUser(db: Trx, username: string): Promise<UserWithRoles> {
  const u = await userByName(db, username);
  if (!u) throw new NotFoundError('user', username);
  return u;
}

export type UpdateUserInput = {
  displayName?: string | undefined;
  email?: string | null | undefined;
  roles?: string[] | undefined;
  disabled?: boolean | undefined;
  password?: string | undefined;
};

/**
 * Refuses to take away the last active administrator. The rows of every
 * active administrator are locked first, so two administrators demoting each
 * other at once are serialised and the second one sees the first one's change.
 */
async function keepAnAdmin(db: Trx, u: UserWithRoles): Promise<void> {
  await lockUsers(db, await activeAdminIds(db));
  const others = (await activeAdminIds(db)).filter((id) => id !== u.id);
  checkAnAdminRemains(toState(u), others.length);
}

const toState = (u: UserWithRoles): UserState => ({ username: u.username, disabled: u.disabled === 1, roles: u.roles });

export async function updateUser(deps: ServiceDeps, actor: Actor, username: string, input: UpdateUserInput): Promise<UserView> {
  requireAdmin(actor, 'user.update');
  checkRolesGiven(input.roles);
  const roles = input.roles === undefined ? undefined : await normalizeRoles(deps, input.roles);
  if (input.password !== undefined) {
    const current = await userByName(deps.database.kysely, username);
    await checkNewPassword(deps.database.kysely, input.password, { username, user: current });
  }
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  return write(deps, actor, async (tx) => {
    const { db, onCommit } = tx;
    // Roles and the disabled flag are part of every cached token actor.
    onCommit(() => deps.caches.tokens.clear());
    const u = await loadUser(db, username);
    if (u.username === actor.username && (input.disabled === true || (roles !== undefined && !roles.includes('admin')))) {
      throw new ConflictError('you cannot disable yourself or take away your own admin role', 'self-lockout');
    }
    if (takesAwayActiveAdmin(toState(u), roles, input.disabled)) await keepAnAdmin(db, u);
    const before = toUserView(u);
    const now = deps.clock().toISOString();
    const patch: Parameters<typeof updateUserRow>[2] = { updated_at: now };
    if (input.displayName !== undefined) patch.display_name = input.displayName;
    if (input.email !== undefined) patch.email = input.email;
    if (input.disabled !== undefined) patch.disabled = input.disabled ? 1 : 0;
    if (passwordHash !== undefined) patch.password_hash = passwordHash;
    await updateUserRow(db, u.id, patch);
    if (roles !== undefined) await setUserRoles(db, u.id, roles);
    if (passwordHash !== undefined) await pushPasswordHash(db, u.id, passwordHash, now, PASSWORD_HISTORY_SIZE, u.password_hash);
    // A password set by an administrator ends every session of the user; API tokens stay valid.
    if (input.disabled === true || passwordHash !== undefined) await deleteSessionsOfUser(db, u.id);
    const after = toUserView(await loadUser(db, username));
    // The audit records that the password changed, never the password or its hash.
    return tx.audit(
      {
        action: 'user.update',
        subjectType: 'user',
        subjectId: username,
        before,
        after: passwordHash === undefined ? after : { ...after, passwordChanged: true },
      },
      after,
    );
  });
}

/**
 * Changes the caller's own password. Every other session of the user ends;
 * the session the change was made in (if any) stays, and API tokens stay valid.
 */
export async function changeOwnPassword(
  deps: ServiceDeps,
  actor: Actor,
  current: string,
  next: string,
  currentSessionId?: string | null,
): Promise<void> {
  if (actor.userId === null) throw new UnauthenticatedError('only a signed-in user can change their own password');
  const user = await userByName(deps.database.kysely, actor.username);
  if (!user || !(await verifyPassword(user.password_hash, current))) {
    throw new ValidationError('the current password is wrong', [{ path: 'currentPassword', message: 'does not match' }]);
  }
  await checkNewPassword(deps.database.kysely, next, { username: user.username, user }, 'newPassword');
  const hashed = await hashPassword(next);
  await write(deps, actor, async (tx) => {
    const { db } = tx;
    const now = deps.clock().toISOString();
    await updateUserRow(db, user.id, { password_hash: hashed, updated_at: now });
    await pushPasswordHash(db, user.id, hashed, now, PASSWORD_HISTORY_SIZE, user.password_hash);
    if (currentSessionId) await deleteOtherSessionsOfUser(db, user.id, createHash('sha256').update(currentSessionId).digest('hex'));
    else await deleteSessionsOfUser(db, user.id);
    return tx.audit(
      {
        action: 'user.password',
        subjectType: 'user',
        subjectId: user.username,
        after: { passwordChanged: true, otherSessionsEnded: true },
      },
      undefined,
    );
  });
}

export async function listUserViews(deps: ServiceDeps): Promise<UserView[]> {
  return (await listUsers(deps.database.kysely)).map(toUserView);
}

export async function getUserView(deps: ServiceDeps, username: string): Promise<UserView> {
  const u = await userByName(deps.database.kysely, username);
  if (!u) throw new NotFoundError('user', username);
  return toUserView(u);
}
