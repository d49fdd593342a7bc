/** Audit events of the checklist area; see catalogue.ts for the shape of an entry. */
export interface ChecklistAuditCatalogue {}
