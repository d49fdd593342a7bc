import { randomUUID } from 'node:crypto';
import { nextValue, nextValueCreating } from '../db/repositories/counters.js';
import { releaseById } from '../db/repositories/releases.js';
import { findRelease } from './release-lookup.js';
import { userByName } from '../db/repositories/users.js';
import {
  insertWorkItem,
  listWorkItems,
  testAttemptsOfItem,
  updateWorkItemVersioned,
  type WorkItemFilter,
} from '../db/repositories/work-items.js';
import type { Db, Trx } from '../db/database.js';
import type { ReleaseTable, WorkItemTable } from '../db/schema.js';
import { loadLifecycleRows, lockRelease, voidApprovals } from '../db/repositories/lifecycle.js';
import { stepsVoidedBy } from '../domain/lifecycle/approvals.js';
import type { EvidenceChange } from '../domain/lifecycle/voiding.js';
import { ConflictError, NotFoundError, StaleVersionError, ValidationError, type FieldProblem } from '../domain/errors.js';
import { isTerminalState } from '../domain/release-rules.js';
import { defaultPriority, workItemFieldProblems, type ElementInput } from '../domain/work-item-rules.js';
import type { Actor } from './actor.js';
import { itemCounter, itemKindCounter, resolveApplication, resolveApplicationForRead, type AppContext } from './applications.js';
import { appendAudit } from './audit.js';
import { requireAppAction } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { toSnapshot } from './lifecycle/snapshot.js';
import { refuseVoidingChange } from './lifecycle/voiding.js';
import { itemByKey } from './work-item-key.js';
import { keyOfItem, toWorkItemView, type WorkItemDetail, type WorkItemView } from './work-item-view.js';

async function releaseNameOf(db: Db | Trx, releaseId: string | null): Promise<string | null> {
  if (releaseId === null) return null;
  return (await releaseById(db, releaseId))?.name ?? null;
}

async function view(db: Db | Trx, ctx: AppContext, row: WorkItemTable): Promise<WorkItemView> {
  return toWorkItemView(ctx.app.key, row, await releaseNameOf(db, row.release_id));
}

async function loadItem(db: Db | Trx, ctx: AppContext, key: string): Promise<WorkItemTable> {
  return itemByKey(db, ctx.app.id, key);
}

async function ownerProblems(db: Db | Trx, owner: string | null | undefined): Promise<FieldProblem[]> {
  if (owner === undefined || owner === null) return [];
  const user = await userByName(db, owner);
  if (!user || user.disabled === 1) return [{ path: 'owner', message: `no active user "${owner}"` }];
  return [];
}

export type CreateWorkItemInput = {
  app?: string | undefined;
  kind: string;
  helpdeskRef: string;
  title: string;
  description?: string | undefined;
  owner?: string | null | undefined;
  priority?: string | undefined;
  elements?: ElementInput[] | undefined;
};

export async function createWorkItem(deps: ServiceDeps, actor: Actor, input: CreateWorkItemInput): Promise<WorkItemView> {
  return deps.database.transaction(async ({ db }) => {
    const ctx = await resolveApplication(deps, db, input.app);
    requireAppAction(ctx.template, actor, 'item.create');
    const problems = [...workItemFieldProblems(ctx.template, input), ...(await ownerProblems(db, input.owner))];
    if (problems.length > 0) throw new ValidationError('the work item does not fit the process template', problems);
    // The creation order across kinds, and the item's number within its kind (its key).
    const number = await nextValue(db, itemCounter(ctx.app.id));
    const kindNumber = await nextValueCreating(db, itemKindCounter(ctx.app.id, input.kind));
    const now = deps.clock().toISOString();
    const row: WorkItemTable = {
      id: randomUUID(),
      application_id: ctx.app.id,
      number,
      kind: input.kind,
      kind_number: kindNumber,
      helpdesk_ref: input.helpdeskRef,
      title: input.title,
      description: input.description ?? '',
      owner: input.owner ?? null,
      priority: input.priority ?? defaultPriority(ctx.template),
      elements: JSON.stringify(input.elements ?? []),
      release_id: null,
      created_by: actor.username,
      created_at: now,
      updated_at: now,
      row_version: 1,
    };
    await insertWorkItem(db, row);
    const v = await view(db, ctx, row);
    await appendAudit(db, {
      actor,
      at: deps.clock(),
      action: 'item.create',
      subjectType: 'item',
      subjectId: `${ctx.app.key}/${v.key}`,
      after: v,
    });
    return v;
  });
}

/** An item with every test attempt recorded for it, in any release, oldest first (P4, P8). */
export async function getWorkItem(deps: ServiceDeps, app: string | undefined, key: string): Promise<WorkItemDetail> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const row = await loadItem(db, ctx, key);
  const tests = (await testAttemptsOfItem(db, row.id)).map((t) => ({
    release: t.release_name,
    environment: t.environment,
    result: t.result === 'passed' ? ('passed' as const) : ('failed' as const),
    cause: t.cause,
    notes: t.notes,
    packages: JSON.parse(t.packages) as Record<string, number>,
    recordedBy: t.recorded_by,
    recordedAt: t.recorded_at,
  }));
  return { ...(await view(db, ctx, row)), tests };
}

export type ListWorkItemsInput = Omit<WorkItemFilter, 'applicationId' | 'releaseId'> & {
  app?: string | undefined;
  /** A release name, or `none` for items in no release. */
  release?: string | undefined;
};

export async function listWorkItemViews(
  deps: ServiceDeps,
  input: ListWorkItemsInput,
): Promise<{ items: WorkItemView[]; total: number; limit: number; offset: number }> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, input.app);
  let releaseId: string | null | undefined;
  if (input.release === 'none') releaseId = null;
  else if (input.release !== undefined) {
    const r = await findRelease(db, ctx.app.id, input.release);
    if (!r) throw new NotFoundError('release', input.release);
    releaseId = r.id;
  }
  const { rows, total } = await listWorkItems(db, { ...input, applicationId: ctx.app.id, releaseId });
  const names = new Map<string, string | null>();
  const items: WorkItemView[] = [];
  for (const row of rows) {
    if (row.release_id !== null && !names.has(row.release_id)) names.set(row.release_id, await releaseNameOf(db, row.release_id));
    items.push(toWorkItemView(ctx.app.key, row, row.release_id === null ? null : (names.get(row.release_id) ?? null)));
  }
  return { items, total, limit: input.limit, offset: input.offset };
}

export type UpdateWorkItemInput = {
  helpdeskRef?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  owner?: string | null | undefined;
  priority?: string | undefined;
  elements?: ElementInput[] | undefined;
  expectedVersion?: number | undefined;
};

async function writeItem(
  deps: ServiceDeps,
  db: Trx,
  ctx: AppContext,
  actor: Actor,
  row: WorkItemTable,
  patch: Partial<WorkItemTable>,
  action: string,
): Promise<WorkItemView> {
  const before = await view(db, ctx, row);
  if (!(await updateWorkItemVersioned(db, row.id, row.row_version, { ...patch, updated_at: deps.clock().toISOString() }))) {
    const now = await loadItem(db, ctx, before.key);
    throw new StaleVersionError('work item', before.key, row.row_version, now.row_version);
  }
  const after = await view(db, ctx, await loadItem(db, ctx, before.key));
  await appendAudit(db, { actor, at: deps.clock(), action, subjectType: 'item', subjectId: `${ctx.app.key}/${after.key}`, before, after });
  return after;
}

/** Inside a write: the application, the caller's right to act, and the item at the version the caller read. */
async function loadForWrite(
  deps: ServiceDeps,
  db: Trx,
  actor: Actor,
  action: 'item.update' | 'item.assign',
  app: string | undefined,
  key: string,
  expectedVersion: number | undefined,
): Promise<{ ctx: AppContext; row: WorkItemTable }> {
  const ctx = await resolveApplication(deps, db, app);
  requireAppAction(ctx.template, actor, action);
  const row = await loadItem(db, ctx, key);
  if (expectedVersion !== undefined && expectedVersion !== row.row_version) {
    throw new StaleVersionError('work item', key, expectedVersion, row.row_version);
  }
  return { ctx, row };
}

export async function updateWorkItem(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  key: string,
  input: UpdateWorkItemInput,
): Promise<WorkItemView> {
  return deps.database.transaction(async ({ db }) => {
    const { ctx, row } = await loadForWrite(deps, db, actor, 'item.update', app, key, input.expectedVersion);
    const problems = [...workItemFieldProblems(ctx.template, input), ...(await ownerProblems(db, input.owner))];
    if (problems.length > 0) throw new ValidationError('the work item does not fit the process template', problems);
    const patch: Partial<WorkItemTable> = {};
    if (input.helpdeskRef !== undefined) patch.helpdesk_ref = input.helpdeskRef;
    if (input.title !== undefined) patch.title = input.title;
    if (input.description !== undefined) patch.description = input.description;
    if (input.owner !== undefined) patch.owner = input.owner;
    if (input.priority !== undefined) patch.priority = input.priority;
    if (input.elements !== undefined) patch.elements = JSON.stringify(input.elements);
    return writeItem(deps, db, ctx, actor, row, patch, 'item.update');
  });
}

export type AssignInput = {
  /** Release name, or null to take the item out of its release. */
  release: string | null;
  /** Allow taking the item out of another release it is in. */
  move?: boolean | undefined;
  expectedVersion?: number | undefined;
};

/**
 * A release's item set changed: approvals the template voids on such a change
 * no longer count, and clients holding the release's old version notice.
 * Releases are locked in id order so two moves cannot deadlock.
 */
async function itemSetChanged(
  deps: ServiceDeps,
  db: Trx,
  changes: { release: ReleaseTable; change: EvidenceChange }[],
  reason: string,
): Promise<void> {
  const at = deps.clock().toISOString();
  for (const { release: r, change } of [...changes].sort((a, b) => (a.release.id < b.release.id ? -1 : 1))) {
    await lockRelease(db, r.id);
    const template = await deps.templates.byId(db, r.template_version_id);
    // What was approved for production is what is deployed: items are frozen with the packages.
    const state = template.states.find((x) => x.id === r.state);
    if (state?.locksPackages) {
      throw new ConflictError(`release ${r.name} is ${state.name}: its packages and items are frozen`, 'packages-locked');
    }
    refuseVoidingChange(template, toSnapshot(r, await loadLifecycleRows(db, r.id)), change);
    await voidApprovals(db, r.id, stepsVoidedBy(template, 'items'), reason, at);
    await db
      .updateTable('releases')
      .set((eb) => ({ row_version: eb('row_version', '+', 1), updated_at: at }))
      .where('id', '=', r.id)
      .execute();
  }
}

/** Puts an item into a release, moves it between releases, or takes it out: an item is in at most one. */
export async function assignWorkItem(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  key: string,
  input: AssignInput,
): Promise<WorkItemView> {
  return deps.database.transaction(async ({ db }) => {
    const { ctx, row } = await loadForWrite(deps, db, actor, 'item.assign', app, key, input.expectedVersion);
    const current = row.release_id === null ? undefined : await releaseById(db, row.release_id);
    if (current) {
      const t = await deps.templates.byId(db, current.template_version_id);
      if (isTerminalState(t, current.state)) {
        throw new ConflictError(`release ${current.name} is ${current.state}; its items can no longer be moved`, 'release-closed');
      }
    }
    if (input.release === null) {
      if (!current) throw new ConflictError(`${key} is not in any release`, 'not-assigned');
      await itemSetChanged(deps, db, [{ release: current, change: { kind: 'items', remove: [row.id] } }], `${key} taken out`);
      return writeItem(deps, db, ctx, actor, row, { release_id: null }, 'item.detach');
    }
    const target = await findRelease(db, ctx.app.id, input.release);
    if (!target) throw new NotFoundError('release', input.release);
    const t = await deps.templates.byId(db, target.template_version_id);
    if (isTerminalState(t, target.state)) {
      throw new ConflictError(`release ${target.name} is ${target.state}; items can no longer be added`, 'release-closed');
    }
    if (current?.id === target.id) throw new ConflictError(`${key} is already in ${target.name}`, 'already-assigned');
    if (current && input.move !== true) {
      throw new ConflictError(
        `${key} is already in ${current.name}; move it (move: true) to put it into ${target.name}`,
        'already-assigned',
      );
    }
    const added: EvidenceChange = {
      kind: 'items',
      add: [{ id: row.id, key: keyOfItem(row), kind: row.kind, helpdeskRef: row.helpdesk_ref }],
    };
    const changes: { release: ReleaseTable; change: EvidenceChange }[] = [{ release: target, change: added }];
    if (current) changes.push({ release: current, change: { kind: 'items', remove: [row.id] } });
    await itemSetChanged(deps, db, changes, `${key} ${current ? 'moved' : 'added'}`);
    return writeItem(deps, db, ctx, actor, row, { release_id: target.id }, current ? 'item.move' : 'item.attach');
  });
}
