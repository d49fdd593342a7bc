import { releaseChannels } from '../../db/repositories/releases.js';
import { workItemElements } from '../../db/repositories/work-items.js';
import {
  approvalAttestations,
  notificationAccepted,
  notificationAddresses,
  reportHelpdeskRefs,
  reportParts,
  testAttemptPackages,
  type LifecycleRows,
} from '../../db/repositories/lifecycle.js';
import type { ApprovalTable, ReleaseNotificationTable, ReleaseTable } from '../../db/schema.js';
import type { ReleaseSnapshot, SnapshotApproval, SnapshotNotification } from '../../domain/lifecycle/snapshot.js';
import { keyOfItem } from '../work-item-view.js';

export const toSnapshotApproval = (a: ApprovalTable): SnapshotApproval => ({
  id: a.id,
  step: a.step,
  decision: a.decision === 'rejected' ? 'rejected' : 'approved',
  by: a.decided_by,
  at: a.decided_at,
  comment: a.comment,
  attestations: approvalAttestations.decode(a.attestations),
  voided: a.voided_at !== null,
});

export function snapshotNotification(n: ReleaseNotificationTable): SnapshotNotification {
  return {
    system: n.system,
    by: n.recorded_by,
    at: n.recorded_at,
    note: n.note,
    means: n.means,
    status: n.status === 'pending' ? 'pending' : n.status === 'failed' ? 'failed' : 'notified',
    messageId: n.message_id,
    addresses: notificationAddresses.decode(n.addresses) ?? [],
    accepted: notificationAccepted.decode(n.accepted),
    outcome: n.outcome,
    settledAt: n.settled_at,
  };
}

/** The pure domain's view of a release, built from its rows. */
export function toSnapshot(r: ReleaseTable, rows: LifecycleRows, contents?: ReleaseSnapshot['contents']): ReleaseSnapshot {
  return {
    name: r.name,
    type: r.type,
    state: r.state,
    channels: releaseChannels.decode(r.channels),
    createdBy: r.created_by,
    items: rows.items.map((i) => ({
      id: i.id,
      key: keyOfItem(i),
      kind: i.kind,
      helpdeskRef: i.helpdesk_ref,
      elements: workItemElements.decode(i.elements),
    })),
    packages: rows.packages.map((p) => ({ channel: p.channel, version: p.version, label: p.label, by: p.created_by, at: p.created_at })),
    approvalRequests: rows.requests.map((q) => ({ step: q.step, by: q.requested_by, at: q.requested_at, voided: q.voided_at !== null })),
    approvals: rows.approvals.map(toSnapshotApproval),
    tests: rows.tests.map((t) => ({
      itemId: t.item_id,
      environment: t.environment,
      result: t.result === 'passed' ? 'passed' : 'failed',
      cause: t.cause,
      by: t.recorded_by,
      at: t.recorded_at,
      packages: testAttemptPackages.decode(t.packages),
    })),
    issues: rows.issues.map((i) => ({
      number: i.number,
      category: i.category,
      title: i.title,
      status: i.status === 'resolved' ? 'resolved' : i.status === 'wont-fix' ? 'wont-fix' : 'open',
      resolvedBy: i.resolved_by,
      resolvedAt: i.resolved_at,
    })),
    notifications: rows.notifications.map(snapshotNotification),
    reports: rows.reports.map((p) => ({
      report: p.report,
      parts: reportParts.decode(p.parts),
      helpdeskRefs: reportHelpdeskRefs.decode(p.helpdesk_refs),
      by: p.written_by,
      at: p.written_at,
    })),
    steps: rows.steps.map((s) => ({
      step: s.step,
      channel: s.channel,
      packageVersion: s.package_version,
      by: s.recorded_by,
      at: s.recorded_at,
    })),
    checklist: rows.checklist.map((c) => ({
      task: c.task_id,
      title: c.title,
      status: c.status === 'done' ? 'done' : c.status === 'skipped' ? 'skipped' : c.status === 'sent' ? 'sent' : 'open',
      note: c.note,
      by: c.completed_by,
      at: c.completed_at,
      waivers: rows.waivers
        .filter((w) => w.task_id === c.task_id)
        .map((w) => ({ transition: w.transition, reason: w.reason, by: w.waived_by, at: w.waived_at })),
    })),
    ...(contents ? { contents } : {}),
  };
}
