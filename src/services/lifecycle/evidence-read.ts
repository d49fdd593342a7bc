import { itemKeyPartsByIds, loadLifecycleRows } from '../../db/repositories/lifecycle.js';
import { resolveApplicationForRead } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { releaseCalendarFacts, type BlackoutOverrideRecord } from '../calendar/common.js';
import { waiverView, type ChecklistWaiverView } from '../checklist/view.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { keyOfItem } from '../work-item-view.js';
import {
  issueView,
  notificationView,
  packageView,
  reportView,
  stepRecordView,
  testAttemptView,
  type IssueView,
  type NotificationView,
  type PackageView,
  type ReportView,
  type StepRecordView,
  type TestAttemptView,
} from './views.js';

export type ReleaseEvidence = {
  /** Planned on a blackout anyway: by whom, when, why (P13). */
  blackoutOverride: BlackoutOverrideRecord | null;
  packages: PackageView[];
  tests: TestAttemptView[];
  issues: IssueView[];
  notifications: NotificationView[];
  reports: ReportView[];
  steps: StepRecordView[];
  /** Transitions a coordinator let go ahead while a checklist task tied to them was open (P14, P17). */
  checklistWaivers: (ChecklistWaiverView & { task: string; title: string })[];
};

/** Everything recorded on a release, oldest first, for the evidence lists. */
export async function releaseEvidence(deps: ServiceDeps, ref: ReleaseRef): Promise<ReleaseEvidence> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, ref.name);
  const rows = await loadLifecycleRows(db, r.id);
  const template = await deps.templates.byId(db, r.template_version_id);
  const systemName = (id: string) => template.externalSystems.find((x) => x.id === id)?.name ?? id;
  // Attempts may belong to items since moved out of the release: look their keys up too.
  const ids = [...new Set(rows.tests.map((t) => t.item_id))];
  const items = await itemKeyPartsByIds(db, ids);
  const keyOf = new Map(items.map((i) => [i.id, keyOfItem(i)]));
  const transitionName = (id: string) => template.workflows.flatMap((w) => w.transitions).find((t) => t.id === id)?.name ?? id;
  return {
    blackoutOverride: (await releaseCalendarFacts(db, r)).blackoutOverride,
    packages: rows.packages.map(packageView),
    tests: rows.tests.map((t) => testAttemptView(t, keyOf.get(t.item_id) ?? t.item_id)),
    issues: rows.issues.map(issueView),
    notifications: rows.notifications.map((n) => notificationView(n, systemName(n.system))),
    reports: rows.reports.map(reportView),
    steps: rows.steps.map(stepRecordView),
    checklistWaivers: rows.waivers.map((w) => ({
      task: w.task_id,
      title: rows.checklist.find((c) => c.task_id === w.task_id)?.title ?? w.task_id,
      ...waiverView(w, transitionName),
    })),
  };
}
