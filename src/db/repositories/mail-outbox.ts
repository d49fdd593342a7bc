import type { Database, Db, Trx } from '../database.js';
import type { MailOutboxTable } from '../schema.js';

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
