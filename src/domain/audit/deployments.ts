/** What a deployment target's audit events record of it (and what the API shows, without `secretChanged`). */
export type DeploymentTargetAuditView = {
  application: string;
  environment: string;
  channel: string;
  sftp: { host: string; port: number; username: string; directory: string; hostKeyFingerprint: string } | null;
  /** Which kind of secret is stored, who stored it and when: never the secret itself, nor its sealed text. */
  secret: { kind: 'private-key' | 'password'; setBy: string; setAt: string } | null;
  commands: { name: string; argv: string[]; cwd?: string; env?: Record<string, string>; timeoutSeconds: number }[];
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  version: number;
  /** On an `after`: the write stored a new secret or cleared the stored one. */
  secretChanged?: true;
};

/** Audit events of deployment targets; see catalogue.ts for the shape of an entry. */
export interface DeploymentsAuditCatalogue {
  'deployment-target.set': { subject: 'deployment-target'; before?: DeploymentTargetAuditView; after: DeploymentTargetAuditView };
  'deployment-target.remove': { subject: 'deployment-target'; before: DeploymentTargetAuditView };
}
