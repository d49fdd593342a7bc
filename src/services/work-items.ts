import { randomUUID } from 'node:crypto';
import { nextValue, nextValueCreating } from '../db/repositories/counters.js';
import { bumpReleaseVersion, releaseById } from '../db/repositories/releases.js';
import { findRelease } from './release-lookup.js';
import { userByName } from '../db/repositories/users.js';
import {
  insertWorkItem,
  listWorkItems,
  testAttemptsOfItem,
  updateWorkItemVersioned,
  workItemElements,
  type WorkItemFilter,
} from '../db/repositories/work-items.js';
import type { Db, Trx } from '../db/database.js';
import type { ReleaseTable, WorkItemTable } from '../db/schema.js';
import { loadLifecycleRows, lockRelease, voidApprovals } from '../db/repositories/lifecycle.js';
import { stepsVoidedBy } from '../domain/lifecycle/approvals.js';
import type { EvidenceChange } from '../domain/lifecycle/voiding.js';
import { ConflictError, NotFoundError, StaleVersionError, ValidationError, type FieldProblem } from '../domain/errors.js';
import { isTerminalState } from '../domain/release-rules.js';
import {
  assignmentOf,
  checkItemMovable,
  defaultPriority,
  workItemChange,
  workItemFieldProblems,
  type AssignedRelease,
  type ElementInput,
  type WorkItemFieldChange,
} from '../domain/work-item-rules.js';
import type { Actor } from './actor.js';
import { itemCounter, itemKindCounter, resolveApplication, resolveApplicationForRead, type AppContext } from './applications.js';
import { requireAppAction } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { toSnapshot } from './lifecycle/snapshot.js';
import { refuseVoidingChange } from './lifecycle/voiding.js';
import { itemByKey, type ItemRef } from './work-item-key.js';
import { keyOfItem, toWorkItemView, type WorkItemDetail, type WorkItemView } from './work-item-view.js';
import { write, type Audited, type WriteTx } from './write.js';

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
  return write(deps, actor, async (tx) => {
    const { db } = tx;
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
      elements: workItemElements.encode(input.elements ?? []),
      release_id: null,
      created_by: actor.username,
      created_at: now,
      updated_at: now,
      row_version: 1,
    };
    await insertWorkItem(db, row);
    const v = await view(db, ctx, row);
    return tx.audit({ action: 'item.create', subjectType: 'item', subjectId: `${ctx.app.key}/${v.key}`, after: v }, v);
  });
}

/** An item with every test attempt recorded for it, in any release, oldest first (P4, P8). */
export async function getWorkItem(deps: ServiceDeps, ref: ItemRef): Promise<WorkItemDetail> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const row = await loadItem(db, ctx, ref.key);
  const tests = (await testAttemptsOfItem(db, row.id)).map((t) => ({
    release: t.release_name,
    environment: t.environment,
    result: t.result === 'passed' ? ('passed' as const) : ('failed' as const),
    cause: t.cause,
    notes: t.notes,
    packages: t.packages,
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

export type UpdateWorkItemInput = WorkItemFieldChange & { expectedVersion?: number | undefined };

type ItemChange = {
  ctx: AppContext;
  row: WorkItemTable;
  patch: Partial<WorkItemTable>;
  action: 'item.update' | 'item.attach' | 'item.detach' | 'item.move';
};

/** Writes the item at the version it was read, and records the change. */
async function writeItem(deps: ServiceDeps, tx: WriteTx, { ctx, row, patch, action }: ItemChange): Promise<Audited<WorkItemView>> {
  const { db } = tx;
  const before = await view(db, ctx, row);
  if (!(await updateWorkItemVersioned(db, row.id, row.row_version, { ...patch, updated_at: deps.clock().toISOString() }))) {
    const now = await loadItem(db, ctx, before.key);
    throw new StaleVersionError('work item', before.key, row.row_version, now.row_version);
  }
  const after = await view(db, ctx, await loadItem(db, ctx, before.key));
  return tx.audit({ action, subjectType: 'item', subjectId: `${ctx.app.key}/${after.key}`, before, after }, after);
}

/** Inside a write: the application, the caller's right to act, and the item at the version the caller read. */
async function loadForWrite(
  deps: ServiceDeps,
  tx: WriteTx,
  action: 'item.update' | 'item.assign',
  ref: ItemRef,
  expectedVersion: number | undefined,
): Promise<{ ctx: AppContext; row: WorkItemTable }> {
  const ctx = await resolveApplication(deps, tx.db, ref.app);
  requireAppAction(ctx.template, tx.actor, action);
  const row = await loadItem(tx.db, ctx, ref.key);
  if (expectedVersion !== undefined && expectedVersion !== row.row_version) {
    throw new StaleVersionError('work item', ref.key, expectedVersion, row.row_version);
  }
  return { ctx, row };
}

export async function updateWorkItem(deps: ServiceDeps, actor: Actor, ref: ItemRef, input: UpdateWorkItemInput): Promise<WorkItemView> {
  return write(deps, actor, async (tx) => {
    const { ctx, row } = await loadForWrite(deps, tx, 'item.update', ref, input.expectedVersion);
    const problems = [...workItemFieldProblems(ctx.template, input), ...(await ownerProblems(tx.db, input.owner))];
    if (problems.length > 0) throw new ValidationError('the work item does not fit the process template', problems);
    // Title, description, owner and priority are stored as they are named.
    const { helpdeskRef, elements, ...same } = workItemChange(input);
    const patch: Partial<WorkItemTable> = { ...same };
    if (helpdeskRef !== undefined) patch.helpdesk_ref = helpdeskRef;
    if (elements !== undefined) patch.elements = workItemElements.encode(elements);
    return writeItem(deps, tx, { ctx, row, patch, action: 'item.update' });
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
    await bumpReleaseVersion(db, r.id, at);
  }
}

/** A release as the assignment rules see it: closed when its own template version calls its state terminal. */
async function assigned(deps: ServiceDeps, db: Trx, r: ReleaseTable): Promise<AssignedRelease> {
  const template = await deps.templates.byId(db, r.template_version_id);
  return { id: r.id, name: r.name, state: r.state, closed: isTerminalState(template, r.state) };
}

const ASSIGNMENT_REASON = { 'item.attach': 'added', 'item.move': 'moved', 'item.detach': 'taken out' } as const;

/** Puts an item into a release, moves it between releases, or takes it out: an item is in at most one. */
export async function assignWorkItem(deps: ServiceDeps, actor: Actor, ref: ItemRef, input: AssignInput): Promise<WorkItemView> {
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const { ctx, row } = await loadForWrite(deps, tx, 'item.assign', ref, input.expectedVersion);
    const current = row.release_id === null ? undefined : await releaseById(db, row.release_id);
    const from = current ? await assigned(deps, db, current) : undefined;
    checkItemMovable(from);
    let target: ReleaseTable | null = null;
    if (input.release !== null) {
      target = (await findRelease(db, ctx.app.id, input.release)) ?? null;
      if (!target) throw new NotFoundError('release', input.release);
    }
    const action = assignmentOf(ref.key, from, target && (await assigned(deps, db, target)), input.move === true);
    const changes: { release: ReleaseTable; change: EvidenceChange }[] = [];
    if (target) {
      const add = [{ id: row.id, key: keyOfItem(row), kind: row.kind, helpdeskRef: row.helpdesk_ref }];
      changes.push({ release: target, change: { kind: 'items', add } });
    }
    if (current) changes.push({ release: current, change: { kind: 'items', remove: [row.id] } });
    await itemSetChanged(deps, db, changes, `${ref.key} ${ASSIGNMENT_REASON[action]}`);
    return writeItem(deps, tx, { ctx, row, patch: { release_id: target?.id ?? null }, action });
  });
}
