import { checklistTaskById, escalationLevels, openTasksDueBy } from '../../db/repositories/checklist.js';
import { releaseById } from '../../db/repositories/releases.js';
import type { ChecklistTaskTable, ContactTable, ReleaseTable } from '../../db/schema.js';
import { nextStep } from '../../domain/checklist.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import { SYSTEM_ACTOR, type Actor } from '../actor.js';
import { appendAudit } from '../audit.js';
import type { ServiceDeps } from '../deps.js';
import { composeMail } from '../mail/compose.js';
import { enqueueMail } from '../mail/outbox.js';
import { reminderRuleOf } from './view.js';

export type SweepStep = {
  release: string;
  task: string;
  kind: 'remind' | 'escalate';
  /** 0 for the reminder, n for escalation level n. */
  level: number;
  /** The queued mail, or null when nobody could be mailed. */
  mailId: string | null;
  recipients: string[];
  /** Why no mail was queued, when none was. */
  problem: string | null;
};

/** The sweep acts as the system; its audit events say so. */
const SWEEPER: Actor = SYSTEM_ACTOR;

const MAX_STEPS_PER_TASK = 50;

/**
 * Reminds and escalates overdue checklist tasks (P14). For each open task of
 * a release still going on whose next step is due (see domain/checklist.ts
 * for when): the reminder to the responsible people, then the escalation
 * levels one after the other, each in its own transaction with its mail and
 * its audit event. Each step is claimed by moving the task's version on
 * first, so two sweeps running at once never take the same step twice.
 */
export async function sweepChecklist(deps: ServiceDeps): Promise<SweepStep[]> {
  const now = deps.clock();
  const db = deps.database.kysely;
  // A reminder is due at the earliest at 00:00 on the day after the due date in a zone 14 hours ahead of UTC.
  const candidates = await openTasksDueBy(db, now.toISOString().slice(0, 10));
  const releases = new Map<string, ReleaseTable | undefined>();
  const levelsByApp = new Map<string, ContactTable[][]>();
  const done: SweepStep[] = [];
  for (const candidate of candidates) {
    if (!releases.has(candidate.release_id)) releases.set(candidate.release_id, await releaseById(db, candidate.release_id));
    const release = releases.get(candidate.release_id);
    if (!release) continue;
    const template = await deps.templates.byId(db, release.template_version_id);
    if (isTerminalState(template, release.state)) continue;
    let levels = levelsByApp.get(release.application_id);
    if (!levels) {
      levels = await escalationLevels(db, release.application_id);
      levelsByApp.set(release.application_id, levels);
    }
    let task: ChecklistTaskTable | undefined = candidate;
    for (let i = 0; task && i < MAX_STEPS_PER_TASK; i++) {
      const step = nextStep(
        { dueDate: task.due_date, reminded: task.reminded_at !== null, escalationLevel: task.escalation_level },
        now,
        reminderRuleOf(template),
        levels.length,
      );
      if (!step) break;
      const level = step.kind === 'remind' ? 0 : step.level;
      const taken = await takeStep(deps, template, release, task, level, levels[level - 1] ?? []);
      if (!taken) break;
      done.push(taken);
      task = await checklistTaskById(db, task.id);
    }
  }
  return done;
}

async function takeStep(
  deps: ServiceDeps,
  template: ProcessTemplate,
  release: ReleaseTable,
  task: ChecklistTaskTable,
  level: number,
  contacts: ContactTable[],
): Promise<SweepStep | null> {
  return deps.database.transaction(async ({ db }) => {
    const at = deps.clock().toISOString();
    const claim = level === 0 ? { reminded_at: at } : { escalation_level: level, escalated_at: at };
    // Claim first: a concurrent sweep that read the same version updates nothing and queues nothing.
    const claimed = await db
      .updateTable('checklist_tasks')
      .set({ ...claim, row_version: task.row_version + 1 })
      .where('id', '=', task.id)
      .where('row_version', '=', task.row_version)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return null;

    const app = await db
      .selectFrom('applications')
      .select(['id', 'name', 'key'])
      .where('id', '=', release.application_id)
      .executeTakeFirst();
    const responsible = JSON.parse(task.responsible) as string[];
    const roleNames = responsible.map((r) => template.roles.find((x) => x.id === r)?.name ?? r);
    const mailTemplate = level === 0 ? 'checklist-reminder' : 'checklist-escalation';
    const cause = level === 0 ? 'checklist.reminder' : 'checklist.escalation';
    const contactText = contacts
      .map((c) =>
        [c.person, c.role ? `(${template.roles.find((x) => x.id === c.role)?.name ?? c.role})` : '', c.phone ?? '', c.email ?? '']
          .filter(Boolean)
          .join(' '),
      )
      .join('; ');
    let mailId: string | null = null;
    let recipients: string[] = [];
    let problem: string | null = null;
    if (!template.mailTemplates.some((m) => m.id === mailTemplate)) {
      problem = `the process template has no "${mailTemplate}" mail`;
    } else {
      const mail = await composeMail(db, template, {
        mailTemplate,
        cause,
        values: {
          'application.name': app?.name ?? '',
          'release.name': release.name,
          'release.title': release.title,
          'release.type': release.type,
          'release.state': release.state,
          'release.plannedDate': release.planned_date,
          'task.id': task.task_id,
          'task.title': task.title,
          'task.due': task.due_date ?? '',
          'task.responsible': roleNames.join(', '),
          'task.remarks': task.remarks,
          'escalation.level': String(level),
          'escalation.contacts': contactText,
          sender: 'relman',
        },
        recipients: { applicationId: release.application_id, owner: release.created_by, responsible },
        releaseId: release.id,
        createdBy: SWEEPER.username,
        extraTo: contacts.map((c) => c.email).filter((e): e is string => typeof e === 'string' && e.includes('@')),
      });
      if (mail.to.length === 0 && mail.cc.length === 0) {
        problem = `nobody to mail: no user holding ${roleNames.join(', ')} has an e-mail address${level > 0 ? ', nor does escalation level ' + level : ''}`;
      } else {
        const row = await enqueueMail(db, deps, mail);
        mailId = row.id;
        recipients = [...(JSON.parse(row.recipients) as string[]), ...(JSON.parse(row.cc) as string[])];
      }
    }
    const after = {
      task: task.task_id,
      title: task.title,
      due: task.due_date,
      level,
      contacts: contacts.map((c) => ({ person: c.person, phone: c.phone, email: c.email })),
      mailId,
      recipients,
      problem,
    };
    await appendAudit(db, {
      actor: SWEEPER,
      at: deps.clock(),
      action: level === 0 ? 'checklist.remind' : 'checklist.escalate',
      subjectType: 'release',
      subjectId: `${app?.key ?? release.application_id}/${release.name}`,
      after,
    });
    return { release: release.name, task: task.task_id, kind: level === 0 ? 'remind' : 'escalate', level, mailId, recipients, problem };
  });
}
