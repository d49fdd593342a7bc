import type { Db, Trx } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import { renderMailSubject, renderMailText, type MailValues } from '../../domain/mail-template.js';
import type { ProcessTemplate, Recipient } from '../../domain/template/schema.js';
import type { QueuedMail } from './outbox.js';
import { resolveRecipients, type RecipientContext } from './recipients.js';

/**
 * A mail of the process template, rendered and addressed: the template's
 * `to` and `cc` plus any extra recipients, resolved to addresses. The result
 * goes to enqueueMail in the same transaction as the change that causes it.
 */
export async function composeMail(
  db: Db | Trx,
  template: ProcessTemplate,
  input: {
    mailTemplate: string;
    cause: string;
    values: MailValues;
    recipients: RecipientContext;
    releaseId: string | null;
    createdBy: string;
    extraTo?: readonly Recipient[];
    extraCc?: readonly Recipient[];
  },
): Promise<QueuedMail> {
  const mt = template.mailTemplates.find((m) => m.id === input.mailTemplate);
  if (!mt) throw new NotFoundError('mail template', input.mailTemplate);
  const to = await resolveRecipients(db, template, [...mt.to, ...(input.extraTo ?? [])], input.recipients);
  const cc = await resolveRecipients(db, template, [...mt.cc, ...(input.extraCc ?? [])], input.recipients);
  return {
    template: mt.id,
    cause: input.cause,
    applicationId: input.recipients.applicationId,
    releaseId: input.releaseId,
    to,
    cc,
    subject: renderMailSubject(mt.subject, input.values),
    body: renderMailText(mt.body, input.values),
    createdBy: input.createdBy,
  };
}
