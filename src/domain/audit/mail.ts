import type { NotificationAuditView } from './lifecycle.js';

/** What a queued mail's audit events record of it (and what the API shows). */
export type MailAuditView = {
  id: string;
  template: string;
  cause: string;
  release: string | null;
  to: string[];
  cc: string[];
  subject: string;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  transport: string | null;
  messageId: string;
  createdBy: string;
  createdAt: string;
};

/** A notice to an external system waiting for a mail's delivery, as `mail.queue` records it. */
export type NoticeAuditView = NotificationAuditView;

/** What the delivery job settled for a mail: the notices and checklist tasks that waited for it. */
export type MailDeliveryAuditView = {
  mailId: string;
  messageId: string;
  outcome: { given: 'up'; reason: string } | { transport: 'smtp' | 'maildir'; accepted: string[]; rejected: string[] };
  notifications: { system: string; status: string | undefined; accepted: string[]; outcome: string | null }[];
  tasks: { task: string; status: string | undefined; note: string | null }[];
};

/** Audit events of the mail area; see catalogue.ts for the shape of an entry. */
export interface MailAuditCatalogue {
  /** A release mail sent by hand, with the checklist tasks and notices waiting for its delivery. */
  'mail.queue': {
    subject: 'release';
    after: MailAuditView & { tasksAwaitingDelivery: string[]; notifications: NoticeAuditView[] };
  };
  'mail.retry': {
    subject: 'mail';
    before: { status: string; attempts: number; nextAttemptAt: string; lastError: string | null };
    after: { status: string; nextAttemptAt: string; comment: string; noticesPendingAgain: number };
  };
  'mail.delivered': { subject: 'release'; after: MailDeliveryAuditView };
  'mail.undelivered': { subject: 'release'; after: MailDeliveryAuditView };
}
