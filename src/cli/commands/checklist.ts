import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { table } from '../output.js';
import { client, globals, show } from './remote.js';

type Task = {
  release: string;
  task: string;
  title: string;
  due: string | null;
  dueRule: string;
  overdue: boolean;
  responsible: { role: string; name: string; people: { name: string; email: string | null }[] }[];
  status: string;
  statusText?: string;
  note: string | null;
  completedBy: string | null;
  escalationLevel: number;
  remindedAt: string | null;
  requiredBefore: { transition: string; name: string; performedAt: string | null }[];
  waivers: { transition: string; text: string }[];
  lateAfter: { transition: string; name: string; performedAt: string }[];
  version: number;
};
type Checklist = {
  release: string;
  plannedDate: string;
  timeZone: string;
  milestones: { id: string; name: string; date: string; set: boolean }[];
  tasks: Task[];
};

const releasePath = (name: string, rest: string) => `/releases/${encodeURIComponent(name)}${rest}`;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One line per task: what a coordinator scans for. */
function taskRows(tasks: Task[], withRelease: boolean): Record<string, unknown>[] {
  return tasks.map((t) => ({
    ...(withRelease ? { release: t.release } : {}),
    task: t.task,
    due: t.due ?? `(${t.dueRule})`,
    overdue: t.overdue ? 'OVERDUE' : '',
    responsible: t.responsible
      .map((r) => (r.people.length > 0 ? `${r.role} (${r.people.map((p) => p.name).join(', ')})` : `${r.role} (nobody)`))
      .join('; '),
    status: (t.statusText ?? t.status) + (t.lateAfter.length > 0 ? ' (late)' : ''),
    before: t.requiredBefore.map((b) => b.transition).join(', '),
    reminders: t.remindedAt ? (t.escalationLevel > 0 ? `escalated to level ${t.escalationLevel}` : 'reminded') : '',
    title: t.title,
  }));
}

function taskLine(t: Task, verb: string): string {
  const late = t.lateAfter.map((x) => `\n  late: done after "${x.name}" (${x.performedAt})`).join('');
  return `${t.release}: task ${t.task} "${t.title}" ${verb}${t.note ? ` — ${t.note}` : ''}${late}`;
}

/** Waivers and late completions, one line each, under the table. */
function taskNotes(tasks: Task[]): string[] {
  return tasks.flatMap((t) => [
    ...t.waivers.map((w) => `  ${t.task} before ${w.transition}: ${w.text}`),
    ...t.lateAfter.map((x) => `  ${t.task}: done late, after "${x.name}" (${x.performedAt})`),
  ]);
}

/** The reconciliation checklist (P14) and the milestones it is due relative to. */
export function registerChecklist(program: Command): void {
  const checklist = program.command('checklist').description('the reconciliation checklist of releases (P14)');
  checklist
    .command('show <release>')
    .description('the release’s tasks with due date, overdue flag, responsible people and status, and its milestones')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const c = await client(cmd).request<Checklist>('GET', releasePath(name, '/checklist'), undefined, { app: globals(cmd).app });
      show(cmd, c, () => {
        const milestones = c.milestones.map((m) => `  ${m.id}  ${m.date}${m.set ? '' : ' (from the template)'}  ${m.name}`);
        const notes = taskNotes(c.tasks);
        return [
          `${c.release}: release day ${c.plannedDate} (${c.timeZone})`,
          ...(milestones.length > 0 ? ['milestones:', ...milestones] : []),
          '',
          table(taskRows(c.tasks, false), ['task', 'due', 'overdue', 'responsible', 'status', 'before', 'reminders', 'title']),
          ...(notes.length > 0 ? ['', ...notes] : []),
        ].join('\n');
      });
    });

  checklist
    .command('complete <release> <task>')
    .description('complete a task with a note and optional evidence')
    .requiredOption('--note <text>', 'what was done')
    .option('--link <url>', 'evidence: an http(s) link')
    .option('--mail <id>', 'evidence: the id of a mail of this release (relman mail list)')
    .action(async (name: string, task: string, opts: { note: string; link?: string; mail?: string }, cmd: Command) => {
      const t = await client(cmd).request<Task>(
        'POST',
        releasePath(name, `/checklist/${encodeURIComponent(task)}/complete`),
        { note: opts.note, link: opts.link, mailId: opts.mail },
        { app: globals(cmd).app },
      );
      show(cmd, t, () => taskLine(t, 'done'));
    });

  for (const [verb, what, done] of [
    ['reopen', 'open a done or skipped task again', 'is open again'],
    ['skip', 'mark a task not applicable to this release', 'marked not applicable'],
  ] as const) {
    checklist
      .command(`${verb} <release> <task>`)
      .description(what)
      .requiredOption('--reason <text>', 'why')
      .action(async (name: string, task: string, opts: { reason: string }, cmd: Command) => {
        const t = await client(cmd).request<Task>(
          'POST',
          releasePath(name, `/checklist/${encodeURIComponent(task)}/${verb}`),
          { reason: opts.reason },
          { app: globals(cmd).app },
        );
        show(cmd, t, () => taskLine(t, done));
      });
  }

  checklist
    .command('waive <release> <task>')
    .description('let one transition the task is required before go ahead while it is open (the CMC); the task stays open')
    .requiredOption('--transition <id>', 'the transition that may go ahead, e.g. start-deployment')
    .requiredOption('--reason <text>', 'why it may go ahead without the task')
    .action(async (name: string, task: string, opts: { transition: string; reason: string }, cmd: Command) => {
      const t = await client(cmd).request<Task>(
        'POST',
        releasePath(name, `/checklist/${encodeURIComponent(task)}/waive`),
        { transition: opts.transition, reason: opts.reason },
        { app: globals(cmd).app },
      );
      const w = t.waivers.find((x) => x.transition === opts.transition);
      show(cmd, t, () => `${t.release}: task ${t.task} "${t.title}" before ${opts.transition}: ${w?.text ?? 'waived'}`);
    });

  checklist
    .command('evidence <release> <task> <file>')
    .description('attach a file (a log, a screenshot, a signed form) as the task’s evidence; replaces an earlier file')
    .action(async (name: string, task: string, file: string, _opts: unknown, cmd: Command) => {
      let size: number;
      try {
        const s = await stat(file);
        if (!s.isFile()) throw new Error('not a regular file');
        size = s.size;
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
      }
      const fileName = path.basename(file);
      const t = await client(cmd).requestStream<Task & { evidence: { sha256?: string } | null }>(
        'PUT',
        releasePath(name, `/checklist/${encodeURIComponent(task)}/evidence/${encodeURIComponent(fileName)}`),
        createReadStream(file),
        size,
        { app: globals(cmd).app },
      );
      show(cmd, t, () => `${t.release}: task ${t.task} has ${fileName} (${size} bytes, sha256 ${t.evidence?.sha256 ?? '-'}) as evidence`);
    });

  checklist
    .command('mine')
    .description('open tasks of your roles across releases still going on, earliest due first')
    .option('--overdue', 'only overdue tasks')
    .option('--release <release>', 'only this release')
    .action(async (opts: { overdue?: boolean; release?: string }, cmd: Command) => {
      const query: Record<string, string | undefined> = { app: globals(cmd).app, mine: 'true', release: opts.release };
      if (opts.overdue) query['overdue'] = 'true';
      const tasks = await client(cmd).request<Task[]>('GET', '/checklist', undefined, query);
      show(cmd, tasks, () =>
        table(taskRows(tasks, true), ['release', 'task', 'due', 'overdue', 'responsible', 'status', 'reminders', 'title']),
      );
    });

  const milestone = program.command('milestone').description('milestones of a release’s plan (e.g. uat-start)');
  milestone
    .command('set <release> <milestone> <date>')
    .description('set a milestone’s date (YYYY-MM-DD); the open checklist tasks due relative to it move with it')
    .action(async (name: string, id: string, date: string, _opts: unknown, cmd: Command) => {
      if (!DATE.test(date)) throw new CliError(`the date must be YYYY-MM-DD, got "${date}"`, EXIT.usage);
      const c = await client(cmd).request<Checklist>(
        'PUT',
        releasePath(name, `/milestones/${encodeURIComponent(id)}`),
        { date },
        { app: globals(cmd).app },
      );
      const m = c.milestones.find((x) => x.id === id);
      show(cmd, c, () => {
        const moved = c.tasks.filter((t) => t.status === 'open' && t.dueRule.includes(`"${m?.name ?? id}"`));
        const dues = moved.map((t) => `  ${t.task} now due ${t.due ?? '-'}`);
        return [`${c.release}: ${m?.name ?? id} on ${m?.date ?? date}`, ...dues].join('\n');
      });
    });
}
