import type { Db, Trx } from '../database.js';
import type { ChecklistTaskTable, ContactTable, ReleaseMilestoneTable } from '../schema.js';

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
