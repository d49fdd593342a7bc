import type { Db, Trx } from '../../db/database.js';
import { peopleOfRoles, taskDueRule, taskEvidence, taskResponsible, waiversOf } from '../../db/repositories/checklist.js';
import { transitionTimesOf } from '../../db/repositories/lifecycle.js';
import type { ChecklistEvidence } from '../../domain/audit/checklist.js';
import type { ChecklistTaskTable, ChecklistWaiverTable } from '../../db/schema.js';
import { describeDue, isOverdue, reminderAt, type ReminderRule } from '../../domain/checklist.js';
import { describeWaiver } from '../../domain/lifecycle/checklist-ties.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';

export type { ChecklistEvidence };

export type ResponsibleView = {
  role: string;
  name: string;
  people: { name: string; email: string | null }[];
};

export type ChecklistTaskView = {
  release: string;
  task: string;
  position: number;
  title: string;
  /** `YYYY-MM-DD`, or null while it depends on a milestone with no date. */
  due: string | null;
  /** The template's rule in words: "14 days before release day". */
  dueRule: string;
  overdue: boolean;
  responsible: ResponsibleView[];
  remarks: string;
  /** `sent`: its mail was sent and awaits delivery (not done yet). */
  status: 'open' | 'sent' | 'done' | 'skipped';
  /** How the status reads: "open", "sent, awaiting delivery", "done", "not applicable". */
  statusText: string;
  note: string | null;
  evidence: ChecklistEvidence | null;
  completedBy: string | null;
  completedAt: string | null;
  /** When the reminder is (or was) due to go out; null without a due date. */
  reminderDueAt: string | null;
  remindedAt: string | null;
  escalationLevel: number;
  escalatedAt: string | null;
  /** Transitions that wait for this task (P14, P17), and when the release first went through each. */
  requiredBefore: { transition: string; name: string; performedAt: string | null }[];
  /** Transitions a coordinator let go ahead while the task was open. */
  waivers: ChecklistWaiverView[];
  /** Done after the release had already gone through these transitions the task was required before. */
  lateAfter: { transition: string; name: string; performedAt: string }[];
  version: number;
};

export type ChecklistWaiverView = {
  transition: string;
  transitionName: string;
  reason: string;
  waivedBy: string;
  waivedAt: string;
  /** "waived by carol at 2026-03-14T09:00:00.000Z: the backup runs after the deployment window". */
  text: string;
};

/** A recorded waiver as views show it. */
export const waiverView = (w: ChecklistWaiverTable, transitionName: (id: string) => string): ChecklistWaiverView => ({
  transition: w.transition,
  transitionName: transitionName(w.transition),
  reason: w.reason,
  waivedBy: w.waived_by,
  waivedAt: w.waived_at,
  text: describeWaiver({ by: w.waived_by, at: w.waived_at, reason: w.reason }),
});

export const reminderRuleOf = (t: ProcessTemplate): ReminderRule => ({
  timeZone: t.calendar.timeZone,
  reminderTime: t.calendar.reminderTime,
  escalationDelayHours: t.contacts.escalationDelayHours,
});

const statusOf = (s: string): ChecklistTaskView['status'] =>
  s === 'done' ? 'done' : s === 'skipped' ? 'skipped' : s === 'sent' ? 'sent' : 'open';

const STATUS_TEXT: Record<ChecklistTaskView['status'], string> = {
  open: 'open',
  sent: 'sent, awaiting delivery',
  done: 'done',
  skipped: 'not applicable',
};

/** Views of tasks (of one release, or each naming its own), with the people each responsible role resolves to. */
export async function taskViews(
  db: Db | Trx,
  template: ProcessTemplate,
  applicationId: string,
  releaseName: string,
  rows: (ChecklistTaskTable & { release_name?: string })[],
  now: Date,
): Promise<ChecklistTaskView[]> {
  const roles = [...new Set(rows.flatMap((r) => taskResponsible.decode(r.responsible)))];
  const people = await peopleOfRoles(db, applicationId, roles);
  const releaseIds = [...new Set(rows.map((r) => r.release_id))];
  const [waivers, performed] = await Promise.all([waiversOf(db, releaseIds), transitionTimesOf(db, releaseIds)]);
  const transitionName = (id: string) => template.workflows.flatMap((w) => w.transitions).find((tr) => tr.id === id)?.name ?? id;
  const firstPerformed = (releaseId: string, transition: string) =>
    performed.find((p) => p.release_id === releaseId && p.transition === transition)?.performed_at ?? null;
  const rule = reminderRuleOf(template);
  const milestoneName = (id: string) => template.milestones.find((m) => m.id === id)?.name ?? id;
  return rows.map((r) => {
    const status = statusOf(r.status);
    const responsible = taskResponsible.decode(r.responsible).map((role) => ({
      role,
      name: template.roles.find((x) => x.id === role)?.name ?? role,
      people: people.filter((p) => p.role === role).map((p) => ({ name: p.username, email: p.email })),
    }));
    const def = template.checklist.find((c) => c.id === r.task_id);
    const requiredBefore = (def?.requiredBefore ?? []).map((transition) => ({
      transition,
      name: transitionName(transition),
      performedAt: firstPerformed(r.release_id, transition),
    }));
    const completedAt = status === 'done' ? r.completed_at : null;
    const lateAfter = requiredBefore.flatMap((b) =>
      completedAt !== null && b.performedAt !== null && b.performedAt < completedAt
        ? [{ transition: b.transition, name: b.name, performedAt: b.performedAt }]
        : [],
    );
    return {
      release: r.release_name ?? releaseName,
      task: r.task_id,
      position: r.position,
      title: r.title,
      due: r.due_date,
      dueRule: describeDue(taskDueRule.decode(r.due_rule), milestoneName),
      overdue: status === 'open' && isOverdue(r.due_date, now, rule.timeZone),
      responsible,
      remarks: r.remarks,
      status,
      statusText: STATUS_TEXT[status],
      note: r.note,
      evidence: taskEvidence.decode(r.evidence),
      completedBy: r.completed_by,
      completedAt: r.completed_at,
      reminderDueAt: r.due_date === null ? null : reminderAt(r.due_date, rule).toISOString(),
      remindedAt: r.reminded_at,
      escalationLevel: r.escalation_level,
      escalatedAt: r.escalated_at,
      requiredBefore,
      waivers: waivers.filter((w) => w.release_id === r.release_id && w.task_id === r.task_id).map((w) => waiverView(w, transitionName)),
      lateAfter,
      version: r.row_version,
    };
  });
}
