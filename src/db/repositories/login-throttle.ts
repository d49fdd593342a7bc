import type { Db, Trx } from '../database.js';
import type { LoginThrottleTable } from '../schema.js';

export async function throttleEntries(db: Db | Trx, keys: string[]): Promise<LoginThrottleTable[]> {
  return db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
}

/**
 * Makes sure the keys' rows exist and row-locks them until the transaction
 * ends (a no-op update; SQLite's write transaction locks the whole file), so
 * concurrent attempts from any process are counted one after the other.
 */
export async function lockThrottleEntries(db: Trx, keys: string[], nowIso: string): Promise<void> {
  await db
    .insertInto('login_throttle')
    .values(keys.map((key) => ({ key, failures: 0, last_failure_at: nowIso, locked_until: null })))
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  await db
    .updateTable('login_throttle')
    .set((eb) => ({ failures: eb.ref('failures') }))
    .where('key', 'in', keys)
    .execute();
}

export async function saveThrottleEntry(db: Trx, row: LoginThrottleTable): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set({ failures: row.failures, last_failure_at: row.last_failure_at, locked_until: row.locked_until })
    .where('key', '=', row.key)
    .execute();
}

export async function deleteThrottleEntry(db: Trx, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

/** Drops entries whose last failure is before `cutoffIso` and that hold no lock active at `nowIso`. */
export async function purgeThrottleEntries(db: Trx, cutoffIso: string, nowIso: string): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('last_failure_at', '<', cutoffIso)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowIso)]))
    .execute();
}

export async function countThrottleEntries(db: Trx): Promise<number> {
  const row = await db
    .selectFrom('login_throttle')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Drops the `count` entries with the oldest last failure among those without an active lock. */
export async function dropOldestUnlockedEntries(db: Trx, count: number, nowIso: string): Promise<void> {
  if (count <= 0) return;
  const victims = await db
    .selectFrom('login_throttle')
    .select('key')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowIso)]))
    .orderBy('last_failure_at')
    .limit(count)
    .execute();
  if (victims.length === 0) return;
  await db
    .deleteFrom('login_throttle')
    .where(
      'key',
      'in',
      victims.map((v) => v.key),
    )
    .execute();
}
