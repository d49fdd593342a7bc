import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterRestart,
  isSettled,
  nextStep,
  runState,
  STEP_STATES,
  stepAfter,
  type StepMove,
  type StepState,
} from '../../src/domain/deployments/step-state.js';

const MOVES: StepMove[] = ['start', 'finish', 'fail', 'skip', 'interrupt', 'retry'];

describe('deployment step states', () => {
  it('a step is done only by finishing work that started', () => {
    expect(stepAfter('waiting', 'start')).toEqual({ ok: true, state: 'running' });
    expect(stepAfter('running', 'finish')).toEqual({ ok: true, state: 'done' });
    for (const from of STEP_STATES.filter((s) => s !== 'running')) expect(stepAfter(from, 'finish').ok).toBe(false);
    expect(stepAfter('waiting', 'finish')).toEqual({
      ok: false,
      reason: 'a waiting step cannot finish; only a step that is running can',
    });
  });

  it('failed and interrupted steps are retried or skipped; done and skipped ones are final', () => {
    expect(stepAfter('failed', 'retry')).toEqual({ ok: true, state: 'waiting' });
    expect(stepAfter('interrupted', 'retry')).toEqual({ ok: true, state: 'waiting' });
    expect(stepAfter('interrupted', 'skip')).toEqual({ ok: true, state: 'skipped' });
    for (const move of MOVES) {
      expect(stepAfter('done', move).ok).toBe(false);
      expect(stepAfter('skipped', move).ok).toBe(false);
    }
    // A running step is never skipped: it finishes, fails or is interrupted first.
    expect(stepAfter('running', 'skip').ok).toBe(false);
  });

  it('a run succeeds when every step is done or skipped, and stops at the first failure', () => {
    expect(runState([])).toBe('waiting');
    expect(runState(['waiting', 'waiting'])).toBe('waiting');
    expect(runState(['done', 'running', 'waiting'])).toBe('running');
    expect(runState(['done', 'waiting'])).toBe('running');
    expect(runState(['done', 'failed', 'waiting'])).toBe('failed');
    expect(runState(['done', 'interrupted', 'waiting'])).toBe('interrupted');
    expect(runState(['done', 'skipped', 'done'])).toBe('succeeded');
    expect(nextStep(['done', 'waiting', 'waiting'])).toBe(1);
    expect(nextStep(['done', 'running', 'waiting'])).toBeNull();
    expect(nextStep(['failed', 'waiting'])).toBeNull();
    expect(nextStep(['done', 'skipped'])).toBeNull();
  });

  it('after a restart no step is running and none became done', () => {
    expect(afterRestart(['done', 'running', 'waiting'])).toEqual(['done', 'interrupted', 'waiting']);
  });

  it('whatever moves are made, steps run one at a time, in order, and a run succeeds only with every step finished or skipped', () => {
    const moveOf = fc.record({ step: fc.nat({ max: 5 }), move: fc.constantFrom(...MOVES), restart: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(moveOf, { maxLength: 60 }), (count, moves) => {
        let steps: StepState[] = Array.from({ length: count }, () => 'waiting');
        // Which moves brought each step to done: done is reached only through start then finish.
        const finished = new Set<number>();
        for (const m of moves) {
          if (m.restart) steps = afterRestart(steps);
          const i = m.step % count;
          // A runner starts only the next step; people may finish, fail, skip or retry any step the rules allow.
          if (m.move === 'start' && nextStep(steps) !== i) continue;
          const after = stepAfter(steps[i]!, m.move);
          if (!after.ok) continue;
          if (after.state === 'done') finished.add(i);
          if (after.state === 'waiting') finished.delete(i);
          steps = steps.map((s, j) => (j === i ? after.state : s));
          expect(steps.filter((s) => s === 'running').length).toBeLessThanOrEqual(1);
          const running = steps.indexOf('running');
          if (running >= 0) expect(steps.slice(0, running).every(isSettled)).toBe(true);
        }
        steps.forEach((s, i) => {
          if (s === 'done') expect(finished.has(i)).toBe(true);
        });
        expect(afterRestart(steps)).not.toContain('running');
        if (runState(steps) === 'succeeded') expect(steps.every(isSettled)).toBe(true);
      }),
    );
  });
});
