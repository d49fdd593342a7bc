import type { Db, Trx } from '../../db/database.js';
import type { MailOutboxTable } from '../../db/schema.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Actor } from '../actor.js';
import { resolveApplication, resolveApplicationForRead } from '../applications.js';
import { appendAudit } from '../audit.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { loadRelease } from '../releases.js';
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
  let q = db
    .selectFrom('mail_outbox')
    .leftJoin('releases', 'releases.id', 'mail_outbox.release_id')
    .where('mail_outbox.application_id', '=', ctx.app.id);
  if (input.release !== undefined) q = q.where('mail_outbox.release_id', '=', (await loadRelease(db, ctx, input.release)).id);
  if (input.status !== undefined) q = q.where('mail_outbox.status', '=', input.status);
  const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll('mail_outbox')
    .select('releases.name as release_name')
    .orderBy('mail_outbox.created_at', 'desc')
    .orderBy('mail_outbox.id')
    .limit(input.limit)
    .offset(input.offset)
    .execute();
  return {
    items: rows.map(({ release_name, ...m }) => mailView(m, release_name)),
    total: Number(total.n),
    limit: input.limit,
    offset: input.offset,
  };
}

async function loadMail(db: Db | Trx, appId: string, id: string): Promise<{ row: MailOutboxTable; release: string | null }> {
  if (!UUID.test(id)) throw new NotFoundError('mail', id);
  const found = await db
    .selectFrom('mail_outbox')
    .leftJoin('releases', 'releases.id', 'mail_outbox.release_id')
    .selectAll('mail_outbox')
    .select('releases.name as release_name')
    .where('mail_outbox.id', '=', id)
    .where('mail_outbox.application_id', '=', appId)
    .executeTakeFirst();
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
  return deps.database.transaction(async ({ db }) => {
    const ctx = await resolveApplication(deps, db, app);
    requireAppAction(ctx.template, actor, 'mail.send');
    const { row, release } = await loadMail(db, ctx.app.id, id);
    if (row.status === 'sent') throw new ConflictError(`mail ${id} was already sent at ${row.sent_at ?? '?'}`, 'mail-sent');
    const now = deps.clock().toISOString();
    const patch = { status: 'pending', next_attempt_at: now };
    await db.updateTable('mail_outbox').set(patch).where('id', '=', row.id).where('status', '=', row.status).execute();
    // Notices to external systems that this mail failed to deliver wait for the new attempt.
    const notices = await reopenNoticesOf(db, row.id);
    const before = mailView(row, release);
    const after = mailView({ ...row, ...patch }, release);
    await appendAudit(db, {
      actor,
      at: deps.clock(),
      action: 'mail.retry',
      subjectType: 'mail',
      subjectId: row.id,
      before: { status: before.status, attempts: before.attempts, nextAttemptAt: before.nextAttemptAt, lastError: before.lastError },
      after: { status: after.status, nextAttemptAt: after.nextAttemptAt, comment: comment ?? '', noticesPendingAgain: notices },
    });
    return after;
  });
}
