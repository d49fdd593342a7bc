import { randomUUID } from 'node:crypto';
import { nextValue } from '../db/repositories/counters.js';
import {
  insertRelease,
  listReleases as listReleaseRows,
  releaseChannels,
  updateReleaseVersioned,
  type ReleaseFilter,
} from '../db/repositories/releases.js';
import { applicationNamingParams } from '../db/repositories/applications.js';
import { workItemsOfRelease } from '../db/repositories/work-items.js';
import type { Db, Trx } from '../db/database.js';
import type { ReleaseTable } from '../db/schema.js';
import type { ReleaseAuditView } from '../domain/audit/releases.js';
import { QueryValidationError, StaleVersionError, ValidationError } from '../domain/errors.js';
import { compileNaming } from '../domain/naming.js';
import {
  checkReleaseUpdatable,
  initialStateOf,
  releaseChange,
  releaseFieldProblems,
  releaseFilterProblems,
  type ReleaseFieldChange,
} from '../domain/release-rules.js';
import type { Actor } from './actor.js';
import { resolveApplication, resolveApplicationForRead, releaseCounter } from './applications.js';
import { loadRelease, type ReleaseRef } from './release-lookup.js';
import { requireAppAction } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { releaseCalendarFacts } from './calendar/common.js';
import { checkReleaseSchedule, type ScheduleInput } from './calendar/schedule.js';
import { syncChecklist } from './checklist/sync.js';
import { toWorkItemView, type WorkItemView } from './work-item-view.js';
import { write } from './write.js';

/** A release as its view shows it, and as its audit events record it. */
export type ReleaseView = ReleaseAuditView;

export type ReleaseDetailView = ReleaseView & { items: WorkItemView[] };

async function toView(deps: ServiceDeps, db: Db | Trx, appKey: string, r: ReleaseTable): Promise<ReleaseView> {
  const template = await deps.templates.ref(db, r.template_version_id);
  return {
    name: r.name,
    application: appKey,
    type: r.type,
    state: r.state,
    title: r.title,
    description: r.description,
    plannedDate: r.planned_date,
    channels: releaseChannels.decode(r.channels),
    ...(await releaseCalendarFacts(db, r)),
    template,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.row_version,
  };
}

export type CreateReleaseInput = {
  app?: string | undefined;
  type: string;
  plannedDate: string;
  channels: string[];
  title?: string | undefined;
  description?: string | undefined;
} & ScheduleInput;

/**
 * Creates a release under the template version in force. Its name comes from
 * the application's sequence, taken in this same transaction: a failure gives
 * the number back, so names are never skipped or duplicated.
 */
export async function createRelease(deps: ServiceDeps, actor: Actor, input: CreateReleaseInput): Promise<ReleaseView> {
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, input.app);
    requireAppAction(ctx.template, actor, 'release.create');
    const problems = releaseFieldProblems(ctx.template, input);
    if (problems.length > 0) throw new ValidationError('the release does not fit the process template', problems);
    const naming = compileNaming(ctx.template.naming, applicationNamingParams.decode(ctx.app.naming_params));
    const sequence = await nextValue(db, releaseCounter(ctx.app.id));
    const name = naming.format(sequence);
    const now = deps.clock().toISOString();
    const row: ReleaseTable = {
      id: randomUUID(),
      application_id: ctx.app.id,
      name,
      sequence,
      type: input.type,
      state: initialStateOf(ctx.template, input.type),
      title: input.title ?? '',
      description: input.description ?? '',
      planned_date: input.plannedDate,
      channels: releaseChannels.encode(input.channels),
      template_version_id: ctx.templateRow.id,
      created_by: actor.username,
      created_at: now,
      updated_at: now,
      row_version: 1,
      cycle_id: null,
      blackout_override: null,
    };
    // A refusal must not name the release: it will not exist (its number is given back).
    Object.assign(row, await checkReleaseSchedule(db, deps, actor, ctx.template, { ...row, name: '' }, input));
    await insertRelease(db, row);
    await syncChecklist({ db }, deps, ctx.template, row);
    const v = await toView(deps, db, ctx.app.key, row);
    return tx.audit({ action: 'release.create', subjectType: 'release', subjectId: `${ctx.app.key}/${name}`, after: v }, v);
  });
}

export { findRelease, loadRelease } from './release-lookup.js';

/** Reads go through a short-lived cache; see read-cache.ts for the staleness another process may see. */
export async function getRelease(deps: ServiceDeps, ref: ReleaseRef): Promise<ReleaseDetailView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const key = `${ctx.app.key}\u0000${ref.name}`;
  const hit = deps.caches.releases.get(key);
  if (hit) return hit;
  const r = await loadRelease(db, ctx, ref.name);
  const items = await workItemsOfRelease(db, r.id);
  const view = { ...(await toView(deps, db, ctx.app.key, r)), items: items.map((i) => toWorkItemView(ctx.app.key, i, r.name)) };
  deps.caches.releases.set(key, view);
  return view;
}

export type ListReleasesInput = Omit<ReleaseFilter, 'applicationId'> & { app?: string | undefined };

export async function listReleases(
  deps: ServiceDeps,
  input: ListReleasesInput,
): Promise<{ items: ReleaseView[]; total: number; limit: number; offset: number }> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, input.app);
  const problems = releaseFilterProblems(ctx.template, input);
  if (problems.length > 0) throw new QueryValidationError('the filter names what the process template does not have', problems);
  const { rows, total } = await listReleaseRows(db, { ...input, applicationId: ctx.app.id });
  const items: ReleaseView[] = [];
  for (const r of rows) items.push(await toView(deps, db, ctx.app.key, r));
  return { items, total, limit: input.limit, offset: input.offset };
}

export type UpdateReleaseInput = ReleaseFieldChange & {
  /** The version the caller read; the update is refused if it is no longer current. */
  expectedVersion?: number | undefined;
} & ScheduleInput;

export async function updateRelease(deps: ServiceDeps, actor: Actor, ref: ReleaseRef, input: UpdateReleaseInput): Promise<ReleaseView> {
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, ref.app);
    const r = await loadRelease(db, ctx, ref.name);
    const name = r.name;
    const template = await deps.templates.byId(db, r.template_version_id);
    requireAppAction(template, actor, 'release.update');
    checkReleaseUpdatable(template, { name, state: r.state, version: r.row_version }, input.expectedVersion);
    const problems = releaseFieldProblems(template, input);
    if (problems.length > 0) throw new ValidationError('the release does not fit the process template', problems);
    const before = await toView(deps, db, ctx.app.key, r);
    const {
      fields: { plannedDate, channels, ...same },
      rescheduled,
    } = releaseChange(input);
    // Title and description are stored as they are named.
    const patch: Partial<ReleaseTable> = { ...same, updated_at: deps.clock().toISOString() };
    if (plannedDate !== undefined) patch.planned_date = plannedDate;
    if (channels !== undefined) patch.channels = releaseChannels.encode(channels);
    if (rescheduled) Object.assign(patch, await checkReleaseSchedule(db, deps, actor, template, { ...r, ...patch }, input));
    if (!(await updateReleaseVersioned(db, r.id, r.row_version, patch))) {
      const now = await loadRelease(db, ctx, name);
      throw new StaleVersionError('release', name, r.row_version, now.row_version);
    }
    const updated = await loadRelease(db, ctx, name);
    const checklist = rescheduled ? await syncChecklist({ db }, deps, template, updated) : { added: [], removed: [] };
    const after = await toView(deps, db, ctx.app.key, updated);
    // Tasks the new channels brought, or took away (open ones only).
    const recorded = checklist.added.length + checklist.removed.length > 0 ? { ...after, checklist } : after;
    return tx.audit(
      { action: 'release.update', subjectType: 'release', subjectId: `${ctx.app.key}/${name}`, before, after: recorded },
      after,
    );
  });
}
