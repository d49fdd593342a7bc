import type { Db, Trx } from '../database.js';

/** Who a mail can reach among the users: active users by name or by role, with their address. */

/** The addresses of the active users of these names (null for those without one). */
export async function emailsOfActiveUsers(db: Db | Trx, usernames: readonly string[]): Promise<(string | null)[]> {
  if (usernames.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('username', 'in', [...usernames])
    .where('disabled', '=', 0)
    .execute();
  return rows.map((r) => r.email);
}

/** Active users holding one of the roles, once per role held, by username (null addresses included). */
export async function emailsOfActiveRoleHolders(db: Db | Trx, roles: readonly string[]): Promise<(string | null)[]> {
  if (roles.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select('users.email')
    .where('user_roles.role', 'in', [...roles])
    .where('users.disabled', '=', 0)
    .orderBy('users.username')
    .execute();
  return rows.map((r) => r.email);
}

/** Active users holding one of the roles, each once, with their address (null when they have none), by username. */
export async function activeRoleHolders(db: Db | Trx, roles: readonly string[]): Promise<{ username: string; email: string | null }[]> {
  if (roles.length === 0) return [];
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.username', 'users.email'])
    .distinct()
    .where('user_roles.role', 'in', [...roles])
    .where('users.disabled', '=', 0)
    .orderBy('users.username')
    .execute();
}

/** A user's display name by username; undefined for someone who is not a user. */
export async function displayNameByUsername(db: Db | Trx, username: string): Promise<string | undefined> {
  const u = await db.selectFrom('users').select('display_name').where('username', '=', username).executeTakeFirst();
  return u?.display_name;
}
