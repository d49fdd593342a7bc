import type { Trx } from '../database.js';

export async function createCounter(db: Trx, scope: string): Promise<void> {
  await db.insertInto('counters').values({ scope, value: 0 }).execute();
}

/**
 * Takes the next number of a sequence. The UPDATE row-locks the counter on
 * PostgreSQL until the surrounding transaction ends, so concurrent callers get
 * consecutive numbers and a rolled-back transaction gives its number back.
 */
export async function nextValue(db: Trx, scope: string): Promise<number> {
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('scope', '=', scope)
    .returning('value')
    .executeTakeFirst();
  if (!row) throw new Error(`counter ${scope} does not exist`);
  return Number(row.value);
}

/**
 * Like `nextValue`, for a sequence created on first use (such as the numbers
 * of a work-item kind a later template version adds): the row is inserted
 * at 0 unless it exists, then taken as usual.
 */
export async function nextValueCreating(db: Trx, scope: string): Promise<number> {
  await db
    .insertInto('counters')
    .values({ scope, value: 0 })
    .onConflict((oc) => oc.column('scope').doNothing())
    .execute();
  return nextValue(db, scope);
}

export async function currentValue(db: Trx, scope: string): Promise<number> {
  const row = await db.selectFrom('counters').select('value').where('scope', '=', scope).executeTakeFirst();
  return row ? Number(row.value) : 0;
}
