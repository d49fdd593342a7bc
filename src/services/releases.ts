import { randomUUID } from 'node:crypto';
import { nextValue } from '../db/repositories/counters.js';
import { insertRelease, listReleases as listReleaseRows, updateReleaseVersioned, type ReleaseFilter } from '../db/repositories/releases.js';
import { workItemsOfRelease } from '../db/repositories/work-items.js';
import type { Db, Trx } from '../db/database.js';
import type { ReleaseTable } from '../db/schema.js';
import { ConflictError, QueryValidationError, StaleVersionError, ValidationError } from '../domain/errors.js';
import { compileNaming } from '../domain/naming.js';
import { initialStateOf, isTerminalState, releaseFieldProblems, releaseFilterProblems } from '../domain/release-rules.js';
import type { Actor } from './actor.js';
import { resolveApplication, resolveApplicationForRead, releaseCounter } from './applications.js';
import { loadRelease } from './release-lookup.js';
import { appendAudit } from './audit.js';
import { requireAppAction } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { releaseCalendarFacts, type BlackoutOverrideRecord, type ReleaseCycleRef } from './calendar/common.js';
import { checkReleaseSchedule, type ScheduleInput } from './calendar/schedule.js';
import { syncChecklist } from './checklist/sync.js';
import { toWorkItemView, type WorkItemView } from './work-item-view.js';

export type ReleaseView = {
  name: string;
  application: string;
  type: string;
  state: string;
  title: string;
  description: string;
  plannedDate: string;
  channels: string[];
  /** The change cycle it is booked into (P2). */
  cycle: ReleaseCycleRef | null;
  /** Planned on a blackout anyway: by whom, when, why (P13). */
  blackoutOverride: BlackoutOverrideRecord | null;
  template: { key: string; version: number };
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

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
    channels: JSON.parse(r.channels) as string[],
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
  return deps.database.transaction(async ({ db }) => {
    const ctx = await resolveApplication(deps, db, input.app);
    requireAppAction(ctx.template, actor, 'release.create');
    const problems = releaseFieldProblems(ctx.template, input);
    if (problems.length > 0) throw new ValidationError('the release does not fit the process template', problems);
    const naming = compileNaming(ctx.template.naming, JSON.parse(ctx.app.naming_params) as Record<string, string>);
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
      channels: JSON.stringify(input.channels),
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
    await appendAudit(db, {
      actor,
      at: deps.clock(),
      action: 'release.create',
      subjectType: 'release',
      subjectId: `${ctx.app.key}/${name}`,
      after: v,
    });
    return v;
  });
}

export { findRelease, loadRelease } from './release-lookup.js';

/** Reads go through a short-lived cache; see read-cache.ts for the staleness another process may see. */
export async function getRelease(deps: ServiceDeps, app: string | undefined, name: string): Promise<ReleaseDetailView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const key = `${ctx.app.key}\u0000${name}`;
  const hit = deps.caches.releases.get(key);
  if (hit) return hit;
  const r = await loadRelease(db, ctx, name);
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

export type UpdateReleaseInput = {
  title?: string | undefined;
  description?: string | undefined;
  plannedDate?: string | undefined;
  channels?: string[] | undefined;
  /** The version the caller read; the update is refused if it is no longer current. */
  expectedVersion?: number | undefined;
} & ScheduleInput;

export async function updateRelease(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  given: string,
  input: UpdateReleaseInput,
): Promise<ReleaseView> {
  return deps.database.transaction(async ({ db }) => {
    const ctx = await resolveApplication(deps, db, app);
    const r = await loadRelease(db, ctx, given);
    const name = r.name;
    const template = await deps.templates.byId(db, r.template_version_id);
    requireAppAction(template, actor, 'release.update');
    if (isTerminalState(template, r.state))
      throw new ConflictError(`release ${name} is ${r.state} and can no longer be changed`, 'release-closed');
    if (input.expectedVersion !== undefined && input.expectedVersion !== r.row_version) {
      throw new StaleVersionError('release', name, input.expectedVersion, r.row_version);
    }
    const problems = releaseFieldProblems(template, input);
    if (problems.length > 0) throw new ValidationError('the release does not fit the process template', problems);
    const before = await toView(deps, db, ctx.app.key, r);
    const patch: Partial<ReleaseTable> = { updated_at: deps.clock().toISOString() };
    if (input.title !== undefined) patch.title = input.title;
    if (input.description !== undefined) patch.description = input.description;
    if (input.plannedDate !== undefined) patch.planned_date = input.plannedDate;
    if (input.channels !== undefined) patch.channels = JSON.stringify(input.channels);
    const rescheduled = input.plannedDate !== undefined || input.cycle !== undefined || input.channels !== undefined;
    if (rescheduled) Object.assign(patch, await checkReleaseSchedule(db, deps, actor, template, { ...r, ...patch }, input));
    if (!(await updateReleaseVersioned(db, r.id, r.row_version, patch))) {
      const now = await loadRelease(db, ctx, name);
      throw new StaleVersionError('release', name, r.row_version, now.row_version);
    }
    const updated = await loadRelease(db, ctx, name);
    const checklist = rescheduled ? await syncChecklist({ db }, deps, template, updated) : { added: [], removed: [] };
    const after = await toView(deps, db, ctx.app.key, updated);
    await appendAudit(db, {
      actor,
      at: deps.clock(),
      action: 'release.update',
      subjectType: 'release',
      subjectId: `${ctx.app.key}/${name}`,
      before,
      // Tasks the new channels brought, or took away (open ones only).
      after: checklist.added.length + checklist.removed.length > 0 ? { ...after, checklist } : after,
    });
    return after;
  });
}
