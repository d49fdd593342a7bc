import type { Db, Trx } from '../database.js';
import type { CalendarTokenTable } from '../schema.js';

/** Calendar feed secrets (`calendar_tokens`) and what a feed shows that no other repository reads. */

/** The user's feed secret in force (not revoked), newest first. */
export async function activeFeedToken(db: Db | Trx, userId: string): Promise<CalendarTokenTable | undefined> {
  return db
    .selectFrom('calendar_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** The ids of the user's feed secrets in force. */
export async function activeFeedTokenIds(db: Db | Trx, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('calendar_tokens').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  return rows.map((r) => r.id);
}

/** Revokes the user's feed secrets in force; returns how many. */
export async function revokeFeedTokensOf(db: Trx, userId: string, at: string): Promise<number> {
  const res = await db
    .updateTable('calendar_tokens')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function insertFeedToken(db: Trx, row: CalendarTokenTable): Promise<void> {
  await db.insertInto('calendar_tokens').values(row).execute();
}

export async function feedTokenByHash(db: Db | Trx, hash: string): Promise<CalendarTokenTable | undefined> {
  return db.selectFrom('calendar_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
}

/** Bookkeeping: when a calendar last fetched the feed. */
export async function touchFeedToken(db: Db | Trx, id: string, at: string): Promise<void> {
  await db.updateTable('calendar_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export type FeedTaskRow = {
  id: string;
  title: string;
  responsible: string;
  due_date: string | null;
  remarks: string;
  row_version: number;
  release_name: string;
  release_updated_at: string;
  release_version: number;
};

/** The application's open checklist tasks due on or after `since`, with their release, by due date. */
export async function openTasksDueSince(db: Db | Trx, applicationId: string, since: string): Promise<FeedTaskRow[]> {
  return db
    .selectFrom('checklist_tasks')
    .innerJoin('releases', 'releases.id', 'checklist_tasks.release_id')
    .select([
      'checklist_tasks.id',
      'checklist_tasks.title',
      'checklist_tasks.responsible',
      'checklist_tasks.due_date',
      'checklist_tasks.remarks',
      'checklist_tasks.row_version',
      'releases.name as release_name',
      'releases.updated_at as release_updated_at',
      'releases.row_version as release_version',
    ])
    .where('releases.application_id', '=', applicationId)
    .where('checklist_tasks.status', '=', 'open')
    .where('checklist_tasks.due_date', 'is not', null)
    .where('checklist_tasks.due_date', '>=', since)
    .orderBy('checklist_tasks.due_date')
    .orderBy('checklist_tasks.id')
    .execute();
}
