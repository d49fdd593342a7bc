import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  digestAudience,
  reopening,
  STATUS_AFTER,
  sweepStepOf,
  taskMoveRefusal,
  type TaskMove,
  type TaskStatus,
} from '../../src/domain/checklist-tasks.js';

const status = fc.constantFrom<TaskStatus>('open', 'sent', 'done', 'skipped');
const move = fc.constantFrom<TaskMove>('complete', 'skip', 'reopen', 'waive');
const taskId = fc.stringMatching(/^[a-z][a-z-]{0,15}$/);
const date = fc.option(
  fc.date({ min: new Date('2020-01-01'), max: new Date('2040-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);

describe('the checklist task rules', () => {
  it('lets an open task be completed, skipped or waived, and any other be reopened — nothing else', () => {
    fc.assert(
      fc.property(taskId, status, move, (task, s, m) => {
        const refusal = taskMoveRefusal(task, s, m);
        const allowed = m === 'reopen' ? s !== 'open' : s === 'open';
        expect(refusal === null).toBe(allowed);
        if (refusal !== null) {
          expect(refusal.code).toBe(m === 'reopen' ? 'task-open' : 'task-not-open');
          expect(refusal.message).toContain(`task ${task} `);
        }
      }),
    );
  });

  it('moves an allowed task to a state from which its own move is refused, and reopening undoes completing and skipping', () => {
    fc.assert(
      fc.property(taskId, status, fc.constantFrom<keyof typeof STATUS_AFTER>('complete', 'skip', 'reopen'), (task, s, m) => {
        fc.pre(taskMoveRefusal(task, s, m) === null);
        const next = STATUS_AFTER[m];
        expect(taskMoveRefusal(task, next, m)).not.toBeNull();
        if (m !== 'reopen') expect(taskMoveRefusal(task, next, 'reopen')).toBeNull();
      }),
    );
  });

  it('tells a sent task that it awaits its mail, and names the state of any other refused one', () => {
    expect(taskMoveRefusal('send-notes', 'sent', 'complete')?.message).toBe(
      'task send-notes was sent and awaits delivery of its mail; reopen it first to complete it by hand',
    );
    expect(taskMoveRefusal('back-up', 'done', 'skip')?.message).toBe('task back-up is already done; reopen it first');
    expect(taskMoveRefusal('back-up', 'skipped', 'waive')?.message).toBe('task back-up is skipped: there is nothing to waive');
    expect(taskMoveRefusal('back-up', 'open', 'reopen')?.message).toBe('task back-up is open already');
  });

  it('starts reminders afresh exactly when the due date moved, and drops the evidence exactly of a sent task', () => {
    fc.assert(
      fc.property(status, date, date, (s, before, after) => {
        const r = reopening({ status: s, due: before }, after);
        expect(r.dueMoved).toBe(before !== after);
        expect(r.dropsEvidence).toBe(s === 'sent');
        expect(reopening({ status: s, due: before }, before).dueMoved).toBe(false);
      }),
    );
  });

  it('reminds at level 0 and escalates at every level above, with the matching mail, cause and event', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), (level) => {
        const step = sweepStepOf(level);
        const remind = level === 0;
        expect(step.kind).toBe(remind ? 'remind' : 'escalate');
        expect(step.action).toBe(remind ? 'checklist.remind' : 'checklist.escalate');
        expect(step.mailTemplate).toBe(remind ? 'checklist-reminder' : 'checklist-escalation');
        expect(step.cause).toBe(remind ? 'checklist.reminder' : 'checklist.escalation');
      }),
    );
  });
});

describe('the audience of a digest', () => {
  const address = fc
    .tuple(fc.constantFrom('ann', 'Ann', 'bob', 'BOB', 'cy'), fc.constantFrom('', ' ', '  '), fc.constantFrom('', ' '))
    .map(([local, pre, post]) => `${pre}${local}@example.org${post}`);
  const reach = fc.array(fc.record({ task: taskId, addresses: fc.array(address, { maxLength: 4 }) }), { maxLength: 8 });
  const norm = (a: string) => a.trim().toLowerCase();

  it('mails each address once, with each of its tasks once and in order; tasks nobody hears of are unreachable', () => {
    fc.assert(
      fc.property(reach, (tasks) => {
        const { people, unreachable } = digestAudience(tasks);
        const keys = people.map((p) => norm(p.address));
        expect(new Set(keys).size).toBe(keys.length);
        for (const p of people) {
          expect(p.address).toBe(p.address.trim());
          expect(new Set(p.tasks).size).toBe(p.tasks.length);
          const expected = [...new Set(tasks.filter((t) => t.addresses.some((a) => norm(a) === norm(p.address))).map((t) => t.task))];
          expect(p.tasks).toEqual(expected);
        }
        const reached = new Set(tasks.flatMap((t) => t.addresses.map(norm)));
        expect(new Set(keys)).toEqual(reached);
        expect(unreachable).toEqual(tasks.filter((t) => t.addresses.length === 0).map((t) => t.task));
      }),
    );
  });

  it('writes an address as it was first seen, trimmed, in the order addresses were first seen', () => {
    fc.assert(
      fc.property(reach, (tasks) => {
        const seen: string[] = [];
        for (const t of tasks) for (const a of t.addresses) if (!seen.some((s) => norm(s) === norm(a))) seen.push(a.trim());
        expect(digestAudience(tasks).people.map((p) => p.address)).toEqual(seen);
      }),
    );
  });
});
