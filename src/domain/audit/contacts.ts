/** What a contact's audit events record of it (and what the API shows). */
export type ContactAuditView = {
  id: string;
  kind: string;
  role: string | null;
  system: string | null;
  person: string;
  phone: string | null;
  email: string | null;
  order: number;
  createdAt: string;
  updatedAt: string;
};

/** What a distribution group's audit events record of it (and what the API shows). */
export type GroupAuditView = { key: string; name: string; email: string; description: string; createdAt: string; updatedAt: string };

/** Audit events of the contacts area; see catalogue.ts for the shape of an entry. */
export interface ContactsAuditCatalogue {
  'contact.create': { subject: 'contact'; after: ContactAuditView };
  'contact.update': { subject: 'contact'; before: ContactAuditView; after: ContactAuditView };
  'contact.delete': { subject: 'contact'; before: ContactAuditView };
  'group.create': { subject: 'group'; after: GroupAuditView };
  'group.update': { subject: 'group'; before: GroupAuditView; after: GroupAuditView };
  'group.delete': { subject: 'group'; before: GroupAuditView };
}
