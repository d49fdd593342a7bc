import type { Db, Trx } from '../database.js';
import { ReadStatement } from '../read.js';
import type { ApiTokenTable, SessionTable, UserTable } from '../schema.js';

export type UserWithRoles = UserTable & { roles: string[] };

async function withRoles(db: Db | Trx, users: UserTable[]): Promise<UserWithRoles[]> {
  if (users.length === 0) return [];
  const roles = await db
    .selectFrom('user_roles')
    .selectAll()
    .where(
      'user_id',
      'in',
      users.map((u) => u.id),
    )
    .execute();
  return users.map((u) => ({
    ...u,
    roles: roles
      .filter((r) => r.user_id === u.id)
      .map((r) => r.role)
      .sort(),
  }));
}

export async function insertUser(db: Trx, row: UserTable, roles: string[]): Promise<void> {
  await db.insertInto('users').values(row).execute();
  await setUserRoles(db, row.id, roles);
}

export async function setUserRoles(db: Trx, userId: string, roles: string[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roles.length > 0) {
    await db
      .insertInto('user_roles')
      .values(roles.map((role) => ({ user_id: userId, role })))
      .execute();
  }
}

export async function updateUser(db: Trx, id: string, patch: Partial<Omit<UserTable, 'id'>>): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

export async function userByName(db: Db | Trx, username: string): Promise<UserWithRoles | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row ? (await withRoles(db, [row]))[0] : undefined;
}

// Every authenticated request reads its caller (src/db/read.ts).
const USER_BY_ID = new ReadStatement<UserTable>('select * from users where id = ?');
const ROLES_OF_USER = new ReadStatement<{ role: string }>('select role from user_roles where user_id = ?');

export async function userById(db: Db | Trx, id: string): Promise<UserWithRoles | undefined> {
  const row = await USER_BY_ID.first(db, [id]);
  if (!row) return undefined;
  const roles = await ROLES_OF_USER.all(db, [id]);
  return { ...row, roles: roles.map((r) => r.role).sort() };
}

export async function listUsers(db: Db | Trx): Promise<UserWithRoles[]> {
  return withRoles(db, await db.selectFrom('users').selectAll().orderBy('username').execute());
}

export async function countUsers(db: Db | Trx): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertToken(db: Trx, row: ApiTokenTable): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

const TOKEN_BY_HASH = new ReadStatement<ApiTokenTable>('select * from api_tokens where token_hash = ?');

export async function tokenByHash(db: Db | Trx, hash: string): Promise<ApiTokenTable | undefined> {
  return TOKEN_BY_HASH.first(db, [hash]);
}

export async function tokenById(db: Db | Trx, id: string): Promise<ApiTokenTable | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function tokensOfUser(db: Db | Trx, userId: string): Promise<ApiTokenTable[]> {
  return db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

/** Every user's tokens with the owner's username, ordered by owner then creation (one query). */
export async function allTokensWithOwner(db: Db | Trx): Promise<(ApiTokenTable & { username: string })[]> {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens')
    .select('users.username')
    .orderBy('users.username')
    .orderBy('api_tokens.created_at')
    .orderBy('api_tokens.id')
    .execute();
}

export async function updateToken(db: Db | Trx, id: string, patch: Partial<Omit<ApiTokenTable, 'id'>>): Promise<void> {
  await db.updateTable('api_tokens').set(patch).where('id', '=', id).execute();
}

export async function insertSession(db: Trx, row: SessionTable): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

const SESSION_BY_HASH = new ReadStatement<SessionTable>('select * from sessions where id_hash = ?');

export async function sessionByHash(db: Db | Trx, hash: string): Promise<SessionTable | undefined> {
  return SESSION_BY_HASH.first(db, [hash]);
}

export async function deleteSession(db: Trx, hash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', hash).execute();
}

export async function deleteExpiredSessions(db: Db | Trx, nowIso: string): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', nowIso).execute();
}

export async function deleteSessionsOfUser(db: Trx, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Every session of the user but the one with this hash. */
export async function deleteOtherSessionsOfUser(db: Trx, userId: string, keepHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('id_hash', '!=', keepHash).execute();
}

/** Ids of the users who hold the admin role and are not disabled. */
export async function activeAdminIds(db: Db | Trx): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select('users.id')
    .where('user_roles.role', '=', 'admin')
    .where('users.disabled', '=', 0)
    .orderBy('users.id')
    .execute();
  return rows.map((r) => r.id);
}

/** Row-locks the users until the transaction ends (portable: a no-op update). */
export async function lockUsers(db: Trx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('users')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', 'in', ids)
    .execute();
}
