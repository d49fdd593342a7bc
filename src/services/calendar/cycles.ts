import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import {
  blackoutsOf,
  cycleById,
  cycleOn,
  cyclesOf,
  insertCycle,
  releaseBlackoutOverride,
  releasesInCycles,
  releasesPlanned,
  updateCycleVersioned,
} from '../../db/repositories/calendar.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import { updateReleaseVersioned } from '../../db/repositories/releases.js';
import type { ChangeCycleTable, ReleaseTable } from '../../db/schema.js';
import type { CycleAuditView, CycleReleaseAuditView } from '../../domain/audit/calendar.js';
import { isCycleDay, weekdayOf } from '../../domain/calendar.js';
import { cycleMoveBlackouts, overrideAfterMove } from '../../domain/cycle-move.js';
import { isCalendarDate } from '../../domain/dates.js';
import { ConflictError, NotFoundError, StaleVersionError, ValidationError } from '../../domain/errors.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplication, resolveApplicationForRead, type AppContext } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import { syncChecklist } from '../checklist/sync.js';
import type { ServiceDeps } from '../deps.js';
import { composeMail } from '../mail/compose.js';
import { enqueueMail } from '../mail/outbox.js';
import { write, type Audited, type WriteTx } from '../write.js';
import { releaseCalendarFacts, toWindow, today } from './common.js';

export type CycleReleaseView = CycleReleaseAuditView;

export type CycleView = CycleAuditView;

function view(ctx: AppContext, c: ChangeCycleTable, releases: ReleaseTable[]): CycleView {
  return {
    id: c.id,
    application: ctx.app.key,
    date: c.cycle_date,
    weekday: weekdayOf(c.cycle_date),
    designatedDay: isCycleDay(ctx.template.calendar, c.cycle_date),
    status: c.status === 'cancelled' ? 'cancelled' : 'planned',
    title: c.title,
    note: c.note,
    releases: releases
      .filter((r) => r.cycle_id === c.id)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => ({ name: r.name, type: r.type, state: r.state, title: r.title, channels: releaseChannels.decode(r.channels) })),
    createdBy: c.created_by,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    version: c.row_version,
  };
}

const defaultTitle = (date: string): string => `Change cycle ${date}`;

export function dateProblem(path: string, value: string): void {
  if (!isCalendarDate(value)) throw new ValidationError('not a calendar date', [{ path, message: 'expected a date as YYYY-MM-DD' }]);
}

export function notInPast(deps: ServiceDeps, template: ProcessTemplate, path: string, date: string): void {
  const now = today(deps, template);
  if (date < now) {
    throw new ValidationError('a change cycle cannot be in the past', [
      { path, message: `${date} is before today (${now} in ${template.calendar.timeZone})` },
    ]);
  }
}

function checkVersion(c: ChangeCycleTable, expected: number | undefined): void {
  if (expected !== undefined && expected !== c.row_version)
    throw new StaleVersionError('change cycle', c.cycle_date, expected, c.row_version);
}

export async function loadCycle(db: Db | Trx, ctx: AppContext, date: string): Promise<ChangeCycleTable> {
  dateProblem('date', date);
  const c = await cycleOn(db, ctx.app.id, date);
  if (!c) throw new NotFoundError('change cycle', date);
  return c;
}

/** Which change cycle a use case is about: the one on `date` in an application (the default one when `app` is absent). */
export type CycleRef = { readonly app?: string | undefined; readonly date: string };

/** Runs `fn` as one write on the cycle of `ref`, for an actor who may manage the calendar, at the version the caller saw. */
function withManagedCycle<T>(
  deps: ServiceDeps,
  actor: Actor,
  ref: CycleRef,
  expectedVersion: number | undefined,
  fn: (tx: WriteTx, ctx: AppContext, cycle: ChangeCycleTable) => Promise<Audited<T>>,
): Promise<T> {
  return write(deps, actor, async (tx) => {
    const ctx = await resolveApplication(deps, tx.db, ref.app);
    requireAppAction(ctx.template, actor, 'calendar.manage');
    const c = await loadCycle(tx.db, ctx, ref.date);
    checkVersion(c, expectedVersion);
    return fn(tx, ctx, c);
  });
}

async function saveCycle(db: Trx, c: ChangeCycleTable, patch: Partial<ChangeCycleTable>): Promise<ChangeCycleTable> {
  if (!(await updateCycleVersioned(db, c.id, c.row_version, patch))) {
    throw new StaleVersionError('change cycle', c.cycle_date, c.row_version, c.row_version + 1);
  }
  return { ...c, ...patch, row_version: c.row_version + 1 };
}

export async function listCycles(
  deps: ServiceDeps,
  input: { app?: string | undefined; from?: string | undefined; to?: string | undefined },
) {
  const ctx = await resolveApplicationForRead(deps, input.app);
  const db = deps.database.kysely;
  const cycles = await cyclesOf(db, ctx.app.id, input.from, input.to);
  const releases = await releasesInCycles(
    db,
    cycles.map((c) => c.id),
  );
  return { items: cycles.map((c) => view(ctx, c, releases)) };
}

export type CreateCycleInput = {
  app?: string | undefined;
  date: string;
  /** A cycle on a day the template does not designate (a one-off date). */
  oneOff?: boolean | undefined;
  title?: string | undefined;
  note?: string | undefined;
  /** Book the releases already planned on that date and not in a cycle (default true). */
  bookPlanned?: boolean | undefined;
};

/**
 * Books into a new cycle the releases still going on that are planned on its
 * date and booked into no planned cycle; each booking is audited
 * (`release.book`) and moves the release's version on.
 */
async function bookPlannedReleases(tx: WriteTx, deps: ServiceDeps, ctx: AppContext, cycle: ChangeCycleTable): Promise<ReleaseTable[]> {
  const { db } = tx;
  const candidates = await releasesPlanned(db, { applicationId: ctx.app.id, from: cycle.cycle_date, to: cycle.cycle_date });
  const booked: ReleaseTable[] = [];
  const now = deps.clock();
  for (const r of candidates) {
    if (r.cycle_id === cycle.id) continue;
    const current = r.cycle_id === null ? undefined : await cycleById(db, r.cycle_id);
    if (current?.status === 'planned') continue;
    if (isTerminalState(await deps.templates.byId(db, r.template_version_id), r.state)) continue;
    const patch = { cycle_id: cycle.id, updated_at: now.toISOString() };
    if (!(await updateReleaseVersioned(db, r.id, r.row_version, patch))) {
      throw new StaleVersionError('release', r.name, r.row_version, r.row_version + 1);
    }
    tx.audit({
      action: 'release.book',
      subjectType: 'release',
      subjectId: `${ctx.app.key}/${r.name}`,
      before: { cycle: null },
      after: { cycle: cycle.cycle_date, plannedDate: r.planned_date },
    });
    booked.push({ ...r, ...patch, row_version: r.row_version + 1 });
  }
  return booked;
}

/**
 * Plans a change cycle. The date must be one of the template's cycle days
 * unless it is a one-off, and not before today in the template's time zone.
 * A cancelled cycle on the same date is planned again. Releases already
 * planned on the date are booked into it unless `bookPlanned` is false; the
 * answer names them (`booked`).
 */
export async function createCycle(deps: ServiceDeps, actor: Actor, input: CreateCycleInput): Promise<CycleView & { booked: string[] }> {
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, input.app);
    requireAppAction(ctx.template, actor, 'calendar.manage');
    dateProblem('date', input.date);
    const cal = ctx.template.calendar;
    if (input.oneOff !== true && !isCycleDay(cal, input.date)) {
      throw new ValidationError('not a change-cycle day', [
        {
          path: 'date',
          message: `${input.date} is a ${weekdayOf(input.date)}; cycles are on ${cal.changeCycleDays.join(', ') || 'no designated day'} (mark a one-off date as such)`,
        },
      ]);
    }
    notInPast(deps, ctx.template, 'date', input.date);
    const now = deps.clock().toISOString();
    const existing = await cycleOn(db, ctx.app.id, input.date);
    let row: ChangeCycleTable;
    let before: CycleView | undefined;
    if (existing?.status === 'planned') throw new ConflictError(`a change cycle on ${input.date} already exists`, 'cycle-exists');
    if (existing) {
      before = view(ctx, existing, []);
      row = await saveCycle(db, existing, {
        status: 'planned',
        title: input.title ?? existing.title,
        note: input.note ?? '',
        updated_at: now,
      });
    } else {
      row = {
        id: randomUUID(),
        application_id: ctx.app.id,
        cycle_date: input.date,
        status: 'planned',
        title: input.title ?? defaultTitle(input.date),
        note: input.note ?? '',
        created_by: actor.username,
        created_at: now,
        updated_at: now,
        row_version: 1,
      };
      await insertCycle(db, row);
    }
    const booked = input.bookPlanned === false ? [] : await bookPlannedReleases(tx, deps, ctx, row);
    const v = { ...view(ctx, row, booked), booked: booked.map((r) => r.name) };
    const subjectId = `${ctx.app.key}/${row.id}`;
    return tx.audit(
      before === undefined
        ? { action: 'cycle.create', subjectType: 'change-cycle', subjectId, after: v }
        : { action: 'cycle.create', subjectType: 'change-cycle', subjectId, before, after: v },
      v,
    );
  });
}

export type MoveCycleInput = {
  to: string;
  reason: string;
  /** Move onto a blackout anyway: the releases it concerns get an override with this reason. */
  blackoutOverrideReason?: string | undefined;
  expectedVersion?: number | undefined;
};

/**
 * Moves a planned cycle to another date, with every open release booked into
 * it: their planned dates move, their checklists are recomputed and each
 * owner with an e-mail address is told (mail template `cycle-moved`). The
 * new date may be any day (a move is often off the usual weekday) but not
 * in the past, not the date of another cycle, and not on a blackout that
 * applies to the cycle (a window without channel or environment) or to one
 * of its releases — unless `blackoutOverrideReason` is given, by a role
 * holding `blackout.override`, and every release concerned is of a type that
 * may override.
 */
export async function moveCycle(deps: ServiceDeps, actor: Actor, ref: CycleRef, input: MoveCycleInput): Promise<CycleView> {
  const { date } = ref;
  return withManagedCycle(deps, actor, ref, input.expectedVersion, async (tx, ctx, c) => {
    const { db } = tx;
    if (c.status !== 'planned')
      throw new ConflictError(`the change cycle of ${date} is cancelled; plan a new one instead`, 'cycle-cancelled');
    dateProblem('to', input.to);
    if (input.to === date) throw new ValidationError('the cycle is already on that date', [{ path: 'to', message: `is ${date}` }]);
    notInPast(deps, ctx.template, 'to', input.to);
    const taken = await cycleOn(db, ctx.app.id, input.to);
    if (taken) {
      throw new ConflictError(
        `there is already a ${taken.status === 'planned' ? '' : 'cancelled '}change cycle on ${input.to}; book the releases into it instead`,
        'cycle-exists',
      );
    }
    const booked = await releasesInCycles(db, [c.id]);
    const windows = (await blackoutsOf(db, ctx.app.id, input.to, input.to)).map(toWindow);
    const templates = new Map<string, ProcessTemplate>();
    for (const r of booked) templates.set(r.template_version_id, await deps.templates.byId(db, r.template_version_id));
    const open = booked.filter((r) => !isTerminalState(templates.get(r.template_version_id) ?? ctx.template, r.state));

    // The windows on the new date, and which releases each one concerns.
    const { concerned, blocking, refused, what } = cycleMoveBlackouts({
      to: input.to,
      windows,
      releases: open.map((r) => ({
        id: r.id,
        name: r.name,
        type: r.type,
        channels: releaseChannels.decode(r.channels),
        template: templates.get(r.template_version_id) ?? ctx.template,
      })),
      overridableTypes: ctx.template.calendar.blackoutOverride?.releaseTypes ?? [],
    });
    const now = deps.clock();
    if (blocking.length > 0) {
      if (input.blackoutOverrideReason === undefined || input.blackoutOverrideReason.trim() === '') {
        throw new ConflictError(`the change cycle cannot move to ${what}`, 'blackout');
      }
      requireAppAction(ctx.template, actor, 'blackout.override');
      if (refused.length > 0) {
        const which = refused.map((r) => `${r.name} (${r.type})`).join(', ');
        throw new ConflictError(`the change cycle cannot move to ${what}: ${which} may not override a blackout`, 'blackout');
      }
    }

    const before = view(ctx, c, booked);
    // A title that only named the old date follows the cycle.
    const title = c.title === defaultTitle(date) ? defaultTitle(input.to) : c.title;
    const moved = await saveCycle(db, c, { cycle_date: input.to, title, note: input.reason, updated_at: now.toISOString() });
    for (const r of open) {
      const t = templates.get(r.template_version_id) ?? ctx.template;
      const override = overrideAfterMove({
        to: input.to,
        hit: concerned.get(r.id),
        override:
          input.blackoutOverrideReason === undefined
            ? undefined
            : { reason: input.blackoutOverrideReason.trim(), by: actor.username, at: now.toISOString() },
        existing: releaseBlackoutOverride.decode(r.blackout_override),
      });
      const patch = {
        planned_date: input.to,
        blackout_override: override === null ? null : releaseBlackoutOverride.encode(override),
        updated_at: now.toISOString(),
      };
      if (!(await updateReleaseVersioned(db, r.id, r.row_version, patch))) {
        throw new StaleVersionError('release', r.name, r.row_version, r.row_version + 1);
      }
      const updated: ReleaseTable = { ...r, ...patch, row_version: r.row_version + 1 };
      await syncChecklist(tx, deps, t, updated);
      tx.audit({
        action: 'release.reschedule',
        subjectType: 'release',
        subjectId: `${ctx.app.key}/${r.name}`,
        before: { plannedDate: r.planned_date },
        after: {
          plannedDate: input.to,
          cycle: input.to,
          reason: input.reason,
          // Who overrode which blackout, when and why (P13).
          ...(override === null ? {} : { blackoutOverride: (await releaseCalendarFacts(db, updated)).blackoutOverride }),
        },
      });
      await tellOwner(db, deps, actor, ctx, t, updated, { from: date, to: input.to, reason: input.reason });
    }
    const after = view(ctx, moved, await releasesInCycles(db, [c.id]));
    return tx.audit(
      {
        action: 'cycle.move',
        subjectType: 'change-cycle',
        subjectId: `${ctx.app.key}/${c.id}`,
        before,
        after: { ...after, reason: input.reason },
      },
      after,
    );
  });
}

/** Queues `cycle-moved` to the release's owner; skipped when the template has no such mail or the owner no address. */
async function tellOwner(
  db: Trx,
  deps: ServiceDeps,
  actor: Actor,
  ctx: AppContext,
  template: ProcessTemplate,
  r: ReleaseTable,
  cycle: { from: string; to: string; reason: string },
): Promise<void> {
  if (!template.mailTemplates.some((m) => m.id === 'cycle-moved')) return;
  const mail = await composeMail(db, template, {
    mailTemplate: 'cycle-moved',
    cause: 'cycle.move',
    values: {
      'cycle.from': cycle.from,
      'cycle.to': cycle.to,
      'cycle.reason': cycle.reason,
      'release.name': r.name,
      'release.title': r.title,
      'release.type': r.type,
      'release.state': r.state,
      'release.plannedDate': r.planned_date,
      'application.name': ctx.app.name,
      sender: actor.username,
    },
    recipients: { applicationId: ctx.app.id, owner: r.created_by },
    releaseId: r.id,
    createdBy: actor.username,
  });
  if (mail.to.length === 0 && mail.cc.length === 0) return;
  await enqueueMail(db, deps, mail);
}

export type CancelCycleInput = { reason: string; expectedVersion?: number | undefined };

/**
 * Cancels a planned cycle. The cycle is kept (status cancelled, the reason in
 * its note) so calendars show it as cancelled; its releases keep their dates
 * but are no longer booked into any cycle. No mail is sent: the cancellation
 * and each unbooking are audited, and the releases show up unbooked (and in
 * the conflict list if they now collide) until they are booked again.
 */
export async function cancelCycle(deps: ServiceDeps, actor: Actor, ref: CycleRef, input: CancelCycleInput): Promise<CycleView> {
  const { date } = ref;
  return withManagedCycle(deps, actor, ref, input.expectedVersion, async (tx, ctx, c) => {
    const { db } = tx;
    if (c.status !== 'planned') throw new ConflictError(`the change cycle of ${date} is already cancelled`, 'cycle-cancelled');
    const booked = await releasesInCycles(db, [c.id]);
    const before = view(ctx, c, booked);
    const now = deps.clock();
    for (const r of booked) {
      const patch = { cycle_id: null, updated_at: now.toISOString() };
      if (!(await updateReleaseVersioned(db, r.id, r.row_version, patch))) {
        throw new StaleVersionError('release', r.name, r.row_version, r.row_version + 1);
      }
      tx.audit({
        action: 'release.unbook',
        subjectType: 'release',
        subjectId: `${ctx.app.key}/${r.name}`,
        before: { cycle: date },
        after: { cycle: null, plannedDate: r.planned_date, reason: input.reason },
      });
    }
    const cancelled = await saveCycle(db, c, { status: 'cancelled', note: input.reason, updated_at: now.toISOString() });
    const after = view(ctx, cancelled, []);
    return tx.audit(
      {
        action: 'cycle.cancel',
        subjectType: 'change-cycle',
        subjectId: `${ctx.app.key}/${c.id}`,
        before,
        after: { ...after, reason: input.reason, unbooked: booked.map((r) => r.name) },
      },
      after,
    );
  });
}
