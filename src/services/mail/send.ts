import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../domain/errors.js';
import type { Recipient } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { appendAudit } from '../audit.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { withLockedRelease } from '../lifecycle/release-lock.js';
import { notificationView, type NotificationView } from '../lifecycle/views.js';
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
  /** Checklist tasks this mail completed. */
  completedTasks: string[];
  /** Gate 2: the systems recorded as notified by this mail. */
  notifications: NotificationView[];
};

/**
 * Sends one of the template's mails about a release (P14, P15, P11): renders
 * it with the release's values, queues it in the outbox, completes the open
 * checklist tasks the template completes by this mail and, for the notice to
 * other systems, records each named system as notified (gate 2), with the
 * mail as evidence. All in one transaction: nothing is queued or recorded if
 * any of it fails.
 */
export async function sendReleaseMail(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  name: string,
  input: SendReleaseMailInput,
): Promise<SentReleaseMail> {
  return withLockedRelease(deps, app, name, {}, async (l) => {
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
    const note = (input.note ?? '').trim();
    const systemNames = systems.map((s) => l.template.externalSystems.find((x) => x.id === s)?.name ?? s);
    const row = await queueReleaseMailUnaudited(deps, l, actor, {
      template: mt.id,
      cause: 'release.mail',
      values: { note, systems: systemNames.join(', ') },
      extraTo: [...(input.to ?? []), ...systems.map((s) => `system:${s}`)],
    });
    const at = deps.clock().toISOString();

    // Checklist tasks completed by this mail, the mail being their evidence.
    const taskIds = l.template.checklist.filter((t) => t.mail === mt.id).map((t) => t.id);
    const completedTasks: string[] = [];
    if (taskIds.length > 0) {
      const open = await l.db
        .selectFrom('checklist_tasks')
        .selectAll()
        .where('release_id', '=', l.release.id)
        .where('task_id', 'in', taskIds)
        .where('status', '=', 'open')
        .orderBy('position')
        .execute();
      for (const t of open) {
        await l.db
          .updateTable('checklist_tasks')
          .set({
            status: 'done',
            completed_by: actor.username,
            completed_at: at,
            note: note || `${mt.name}: mail queued`,
            evidence: JSON.stringify({ mailId: row.id }),
            row_version: t.row_version + 1,
          })
          .where('id', '=', t.id)
          .where('row_version', '=', t.row_version)
          .execute();
        completedTasks.push(t.task_id);
      }
    }

    // Gate 2: each named system is notified, as `notify` records it, with the mail as evidence.
    const notifications: NotificationView[] = [];
    if (isExternalNotice) {
      for (const system of systems) {
        const n = {
          id: randomUUID(),
          release_id: l.release.id,
          system,
          note: `e-mail ${row.message_id} (mail ${row.id})${note ? `: ${note}` : ''}`,
          recorded_by: actor.username,
          recorded_at: at,
        };
        await l.db.insertInto('release_notifications').values(n).execute();
        notifications.push(notificationView(n));
      }
    }
    const view = { ...mailView(row, l.release.name), completedTasks, notifications };
    // One write, one audit event: the mail, the tasks it completed and the systems it notified.
    await appendAudit(l.db, {
      actor,
      at: deps.clock(),
      action: 'mail.queue',
      subjectType: 'release',
      subjectId: l.subject,
      after: { ...view, messageId: row.message_id },
    });
    return view;
  });
}
