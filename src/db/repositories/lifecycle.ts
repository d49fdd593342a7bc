import { sql } from 'kysely';
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
