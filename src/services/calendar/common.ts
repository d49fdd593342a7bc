import type { Db, Trx } from '../../db/database.js';
import type { BlackoutTable, ChangeCycleTable, ReleaseTable } from '../../db/schema.js';
import { todayIn, type BlackoutWindow, type ScheduledRelease } from '../../domain/calendar.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { ServiceDeps } from '../deps.js';

/** Today in the template's time zone, by the service clock. */
export function today(deps: ServiceDeps, template: ProcessTemplate): string {
  return todayIn(template.calendar.timeZone, deps.clock());
}

export function toWindow(b: BlackoutTable): BlackoutWindow {
  return { id: b.id, startsOn: b.starts_on, endsOn: b.ends_on, channel: b.channel, environment: b.environment, reason: b.reason };
}

export function toScheduled(r: ReleaseTable): ScheduledRelease {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    plannedDate: r.planned_date,
    channels: JSON.parse(r.channels) as string[],
    cycleId: r.cycle_id,
    overridden: r.blackout_override !== null,
  };
}

export type BlackoutOverride = { reason: string; by: string; at: string; date: string; blackouts: string[] };

export function parseOverride(json: string | null): BlackoutOverride | null {
  return json === null ? null : (JSON.parse(json) as BlackoutOverride);
}

/** The application's blackout windows that touch the range (both ends inclusive; either open). */
export async function blackoutsOf(db: Db | Trx, applicationId: string, from?: string, to?: string): Promise<BlackoutTable[]> {
  let q = db.selectFrom('blackouts').selectAll().where('application_id', '=', applicationId);
  if (from !== undefined) q = q.where('ends_on', '>=', from);
  if (to !== undefined) q = q.where('starts_on', '<=', to);
  return q.orderBy('starts_on').orderBy('ends_on').orderBy('id').execute();
}

export async function cycleOn(db: Db | Trx, applicationId: string, date: string): Promise<ChangeCycleTable | undefined> {
  return db
    .selectFrom('change_cycles')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('cycle_date', '=', date)
    .executeTakeFirst();
}

export async function cyclesOf(db: Db | Trx, applicationId: string, from?: string, to?: string): Promise<ChangeCycleTable[]> {
  let q = db.selectFrom('change_cycles').selectAll().where('application_id', '=', applicationId);
  if (from !== undefined) q = q.where('cycle_date', '>=', from);
  if (to !== undefined) q = q.where('cycle_date', '<=', to);
  return q.orderBy('cycle_date').execute();
}
