import type { Trx } from '../../db/database.js';
import type { ReleaseTable } from '../../db/schema.js';
import { blockingBlackouts, describeBlackout, type BlackoutWindow } from '../../domain/calendar.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { resolveApplication } from '../applications.js';
import { updateReleaseVersioned } from '../../db/repositories/releases.js';
import { loadRelease, type ReleaseRef } from '../release-lookup.js';
import { write } from '../write.js';
import { StaleVersionError } from '../../domain/errors.js';
import { blackoutsOf, cycleOn, releaseBlackoutOverride } from '../../db/repositories/calendar.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import type { BlackoutOverride, BlackoutOverrideAuditView } from '../../domain/audit/calendar.js';
import { toWindow } from './common.js';

/** What a release's creation or update may say about its scheduling. */
export type ScheduleInput = {
  /** Book the release into the change cycle of this date (`YYYY-MM-DD`). */
  cycle?: string | undefined;
  /** Schedule on a blackout anyway: the reason (only release types and roles the template allows). */
  blackoutOverrideReason?: string | undefined;
};

type ScheduleColumns = Partial<Pick<ReleaseTable, 'cycle_id' | 'blackout_override' | 'planned_date'>>;

/**
 * Checks a release's planned date against the calendar (blackout windows,
 * change cycles) before it is written, and returns the columns to set
 * (cycle, override). Throws a ConflictError for a blackout without a valid
 * override.
 *
 * - With `cycle`, the release is booked into the planned cycle of that date
 *   and its planned date becomes the cycle's date.
 * - Without it, a release planned on the date of a planned cycle is booked
 *   into it; one whose date moves off its cycle's date is unbooked.
 * - A blackout that applies to the planned date (see domain/calendar.ts) is
 *   refused with `409 blackout`, unless the release type may override
 *   blackouts, the actor holds `blackout.override` and a reason is given; the
 *   override is then recorded (`{reason, by, at, date, blackouts}`). An
 *   override recorded earlier for the same date stays valid.
 */
export async function checkReleaseSchedule(
  db: Trx,
  deps: ServiceDeps,
  actor: Actor,
  template: ProcessTemplate,
  release: ReleaseTable,
  input: ScheduleInput,
): Promise<ScheduleColumns> {
  const out: ScheduleColumns = {};
  let date = release.planned_date;
  if (input.cycle !== undefined) {
    const cycle = await cycleOn(db, release.application_id, input.cycle);
    if (!cycle) throw new NotFoundError('change cycle', input.cycle);
    if (cycle.status !== 'planned') throw new ConflictError(`the change cycle of ${cycle.cycle_date} is cancelled`, 'cycle-cancelled');
    out.cycle_id = cycle.id;
    out.planned_date = cycle.cycle_date;
    date = cycle.cycle_date;
  } else {
    const cycle = await cycleOn(db, release.application_id, date);
    out.cycle_id = cycle?.status === 'planned' ? cycle.id : null;
  }

  const windows = (await blackoutsOf(db, release.application_id, date, date)).map(toWindow);
  const blocking = blockingBlackouts(template, windows, { plannedDate: date, channels: releaseChannels.decode(release.channels) });
  const existing = releaseBlackoutOverride.decode(release.blackout_override);
  if (blocking.length === 0) {
    out.blackout_override = null;
  } else if (input.blackoutOverrideReason !== undefined) {
    out.blackout_override = releaseBlackoutOverride.encode(
      overrideFor(deps, actor, template, release, date, blocking, input.blackoutOverrideReason),
    );
  } else if (existing?.date !== date) {
    throw blackoutConflict(template, release, date, blocking);
  }
  return out;
}

function blackoutConflict(template: ProcessTemplate, release: ReleaseTable, date: string, blocking: BlackoutWindow[]): ConflictError {
  const types = template.calendar.blackoutOverride?.releaseTypes ?? [];
  const how = types.includes(release.type)
    ? `; ${release.type} releases may be scheduled there only with a reason (\`--blackout-override-reason\`) given by a role holding blackout.override`
    : `; ${release.type} releases may not override a blackout${types.length > 0 ? ` (only ${types.join(', ')} may)` : ''}`;
  const name = release.name === '' ? 'a new release' : release.name;
  return new ConflictError(`${name} cannot be planned on ${date}: blackout ${blocking.map(describeBlackout).join('; ')}${how}`, 'blackout');
}

/** Decides an override: allowed type, the actor's right, a real reason. */
function overrideFor(
  deps: ServiceDeps,
  actor: Actor,
  template: ProcessTemplate,
  release: ReleaseTable,
  date: string,
  blocking: BlackoutWindow[],
  reason: string,
): BlackoutOverride {
  const types = template.calendar.blackoutOverride?.releaseTypes ?? [];
  if (!types.includes(release.type)) throw blackoutConflict(template, release, date, blocking);
  requireAppAction(template, actor, 'blackout.override');
  if (reason.trim() === '') {
    throw new ValidationError('a blackout override needs a reason', [{ path: 'blackoutOverrideReason', message: 'must not be empty' }]);
  }
  return { reason: reason.trim(), by: actor.username, at: deps.clock().toISOString(), date, blackouts: blocking.map((b) => b.id) };
}

export type BlackoutOverrideView = BlackoutOverrideAuditView;

/**
 * Records an override for a release already planned on a blackout (the
 * window was added after it was scheduled). Only for the release types the
 * template allows, by a role holding `blackout.override`, with a reason.
 */
export async function overrideBlackout(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: { reason: string; expectedVersion?: number | undefined },
): Promise<BlackoutOverrideView> {
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, ref.app);
    const r = await loadRelease(db, ctx, ref.name);
    const name = r.name;
    const template = await deps.templates.byId(db, r.template_version_id);
    requireAppAction(template, actor, 'blackout.override');
    if (isTerminalState(template, r.state))
      throw new ConflictError(`release ${name} is ${r.state} and can no longer be changed`, 'release-closed');
    if (input.expectedVersion !== undefined && input.expectedVersion !== r.row_version) {
      throw new StaleVersionError('release', name, input.expectedVersion, r.row_version);
    }
    const windows = (await blackoutsOf(db, ctx.app.id, r.planned_date, r.planned_date)).map(toWindow);
    const blocking = blockingBlackouts(template, windows, { plannedDate: r.planned_date, channels: releaseChannels.decode(r.channels) });
    if (blocking.length === 0) throw new ConflictError(`${name} on ${r.planned_date} is not in any blackout window`, 'no-blackout');
    const override = overrideFor(deps, actor, template, r, r.planned_date, blocking, input.reason);
    const before = releaseBlackoutOverride.decode(r.blackout_override);
    const patch = { blackout_override: releaseBlackoutOverride.encode(override), updated_at: deps.clock().toISOString() };
    if (!(await updateReleaseVersioned(db, r.id, r.row_version, patch))) {
      throw new StaleVersionError('release', name, r.row_version, r.row_version + 1);
    }
    const view: BlackoutOverrideView = {
      release: name,
      plannedDate: r.planned_date,
      override,
      blackouts: blocking.map((b) => ({ id: b.id, from: b.startsOn, to: b.endsOn, reason: b.reason })),
      version: r.row_version + 1,
    };
    return tx.audit(
      {
        action: 'release.blackout-override',
        subjectType: 'release',
        subjectId: `${ctx.app.key}/${name}`,
        before: { override: before },
        after: view,
      },
      view,
    );
  });
}
