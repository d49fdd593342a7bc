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

/** What a run's start records: where it goes, what it takes, which steps it will take. */
export type DeploymentRunAuditView = {
  run: number;
  environment: string;
  state: string;
  packages: { channel: string; version: number; files: string[] }[];
  steps: { position: number; step: string; name: string; channel: string | null; kind: string }[];
};

/** What a step's events record of it. */
export type DeploymentStepAuditView = {
  run: number;
  environment: string;
  position: number;
  step: string;
  name: string;
  channel: string | null;
  kind: string;
  state: string;
  /** The note, skip reason or error. */
  outcome: string;
  by: string | null;
  attempts: number;
  /** What the step did: the files transferred and how each was verified, a command's exit code … */
  evidence?: Record<string, unknown> | null;
  /** On an escalation: the level reached, and the mail sent (or why none was). */
  escalation?: { level: number; mailId: string | null; problem: string | null };
  /** On the start of a manual step: the mail to its people (or why none was sent). */
  mail?: { mailId: string | null; problem: string | null };
};

type StepEvent = { subject: 'release'; before: DeploymentStepAuditView; after: DeploymentStepAuditView };

/** Audit events of deployment targets and runs; see catalogue.ts for the shape of an entry. */
export interface DeploymentsAuditCatalogue {
  'deployment-target.set': { subject: 'deployment-target'; before?: DeploymentTargetAuditView; after: DeploymentTargetAuditView };
  'deployment-target.remove': { subject: 'deployment-target'; before: DeploymentTargetAuditView };
  'deployment.start': { subject: 'release'; after: DeploymentRunAuditView };
  'deployment.step-start': StepEvent;
  'deployment.step-done': StepEvent;
  'deployment.step-fail': StepEvent;
  'deployment.step-skip': StepEvent;
  'deployment.step-interrupt': StepEvent;
  'deployment.step-retry': StepEvent;
  'deployment.step-escalate': StepEvent;
}
