/** What an application's audit events record of it. */
export type ApplicationAuditView = {
  key: string;
  name: string;
  template: { key: string; version: number };
  namingParameters: Record<string, string>;
  isDefault: boolean;
  createdAt: string;
};

/** Audit events of applications, templates, users, tokens and sessions; see catalogue.ts for the shape of an entry. */
export interface AccessAuditCatalogue {
  'application.create': { subject: 'application'; after: ApplicationAuditView };
}
