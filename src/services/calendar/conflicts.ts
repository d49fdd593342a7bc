import { blackoutsOf, cyclesOf, itemElementsOfReleases, releasesPlanned } from '../../db/repositories/calendar.js';
import { workItemElements } from '../../db/repositories/work-items.js';
import { findConflicts, type Conflict } from '../../domain/calendar.js';
import { addDays } from '../../domain/dates.js';
import { ValidationError } from '../../domain/errors.js';
import { resolveApplicationForRead } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { keyOfItem } from '../work-item-view.js';
import { toScheduled, toWindow, today } from './common.js';

/** How far ahead the conflict list looks when no end is given. */
export const CONFLICT_HORIZON_DAYS = 180;

/**
 * Scheduling conflicts of open releases (not in a terminal state) planned in
 * the range, and of planned cycles in it: see findConflicts. The range
 * defaults to today (template time zone) and the next 180 days.
 */
export async function listConflicts(
  deps: ServiceDeps,
  input: { app?: string | undefined; from?: string | undefined; to?: string | undefined },
): Promise<{ from: string; to: string; items: Conflict[] }> {
  const ctx = await resolveApplicationForRead(deps, input.app);
  const db = deps.database.kysely;
  const from = input.from ?? today(deps, ctx.template);
  const to = input.to ?? addDays(from, CONFLICT_HORIZON_DAYS);
  if (to < from) throw new ValidationError('the range is empty', [{ path: 'to', message: `is before from (${from})` }]);
  const releases = await releasesPlanned(db, { applicationId: ctx.app.id, from, to });
  const open = [];
  for (const r of releases) {
    const t = await deps.templates.byId(db, r.template_version_id);
    if (!t.states.some((s) => s.id === r.state && s.terminal)) open.push(r);
  }
  const items = await itemElementsOfReleases(
    db,
    open.map((r) => r.id),
  );
  const conflicts = findConflicts(ctx.template, {
    cycles: (await cyclesOf(db, ctx.app.id, from, to)).map((c) => ({ id: c.id, date: c.cycle_date, status: c.status })),
    releases: open.map(toScheduled),
    items: items.map((i) => ({
      key: keyOfItem(i),
      releaseId: i.release_id ?? '',
      elements: workItemElements.decode(i.elements),
    })),
    blackouts: (await blackoutsOf(db, ctx.app.id, from, to)).map(toWindow),
  });
  // By date; on one date in the order findConflicts gives (the sort is stable).
  return { from, to, items: [...conflicts].sort((a, b) => a.date.localeCompare(b.date)) };
}
