/** Audit events of the packages area; see catalogue.ts for the shape of an entry. */
export interface PackagesAuditCatalogue {}
