/** Audit events of the lifecycle area; see catalogue.ts for the shape of an entry. */
export interface LifecycleAuditCatalogue {}
