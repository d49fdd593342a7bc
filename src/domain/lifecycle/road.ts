import type { Transition, Workflow } from '../template/lifecycle-schema.js';

/** What the road needs to know of a state: whether it is in production, whether the release ends there. */
export type RoadState = { id: string; inProduction?: boolean; terminal?: boolean };

export type Road = {
  /** The state the road leads to; null when no forward path reaches production from here. */
  goal: string | null;
  /** The transitions still to take, in order; empty when the release is at its goal (or cannot get there). */
  steps: Transition[];
};

/**
 * The states a release aims for: the final production state (in production and
 * terminal, e.g. "signed off"); failing that any production state; failing
 * that any terminal state.
 */
export function productionGoals(states: readonly RoadState[]): string[] {
  const final = states.filter((s) => s.inProduction === true && s.terminal === true);
  if (final.length > 0) return final.map((s) => s.id);
  const production = states.filter((s) => s.inProduction === true);
  if (production.length > 0) return production.map((s) => s.id);
  return states.filter((s) => s.terminal === true).map((s) => s.id);
}

/**
 * The main forward path from `currentState` to the template's production
 * state: the shortest chain of transitions, so corrective loops (back to
 * packaging) and detours are never part of it; among equally short paths the
 * one whose transitions come first in the workflow wins.
 */
export function roadToProduction(workflow: Workflow, currentState: string, states: readonly RoadState[]): Road {
  const goals = new Set(productionGoals(states));
  if (goals.has(currentState)) return { goal: currentState, steps: [] };
  const seen = new Set([currentState]);
  const via = new Map<string, Transition>();
  const cameFrom = new Map<string, string>();
  let frontier = [currentState];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const state of frontier) {
      for (const tr of workflow.transitions) {
        if (!tr.from.includes(state) || seen.has(tr.to)) continue;
        seen.add(tr.to);
        via.set(tr.to, tr);
        cameFrom.set(tr.to, state);
        if (goals.has(tr.to)) return { goal: tr.to, steps: pathTo(tr.to, via, cameFrom) };
        next.push(tr.to);
      }
    }
    frontier = next;
  }
  return { goal: null, steps: [] };
}

function pathTo(goal: string, via: Map<string, Transition>, cameFrom: Map<string, string>): Transition[] {
  const steps: Transition[] = [];
  for (let s: string | undefined = goal; s !== undefined && cameFrom.has(s); s = cameFrom.get(s)) {
    const tr = via.get(s);
    if (tr) steps.unshift(tr);
  }
  return steps;
}
