/** Audit events of the mail area; see catalogue.ts for the shape of an entry. */
export interface MailAuditCatalogue {}
