import {
  approvalAttestations,
  reportHelpdeskRefs,
  reportParts,
  testAttemptPackages,
  transitionEvidence,
} from '../../db/repositories/lifecycle.js';
import type {
  ApprovalTable,
  ReleaseIssueTable,
  ReleaseNotificationTable,
  ReleasePackageTable,
  ReleaseReportTable,
  ReleaseTransitionTable,
  StepRecordTable,
  TestAttemptTable,
} from '../../db/schema.js';
import type {
  ApprovalAuditView,
  IssueAuditView,
  NotificationAuditView,
  ReportAuditView,
  StepRecordAuditView,
  TestAttemptAuditView,
} from '../../domain/audit/lifecycle.js';
import type { PackageAuditView } from '../../domain/audit/packages.js';
import { describeNotice } from '../../domain/lifecycle/notifications.js';
import { snapshotNotification } from './snapshot.js';

export const packageView = (p: ReleasePackageTable): PackageAuditView => ({
  channel: p.channel,
  version: p.version,
  label: p.label,
  createdBy: p.created_by,
  createdAt: p.created_at,
  file: p.sha256 === null ? null : { name: p.file_name ?? '', kind: p.kind ?? 'other', size: Number(p.size ?? 0), sha256: p.sha256 },
});

export const approvalView = (a: ApprovalTable): ApprovalAuditView => ({
  id: a.id,
  step: a.step,
  decision: a.decision as 'approved' | 'rejected',
  comment: a.comment,
  attestations: approvalAttestations.decode(a.attestations),
  decidedBy: a.decided_by,
  decidedAt: a.decided_at,
  voided: a.voided_at !== null,
  voidedAt: a.voided_at,
  voidReason: a.void_reason,
});

export const testAttemptView = (t: TestAttemptTable, itemKey: string): TestAttemptAuditView => ({
  id: t.id,
  item: itemKey,
  environment: t.environment,
  result: t.result as 'passed' | 'failed',
  cause: t.cause,
  notes: t.notes,
  packages: testAttemptPackages.decode(t.packages),
  recordedBy: t.recorded_by,
  recordedAt: t.recorded_at,
});

export const issueView = (i: ReleaseIssueTable): IssueAuditView => ({
  number: i.number,
  category: i.category,
  title: i.title,
  description: i.description,
  status: i.status as 'open' | 'resolved' | 'wont-fix',
  resolution: i.resolution,
  raisedBy: i.raised_by,
  raisedAt: i.raised_at,
  resolvedBy: i.resolved_by,
  resolvedAt: i.resolved_at,
});

/** A notice to an external system, with its state and what it proves in words (`systemName` for the wording). */
export const notificationView = (n: ReleaseNotificationTable, systemName: string = n.system): NotificationAuditView => {
  const s = snapshotNotification(n);
  return {
    id: n.id,
    system: n.system,
    means: n.means,
    status: s.status,
    note: n.note,
    mailId: n.mail_id,
    messageId: n.message_id,
    addresses: s.addresses,
    accepted: s.accepted,
    outcome: n.outcome,
    settledAt: n.settled_at,
    summary: describeNotice(systemName, s),
    recordedBy: n.recorded_by,
    recordedAt: n.recorded_at,
  };
};

export const reportView = (r: ReleaseReportTable): ReportAuditView => ({
  report: r.report,
  parts: reportParts.decode(r.parts),
  helpdeskRefs: reportHelpdeskRefs.decode(r.helpdesk_refs),
  writtenBy: r.written_by,
  writtenAt: r.written_at,
});

export const stepRecordView = (s: StepRecordTable): StepRecordAuditView => ({
  id: s.id,
  step: s.step,
  channel: s.channel,
  packageVersion: s.package_version,
  note: s.note,
  recordedBy: s.recorded_by,
  recordedAt: s.recorded_at,
});

export const transitionView = (t: ReleaseTransitionTable) => ({
  id: t.id,
  transition: t.transition,
  from: t.from_state,
  to: t.to_state,
  comment: t.comment,
  evidence: transitionEvidence.decode(t.evidence),
  performedBy: t.performed_by,
  performedAt: t.performed_at,
});

export type PackageView = PackageAuditView;
export type ApprovalView = ApprovalAuditView;
export type TestAttemptView = TestAttemptAuditView;
export type IssueView = IssueAuditView;
export type NotificationView = NotificationAuditView;
export type ReportView = ReportAuditView;
export type StepRecordView = StepRecordAuditView;
export type TransitionView = ReturnType<typeof transitionView>;
