import type { Db, Trx } from '../database.js';

/** The user's most recent password hashes, newest first. */
export async function recentPasswordHashes(db: Db | Trx, userId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('password_history')
    .select('password_hash')
    .where('user_id', '=', userId)
    .orderBy('position', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.password_hash);
}

/**
 * Records a new password hash and keeps only the newest `keep` of the user's.
 * `previousHash`: the password being replaced, recorded first when the user
 * has no history yet (users created before the history was kept).
 */
export async function pushPasswordHash(
  db: Trx,
  userId: string,
  passwordHash: string,
  at: string,
  keep: number,
  previousHash: string | null = null,
): Promise<void> {
  const last = await db
    .selectFrom('password_history')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  let position = Number(last?.position ?? 0);
  if (position === 0 && previousHash !== null) {
    position = 1;
    await db.insertInto('password_history').values({ user_id: userId, position, password_hash: previousHash, created_at: at }).execute();
  }
  position += 1;
  await db.insertInto('password_history').values({ user_id: userId, position, password_hash: passwordHash, created_at: at }).execute();
  await db
    .deleteFrom('password_history')
    .where('user_id', '=', userId)
    .where('position', '<=', position - keep)
    .execute();
}
