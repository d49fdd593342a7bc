import type { Database, Db, Trx } from '../database.js';
import { jsonColumn } from '../codec.js';
import type { MailOutboxTable } from '../schema.js';

/** `mail_outbox.recipients`: the To addresses. */
export const mailRecipients = jsonColumn<string[]>();
/** `mail_outbox.cc`: the Cc addresses. */
export const mailCc = jsonColumn<string[]>();

export async function insertMail(db: Trx, row: MailOutboxTable): Promise<void> {
  await db.insertInto('mail_outbox').values(row).execute();
}

/** An outbox row with the name of the release it is about (null for none). */
export type MailWithRelease = MailOutboxTable & { release_name: string | null };

export type MailFilter = {
  applicationId: string;
  releaseId?: string | undefined;
  status?: string | undefined;
  limit: number;
  offset: number;
};

/** The application's outbox, newest first, a page of it and how many rows match in all. */
export async function listMailOf(db: Db | Trx, f: MailFilter): Promise<{ rows: MailWithRelease[]; total: number }> {
  let q = db
    .selectFrom('mail_outbox')
    .leftJoin('releases', 'releases.id', 'mail_outbox.release_id')
    .where('mail_outbox.application_id', '=', f.applicationId);
  if (f.releaseId !== undefined) q = q.where('mail_outbox.release_id', '=', f.releaseId);
  if (f.status !== undefined) q = q.where('mail_outbox.status', '=', f.status);
  const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll('mail_outbox')
    .select('releases.name as release_name')
    .orderBy('mail_outbox.created_at', 'desc')
    .orderBy('mail_outbox.id')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  return { rows, total: Number(total.n) };
}

export async function mailOf(db: Db | Trx, applicationId: string, id: string): Promise<MailWithRelease | undefined> {
  return db
    .selectFrom('mail_outbox')
    .leftJoin('releases', 'releases.id', 'mail_outbox.release_id')
    .selectAll('mail_outbox')
    .select('releases.name as release_name')
    .where('mail_outbox.id', '=', id)
    .where('mail_outbox.application_id', '=', applicationId)
    .executeTakeFirst();
}

/** Makes a mail due again (pending, next attempt `at`) if it is still in `status`. */
export async function makeMailDue(db: Trx, id: string, status: string, at: string): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ status: 'pending', next_attempt_at: at })
    .where('id', '=', id)
    .where('status', '=', status)
    .execute();
}

export type ClaimOptions = { owner: string; now: string; leaseUntil: string; limit: number };

/**
 * Leases up to `limit` due outbox rows to `owner`: pending, due, and not
 * leased (or the lease expired). On PostgreSQL the candidates are selected
 * `FOR UPDATE SKIP LOCKED`, so concurrent claimers in other processes take
 * other rows instead of waiting; on SQLite the transaction holds the write
 * lock from its first statement. The conditional UPDATE re-checks the lease,
 * so a row is only ever leased to one claimer at a time.
 */
export async function claimDueMail(database: Database, o: ClaimOptions): Promise<MailOutboxTable[]> {
  return database.transaction(async ({ db }) => {
    let q = db
      .selectFrom('mail_outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', o.now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', o.now)]))
      .orderBy('next_attempt_at')
      .orderBy('created_at')
      .limit(o.limit);
    if (database.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const ids = (await q.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await db
      .updateTable('mail_outbox')
      .set({ lease_owner: o.owner, lease_until: o.leaseUntil })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', o.now)]))
      .returningAll()
      .execute();
    return rows.sort((a, b) => (a.next_attempt_at < b.next_attempt_at ? -1 : a.next_attempt_at > b.next_attempt_at ? 1 : 0));
  });
}

/** Marks a leased row sent; false when the lease was lost (another process owns the row now). */
export async function markMailSent(
  db: Db | Trx,
  id: string,
  owner: string,
  at: string,
  transport: string,
  note: string | null,
): Promise<boolean> {
  const res = await db
    .updateTable('mail_outbox')
    .set((eb) => ({
      status: 'sent',
      sent_at: at,
      transport,
      attempts: eb('attempts', '+', 1),
      last_error: note,
      lease_owner: null,
      lease_until: null,
    }))
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Records a failed attempt on a leased row: when to try again, or `failed` for good. */
export async function markMailAttemptFailed(
  db: Db | Trx,
  id: string,
  owner: string,
  patch: { attempts: number; status: 'pending' | 'failed'; nextAttemptAt: string; error: string; transport: string },
): Promise<boolean> {
  const res = await db
    .updateTable('mail_outbox')
    .set({
      attempts: patch.attempts,
      status: patch.status,
      next_attempt_at: patch.nextAttemptAt,
      last_error: patch.error,
      transport: patch.transport,
      lease_owner: null,
      lease_until: null,
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
