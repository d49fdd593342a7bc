import { nullableJsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import type { AuditEventTable, AuditHeadTable } from '../schema.js';

/**
 * `audit_events.before_json` / `after_json`, read back as recorded. They are
 * written as canonical JSON (sorted keys) by the append, which hashes that text.
 */
export const auditPayload = nullableJsonColumn<unknown>();

export async function lockAuditHead(db: Trx): Promise<AuditHeadTable> {
  // UPDATE takes the row lock on PostgreSQL (and SQLite already holds the
  // write lock), so concurrent appenders queue here and the chain stays linear.
  const row = await db
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb.ref('seq') }))
    .where('id', '=', 1)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new Error('audit_head row is missing; run `relman migrate`');
  return row;
}

export async function insertAuditEvent(db: Trx, event: AuditEventTable): Promise<void> {
  await db.insertInto('audit_events').values(event).execute();
  await db.updateTable('audit_head').set({ seq: event.seq, hash: event.hash }).where('id', '=', 1).execute();
}

export async function readAuditHead(db: Db | Trx): Promise<AuditHeadTable | undefined> {
  return db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
}

export async function readAuditBatch(db: Db, afterSeq: number, limit: number): Promise<AuditEventTable[]> {
  return db.selectFrom('audit_events').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

export type AuditFilter = {
  actor?: string | undefined;
  action?: string | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  afterSeq?: number | undefined;
  limit: number;
};

export async function listAuditEvents(db: Db, f: AuditFilter): Promise<AuditEventTable[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.subjectType !== undefined) q = q.where('subject_type', '=', f.subjectType);
  if (f.subjectId !== undefined) q = q.where('subject_id', '=', f.subjectId);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.afterSeq !== undefined) q = q.where('seq', '>', f.afterSeq);
  return q.orderBy('seq').limit(f.limit).execute();
}

/** The latest `limit` events on any of the subjects, newest first. */
export async function latestEventsOfSubjects(
  db: Db | Trx,
  subjectType: string,
  subjectIds: readonly string[],
  limit: number,
): Promise<AuditEventTable[]> {
  if (subjectIds.length === 0) return [];
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('subject_type', '=', subjectType)
    .where('subject_id', 'in', [...subjectIds])
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}

/** The latest event on one subject after a sequence number or a time (exclusive), if any. */
export async function latestEventOfSubject(
  db: Db | Trx,
  subjectType: string,
  subjectId: string,
  after: { seq?: number | undefined; at?: string | undefined } = {},
): Promise<AuditEventTable | undefined> {
  let q = db.selectFrom('audit_events').selectAll().where('subject_type', '=', subjectType).where('subject_id', '=', subjectId);
  if (after.seq !== undefined) q = q.where('seq', '>', after.seq);
  if (after.at !== undefined) q = q.where('at', '>', after.at);
  return q.orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

/** Every event on one subject, oldest first. */
export async function eventsOfSubject(db: Db | Trx, subjectType: string, subjectId: string): Promise<AuditEventTable[]> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('seq')
    .execute();
}

/** One event by its place in the chain. */
export async function auditEventAtSeq(db: Db, seq: number): Promise<AuditEventTable | undefined> {
  return db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirst();
}
