import { applicationById } from '../../db/repositories/applications.js';
import { checklistTaskById, claimTaskStep, escalationLevels, openTasksDueBy, taskResponsible } from '../../db/repositories/checklist.js';
import { mailCc, mailRecipients } from '../../db/repositories/mail-outbox.js';
import { releaseById } from '../../db/repositories/releases.js';
import type { ChecklistTaskTable, ContactTable, ReleaseTable } from '../../db/schema.js';
import type { ChecklistSweepStepAudit } from '../../domain/audit/checklist.js';
import { nextStep, overdueAtCreation } from '../../domain/checklist.js';
import { digestAudience, sweepStepOf } from '../../domain/checklist-tasks.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import { SYSTEM_ACTOR, type Actor } from '../actor.js';
import type { ServiceDeps } from '../deps.js';
import { composeMail } from '../mail/compose.js';
import { enqueueMail } from '../mail/outbox.js';
import { emailsOfRoles } from '../mail/recipients.js';
import { write } from '../write.js';
import { reminderRuleOf } from './view.js';

export type SweepStep = {
  release: string;
  task: string;
  /** `digest`: told in the one message per person about tasks overdue when the release was created. */
  kind: 'remind' | 'escalate' | 'digest';
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

/** The mail template that tells each person, in one message, of the tasks already overdue when a release was created. */
export const OVERDUE_DIGEST = 'checklist-overdue-digest';

/** The release an event of the sweep concerns, as audit subjects name it. */
const subjectOf = (app: { key: string } | undefined, release: ReleaseTable): string =>
  `${app?.key ?? release.application_id}/${release.name}`;

/** The release's placeholders of the checklist's mails (reminders, escalations, digests). */
const releaseValues = (app: { name: string } | undefined, release: ReleaseTable): Record<string, string> => ({
  'application.name': app?.name ?? '',
  'release.name': release.name,
  'release.title': release.title,
  'release.type': release.type,
  'release.state': release.state,
  'release.plannedDate': release.planned_date,
});

/**
 * Reminds and escalates overdue checklist tasks (P14). For each open task of
 * a release still going on whose next step is due (see domain/checklist.ts
 * for when): the reminder to the responsible people, then the escalation
 * levels one after the other, each in its own transaction with its mail and
 * its audit event. Each step is claimed by moving the task's version on
 * first, so two sweeps running at once never take the same step twice.
 *
 * Tasks that were already overdue when their release was created are not
 * reminded one by one: when the template has a `checklist-overdue-digest`
 * mail, each responsible person gets one message listing all of theirs, and
 * their escalations count from that message.
 */
export async function sweepChecklist(deps: ServiceDeps): Promise<SweepStep[]> {
  const now = deps.clock();
  const db = deps.database.kysely;
  // A reminder is due at the earliest at 00:00 on the day after the due date in a zone 14 hours ahead of UTC.
  const candidates = await openTasksDueBy(db, now.toISOString().slice(0, 10));
  const byRelease = new Map<string, ChecklistTaskTable[]>();
  for (const c of candidates) byRelease.set(c.release_id, [...(byRelease.get(c.release_id) ?? []), c]);
  const levelsByApp = new Map<string, ContactTable[][]>();
  const done: SweepStep[] = [];
  for (const [releaseId, tasks] of byRelease) {
    const release = await releaseById(db, releaseId);
    if (!release) continue;
    const template = await deps.templates.byId(db, release.template_version_id);
    if (isTerminalState(template, release.state)) continue;
    let levels = levelsByApp.get(release.application_id);
    if (!levels) {
      levels = await escalationLevels(db, release.application_id);
      levelsByApp.set(release.application_id, levels);
    }
    const rule = reminderRuleOf(template);
    const digests = template.mailTemplates.some((m) => m.id === OVERDUE_DIGEST);
    const atCreation = (t: ChecklistTaskTable) => digests && overdueAtCreation(t.due_date, new Date(release.created_at), rule.timeZone);
    const fresh = tasks.filter((t) => t.reminded_at === null && atCreation(t));
    if (fresh.length > 0) done.push(...(await takeDigest(deps, template, release, fresh)));

    for (const candidate of tasks) {
      let task = await checklistTaskById(db, candidate.id);
      for (let i = 0; task && task.status === 'open' && i < MAX_STEPS_PER_TASK; i++) {
        const digested = atCreation(task);
        // Told by the digest (or about to be, by a sweep running at the same time): no reminder of its own.
        if (digested && task.reminded_at === null) break;
        const step = nextStep(
          {
            dueDate: task.due_date,
            reminded: task.reminded_at !== null,
            escalationLevel: task.escalation_level,
            escalateFrom: digested && task.reminded_at !== null ? new Date(task.reminded_at) : undefined,
          },
          now,
          rule,
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
  }
  return done;
}

/**
 * One message per responsible person listing the release's tasks that were
 * already overdue when it was created; the tasks count as reminded. One
 * transaction, one audit event (`checklist.digest`).
 */
async function takeDigest(
  deps: ServiceDeps,
  template: ProcessTemplate,
  release: ReleaseTable,
  tasks: ChecklistTaskTable[],
): Promise<SweepStep[]> {
  return write(deps, SWEEPER, async (tx) => {
    const { db } = tx;
    const at = deps.clock().toISOString();
    const claimed: ChecklistTaskTable[] = [];
    for (const t of tasks) {
      // Claim first: a concurrent sweep that read the same version updates nothing and mails nothing.
      if (await claimTaskStep(db, t, { reminded_at: at }, true)) claimed.push(t);
    }
    if (claimed.length === 0) return tx.unaudited([], 'a concurrent sweep took these tasks');
    const app = await applicationById(db, release.application_id);
    const roleName = (r: string) => template.roles.find((x) => x.id === r)?.name ?? r;

    // Who hears of which tasks: each responsible person, once.
    const reach: { task: ChecklistTaskTable; addresses: string[] }[] = [];
    const problems = new Map<string, string>();
    for (const t of claimed) {
      const roles = taskResponsible.decode(t.responsible);
      const addresses = await emailsOfRoles(db, release.application_id, roles);
      if (addresses.length === 0)
        problems.set(t.task_id, `nobody to mail: no user holding ${roles.map(roleName).join(', ')} has an e-mail address`);
      reach.push({ task: t, addresses });
    }
    const mails: { mailId: string; to: string[]; tasks: string[] }[] = [];
    for (const p of digestAudience(reach).people) {
      const list = p.tasks.map((t) => {
        const who = taskResponsible.decode(t.responsible).map(roleName).join(', ');
        return `- ${t.title} (${t.task_id}): due ${t.due_date ?? '?'}; responsible: ${who}${t.remarks ? `. ${t.remarks}` : ''}`;
      });
      const mail = await composeMail(db, template, {
        mailTemplate: OVERDUE_DIGEST,
        cause: 'checklist.digest',
        values: {
          ...releaseValues(app, release),
          'digest.count': String(p.tasks.length),
          'digest.tasks': list.join('\n'),
          sender: 'relman',
        },
        // The person is the recipient; `responsible` in the template resolves to nobody else here.
        recipients: { applicationId: release.application_id, owner: release.created_by, responsible: [] },
        releaseId: release.id,
        createdBy: SWEEPER.username,
        extraTo: [p.address],
      });
      const row = await enqueueMail(db, deps, mail);
      mails.push({
        mailId: row.id,
        to: [...mailRecipients.decode(row.recipients), ...mailCc.decode(row.cc)],
        tasks: p.tasks.map((t) => t.task_id),
      });
    }
    const steps = claimed.map((t): SweepStep => {
      const mine = mails.filter((m) => m.tasks.includes(t.task_id));
      return {
        release: release.name,
        task: t.task_id,
        kind: 'digest',
        level: 0,
        mailId: mine[0]?.mailId ?? null,
        recipients: [...new Set(mine.flatMap((m) => m.to))],
        problem: problems.get(t.task_id) ?? null,
      };
    });
    const after = {
      tasks: claimed.map((t) => ({ task: t.task_id, title: t.title, due: t.due_date, problem: problems.get(t.task_id) ?? null })),
      mails,
    };
    return tx.audit({ action: 'checklist.digest', subjectType: 'release', subjectId: subjectOf(app, release), after }, steps);
  });
}

async function takeStep(
  deps: ServiceDeps,
  template: ProcessTemplate,
  release: ReleaseTable,
  task: ChecklistTaskTable,
  level: number,
  contacts: ContactTable[],
): Promise<SweepStep | null> {
  return write(deps, SWEEPER, async (tx) => {
    const { db } = tx;
    const at = deps.clock().toISOString();
    const claim = level === 0 ? { reminded_at: at } : { escalation_level: level, escalated_at: at };
    // Claim first: a concurrent sweep that read the same version updates nothing and queues nothing.
    if (!(await claimTaskStep(db, task, claim))) return tx.unaudited(null, 'a concurrent sweep took this step');

    const app = await applicationById(db, release.application_id);
    const responsible = taskResponsible.decode(task.responsible);
    const roleNames = responsible.map((r) => template.roles.find((x) => x.id === r)?.name ?? r);
    const step = sweepStepOf(level);
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
    if (!template.mailTemplates.some((m) => m.id === step.mailTemplate)) {
      problem = `the process template has no "${step.mailTemplate}" mail`;
    } else {
      const mail = await composeMail(db, template, {
        mailTemplate: step.mailTemplate,
        cause: step.cause,
        values: {
          ...releaseValues(app, release),
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
        recipients = [...mailRecipients.decode(row.recipients), ...mailCc.decode(row.cc)];
      }
    }
    const after: ChecklistSweepStepAudit = {
      task: task.task_id,
      title: task.title,
      due: task.due_date,
      level,
      contacts: contacts.map((c) => ({ person: c.person, phone: c.phone, email: c.email })),
      mailId,
      recipients,
      problem,
    };
    const done: SweepStep = { release: release.name, task: task.task_id, kind: step.kind, level, mailId, recipients, problem };
    const subjectId = subjectOf(app, release);
    return step.action === 'checklist.remind'
      ? tx.audit({ action: 'checklist.remind', subjectType: 'release', subjectId, after }, done)
      : tx.audit({ action: 'checklist.escalate', subjectType: 'release', subjectId, after }, done);
  });
}
