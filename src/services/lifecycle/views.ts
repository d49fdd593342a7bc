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

import type { GateResult } from '../../domain/lifecycle/gates.js';
import { describeNotice } from '../../domain/lifecycle/notifications.js';
import { snapshotNotification } from './snapshot.js';

const parse = <T>(json: string): T => JSON.parse(json) as T;

export const packageView = (p: ReleasePackageTable) => ({
  channel: p.channel,
  version: p.version,
  label: p.label,
  createdBy: p.created_by,
  createdAt: p.created_at,
  file: p.sha256 === null ? null : { name: p.file_name ?? '', kind: p.kind ?? 'other', size: Number(p.size ?? 0), sha256: p.sha256 },
});

export const approvalView = (a: ApprovalTable) => ({
  id: a.id,
  step: a.step,
  decision: a.decision as 'approved' | 'rejected',
  comment: a.comment,
  attestations: parse<string[]>(a.attestations),
  decidedBy: a.decided_by,
  decidedAt: a.decided_at,
  voided: a.voided_at !== null,
  voidedAt: a.voided_at,
  voidReason: a.void_reason,
});

export const testAttemptView = (t: TestAttemptTable, itemKey: string) => ({
  id: t.id,
  item: itemKey,
  environment: t.environment,
  result: t.result as 'passed' | 'failed',
  cause: t.cause,
  notes: t.notes,
  packages: parse<Record<string, number>>(t.packages),
  recordedBy: t.recorded_by,
  recordedAt: t.recorded_at,
});

export const issueView = (i: ReleaseIssueTable) => ({
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
export const notificationView = (n: ReleaseNotificationTable, systemName: string = n.system) => {
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

export const reportView = (r: ReleaseReportTable) => ({
  report: r.report,
  parts: parse<Record<string, string>>(r.parts),
  helpdeskRefs: parse<string[]>(r.helpdesk_refs),
  writtenBy: r.written_by,
  writtenAt: r.written_at,
});

export const stepRecordView = (s: StepRecordTable) => ({
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
  evidence: parse<{ gates: GateResult[]; exceptions: string[] }>(t.evidence),
  performedBy: t.performed_by,
  performedAt: t.performed_at,
});

export type PackageView = ReturnType<typeof packageView>;
export type ApprovalView = ReturnType<typeof approvalView>;
export type TestAttemptView = ReturnType<typeof testAttemptView>;
export type IssueView = ReturnType<typeof issueView>;
export type NotificationView = ReturnType<typeof notificationView>;
export type ReportView = ReturnType<typeof reportView>;
export type StepRecordView = ReturnType<typeof stepRecordView>;
export type TransitionView = ReturnType<typeof transitionView>;
