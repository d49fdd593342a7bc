import type { Db, Trx } from '../database.js';
import { nullableJsonColumn } from '../codec.js';
import type { BlackoutTable, ChangeCycleTable, ReleaseTable, WorkItemTable } from '../schema.js';
import type { BlackoutOverride } from '../../domain/audit/calendar.js';

/**
 * Change cycles, blackout windows, and the scheduling columns of releases
 * (`cycle_id`, `planned_date`, `blackout_override`).
 */

/** `releases.blackout_override`: who planned the release on which blackout windows, when and why; null when none. */
export const releaseBlackoutOverride = nullableJsonColumn<BlackoutOverride>();

// Blackout windows

/** The application's blackout windows that touch the range (both ends inclusive; either open). */
export async function blackoutsOf(db: Db | Trx, applicationId: string, from?: string, to?: string): Promise<BlackoutTable[]> {
  let q = db.selectFrom('blackouts').selectAll().where('application_id', '=', applicationId);
  if (from !== undefined) q = q.where('ends_on', '>=', from);
  if (to !== undefined) q = q.where('starts_on', '<=', to);
  return q.orderBy('starts_on').orderBy('ends_on').orderBy('id').execute();
}

/** The application's blackout windows ending on or after `since`, by first day. */
export async function blackoutsEndingSince(db: Db | Trx, applicationId: string, since: string): Promise<BlackoutTable[]> {
  return db
    .selectFrom('blackouts')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('ends_on', '>=', since)
    .orderBy('starts_on')
    .execute();
}

export async function blackoutById(db: Db | Trx, applicationId: string, id: string): Promise<BlackoutTable | undefined> {
  return db.selectFrom('blackouts').selectAll().where('application_id', '=', applicationId).where('id', '=', id).executeTakeFirst();
}

export async function blackoutsByIds(db: Db | Trx, ids: readonly string[]): Promise<BlackoutTable[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('blackouts')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

export async function insertBlackout(db: Trx, row: BlackoutTable): Promise<void> {
  await db.insertInto('blackouts').values(row).execute();
}

export async function deleteBlackout(db: Trx, id: string): Promise<void> {
  await db.deleteFrom('blackouts').where('id', '=', id).execute();
}

// Change cycles

export async function cycleOn(db: Db | Trx, applicationId: string, date: string): Promise<ChangeCycleTable | undefined> {
  return db
    .selectFrom('change_cycles')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('cycle_date', '=', date)
    .executeTakeFirst();
}

export async function cycleById(db: Db | Trx, id: string): Promise<ChangeCycleTable | undefined> {
  return db.selectFrom('change_cycles').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The application's cycles in the range (both ends inclusive; either open), by date. */
export async function cyclesOf(db: Db | Trx, applicationId: string, from?: string, to?: string): Promise<ChangeCycleTable[]> {
  let q = db.selectFrom('change_cycles').selectAll().where('application_id', '=', applicationId);
  if (from !== undefined) q = q.where('cycle_date', '>=', from);
  if (to !== undefined) q = q.where('cycle_date', '<=', to);
  return q.orderBy('cycle_date').execute();
}

export async function insertCycle(db: Trx, row: ChangeCycleTable): Promise<void> {
  await db.insertInto('change_cycles').values(row).execute();
}

/** Writes only if nobody else wrote since `expectedVersion`, and moves the version on; returns whether it did. */
export async function updateCycleVersioned(
  db: Trx,
  id: string,
  expectedVersion: number,
  patch: Partial<Omit<ChangeCycleTable, 'id' | 'row_version'>>,
): Promise<boolean> {
  const res = await db
    .updateTable('change_cycles')
    .set({ ...patch, row_version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('row_version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

// Releases on the calendar

export type PlannedFilter = {
  applicationId: string;
  /** First planned date (inclusive); open when absent. */
  from?: string | undefined;
  /** Last planned date (inclusive); open when absent. */
  to?: string | undefined;
  /** Leave out releases in these states. */
  notInStates?: readonly string[] | undefined;
};

/** The application's releases planned in the range, by planned date and name. */
export async function releasesPlanned(db: Db | Trx, f: PlannedFilter): Promise<ReleaseTable[]> {
  let q = db.selectFrom('releases').selectAll().where('application_id', '=', f.applicationId);
  if (f.from !== undefined) q = q.where('planned_date', '>=', f.from);
  if (f.to !== undefined) q = q.where('planned_date', '<=', f.to);
  if (f.notInStates !== undefined && f.notInStates.length > 0) q = q.where('state', 'not in', [...f.notInStates]);
  return q.orderBy('planned_date').orderBy('name').execute();
}

/** The releases booked into any of the cycles, by name. */
export async function releasesInCycles(db: Db | Trx, cycleIds: readonly string[]): Promise<ReleaseTable[]> {
  if (cycleIds.length === 0) return [];
  return db
    .selectFrom('releases')
    .selectAll()
    .where('cycle_id', 'in', [...cycleIds])
    .orderBy('name')
    .execute();
}

/** The elements declared by the work items of the releases. */
export async function itemElementsOfReleases(
  db: Db | Trx,
  releaseIds: readonly string[],
): Promise<Pick<WorkItemTable, 'kind' | 'kind_number' | 'release_id' | 'elements'>[]> {
  if (releaseIds.length === 0) return [];
  return db
    .selectFrom('work_items')
    .select(['kind', 'kind_number', 'release_id', 'elements'])
    .where('release_id', 'in', [...releaseIds])
    .execute();
}
