/** Audit events of the calendar area; see catalogue.ts for the shape of an entry. */
export interface CalendarAuditCatalogue {}
