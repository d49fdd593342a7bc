import type { Db } from '../database.js';
import type { JobTable } from '../schema.js';

/** Creates the job's row if it does not exist yet (another process may be doing the same). */
export async function ensureJobRow(db: Db, name: string): Promise<void> {
  await db
    .insertInto('jobs')
    .values({ name, lease_owner: null, lease_until: null, last_started_at: null, last_finished_at: null, last_error: null, runs: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/**
 * Takes the job's lease when it is free (or its holder's lease expired) and
 * the job last started at least `notStartedSince` ago. One conditional UPDATE:
 * of several processes trying at once, exactly one gets the row.
 */
export async function leaseJob(
  db: Db,
  name: string,
  o: { owner: string; now: string; leaseUntil: string; notStartedSince: string },
): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ lease_owner: o.owner, lease_until: o.leaseUntil, last_started_at: o.now })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', o.now)]))
    .where((eb) => eb.or([eb('last_started_at', 'is', null), eb('last_started_at', '<=', o.notStartedSince)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Records the end of a run and gives the lease back, if this owner still holds it. */
export async function finishJob(db: Db, name: string, owner: string, at: string, error: string | null): Promise<void> {
  await db
    .updateTable('jobs')
    .set((eb) => ({ lease_owner: null, lease_until: null, last_finished_at: at, last_error: error, runs: eb('runs', '+', 1) }))
    .where('name', '=', name)
    .where('lease_owner', '=', owner)
    .execute();
}

export async function jobRow(db: Db, name: string): Promise<JobTable | undefined> {
  return db.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirst();
}
