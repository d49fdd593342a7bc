import { randomUUID } from 'node:crypto';
import { claimDueMail, mailCc, mailRecipients, markMailAttemptFailed, markMailSent } from '../db/repositories/mail-outbox.js';
import type { MailOutboxTable } from '../db/schema.js';
import type { DeliveryReport, MailTransport } from '../integrations/mail/transport.js';
import type { ServiceDeps } from '../services/deps.js';
import { OUTBOX_ACTOR, settleMailDelivery } from '../services/mail/delivery-outcome.js';
import { write } from '../services/write.js';
import type { JobDefinition } from './job.js';

/** After this many failed attempts a mail is `failed`: shown as such, retried only by hand. */
export const MAX_ATTEMPTS = 10;
const FIRST_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;
const BATCH = 10;
/**
 * How long a claimed batch is ours: longer than a whole batch can take with
 * the SMTP timeouts (connect 15 s, socket 60 s per message), so no other
 * deliverer takes a row that is still being sent. After a crash, the rows wait
 * this long before they are tried again.
 */
const ROW_LEASE_MS = 15 * 60_000;
/** A run stops claiming new batches after this long; the rest wait for the next run. */
const RUN_BUDGET_MS = 2 * 60_000;

/** Wait before the next attempt, after `attempts` failed ones: 30 s, 1 min, 2 min … at most 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

export type DeliveryOptions = {
  transport: MailTransport;
  /** The From of every mail. */
  from: string;
  /** Who leases the rows; a random id by default. */
  owner?: string | undefined;
  /** Rows taken per claim. */
  batch?: number | undefined;
  /** Stop after this many mails in one run (the rest wait for the next run). */
  maxPerRun?: number | undefined;
};

export type DeliveryResult = { sent: number; failed: number; gaveUp: number; lost: number };

/**
 * Delivers due outbox mail: claims a few rows at a time, sends each, and
 * records the outcome only while it still holds the row's lease, together
 * with what waited for it (notices to external systems, checklist tasks sent
 * by mail: services/mail/delivery-outcome.ts) in one transaction. A failed
 * attempt is retried with exponential backoff; after MAX_ATTEMPTS, or at once
 * when the server refuses it for good (5xx), the mail is `failed`. Every time
 * comes from deps.clock.
 */
export async function deliverDueMail(deps: ServiceDeps, options: DeliveryOptions): Promise<DeliveryResult> {
  const owner = options.owner ?? `outbox-${randomUUID()}`;
  const result: DeliveryResult = { sent: 0, failed: 0, gaveUp: 0, lost: 0 };
  const maxPerRun = options.maxPerRun ?? 200;
  let handled = 0;
  const started = performance.now();
  while (handled < maxPerRun && performance.now() - started < RUN_BUDGET_MS) {
    const now = deps.clock();
    const rows = await claimDueMail(deps.database, {
      owner,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + ROW_LEASE_MS).toISOString(),
      limit: Math.min(options.batch ?? BATCH, maxPerRun - handled),
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      handled++;
      await deliverOne(deps, options, owner, row, result);
    }
  }
  return result;
}

async function deliverOne(deps: ServiceDeps, o: DeliveryOptions, owner: string, row: MailOutboxTable, result: DeliveryResult) {
  const t = o.transport;
  let report: DeliveryReport;
  try {
    report = await t.send({
      messageId: row.message_id,
      from: o.from,
      to: mailRecipients.decode(row.recipients),
      cc: mailCc.decode(row.cc),
      subject: row.subject,
      text: row.body,
      date: new Date(row.created_at),
      headers: { 'X-Relman-Template': row.template, 'X-Relman-Cause': row.cause },
    });
  } catch (err) {
    const attempts = row.attempts + 1;
    const error = describe(err).slice(0, 2000);
    // A permanent refusal (5xx) will not change by trying again: given up at once.
    const gaveUp = attempts >= MAX_ATTEMPTS || isPermanent(err);
    const at = deps.clock();
    // The result and what waited for it (gate 2 notices, checklist tasks) in one transaction.
    const recorded = await write(deps, OUTBOX_ACTOR, async (tx) => {
      const marked = await markMailAttemptFailed(tx.db, row.id, owner, {
        attempts,
        status: gaveUp ? 'failed' : 'pending',
        nextAttemptAt: gaveUp ? at.toISOString() : new Date(at.getTime() + backoffMs(attempts)).toISOString(),
        error,
        transport: t.name,
      });
      if (marked && gaveUp) {
        const why = attempts >= MAX_ATTEMPTS ? `given up after ${attempts} attempts: ${error}` : `refused for good: ${error}`;
        await settleMailDelivery(tx, deps, row, { kind: 'given-up', reason: why });
      }
      // The attempt itself is outbox bookkeeping; what it settled (if anything) recorded its own event.
      return tx.unaudited(marked, 'a delivery attempt is bookkeeping of the outbox');
    });
    if (!recorded) result.lost++;
    else if (gaveUp) result.gaveUp++;
    else result.failed++;
    return;
  }
  const note = report.rejected.length > 0 ? `the server refused: ${report.rejected.join(', ')}` : null;
  const recorded = await write(deps, OUTBOX_ACTOR, async (tx) => {
    if (!(await markMailSent(tx.db, row.id, owner, deps.clock().toISOString(), t.name, note))) {
      return tx.unaudited(false, 'the lease was lost: another deliverer owns the mail now');
    }
    await settleMailDelivery(tx, deps, row, { kind: 'accepted', transport: t.name, accepted: report.accepted, rejected: report.rejected });
    // Sending is outbox bookkeeping; what it settled (if anything) recorded its own event.
    return tx.unaudited(true, 'a delivery is bookkeeping of the outbox');
  });
  if (recorded) result.sent++;
  else result.lost++;
}

/** An SMTP reply in the 5xx range: the server will refuse the same mail again. */
function isPermanent(err: unknown): boolean {
  const code = err instanceof Error ? (err as Error & { responseCode?: unknown }).responseCode : undefined;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: unknown; response?: unknown };
  const parts = [e.message];
  if (typeof e.code === 'string' && !e.message.includes(e.code)) parts.push(`(${e.code})`);
  if (typeof e.response === 'string' && !e.message.includes(e.response)) parts.push(`: ${e.response}`);
  return parts.join(' ');
}

/** The job delivering the outbox, tried every `intervalMs`. */
export function outboxDeliveryJob(options: DeliveryOptions & { intervalMs: number }): JobDefinition {
  return {
    name: 'outbox-delivery',
    intervalMs: options.intervalMs,
    async run(deps) {
      await deliverDueMail(deps, options);
    },
  };
}
