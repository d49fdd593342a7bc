import type { AccessAuditCatalogue } from './access.js';
import type { CalendarAuditCatalogue } from './calendar.js';
import type { ChecklistAuditCatalogue } from './checklist.js';
import type { ContactsAuditCatalogue } from './contacts.js';
import type { DeploymentsAuditCatalogue } from './deployments.js';
import type { LifecycleAuditCatalogue } from './lifecycle.js';
import type { MailAuditCatalogue } from './mail.js';
import type { PackagesAuditCatalogue } from './packages.js';
import type { ReleasesAuditCatalogue } from './releases.js';

/**
 * Every kind of audit event relman writes, by action: the type of its subject
 * and the shape of what it records before and after. A write can only append
 * an event listed here, in its listed shape (see services/write.ts).
 *
 * Each entry is `{ subject: 'type'; before?: X; after?: Y }`; `before` or
 * `after` declared without `?` must be given, one not declared must not be.
 */
export interface AuditCatalogue
  extends
    AccessAuditCatalogue,
    CalendarAuditCatalogue,
    ChecklistAuditCatalogue,
    ContactsAuditCatalogue,
    DeploymentsAuditCatalogue,
    LifecycleAuditCatalogue,
    MailAuditCatalogue,
    PackagesAuditCatalogue,
    ReleasesAuditCatalogue {}

export type AuditAction = keyof AuditCatalogue;

type EntryShape = { subject: string; before?: unknown; after?: unknown };

type Payload<E extends EntryShape> = {
  [K in keyof E as K extends 'subject' ? never : K]: E[K];
} & {
  [K in Exclude<'before' | 'after', keyof E>]?: never;
};

/** One event of the catalogue: its action, the subject it concerns, and its before/after. */
export type AuditEvent = {
  [A in AuditAction]: { action: A; subjectType: AuditCatalogue[A]['subject']; subjectId: string } & Payload<AuditCatalogue[A]>;
}[AuditAction];
