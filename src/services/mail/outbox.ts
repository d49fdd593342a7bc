import { randomUUID } from 'node:crypto';
import type { Trx } from '../../db/database.js';
import { insertMail, mailCc, mailRecipients } from '../../db/repositories/mail-outbox.js';
import type { MailOutboxTable } from '../../db/schema.js';
import { ValidationError } from '../../domain/errors.js';
import type { ServiceDeps } from '../deps.js';

export type QueuedMail = {
  /** The mail template's id. */
  template: string;
  /** What caused the mail, e.g. `release.mail`, `checklist.reminder`, `approval.notify`. */
  cause: string;
  applicationId: string | null;
  releaseId: string | null;
  to: string[];
  cc: string[];
  subject: string;
  body: string;
  createdBy: string;
};

/** The host part of queued Message-IDs. */
export const MESSAGE_ID_DOMAIN = 'relman.invalid';

/**
 * Queues a mail in the outbox, inside the caller's transaction: it exists
 * only if the change that causes it commits, and a background job delivers
 * it after the commit (jobs/outbox-delivery.ts). Its Message-ID is fixed now,
 * so a delivery repeated after a crash is recognisable as the same mail.
 */
export async function enqueueMail(db: Trx, deps: ServiceDeps, mail: QueuedMail): Promise<MailOutboxTable> {
  const to = dedupe(mail.to);
  const cc = dedupe(mail.cc).filter((a) => !to.includes(a));
  if (to.length === 0 && cc.length === 0) {
    throw new ValidationError(`the mail "${mail.template}" has no recipient`, [
      { path: 'to', message: 'no recipient resolved to an e-mail address: add contacts, group addresses or user e-mails' },
    ]);
  }
  const id = randomUUID();
  const now = deps.clock().toISOString();
  const row: MailOutboxTable = {
    id,
    application_id: mail.applicationId,
    release_id: mail.releaseId,
    template: mail.template,
    cause: mail.cause,
    recipients: mailRecipients.encode(to),
    cc: mailCc.encode(cc),
    subject: mail.subject,
    body: mail.body,
    created_by: mail.createdBy,
    created_at: now,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_until: null,
    last_error: null,
    sent_at: null,
    transport: null,
    message_id: `<${id}@${MESSAGE_ID_DOMAIN}>`,
  };
  await insertMail(db, row);
  return row;
}

/** Addresses compared case-insensitively, first spelling kept. */
function dedupe(addresses: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of addresses.map((x) => x.trim()).filter((x) => x !== '')) {
    const k = a.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(a);
  }
  return out;
}
