import { randomUUID } from 'node:crypto';
import {
  checklistOf,
  insertWaiver,
  mailForEvidence,
  milestonesOf,
  openTasksOfApplication,
  saveMilestone,
  taskEvidence,
  taskResponsible,
  updateTaskVersioned,
} from '../../db/repositories/checklist.js';
import type { ChecklistTaskTable } from '../../db/schema.js';
import type { AuditEvent } from '../../domain/audit/catalogue.js';
import type { ChecklistEvidence, ChecklistTaskAuditBrief } from '../../domain/audit/checklist.js';
import { milestoneDates, taskDueDate } from '../../domain/checklist.js';
import { reopening, STATUS_AFTER, taskMoveRefusal, type TaskMove } from '../../domain/checklist-tasks.js';
import { isCalendarDate } from '../../domain/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError, ValidationError } from '../../domain/errors.js';
import { canPerform, rolesAllowed } from '../../domain/permissions.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { lockedReleaseWrite, type LockedRelease, type LockedWrite } from '../lifecycle/release-lock.js';
import { findRelease, loadRelease, type ReleaseRef } from '../release-lookup.js';
import { releaseMilestoneDates, syncChecklist } from './sync.js';
import { taskViews, type ChecklistTaskView } from './view.js';

export type MilestoneView = { id: string; name: string; date: string; set: boolean; setBy: string | null; setAt: string | null };

export type ChecklistView = {
  release: string;
  state: string;
  plannedDate: string;
  timeZone: string;
  reminderTime: string;
  escalationDelayHours: number;
  milestones: MilestoneView[];
  tasks: ChecklistTaskView[];
};

/** A release's checklist: its milestones and every task with its due date, people and state. */
export async function releaseChecklist(deps: ServiceDeps, ref: ReleaseRef): Promise<ChecklistView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, ref.name);
  const template = await deps.templates.byId(db, r.template_version_id);
  const [rows, set] = await Promise.all([checklistOf(db, r.id), milestonesOf(db, r.id)]);
  const dates = milestoneDates(template.milestones, r.planned_date, Object.fromEntries(set.map((m) => [m.milestone, m.planned_date])));
  return {
    release: r.name,
    state: r.state,
    plannedDate: r.planned_date,
    timeZone: template.calendar.timeZone,
    reminderTime: template.calendar.reminderTime,
    escalationDelayHours: template.contacts.escalationDelayHours,
    milestones: template.milestones.map((m) => {
      const row = set.find((x) => x.milestone === m.id);
      return {
        id: m.id,
        name: m.name,
        date: dates[m.id] ?? '',
        set: row !== undefined,
        setBy: row?.set_by ?? null,
        setAt: row?.set_at ?? null,
      };
    }),
    tasks: await taskViews(db, template, ctx.app.id, r.name, rows, deps.clock()),
  };
}

export type MyChecklistInput = {
  app?: string | undefined;
  /** Only tasks whose responsible roles the caller holds. */
  mine?: boolean | undefined;
  overdue?: boolean | undefined;
  release?: string | undefined;
};

/**
 * Open tasks across the application's releases that are still going on,
 * earliest due first (tasks without a date last).
 */
export async function openChecklistTasks(deps: ServiceDeps, actor: Actor, input: MyChecklistInput): Promise<ChecklistTaskView[]> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, input.app);
  let releaseId: string | undefined;
  if (input.release !== undefined) {
    const r = await findRelease(db, ctx.app.id, input.release);
    if (!r) throw new NotFoundError('release', input.release);
    releaseId = r.id;
  }
  const rows = await openTasksOfApplication(db, ctx.app.id, releaseId);
  const now = deps.clock();
  const byTemplate = new Map<string, typeof rows>();
  for (const r of rows) byTemplate.set(r.template_id, [...(byTemplate.get(r.template_id) ?? []), r]);
  const out: ChecklistTaskView[] = [];
  for (const [templateId, group] of byTemplate) {
    const template = await deps.templates.byId(db, templateId);
    const wanted = group.filter(
      (r) =>
        !isTerminalState(template, r.release_state) &&
        (!input.mine || taskResponsible.decode(r.responsible).some((role) => actor.roles.includes(role))),
    );
    const views = await taskViews(db, template, ctx.app.id, '', wanted, now);
    out.push(...views.filter((v) => !input.overdue || v.overdue));
  }
  return out.sort(
    (a, b) => (a.due ?? '9999').localeCompare(b.due ?? '9999') || a.release.localeCompare(b.release) || a.position - b.position,
  );
}

function findTask(l: LockedRelease, rows: ChecklistTaskTable[], task: string): ChecklistTaskTable {
  const row = rows.find((t) => t.task_id === task);
  if (!row) throw new NotFoundError('checklist task', `${l.release.name}/${task}`);
  return row;
}

/** `checklist.complete` roles, or any of the task's responsible roles. */
export function requireTaskRights(template: ProcessTemplate, actor: Actor, row: ChecklistTaskTable): void {
  const responsible = taskResponsible.decode(row.responsible);
  if (canPerform(template, actor.roles, 'checklist.complete')) return;
  if (responsible.some((r) => actor.roles.includes(r))) return;
  throw new ForbiddenError(`checklist.complete (${row.task_id})`, [
    ...new Set([...rolesAllowed(template, 'checklist.complete'), ...responsible]),
  ]);
}

type TaskChange = { expectedVersion?: number | undefined };

/** A person's change of one task of a release. */
type TaskWrite = TaskChange & { ref: ReleaseRef; task: string; move: Exclude<TaskMove, 'waive'> };

/** What the audit records of a task before and after a change. */
const auditBrief = (v: ChecklistTaskView): ChecklistTaskAuditBrief => ({
  task: v.task,
  status: v.status,
  note: v.note,
  evidence: v.evidence,
  due: v.due,
  completedBy: v.completedBy,
  ...(v.lateAfter.length > 0 ? { lateAfter: v.lateAfter.map((x) => x.transition) } : {}),
});

/** Refuses a move the task's state does not allow (409). */
function refuseMove(task: string, status: string, move: TaskMove): void {
  const refusal = taskMoveRefusal(task, status, move);
  if (refusal !== null) throw new ConflictError(refusal.message, refusal.code);
}

async function changeTask(
  deps: ServiceDeps,
  actor: Actor,
  change: TaskWrite,
  decide: (l: LockedRelease, row: ChecklistTaskTable, at: string) => Promise<Partial<ChecklistTaskTable>>,
): Promise<ChecklistTaskView> {
  const { ref, task, move } = change;
  // A task done late is still true evidence: it may be completed after the release closed (skip and reopen may not).
  const options = { allowTerminal: move === 'complete' };
  return lockedReleaseWrite(deps, actor, ref, options, async (l) => {
    const rows = await checklistOf(l.db, l.release.id);
    const row = findTask(l, rows, task);
    requireTaskRights(l.template, actor, row);
    if (change.expectedVersion !== undefined && change.expectedVersion !== row.row_version) {
      throw new StaleVersionError('checklist task', `${ref.name}/${task}`, change.expectedVersion, row.row_version);
    }
    const at = deps.clock().toISOString();
    const patch = await decide(l, row, at);
    // The release lock serialises writers; the version guard also keeps a concurrent sweep from being overwritten.
    if (!(await updateTaskVersioned(l.db, row.id, row.row_version, patch))) {
      throw new StaleVersionError('checklist task', `${ref.name}/${task}`, row.row_version, row.row_version + 1);
    }
    return l.tx.audit(...(await taskChangeEvent(deps, l, row, patch, `checklist.${move}`)));
  });
}

/** The audit event of a task's change (its view before and after) and the view after. */
async function taskChangeEvent(
  deps: ServiceDeps,
  l: LockedRelease,
  row: ChecklistTaskTable,
  patch: Partial<ChecklistTaskTable>,
  action: `checklist.${Exclude<TaskMove, 'waive'>}`,
): Promise<[AuditEvent, ChecklistTaskView]> {
  const [before, after] = await taskViews(
    l.db,
    l.template,
    l.ctx.app.id,
    l.release.name,
    [row, { ...row, ...patch, row_version: row.row_version + 1 }],
    deps.clock(),
  );
  if (!before || !after) throw new Error('unreachable: a task view is missing');
  return [{ action, subjectType: 'release', subjectId: l.subject, before: auditBrief(before), after: auditBrief(after) }, after];
}

/**
 * Inside a write on the release: completes an open task with evidence that
 * another recorded fact produced (a deployment step's verified transfer), in
 * the same transaction as that fact. False, and nothing changed, when the
 * release has no such task or it is already settled.
 */
export async function completeTaskWithin(
  deps: ServiceDeps,
  l: LockedWrite,
  task: string,
  input: { note: string; evidence: ChecklistEvidence; by: string },
): Promise<boolean> {
  const row = (await checklistOf(l.db, l.release.id)).find((r) => r.task_id === task);
  if (!row || taskMoveRefusal(task, row.status, 'complete') !== null) return false;
  const at = deps.clock().toISOString();
  const evidence = { ...(taskEvidence.decode(row.evidence) ?? {}), ...input.evidence };
  const patch = {
    status: STATUS_AFTER.complete,
    note: input.note,
    evidence: taskEvidence.encode(evidence),
    completed_by: input.by,
    completed_at: at,
  };
  if (!(await updateTaskVersioned(l.db, row.id, row.row_version, patch))) return false;
  l.tx.audit((await taskChangeEvent(deps, l, row, patch, 'checklist.complete'))[0]);
  return true;
}

const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;

export type CompleteInput = TaskChange & { note: string; link?: string | undefined; mailId?: string | undefined };

/**
 * Marks a task done with a note and, optionally, evidence: a link or a mail of
 * this release. Done late is still done: a task may be completed after the
 * release closed, and its view shows the transitions it was required before
 * that had already happened (`lateAfter`).
 */
export async function completeTask(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  task: string,
  input: CompleteInput,
): Promise<ChecklistTaskView> {
  const change: TaskWrite = { ref, task, move: 'complete', expectedVersion: input.expectedVersion };
  return changeTask(deps, actor, change, async (l, row, at) => {
    const note = input.note.trim();
    const problems = [];
    if (note === '') problems.push({ path: 'note', message: 'say what was done' });
    if (input.link !== undefined && !HTTP_URL.test(input.link)) problems.push({ path: 'link', message: 'an http(s) URL' });
    const evidence: ChecklistEvidence = taskEvidence.decode(row.evidence) ?? {};
    if (input.link !== undefined) evidence.link = input.link;
    if (input.mailId !== undefined) {
      const mail = await mailForEvidence(l.db, input.mailId);
      if (!mail || mail.release_id !== l.release.id)
        problems.push({ path: 'mailId', message: `no mail "${input.mailId}" of release ${ref.name}` });
      else if (mail.status === 'failed') problems.push({ path: 'mailId', message: `the mail "${mail.subject}" could not be delivered` });
      else {
        evidence.mailId = mail.id;
        evidence.mailSubject = mail.subject;
      }
    }
    if (problems.length > 0) throw new ValidationError('the task cannot be completed', problems);
    refuseMove(task, row.status, 'complete');
    return {
      status: STATUS_AFTER.complete,
      note,
      evidence: Object.keys(evidence).length > 0 ? taskEvidence.encode(evidence) : null,
      completed_by: actor.username,
      completed_at: at,
    };
  });
}

/** Marks a task not applicable to this release, with the reason. */
export async function skipTask(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  task: string,
  input: TaskChange & { reason: string },
): Promise<ChecklistTaskView> {
  const change: TaskWrite = { ref, task, move: 'skip', expectedVersion: input.expectedVersion };
  return changeTask(deps, actor, change, (_l, row, at) => {
    const reason = input.reason.trim();
    if (reason === '') throw new ValidationError('a reason is required', [{ path: 'reason', message: 'say why the task does not apply' }]);
    refuseMove(task, row.status, 'skip');
    return Promise.resolve({ status: STATUS_AFTER.skip, note: reason, completed_by: actor.username, completed_at: at });
  });
}

/** Opens a done or skipped task again; the note says why, and its due date follows the release's dates again. */
export async function reopenTask(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  task: string,
  input: TaskChange & { reason: string },
): Promise<ChecklistTaskView> {
  const change: TaskWrite = { ref, task, move: 'reopen', expectedVersion: input.expectedVersion };
  return changeTask(deps, actor, change, async (l, row) => {
    const reason = input.reason.trim();
    if (reason === '') throw new ValidationError('a reason is required', [{ path: 'reason', message: 'say why the task is open again' }]);
    refuseMove(task, row.status, 'reopen');
    const def = l.template.checklist.find((t) => t.id === row.task_id);
    const due = def ? taskDueDate(def.due, l.release.planned_date, await releaseMilestoneDates(l.db, l.template, l.release)) : row.due_date;
    const fresh = reopening({ status: row.status, due: row.due_date }, due);
    const moved = fresh.dueMoved ? { due_date: due, reminded_at: null, escalation_level: 0, escalated_at: null } : {};
    // A task reopened while its mail awaits delivery no longer waits for that mail.
    const unsent = fresh.dropsEvidence ? { evidence: null } : {};
    return { status: STATUS_AFTER.reopen, note: reason, completed_by: null, completed_at: null, ...moved, ...unsent };
  });
}

/** Sets a milestone's date on a release; the due dates of open tasks follow. */
export async function setMilestone(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  milestone: string,
  input: { date: string },
): Promise<ChecklistView> {
  await lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'release.update');
    const def = l.template.milestones.find((m) => m.id === milestone);
    if (!def) throw new NotFoundError('milestone', milestone);
    if (!isCalendarDate(input.date)) throw new ValidationError('not a date', [{ path: 'date', message: 'a calendar date as YYYY-MM-DD' }]);
    const existing = (await milestonesOf(l.db, l.release.id)).find((m) => m.milestone === milestone);
    const row = {
      release_id: l.release.id,
      milestone,
      planned_date: input.date,
      set_by: actor.username,
      set_at: deps.clock().toISOString(),
    };
    await saveMilestone(l.db, row, existing !== undefined);
    await syncChecklist(l.tx, deps, l.template, l.release);
    const before = existing ? { milestone, date: existing.planned_date } : undefined;
    const after = { milestone, name: def.name, date: input.date };
    return l.tx.audit({ action: 'milestone.set', subjectType: 'release', subjectId: l.subject, before, after }, undefined);
  });
  return releaseChecklist(deps, ref);
}

/**
 * Lets one transition go ahead while a task the template ties to it
 * (`requiredBefore`) is still open: by a role holding `checklist.waive`, with
 * a reason, recorded and shown as "waived by X at T: reason" in the task, the
 * transition's evidence and the release's evidence. The task stays open and
 * can still be completed.
 */
export async function waiveTask(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  task: string,
  input: { transition: string; reason: string },
): Promise<ChecklistTaskView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'checklist.waive');
    const row = findTask(l, await checklistOf(l.db, l.release.id), task);
    const tied = l.template.checklist.find((c) => c.id === row.task_id)?.requiredBefore ?? [];
    const reason = input.reason.trim();
    const problems: { path: string; message: string }[] = [];
    if (reason === '') problems.push({ path: 'reason', message: 'say why the transition may go ahead without it' });
    if (!tied.includes(input.transition)) {
      const message =
        tied.length > 0
          ? `"${row.title}" is required before ${tied.join(', ')}, not "${input.transition}"`
          : `"${row.title}" holds up no transition`;
      problems.push({ path: 'transition', message });
    }
    if (problems.length > 0) throw new ValidationError('the task cannot be waived', problems);
    refuseMove(task, row.status, 'waive');
    if (l.rows.waivers.some((w) => w.task_id === row.task_id && w.transition === input.transition)) {
      throw new ConflictError(`task ${task} is already waived for ${input.transition}`, 'already-waived');
    }
    const now = deps.clock();
    const waiver = {
      id: randomUUID(),
      release_id: l.release.id,
      task_id: row.task_id,
      transition: input.transition,
      reason,
      waived_by: actor.username,
      waived_at: now.toISOString(),
    };
    await insertWaiver(l.db, waiver);
    const [view] = await taskViews(l.db, l.template, l.ctx.app.id, ref.name, [row], now);
    if (!view) throw new Error('unreachable: a task view is missing');
    const after = {
      task: row.task_id,
      title: row.title,
      transition: input.transition,
      reason,
      waivedBy: actor.username,
      waivedAt: waiver.waived_at,
    };
    return l.tx.audit({ action: 'checklist.waive', subjectType: 'release', subjectId: l.subject, after }, view);
  });
}
