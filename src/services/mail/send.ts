import { randomUUID } from 'node:crypto';
import { insertNotice, openTasksOfRelease } from '../../db/repositories/mail-delivery.js';
import { notificationAddresses } from '../../db/repositories/lifecycle.js';
import { taskEvidence } from '../../db/repositories/checklist.js';
import { ValidationError } from '../../domain/errors.js';
import type { Recipient } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { lockedReleaseWrite } from '../lifecycle/release-lock.js';
import type { ReleaseRef } from '../release-lookup.js';
import { notificationView, type NotificationView } from '../lifecycle/views.js';
import { updateTaskVersioned } from '../../db/repositories/checklist.js';
import type { ReleaseNotificationTable } from '../../db/schema.js';
import type { ChecklistEvidence } from '../checklist/view.js';
import { resolveRecipients } from './recipients.js';
import { mailView, queueReleaseMailUnaudited, type MailView } from './release-mail.js';

/** The mail template whose sending records gate 2's notices to upstream and downstream systems. */
export const EXTERNAL_NOTICE = 'external-notice';

export type SendReleaseMailInput = {
  template: string;
  note?: string | undefined;
  /** Extra recipients: `role:`, `group:`, `system:` references or addresses. */
  to?: Recipient[] | undefined;
  /** External systems the mail goes to (their contacts and address). */
  systems?: string[] | undefined;
};

export type SentReleaseMail = MailView & {
  /** Checklist tasks this mail completes once the mail server accepts it: sent, awaiting delivery until then. */
  tasksAwaitingDelivery: string[];
  /** Gate 2: the notices to the named systems, pending until the mail server accepts each system's address. */
  notifications: NotificationView[];
};

/**
 * Sends one of the template's mails about a release (P14, P15, P11): renders
 * it with the release's values and queues it in the outbox. The open
 * checklist tasks the template completes by this mail become "sent, awaiting
 * delivery", and for the notice to other systems each named system gets a
 * pending notice listing its addresses: neither is done until the mail server
 * accepts the mail (see services/mail/delivery-outcome.ts). A named system
 * without an address is refused, by name. All in one transaction: nothing is
 * queued or recorded if any of it fails.
 */
export async function sendReleaseMail(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: SendReleaseMailInput,
): Promise<SentReleaseMail> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'mail.send');
    const mt = l.template.mailTemplates.find((m) => m.id === input.template);
    if (!mt) {
      const message = `"${input.template}" is not a mail template of this release's process template; one of: ${l.template.mailTemplates
        .map((m) => m.id)
        .join(', ')}`;
      throw new ValidationError('unknown mail template', [{ path: 'template', message }]);
    }
    const systems = [...new Set(input.systems ?? [])];
    const unknown = systems.filter((s) => !l.template.externalSystems.some((x) => x.id === s));
    if (unknown.length > 0) {
      const ids = l.template.externalSystems.map((s) => s.id).join(', ');
      throw new ValidationError(
        'unknown external system',
        unknown.map((s) => ({ path: 'systems', message: `"${s}"; one of: ${ids}` })),
      );
    }
    const isExternalNotice = mt.id === EXTERNAL_NOTICE;
    if (isExternalNotice) {
      requireAppAction(l.template, actor, 'notification.record');
      if (systems.length === 0) {
        const ids = l.template.externalSystems.map((s) => s.id).join(', ');
        throw new ValidationError('name the systems this notice goes to', [{ path: 'systems', message: `one or more of: ${ids}` }]);
      }
    }
    const systemName = (id: string) => l.template.externalSystems.find((x) => x.id === id)?.name ?? id;
    // Each named system's own addresses: a system nobody can be mailed at is refused, by name.
    const addressesOf = new Map<string, string[]>();
    for (const system of systems) {
      const found = await resolveRecipients(l.db, l.template, [`system:${system}`], { applicationId: l.ctx.app.id });
      addressesOf.set(system, [...new Set(found)]);
    }
    const unreachable = systems.filter((s) => (addressesOf.get(s) ?? []).length === 0);
    if (unreachable.length > 0) {
      throw new ValidationError(
        `no e-mail address for ${unreachable.map(systemName).join(', ')}`,
        unreachable.map((s) => ({
          path: 'systems',
          message: `${systemName(s)} (${s}) has no e-mail address: add an external contact with an e-mail for it, or record a notice made another way (relman notify … ${s} --by phone --note …)`,
        })),
      );
    }
    const note = (input.note ?? '').trim();
    const row = await queueReleaseMailUnaudited(deps, l, actor, {
      template: mt.id,
      cause: 'release.mail',
      values: { note, systems: systems.map(systemName).join(', ') },
      extraTo: [...(input.to ?? []), ...systems.map((s) => `system:${s}`)],
    });
    const at = deps.clock().toISOString();

    // Checklist tasks this mail completes: sent, awaiting delivery; done when the mail server accepts the mail.
    const taskIds = l.template.checklist.filter((t) => t.mail === mt.id).map((t) => t.id);
    const tasksAwaitingDelivery: string[] = [];
    for (const t of await openTasksOfRelease(l.db, l.release.id, taskIds)) {
      const evidence: ChecklistEvidence = {
        mailId: row.id,
        messageId: row.message_id,
        mailSubject: row.subject,
        sentBy: actor.username,
        sentAt: at,
      };
      await updateTaskVersioned(l.db, t.id, t.row_version, {
        status: 'sent',
        completed_by: null,
        completed_at: null,
        note: note || `${mt.name}: mail sent, awaiting delivery`,
        evidence: taskEvidence.encode(evidence),
      });
      tasksAwaitingDelivery.push(t.task_id);
    }

    // Gate 2: a pending notice per named system, settled by the mail server's answer for its addresses.
    const notifications: NotificationView[] = [];
    for (const system of systems) {
      const n: ReleaseNotificationTable = {
        id: randomUUID(),
        release_id: l.release.id,
        system,
        note,
        recorded_by: actor.username,
        recorded_at: at,
        means: 'email',
        status: 'pending',
        mail_id: row.id,
        message_id: row.message_id,
        addresses: notificationAddresses.encode(addressesOf.get(system) ?? []),
        accepted: null,
        outcome: null,
        settled_at: null,
      };
      await insertNotice(l.db, n);
      notifications.push(notificationView(n, systemName(system)));
    }
    const view = { ...mailView(row, l.release.name), tasksAwaitingDelivery, notifications };
    // One write, one audit event: the mail, the tasks and the notices waiting for its delivery.
    return l.tx.audit(
      { action: 'mail.queue', subjectType: 'release', subjectId: l.subject, after: { ...view, messageId: row.message_id } },
      view,
    );
  });
}
