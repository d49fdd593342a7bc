import { randomUUID } from 'node:crypto';
import {
  checklistOf,
  deleteTask,
  insertTask,
  milestonesOf,
  moveTaskDueDate,
  taskDueRule,
  taskResponsible,
} from '../../db/repositories/checklist.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import type { Db, Trx } from '../../db/database.js';
import type { ChecklistTaskTable, ReleaseTable } from '../../db/schema.js';
import { milestoneDates, taskApplies, taskDueDate } from '../../domain/checklist.js';
import type { ChecklistDue, ProcessTemplate } from '../../domain/template/schema.js';
import type { ServiceDeps } from '../deps.js';
import type { WriteTx } from '../write.js';

/** The dates of the release's milestones: set on the release, else the template's offset from release day. */
export async function releaseMilestoneDates(
  db: Db | Trx,
  template: ProcessTemplate,
  release: ReleaseTable,
): Promise<Record<string, string>> {
  const set = Object.fromEntries((await milestonesOf(db, release.id)).map((m) => [m.milestone, m.planned_date]));
  return milestoneDates(template.milestones, release.planned_date, set);
}

/** The tasks a sync added to, or removed from, a release's checklist (by template task id). */
export type ChecklistSyncChanges = { added: string[]; removed: string[] };

/**
 * Makes a release's checklist match its template version, channels and
 * dates: creates the tasks it does not have yet — only those that belong to
 * one of the release's channels (`channels` in the template; none means
 * every release) — removes open tasks that no longer belong to it after its
 * channels changed (done and skipped ones stay, as the record of what
 * happened), and recomputes the due dates of open ones (after a release or
 * milestone date moved). Runs inside the caller's write (`tx`: a `WriteTx`,
 * or `{ db }` of a transaction); it records no audit event of its own. A task whose
 * due date moves starts its reminders afresh; done and skipped tasks keep the
 * date they had.
 */
export async function syncChecklist(
  tx: Pick<WriteTx, 'db'>,
  _deps: ServiceDeps,
  template: ProcessTemplate,
  release: ReleaseTable,
): Promise<ChecklistSyncChanges> {
  const { db } = tx;
  const changes: ChecklistSyncChanges = { added: [], removed: [] };
  if (template.checklist.length === 0) return changes;
  const existing = new Map((await checklistOf(db, release.id)).map((t) => [t.task_id, t]));
  const dates = await releaseMilestoneDates(db, template, release);
  const channels = releaseChannels.decode(release.channels);
  let position = 0;
  for (const def of template.checklist) {
    position++;
    const due = taskDueDate(def.due, release.planned_date, dates);
    const have = existing.get(def.id);
    if (!taskApplies(def, channels)) {
      if (have && (have.status === 'open' || have.status === 'sent')) {
        await deleteTask(db, have.id);
        changes.removed.push(def.id);
      }
      continue;
    }
    if (!have) {
      const row: ChecklistTaskTable = {
        id: randomUUID(),
        release_id: release.id,
        task_id: def.id,
        position,
        title: def.title,
        responsible: taskResponsible.encode(def.responsible),
        due_rule: taskDueRule.encode(def.due satisfies ChecklistDue),
        due_date: due,
        remarks: def.remarks ?? '',
        status: 'open',
        note: null,
        evidence: null,
        completed_by: null,
        completed_at: null,
        reminded_at: null,
        escalation_level: 0,
        escalated_at: null,
        row_version: 1,
      };
      await insertTask(db, row);
      changes.added.push(def.id);
    } else if (have.status === 'open' && have.due_date !== due) {
      await moveTaskDueDate(db, have, due);
    }
  }
  return changes;
}
