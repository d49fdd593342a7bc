import { jsonColumn, nullableJsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import type { ChecklistTaskTable, ChecklistWaiverTable, ContactTable, MailOutboxTable, ReleaseMilestoneTable } from '../schema.js';
import type { ChecklistEvidence } from '../../domain/audit/checklist.js';
import type { ChecklistDue } from '../../domain/template/schema.js';

/** `checklist_tasks.responsible`: the roles responsible for the task. */
export const taskResponsible = jsonColumn<string[]>();
/** `checklist_tasks.due_rule`: the template's rule for the task's due date. */
export const taskDueRule = jsonColumn<ChecklistDue>();
/** `checklist_tasks.evidence`: what proves the task done (a link, a mail, a file); null when nothing does. */
export const taskEvidence = nullableJsonColumn<ChecklistEvidence>();

export async function checklistOf(db: Db | Trx, releaseId: string): Promise<ChecklistTaskTable[]> {
  return db.selectFrom('checklist_tasks').selectAll().where('release_id', '=', releaseId).orderBy('position').execute();
}

export async function milestonesOf(db: Db | Trx, releaseId: string): Promise<ReleaseMilestoneTable[]> {
  return db.selectFrom('release_milestones').selectAll().where('release_id', '=', releaseId).orderBy('milestone').execute();
}

export async function checklistTaskById(db: Db | Trx, id: string): Promise<ChecklistTaskTable | undefined> {
  return db.selectFrom('checklist_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Writes a task's new fields only if nobody changed it since `version` was
 * read, and moves its version on; false when someone else was first.
 */
export async function updateTaskVersioned(
  db: Trx,
  id: string,
  version: number,
  patch: Partial<Omit<ChecklistTaskTable, 'id' | 'row_version'>>,
): Promise<boolean> {
  const r = await db
    .updateTable('checklist_tasks')
    .set({ ...patch, row_version: version + 1 })
    .where('id', '=', id)
    .where('row_version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Open tasks with a due date on or before `dueBy`, oldest due first: the candidates of a sweep. */
export async function openTasksDueBy(db: Db | Trx, dueBy: string): Promise<ChecklistTaskTable[]> {
  return db
    .selectFrom('checklist_tasks')
    .selectAll()
    .where('status', '=', 'open')
    .where('due_date', 'is not', null)
    .where('due_date', '<=', dueBy)
    .orderBy('due_date')
    .orderBy('id')
    .execute();
}

/** The application's escalation list, grouped into levels: level n is the n-th distinct position. */
export async function escalationLevels(db: Db | Trx, applicationId: string): Promise<ContactTable[][]> {
  const rows = await db
    .selectFrom('contacts')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('kind', '=', 'escalation')
    .orderBy('position')
    .orderBy('person')
    .execute();
  const levels: ContactTable[][] = [];
  let last: number | null = null;
  for (const r of rows) {
    if (r.position !== last) levels.push([]);
    levels[levels.length - 1]?.push(r);
    last = r.position;
  }
  return levels;
}

export type RolePerson = { role: string; username: string; email: string | null; source: 'user' | 'contact' };

/** Active users holding the roles, then the application's resource list for them. */
export async function peopleOfRoles(db: Db | Trx, applicationId: string, roles: string[]): Promise<RolePerson[]> {
  if (roles.length === 0) return [];
  const users = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['user_roles.role', 'users.username', 'users.email'])
    .where('user_roles.role', 'in', roles)
    .where('users.disabled', '=', 0)
    .orderBy('users.username')
    .execute();
  const contacts = await db
    .selectFrom('contacts')
    .select(['role', 'person', 'email'])
    .where('application_id', '=', applicationId)
    .where('kind', '=', 'resource')
    .where('role', 'in', roles)
    .orderBy('position')
    .execute();
  return [
    ...users.map((u) => ({ role: u.role, username: u.username, email: u.email, source: 'user' as const })),
    ...contacts.map((c) => ({ role: c.role ?? '', username: c.person, email: c.email, source: 'contact' as const })),
  ];
}

export async function insertTask(db: Trx, row: ChecklistTaskTable): Promise<void> {
  await db.insertInto('checklist_tasks').values(row).execute();
}

export async function deleteTask(db: Trx, id: string): Promise<void> {
  await db.deleteFrom('checklist_tasks').where('id', '=', id).execute();
}

/** Gives an open task a new due date; its reminders start afresh. */
export async function moveTaskDueDate(db: Trx, task: ChecklistTaskTable, due: string | null): Promise<void> {
  await db
    .updateTable('checklist_tasks')
    .set({ due_date: due, reminded_at: null, escalation_level: 0, escalated_at: null, row_version: task.row_version + 1 })
    .where('id', '=', task.id)
    .execute();
}

/**
 * Claims a sweep's step on a task still open at the version read: true when
 * this sweep is first (a concurrent one that read the same version updates
 * nothing). `firstReminder` also requires that it was not reminded yet.
 */
export async function claimTaskStep(
  db: Trx,
  task: Pick<ChecklistTaskTable, 'id' | 'row_version'>,
  claim: Partial<Pick<ChecklistTaskTable, 'reminded_at' | 'escalation_level' | 'escalated_at'>>,
  firstReminder = false,
): Promise<boolean> {
  let q = db
    .updateTable('checklist_tasks')
    .set({ ...claim, row_version: task.row_version + 1 })
    .where('id', '=', task.id)
    .where('row_version', '=', task.row_version)
    .where('status', '=', 'open');
  if (firstReminder) q = q.where('reminded_at', 'is', null);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type OpenTaskRow = ChecklistTaskTable & { release_name: string; release_state: string; template_id: string };

/** Open tasks of an application's releases (or of one of them), by due date, release name and position. */
export async function openTasksOfApplication(db: Db | Trx, applicationId: string, releaseId?: string): Promise<OpenTaskRow[]> {
  let q = db
    .selectFrom('checklist_tasks')
    .innerJoin('releases', 'releases.id', 'checklist_tasks.release_id')
    .selectAll('checklist_tasks')
    .select(['releases.name as release_name', 'releases.state as release_state', 'releases.template_version_id as template_id'])
    .where('releases.application_id', '=', applicationId)
    .where('checklist_tasks.status', '=', 'open');
  if (releaseId !== undefined) q = q.where('releases.id', '=', releaseId);
  return q.orderBy('checklist_tasks.due_date').orderBy('releases.name').orderBy('checklist_tasks.position').execute();
}

/** What a task's evidence needs of a mail: its subject, status and release. */
export async function mailForEvidence(
  db: Db | Trx,
  id: string,
): Promise<Pick<MailOutboxTable, 'id' | 'subject' | 'status' | 'release_id'> | undefined> {
  return db.selectFrom('mail_outbox').select(['id', 'subject', 'status', 'release_id']).where('id', '=', id).executeTakeFirst();
}

/** Sets a milestone's date on a release (a new row, or the new date of the one set before). */
export async function saveMilestone(db: Trx, row: ReleaseMilestoneTable, existing: boolean): Promise<void> {
  if (existing) {
    await db
      .updateTable('release_milestones')
      .set({ planned_date: row.planned_date, set_by: row.set_by, set_at: row.set_at })
      .where('release_id', '=', row.release_id)
      .where('milestone', '=', row.milestone)
      .execute();
  } else await db.insertInto('release_milestones').values(row).execute();
}

export async function insertWaiver(db: Trx, row: ChecklistWaiverTable): Promise<void> {
  await db.insertInto('checklist_waivers').values(row).execute();
}

/** The waivers of the releases' tasks, oldest first. */
export async function waiversOf(db: Db | Trx, releaseIds: readonly string[]): Promise<ChecklistWaiverTable[]> {
  if (releaseIds.length === 0) return [];
  return db.selectFrom('checklist_waivers').selectAll().where('release_id', 'in', releaseIds).orderBy('waived_at').execute();
}
