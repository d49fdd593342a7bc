/**
 * The rules of a checklist task's state (P14): what a person may do with a
 * task in each state, what a reopened task starts afresh, and who hears of
 * the tasks a sweep sends in one digest.
 */

export type TaskStatus = 'open' | 'sent' | 'done' | 'skipped';

/** What a person does to a task. */
export type TaskMove = 'complete' | 'skip' | 'reopen' | 'waive';

/** Why a task cannot take a move in its state: the conflict's code and message. */
export type TaskMoveRefusal = { code: 'task-not-open' | 'task-open'; message: string };

/** The status a task has after a move (a waiver leaves the task as it is). */
export const STATUS_AFTER: Readonly<Record<Exclude<TaskMove, 'waive'>, TaskStatus>> = {
  complete: 'done',
  skip: 'skipped',
  reopen: 'open',
};

/**
 * Whether a task in `status` can take `move`: completing, skipping and
 * waiving need an open task (a sent one awaits its mail's delivery and is
 * completed by it, or reopened first); reopening needs one that is not open.
 * Null when it can; otherwise why not, in words naming the task.
 */
export function taskMoveRefusal(task: string, status: string, move: TaskMove): TaskMoveRefusal | null {
  switch (move) {
    case 'complete':
      if (status === 'sent') {
        return {
          code: 'task-not-open',
          message: `task ${task} was sent and awaits delivery of its mail; reopen it first to complete it by hand`,
        };
      }
      return status === 'open' ? null : { code: 'task-not-open', message: `task ${task} is already ${status}; reopen it first` };
    case 'skip':
      return status === 'open' ? null : { code: 'task-not-open', message: `task ${task} is already ${status}; reopen it first` };
    case 'waive':
      return status === 'open' ? null : { code: 'task-not-open', message: `task ${task} is ${status}: there is nothing to waive` };
    case 'reopen':
      return status === 'open' ? { code: 'task-open', message: `task ${task} is open already` } : null;
  }
}

/**
 * What reopening a task starts afresh: when its due date (recomputed from the
 * release's dates) moved, its reminders and escalations; when it was sent,
 * the mail it no longer waits for is dropped from its evidence.
 */
export function reopening(task: { status: string; due: string | null }, due: string | null): { dueMoved: boolean; dropsEvidence: boolean } {
  return { dueMoved: due !== task.due, dropsEvidence: task.status === 'sent' };
}

/** The mail, cause and audit action of a sweep's step on a task: the reminder (level 0), or escalation level n. */
export function sweepStepOf(level: number): {
  kind: 'remind' | 'escalate';
  mailTemplate: 'checklist-reminder' | 'checklist-escalation';
  cause: 'checklist.reminder' | 'checklist.escalation';
  action: 'checklist.remind' | 'checklist.escalate';
} {
  return level === 0
    ? { kind: 'remind', mailTemplate: 'checklist-reminder', cause: 'checklist.reminder', action: 'checklist.remind' }
    : { kind: 'escalate', mailTemplate: 'checklist-escalation', cause: 'checklist.escalation', action: 'checklist.escalate' };
}

/**
 * Who hears of which tasks in a digest: each address once (compared trimmed
 * and without regard to case; written as first seen, trimmed), with its
 * tasks in the order given and each task once; in the order the addresses
 * were first seen. Tasks nobody can be mailed about are `unreachable`.
 */
export function digestAudience<T>(tasks: readonly { task: T; addresses: readonly string[] }[]): {
  people: { address: string; tasks: T[] }[];
  unreachable: T[];
} {
  const people = new Map<string, { address: string; tasks: T[] }>();
  const unreachable: T[] = [];
  for (const { task, addresses } of tasks) {
    if (addresses.length === 0) unreachable.push(task);
    for (const a of addresses) {
      const key = a.trim().toLowerCase();
      const p = people.get(key) ?? { address: a.trim(), tasks: [] };
      if (!p.tasks.includes(task)) p.tasks.push(task);
      people.set(key, p);
    }
  }
  return { people: [...people.values()], unreachable };
}
