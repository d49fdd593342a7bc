import { applicationById } from '../../db/repositories/applications.js';
import { lockRelease } from '../../db/repositories/lifecycle.js';
import { bumpReleaseVersion } from '../../db/repositories/releases.js';
import {
  reopenFailedNoticesOfMail,
  sentTasksOfRelease,
  settleSentTask,
  unsettledNoticesOfMail,
  updateNotice,
} from '../../db/repositories/mail-delivery.js';
import { notificationAccepted, notificationAddresses } from '../../db/repositories/lifecycle.js';
import { taskEvidence } from '../../db/repositories/checklist.js';
import { mailCc, mailRecipients } from '../../db/repositories/mail-outbox.js';
import { releaseById } from '../../db/repositories/releases.js';
import type { Trx } from '../../db/database.js';
import type { ChecklistTaskTable, MailOutboxTable, ReleaseNotificationTable } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { ChecklistEvidence } from '../checklist/view.js';
import type { ServiceDeps } from '../deps.js';
import type { WriteTx } from '../write.js';

/** The outbox delivery job records what became of a mail as this actor. */
export const OUTBOX_ACTOR: Actor = { userId: null, username: 'system:outbox-delivery', roles: [] };

/** What became of one outbox mail. */
export type DeliveryOutcome =
  /** The transport took it: an SMTP server accepted it for `accepted` (and refused `rejected`), or it went to the local maildir. */
  | { kind: 'accepted'; transport: 'smtp' | 'maildir'; accepted: string[]; rejected: string[] }
  /** Given up: refused for good by the server, or failed too many times. */
  | { kind: 'given-up'; reason: string };

const lower = (a: string) => a.trim().toLowerCase();

/** The addresses of `wanted` that the server accepted; none when the mail only went to the local maildir. */
function acceptedOf(outcome: DeliveryOutcome, wanted: readonly string[]): string[] {
  if (outcome.kind !== 'accepted' || outcome.transport !== 'smtp') return [];
  const ok = new Set(outcome.accepted.map(lower));
  return wanted.filter((a) => ok.has(lower(a)));
}

/** Why the mail did not reach `wanted`, in words. */
function whyNot(outcome: DeliveryOutcome, wanted: readonly string[]): string {
  if (outcome.kind === 'given-up') return outcome.reason;
  if (outcome.transport === 'maildir') return 'no SMTP server is configured: it was only written to the local maildir';
  return `the mail server refused ${wanted.join(', ')}`;
}

/**
 * Settles what waited for a mail's delivery, inside the transaction that
 * records the delivery's result, with the release locked:
 *
 * - each notice to an external system (gate 2) sent with this mail becomes
 *   `notified` when the mail server accepted at least one of the system's
 *   addresses (refused ones are named in its outcome), else `failed`;
 * - each checklist task "sent, awaiting delivery" with this mail becomes done
 *   (by whoever sent the mail, at acceptance) when the server accepted the
 *   mail for one of its To addresses; otherwise it is open again, saying why.
 *
 * A mail written only to the local maildir reached nobody: it settles
 * nothing as delivered. One audit event (`mail.delivered` or
 * `mail.undelivered`, by the delivery job) when anything was settled.
 */
export async function settleMailDelivery(tx: WriteTx, deps: ServiceDeps, mail: MailOutboxTable, outcome: DeliveryOutcome): Promise<void> {
  const { db } = tx;
  if (mail.release_id === null) return;
  const notices = await unsettledNoticesOfMail(db, mail.id);
  const tasks = (await sentTasksOfRelease(db, mail.release_id)).filter((t) => evidenceOf(t).mailId === mail.id);
  if (notices.length === 0 && tasks.length === 0) return;

  await lockRelease(db, mail.release_id);
  const release = await releaseById(db, mail.release_id);
  if (!release) return;
  const app = await applicationById(db, release.application_id);
  const at = deps.clock().toISOString();

  const settledNotices = [];
  for (const n of notices) {
    const addresses = notificationAddresses.decode(n.addresses) ?? [];
    const ok = acceptedOf(outcome, addresses);
    const refused = addresses.filter((a) => !ok.includes(a));
    const patch: Partial<ReleaseNotificationTable> =
      ok.length > 0
        ? {
            status: 'notified',
            accepted: notificationAccepted.encode(ok),
            outcome: refused.length > 0 ? `the mail server refused ${refused.join(', ')}` : null,
            settled_at: at,
          }
        : { status: 'failed', accepted: notificationAccepted.encode([]), outcome: whyNot(outcome, addresses), settled_at: at };
    await updateNotice(db, n.id, patch);
    settledNotices.push({ system: n.system, status: patch.status, accepted: ok, outcome: patch.outcome ?? null });
  }

  const to = mailRecipients.decode(mail.recipients);
  const primary = to.length > 0 ? to : mailCc.decode(mail.cc);
  const okFor = acceptedOf(outcome, primary);
  const settledTasks = [];
  for (const t of tasks) {
    const evidence = evidenceOf(t);
    const patch: Partial<ChecklistTaskTable> =
      okFor.length > 0
        ? {
            status: 'done',
            completed_by: evidence.sentBy ?? mail.created_by,
            completed_at: at,
            evidence: taskEvidence.encode({ ...evidence, acceptedFor: okFor } satisfies ChecklistEvidence),
          }
        : {
            status: 'open',
            completed_by: null,
            completed_at: null,
            evidence: null,
            note: `the mail "${mail.subject}" ${mail.message_id} was not delivered: ${whyNot(outcome, primary)}; send it again or complete the task by hand`,
          };
    await settleSentTask(db, t.id, t.row_version, patch);
    settledTasks.push({ task: t.task_id, status: patch.status, note: patch.note ?? t.note });
  }

  await bumpReleaseVersion(db, release.id, at);
  const delivered = settledNotices.some((n) => n.status === 'notified') || settledTasks.some((t) => t.status === 'done');
  // Recorded as the write's actor: the delivery job writes as OUTBOX_ACTOR.
  tx.audit({
    action: delivered ? 'mail.delivered' : 'mail.undelivered',
    subjectType: 'release',
    subjectId: `${app?.key ?? release.application_id}/${release.name}`,
    after: {
      mailId: mail.id,
      messageId: mail.message_id,
      outcome:
        outcome.kind === 'given-up'
          ? { given: 'up', reason: outcome.reason }
          : { transport: outcome.transport, accepted: outcome.accepted, rejected: outcome.rejected },
      notifications: settledNotices,
      tasks: settledTasks,
    },
  });
}

function evidenceOf(t: ChecklistTaskTable): ChecklistEvidence {
  return taskEvidence.decode(t.evidence) ?? {};
}

/** A failed mail made due again: its failed notices wait for the new attempt. */
export async function reopenNoticesOf(db: Trx, mailId: string): Promise<number> {
  return reopenFailedNoticesOfMail(db, mailId);
}
