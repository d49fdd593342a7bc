import type { Db, Trx } from '../database.js';
import type { ChecklistTaskTable, ReleaseNotificationTable } from '../schema.js';

/** What waits for a mail's delivery: notices to external systems (gate 2) and checklist tasks sent by mail. */

export async function insertNotice(db: Trx, row: ReleaseNotificationTable): Promise<void> {
  await db.insertInto('release_notifications').values(row).execute();
}

/** The notices sent with the mail that are not settled as notified, oldest first. */
export async function unsettledNoticesOfMail(db: Db | Trx, mailId: string): Promise<ReleaseNotificationTable[]> {
  return db
    .selectFrom('release_notifications')
    .selectAll()
    .where('mail_id', '=', mailId)
    .where('status', 'in', ['pending', 'failed'])
    .orderBy('recorded_at')
    .execute();
}

export async function updateNotice(db: Trx, id: string, patch: Partial<Omit<ReleaseNotificationTable, 'id'>>): Promise<void> {
  await db.updateTable('release_notifications').set(patch).where('id', '=', id).execute();
}

/** The mail's failed notices wait for its next attempt again; returns how many. */
export async function reopenFailedNoticesOfMail(db: Trx, mailId: string): Promise<number> {
  const r = await db
    .updateTable('release_notifications')
    .set({ status: 'pending', outcome: null, settled_at: null, accepted: null })
    .where('mail_id', '=', mailId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The release's open checklist tasks among `taskIds`, in list order. */
export async function openTasksOfRelease(db: Db | Trx, releaseId: string, taskIds: readonly string[]): Promise<ChecklistTaskTable[]> {
  if (taskIds.length === 0) return [];
  return db
    .selectFrom('checklist_tasks')
    .selectAll()
    .where('release_id', '=', releaseId)
    .where('task_id', 'in', [...taskIds])
    .where('status', '=', 'open')
    .orderBy('position')
    .execute();
}

/** The release's checklist tasks sent by mail and awaiting its delivery. */
export async function sentTasksOfRelease(db: Db | Trx, releaseId: string): Promise<ChecklistTaskTable[]> {
  return db.selectFrom('checklist_tasks').selectAll().where('release_id', '=', releaseId).where('status', '=', 'sent').execute();
}

/** Settles a task sent by mail and moves its version on from `version`. */
export async function settleSentTask(
  db: Trx,
  id: string,
  version: number,
  patch: Partial<Omit<ChecklistTaskTable, 'id' | 'row_version'>>,
): Promise<void> {
  await db
    .updateTable('checklist_tasks')
    .set({ ...patch, row_version: version + 1 })
    .where('id', '=', id)
    .execute();
}
