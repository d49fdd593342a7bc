import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { productionGoals, roadToProduction, type RoadState } from '../../src/domain/lifecycle/road.js';
import { workflowOf } from '../../src/domain/lifecycle/transitions.js';
import type { Workflow } from '../../src/domain/template/lifecycle-schema.js';
import { defaultTemplate } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const road = (type: string, state: string) => roadToProduction(workflowOf(t, type), state, t.states);
const ids = (type: string, state: string) => road(type, state).steps.map((s) => s.id);

describe('the road to production of the default template', () => {
  it('leads a draft scheduled release through every forward step to the sign-off, never through a corrective loop', () => {
    expect(road('scheduled', 'draft').goal).toBe('signed-off');
    expect(ids('scheduled', 'draft')).toEqual([
      'start-packaging',
      'mark-package-verified',
      'install-in-at',
      'complete-at',
      'approve-for-production',
      'start-deployment',
      'confirm-deployment',
      'verify-in-production',
      'sign-off',
    ]);
    expect(ids('scheduled', 'deployed')).toEqual(['verify-in-production', 'sign-off']);
  });

  it('follows the release type’s own workflow: an expedited release skips acceptance testing', () => {
    expect(ids('expedited', 'package-verified').slice(0, 2)).toEqual(['complete-testing', 'approve-for-production']);
  });

  it('is empty at the goal, and has no goal where production cannot be reached', () => {
    expect(road('scheduled', 'signed-off')).toEqual({ goal: 'signed-off', steps: [] });
    expect(road('scheduled', 'rolled-back')).toEqual({ goal: null, steps: [] });
    expect(road('scheduled', 'cancelled')).toEqual({ goal: null, steps: [] });
  });

  it('aims for any production state when no production state is final, else for a final one', () => {
    expect(productionGoals([{ id: 'a' }, { id: 'b', inProduction: true }, { id: 'c', terminal: true }])).toEqual(['b']);
    expect(productionGoals([{ id: 'a' }, { id: 'c', terminal: true }])).toEqual(['c']);
  });
});

const STATES = ['s0', 's1', 's2', 's3', 's4', 's5', 's6'];
const arbState = fc.constantFrom(...STATES);
const arbWorkflow: fc.Arbitrary<Workflow> = fc
  .array(fc.record({ from: fc.uniqueArray(arbState, { minLength: 1, maxLength: 3 }), to: arbState }), { minLength: 1, maxLength: 14 })
  .map((trs) => ({
    id: 'w',
    name: 'w',
    transitions: trs.map((x, i) => ({ id: `t${i}`, name: `t${i}`, ...x, roles: ['r'], gates: [], requireComment: false })),
  }));
const arbStates: fc.Arbitrary<RoadState[]> = fc
  .array(fc.record({ inProduction: fc.boolean(), terminal: fc.boolean() }), { minLength: STATES.length, maxLength: STATES.length })
  .map((flags) => STATES.map((id, i) => ({ id, ...flags[i] })));

/** Every state some chain of transitions leads to from `start`. */
function reachable(w: Workflow, start: string): Set<string> {
  const seen = new Set([start]);
  for (let grew = true; grew;) {
    grew = false;
    for (const tr of w.transitions)
      if (tr.from.some((f) => seen.has(f)) && !seen.has(tr.to)) {
        seen.add(tr.to);
        grew = true;
      }
  }
  return seen;
}

describe('roadToProduction on any workflow', () => {
  it('is a chain of transitions from the current state to a goal, without detours or shortcuts; no goal only when none is reachable', () => {
    fc.assert(
      fc.property(arbWorkflow, arbStates, arbState, (w, states, current) => {
        const goals = new Set(productionGoals(states));
        const { goal, steps } = roadToProduction(w, current, states);
        if (goal === null) {
          expect(steps).toEqual([]);
          expect([...reachable(w, current)].filter((s) => goals.has(s))).toEqual([]);
          return;
        }
        expect(goals.has(goal)).toBe(true);
        const path = [current, ...steps.map((s) => s.to)];
        expect(path.at(-1)).toBe(goal);
        expect(new Set(path).size).toBe(path.length);
        steps.forEach((s, i) => expect(s.from).toContain(path[i]));
        // Only the last state is a goal, and no transition jumps ahead along the path.
        expect(path.slice(0, -1).filter((s) => goals.has(s))).toEqual([]);
        for (let i = 0; i < path.length; i++)
          for (let j = i + 2; j < path.length; j++)
            expect(w.transitions.some((tr) => tr.from.includes(path[i]!) && tr.to === path[j])).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
