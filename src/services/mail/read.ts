import type { Db, Trx } from '../../db/database.js';
import { listMailOf, mailOf, makeMailDue } from '../../db/repositories/mail-outbox.js';
import type { MailOutboxTable } from '../../db/schema.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Actor } from '../actor.js';
import { resolveApplication, resolveApplicationForRead } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { loadRelease } from '../releases.js';
import { write } from '../write.js';
import { reopenNoticesOf } from './delivery-outcome.js';
import { mailView, type MailView } from './release-mail.js';

export const MAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export type ListMailInput = {
  app?: string | undefined;
  release?: string | undefined;
  status?: MailStatus | undefined;
  limit: number;
  offset: number;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The application's outbox, newest first: what was queued, sent, is waiting for a retry or failed. */
export async function listMail(
  deps: ServiceDeps,
  input: ListMailInput,
): Promise<{ items: MailView[]; total: number; limit: number; offset: number }> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, input.app);
  const releaseId = input.release === undefined ? undefined : (await loadRelease(db, ctx, input.release)).id;
  const { rows, total } = await listMailOf(db, {
    applicationId: ctx.app.id,
    releaseId,
    status: input.status,
    limit: input.limit,
    offset: input.offset,
  });
  return {
    items: rows.map(({ release_name, ...m }) => mailView(m, release_name)),
    total,
    limit: input.limit,
    offset: input.offset,
  };
}

async function loadMail(db: Db | Trx, appId: string, id: string): Promise<{ row: MailOutboxTable; release: string | null }> {
  if (!UUID.test(id)) throw new NotFoundError('mail', id);
  const found = await mailOf(db, appId, id);
  if (!found) throw new NotFoundError('mail', id);
  const { release_name, ...row } = found;
  return { row, release: release_name };
}

export async function getMail(deps: ServiceDeps, app: string | undefined, id: string): Promise<MailView & { body: string }> {
  const ctx = await resolveApplicationForRead(deps, app);
  const { row, release } = await loadMail(deps.database.kysely, ctx.app.id, id);
  return { ...mailView(row, release), body: row.body };
}

/** Makes a failed (or waiting) mail due now; the next delivery run sends it. */
export async function retryMail(deps: ServiceDeps, actor: Actor, app: string | undefined, id: string, comment?: string): Promise<MailView> {
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, app);
    requireAppAction(ctx.template, actor, 'mail.send');
    const { row, release } = await loadMail(db, ctx.app.id, id);
    if (row.status === 'sent') throw new ConflictError(`mail ${id} was already sent at ${row.sent_at ?? '?'}`, 'mail-sent');
    const now = deps.clock().toISOString();
    const patch = { status: 'pending', next_attempt_at: now };
    await makeMailDue(db, row.id, row.status, now);
    // Notices to external systems that this mail failed to deliver wait for the new attempt.
    const notices = await reopenNoticesOf(db, row.id);
    const before = mailView(row, release);
    const after = mailView({ ...row, ...patch }, release);
    return tx.audit(
      {
        action: 'mail.retry',
        subjectType: 'mail',
        subjectId: row.id,
        before: { status: before.status, attempts: before.attempts, nextAttemptAt: before.nextAttemptAt, lastError: before.lastError },
        after: { status: after.status, nextAttemptAt: after.nextAttemptAt, comment: comment ?? '', noticesPendingAgain: notices },
      },
      after,
    );
  });
}
