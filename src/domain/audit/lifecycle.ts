import type { GateResult } from '../lifecycle/gates.js';

/** An approval or a rejection of an approval step. */
export type ApprovalAuditView = {
  id: string;
  step: string;
  decision: 'approved' | 'rejected';
  comment: string;
  attestations: string[];
  decidedBy: string;
  decidedAt: string;
  voided: boolean;
  voidedAt: string | null;
  voidReason: string | null;
};

/** A mail that follows a decision: queued, or left out with the reason. */
export type FollowUpMailAudit = { template: string; mailId: string; messageId: string } | { template: string; skipped: string };

/** The mail that told a step's approvers of a request, or why nobody could be told. */
export type RequestMail =
  | { queued: true; template: string; mailId: string; messageId: string; to: string[]; cc: string[] }
  | { queued: false; template: string | null; reason: string };

export type ApprovalRequestAuditView = { step: string; requestedBy: string; requestedAt: string; mail: RequestMail };

export type TestAttemptAuditView = {
  id: string;
  item: string;
  environment: string;
  result: 'passed' | 'failed';
  cause: string | null;
  notes: string;
  packages: Record<string, number>;
  recordedBy: string;
  recordedAt: string;
};

export type IssueAuditView = {
  number: number;
  category: string;
  title: string;
  description: string;
  status: 'open' | 'resolved' | 'wont-fix';
  resolution: string | null;
  raisedBy: string;
  raisedAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
};

export type NotificationAuditView = {
  id: string;
  system: string;
  means: string;
  status: 'pending' | 'notified' | 'failed';
  note: string;
  mailId: string | null;
  messageId: string | null;
  addresses: string[];
  accepted: string[] | null;
  outcome: string | null;
  settledAt: string | null;
  summary: string;
  recordedBy: string;
  recordedAt: string;
};

export type ReportAuditView = {
  report: string;
  parts: Record<string, string>;
  helpdeskRefs: string[];
  writtenBy: string;
  writtenAt: string;
};

export type StepRecordAuditView = {
  id: string;
  step: string;
  channel: string;
  packageVersion: number | null;
  note: string;
  recordedBy: string;
  recordedAt: string;
};

/** The gates' evidence recorded with a transition. */
export type TransitionEvidence = { gates: GateResult[]; exceptions: string[] };

/** Audit events of the lifecycle area; see catalogue.ts for the shape of an entry. */
export interface LifecycleAuditCatalogue {
  'release.transition': {
    subject: 'release';
    before: { state: string };
    after: { state: string; transition: string; comment: string; exceptions: string[] };
  };
  'approval.request': { subject: 'release'; after: ApprovalRequestAuditView };
  'approval.approve': { subject: 'release'; after: ApprovalAuditView & { mails?: FollowUpMailAudit[] } };
  'approval.reject': { subject: 'release'; after: ApprovalAuditView & { mails?: FollowUpMailAudit[] } };
  'test.record': { subject: 'release'; after: TestAttemptAuditView };
  'issue.raise': { subject: 'release'; after: IssueAuditView };
  'issue.resolve': { subject: 'release'; before: IssueAuditView; after: IssueAuditView };
  'notification.record': { subject: 'release'; after: NotificationAuditView };
  'report.write': { subject: 'release'; before?: ReportAuditView | undefined; after: ReportAuditView };
  'step.record': { subject: 'release'; after: StepRecordAuditView };
  'milestone.set': {
    subject: 'release';
    before?: { milestone: string; date: string } | undefined;
    after: { milestone: string; name: string; date: string };
  };
}
