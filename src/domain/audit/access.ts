/** What an application's audit events record of it. */
export type ApplicationAuditView = {
  key: string;
  name: string;
  template: { key: string; version: number };
  namingParameters: Record<string, string>;
  isDefault: boolean;
  createdAt: string;
};

/** What a template version's audit events record of it: its document-control record, not its content. */
export type TemplateAuditView = {
  key: string;
  version: number;
  name: string;
  sha256: string;
  changes: string;
  sectionsChanged: string[];
  preparedBy: string | null;
  reviewedBy: string | null;
  publishedBy: string;
  publishedAt: string;
};

/** What a user's audit events record of them (never a password or its hash). */
export type UserAuditView = {
  username: string;
  displayName: string;
  email: string | null;
  roles: string[];
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
};

/** What an API token's audit events record of it (never its secret or hash). */
export type TokenAuditView = {
  id: string;
  name: string;
  user: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** A sign-in lock: the key it locks, how many failures led to it, until when, and every key the attempt counted under. */
export type LoginLockoutAuditView = { failures: number; lockedUntil: string; keys: string[] };

/** Audit events of applications, templates, users, tokens and sessions; see catalogue.ts for the shape of an entry. */
export interface AccessAuditCatalogue {
  'application.create': { subject: 'application'; after: ApplicationAuditView };
  'template.publish': { subject: 'template'; after: TemplateAuditView };
  'user.create': { subject: 'user'; after: UserAuditView };
  /** `passwordChanged` is set when an administrator set the password. */
  'user.update': { subject: 'user'; before: UserAuditView; after: UserAuditView & { passwordChanged?: true } };
  'user.password': { subject: 'user'; after: { passwordChanged: true; otherSessionsEnded: true } };
  'token.create': { subject: 'token'; after: TokenAuditView };
  'token.revoke': { subject: 'token'; before: TokenAuditView; after: TokenAuditView };
  'session.create': { subject: 'user'; after: { expiresAt: string } };
  'session.delete': { subject: 'user' };
  'login.lockout': { subject: 'account' | 'address'; after: LoginLockoutAuditView };
}
