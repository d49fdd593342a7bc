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

/** The change cycle a release is booked into. */
export type ReleaseCycleRef = { date: string; title: string; status: 'planned' | 'cancelled' };

/** Who planned a release on which blackout window(s), when and why (P13). */
export type BlackoutOverrideRecord = {
  date: string;
  reason: string;
  by: string;
  at: string;
  blackouts: { id: string; from: string; to: string; reason: string }[];
  /** "blackout 2026-03-14: year-end freeze overridden by carol at 2026-03-10T09:00:00.000Z: claims are being paid twice". */
  text: string;
};

/** The release's change cycle and blackout override, as shown on the release and in its evidence. */
export async function releaseCalendarFacts(
  db: Db | Trx,
  r: Pick<ReleaseTable, 'cycle_id' | 'blackout_override'>,
): Promise<{ cycle: ReleaseCycleRef | null; blackoutOverride: BlackoutOverrideRecord | null }> {
  const c =
    r.cycle_id === null ? undefined : await db.selectFrom('change_cycles').selectAll().where('id', '=', r.cycle_id).executeTakeFirst();
  const cycle: ReleaseCycleRef | null = c
    ? { date: c.cycle_date, title: c.title, status: c.status === 'cancelled' ? 'cancelled' : 'planned' }
    : null;
  const o = parseOverride(r.blackout_override);
  if (!o) return { cycle, blackoutOverride: null };
  const rows = o.blackouts.length === 0 ? [] : await db.selectFrom('blackouts').selectAll().where('id', 'in', o.blackouts).execute();
  // A window deleted since keeps its id in the record; its dates and reason are gone with it.
  const blackouts = o.blackouts.map((id) => {
    const b = rows.find((x) => x.id === id);
    return b
      ? { id, from: b.starts_on, to: b.ends_on, reason: b.reason }
      : { id, from: o.date, to: o.date, reason: '(window since deleted)' };
  });
  const which = blackouts.map((b) => `${b.from === b.to ? b.from : `${b.from} to ${b.to}`}: ${b.reason}`).join('; ');
  const text = `blackout ${which} overridden by ${o.by} at ${o.at}: ${o.reason}`;
  return { cycle, blackoutOverride: { date: o.date, reason: o.reason, by: o.by, at: o.at, blackouts, text } };
}
