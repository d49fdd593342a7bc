import type { Db, Trx } from '../../db/database.js';
import { blackoutsByIds, cycleById, releaseBlackoutOverride } from '../../db/repositories/calendar.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import type { BlackoutTable, ReleaseTable } from '../../db/schema.js';
import type { BlackoutOverride, BlackoutOverrideRecord } from '../../domain/audit/calendar.js';
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
    channels: releaseChannels.decode(r.channels),
    cycleId: r.cycle_id,
    overridden: r.blackout_override !== null,
  };
}

export type { BlackoutOverride, BlackoutOverrideRecord };

/** The change cycle a release is booked into. */
export type ReleaseCycleRef = { date: string; title: string; status: 'planned' | 'cancelled' };

/** The release's change cycle and blackout override, as shown on the release and in its evidence. */
export async function releaseCalendarFacts(
  db: Db | Trx,
  r: Pick<ReleaseTable, 'cycle_id' | 'blackout_override'>,
): Promise<{ cycle: ReleaseCycleRef | null; blackoutOverride: BlackoutOverrideRecord | null }> {
  const c = r.cycle_id === null ? undefined : await cycleById(db, r.cycle_id);
  const cycle: ReleaseCycleRef | null = c
    ? { date: c.cycle_date, title: c.title, status: c.status === 'cancelled' ? 'cancelled' : 'planned' }
    : null;
  const o = releaseBlackoutOverride.decode(r.blackout_override);
  if (!o) return { cycle, blackoutOverride: null };
  const rows = await blackoutsByIds(db, o.blackouts);
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
