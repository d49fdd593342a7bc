/** Audit events of the contacts area; see catalogue.ts for the shape of an entry. */
export interface ContactsAuditCatalogue {}
