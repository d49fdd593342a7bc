import { sql } from 'kysely';
import { jsonColumn, nullableJsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import type {
  ApprovalRequestTable,
  ChecklistTaskTable,
  ChecklistWaiverTable,
  ApprovalTable,
  ReleaseIssueTable,
  ReleaseNotificationTable,
  ReleasePackageTable,
  ReleaseReportTable,
  ReleaseTransitionTable,
  StepRecordTable,
  TestAttemptTable,
  WorkItemTable,
} from '../schema.js';
import type { TransitionEvidence } from '../../domain/audit/lifecycle.js';

/** `approvals.attestations`: the ids of the attestations the approver gave. */
export const approvalAttestations = jsonColumn<string[]>();
/** `test_attempts.packages`: the package version of each channel the attempt tested. */
export const testAttemptPackages = jsonColumn<Record<string, number>>();
/** `release_reports.parts`: the report's text by part. */
export const reportParts = jsonColumn<Record<string, string>>();
/** `release_reports.helpdesk_refs`: the help-desk references the report cites. */
export const reportHelpdeskRefs = jsonColumn<string[]>();
/** `release_transitions.evidence`: the gates' evidence and the exceptions used. */
export const transitionEvidence = jsonColumn<TransitionEvidence>();
/** `release_notifications.addresses`: the system's addresses an e-mail notice went to. */
export const notificationAddresses = nullableJsonColumn<string[]>();
/** `release_notifications.accepted`: those the mail server accepted. */
export const notificationAccepted = nullableJsonColumn<string[]>();

/**
 * Takes the release's row lock for the rest of the transaction (PostgreSQL;
 * SQLite already holds the write lock), so lifecycle writes on one release
 * run one after the other and each decides on the latest facts.
 */
export async function lockRelease(db: Trx, releaseId: string): Promise<void> {
  await db
    .updateTable('releases')
    .set((eb) => ({ row_version: eb.ref('row_version') }))
    .where('id', '=', releaseId)
    .execute();
}

/** Records a state change of the release: the transition row, and the release's new state. */
export async function insertTransition(db: Trx, row: ReleaseTransitionTable): Promise<void> {
  await db.insertInto('release_transitions').values(row).execute();
  await db.updateTable('releases').set({ state: row.to_state }).where('id', '=', row.release_id).execute();
}

export async function insertApprovalRequest(db: Trx, row: ApprovalRequestTable): Promise<void> {
  await db.insertInto('approval_requests').values(row).execute();
}

export async function insertApproval(db: Trx, row: ApprovalTable): Promise<void> {
  await db.insertInto('approvals').values(row).execute();
}

export async function insertTestAttempt(db: Trx, row: TestAttemptTable): Promise<void> {
  await db.insertInto('test_attempts').values(row).execute();
}

export async function insertIssue(db: Trx, row: ReleaseIssueTable): Promise<void> {
  await db.insertInto('release_issues').values(row).execute();
}

export async function updateIssue(
  db: Trx,
  id: string,
  patch: Pick<ReleaseIssueTable, 'status' | 'resolution' | 'resolved_by' | 'resolved_at'>,
): Promise<void> {
  await db.updateTable('release_issues').set(patch).where('id', '=', id).execute();
}

export async function insertNotification(db: Trx, row: ReleaseNotificationTable): Promise<void> {
  await db.insertInto('release_notifications').values(row).execute();
}

/** Writes a report: a new row, or the new text of the existing one. */
export async function saveReport(db: Trx, row: ReleaseReportTable, existing: boolean): Promise<void> {
  if (existing) await db.updateTable('release_reports').set(row).where('id', '=', row.id).execute();
  else await db.insertInto('release_reports').values(row).execute();
}

export async function insertStepRecord(db: Trx, row: StepRecordTable): Promise<void> {
  await db.insertInto('step_records').values(row).execute();
}

/** The keys' parts of work items by id (items a test attempt names may have left the release since). */
export async function itemKeyPartsByIds(
  db: Db | Trx,
  ids: readonly string[],
): Promise<Pick<WorkItemTable, 'id' | 'kind' | 'kind_number'>[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('work_items').select(['id', 'kind', 'kind_number']).where('id', 'in', ids).execute();
}

/** Every package column but the manifest, which can be large and is read only when shown. */
export const PACKAGE_COLUMNS_BUT_MANIFEST = [
  'id',
  'release_id',
  'channel',
  'version',
  'label',
  'created_by',
  'created_at',
  'file_name',
  'kind',
  'size',
  'sha256',
  'item_set',
] as const;

/**
 * Inserts a package version and voids the approvals a new package voids; both
 * the label-only record and the file upload go through here.
 */
export async function insertPackageVersion(db: Trx, row: ReleasePackageTable, voidSteps: string[]): Promise<number> {
  await db.insertInto('release_packages').values(row).execute();
  return voidApprovals(db, row.release_id, voidSteps, `new ${row.channel} package v${row.version}`, row.created_at);
}

export type LifecycleRows = {
  items: WorkItemTable[];
  packages: ReleasePackageTable[];
  requests: ApprovalRequestTable[];
  approvals: ApprovalTable[];
  tests: TestAttemptTable[];
  issues: ReleaseIssueTable[];
  notifications: ReleaseNotificationTable[];
  reports: ReleaseReportTable[];
  steps: StepRecordTable[];
  checklist: ChecklistTaskTable[];
  waivers: ChecklistWaiverTable[];
};

export async function loadLifecycleRows(db: Db | Trx, releaseId: string): Promise<LifecycleRows> {
  const [items, packages, requests, approvals, tests, issues, notifications, reports, steps, checklist, waivers] = await Promise.all([
    db.selectFrom('work_items').selectAll().where('release_id', '=', releaseId).orderBy('number').execute(),
    db
      .selectFrom('release_packages')
      // Manifests can be large; the lifecycle only needs to know which versions exist.
      .select(PACKAGE_COLUMNS_BUT_MANIFEST)
      .select(sql<string | null>`null`.as('manifest'))
      .where('release_id', '=', releaseId)
      .orderBy('channel')
      .orderBy('version')
      .execute(),
    db.selectFrom('approval_requests').selectAll().where('release_id', '=', releaseId).orderBy('requested_at').execute(),
    db.selectFrom('approvals').selectAll().where('release_id', '=', releaseId).orderBy('decided_at').execute(),
    db.selectFrom('test_attempts').selectAll().where('release_id', '=', releaseId).orderBy('recorded_at').execute(),
    db.selectFrom('release_issues').selectAll().where('release_id', '=', releaseId).orderBy('number').execute(),
    db.selectFrom('release_notifications').selectAll().where('release_id', '=', releaseId).orderBy('recorded_at').execute(),
    db.selectFrom('release_reports').selectAll().where('release_id', '=', releaseId).orderBy('report').execute(),
    db.selectFrom('step_records').selectAll().where('release_id', '=', releaseId).orderBy('recorded_at').execute(),
    db.selectFrom('checklist_tasks').selectAll().where('release_id', '=', releaseId).orderBy('position').execute(),
    db.selectFrom('checklist_waivers').selectAll().where('release_id', '=', releaseId).orderBy('waived_at').execute(),
  ]);
  return { items, packages, requests, approvals, tests, issues, notifications, reports, steps, checklist, waivers };
}

export async function transitionsOf(db: Db | Trx, releaseId: string): Promise<ReleaseTransitionTable[]> {
  return db.selectFrom('release_transitions').selectAll().where('release_id', '=', releaseId).orderBy('performed_at').execute();
}

export async function voidApprovals(db: Trx, releaseId: string, steps: string[], reason: string, at: string): Promise<number> {
  if (steps.length === 0) return 0;
  const a = await db
    .updateTable('approvals')
    .set({ voided_at: at, void_reason: reason })
    .where('release_id', '=', releaseId)
    .where('step', 'in', steps)
    .where('voided_at', 'is', null)
    .executeTakeFirst();
  await db
    .updateTable('approval_requests')
    .set({ voided_at: at, void_reason: reason })
    .where('release_id', '=', releaseId)
    .where('step', 'in', steps)
    .where('voided_at', 'is', null)
    .execute();
  return Number(a.numUpdatedRows);
}

/** When each transition of the releases was performed, oldest first (a task's `requiredBefore` and `lateAfter`). */
export async function transitionTimesOf(
  db: Db | Trx,
  releaseIds: readonly string[],
): Promise<Pick<ReleaseTransitionTable, 'release_id' | 'transition' | 'performed_at'>[]> {
  if (releaseIds.length === 0) return [];
  return db
    .selectFrom('release_transitions')
    .select(['release_id', 'transition', 'performed_at'])
    .where('release_id', 'in', releaseIds)
    .orderBy('performed_at')
    .execute();
}
