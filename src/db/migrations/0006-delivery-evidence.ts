import { sql, type Kysely, type Migration } from 'kysely';

const COLUMNS = ['means', 'status', 'mail_id', 'message_id', 'addresses', 'accepted', 'outcome', 'settled_at'] as const;

/**
 * A notice to an external system (gate 2) says how it was made and whether it
 * reached the system: `means` (email, phone, meeting, other) and, for an
 * e-mail, its `status` (pending until the mail server accepts the system's
 * address, then notified, or failed), the mail, the system's addresses, those
 * the server accepted, what went wrong and when it was settled.
 *
 * Notices recorded before were either typed in by hand (kept as `other`, as
 * they were) or written when a mail was merely queued ("e-mail <id> (mail
 * <uuid>)"): those take the state of their mail — notified only if the mail
 * was sent, failed if it was given up, pending while it still waits.
 */
export const deliveryEvidence: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const t = 'release_notifications';
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    await db.schema
      .alterTable(t)
      .addColumn('means', 'text', (c) => c.notNull().defaultTo('other'))
      .execute();
    await db.schema
      .alterTable(t)
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('notified'))
      .execute();
    await db.schema.alterTable(t).addColumn('mail_id', 'text').execute();
    await db.schema.alterTable(t).addColumn('message_id', 'text').execute();
    await db.schema.alterTable(t).addColumn('addresses', 'text').execute();
    await db.schema.alterTable(t).addColumn('accepted', 'text').execute();
    await db.schema.alterTable(t).addColumn('outcome', 'text').execute();
    await db.schema.alterTable(t).addColumn('settled_at', 'text').execute();
    await db.schema.createIndex('release_notifications_mail').on(t).column('mail_id').execute();

    const rows = await sql<{ id: string; note: string }>`select id, note from release_notifications where note like 'e-mail <%'`.execute(
      db,
    );
    for (const r of rows.rows) {
      const m = /^e-mail (<[^>]+>) \(mail ([0-9a-f-]{36})\)(?::\s*(.*))?$/s.exec(r.note);
      if (!m) continue;
      const [, messageId, mailId, rest] = m;
      const mail = await sql<{ status: string; sent_at: string | null; last_error: string | null }>`
        select status, sent_at, last_error from mail_outbox where id = ${mailId}`.execute(db);
      const found = mail.rows[0];
      const status = found?.status === 'sent' ? 'notified' : found?.status === 'pending' ? 'pending' : 'failed';
      const outcome = status === 'failed' ? (found?.last_error ?? 'the mail is gone') : null;
      await sql`update release_notifications
        set means = 'email', status = ${status}, mail_id = ${mailId ?? null}, message_id = ${messageId ?? null},
            note = ${rest ?? ''}, outcome = ${outcome}, settled_at = ${status === 'notified' ? (found?.sent_at ?? null) : null}
        where id = ${r.id}`.execute(db);
    }
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('release_notifications_mail').execute();
    for (const c of [...COLUMNS].reverse()) await db.schema.alterTable('release_notifications').dropColumn(c).execute();
  },
};
