/** Audit events of the releases area; see catalogue.ts for the shape of an entry. */
export interface ReleasesAuditCatalogue {}
