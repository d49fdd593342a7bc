import type { GateResult } from '../../domain/lifecycle/gates.js';
import { roadToProduction } from '../../domain/lifecycle/road.js';
import { evaluateTransitionGates, workflowOf } from '../../domain/lifecycle/transitions.js';
import type { Actor } from '../actor.js';
import type { ServiceDeps } from '../deps.js';
import type { ReleaseRef } from '../release-lookup.js';
import { releaseFacts } from './release-facts.js';

export type RoadStep = {
  transition: { id: string; name: string; roles: string[]; allowedForYou: boolean; requireComment: boolean };
  from: string;
  to: string;
  toName: string;
  gates: GateResult[];
  unmet: string[];
};

export type RoadView = {
  release: string;
  state: string;
  stateName: string;
  reached: boolean;
  terminal: boolean;
  goal: string | null;
  goalName: string | null;
  steps: RoadStep[];
};

/**
 * The transitions still ahead of the release on its way to production. Every
 * step's gates are evaluated against today's facts, so a later step shows all
 * it still lacks (its "from state" condition aside).
 */
export async function releaseRoad(deps: ServiceDeps, actor: Actor, ref: ReleaseRef): Promise<RoadView> {
  const { release: r, template, snapshot } = await releaseFacts(deps, ref);
  const nameOf = (id: string) => template.states.find((s) => s.id === id)?.name ?? id;
  const state = template.states.find((s) => s.id === r.state);
  const road = roadToProduction(workflowOf(template, r.type), r.state, template.states);
  let from = r.state;
  const steps = road.steps.map((tr): RoadStep => {
    const gates = evaluateTransitionGates(template, tr, snapshot);
    const step = {
      transition: {
        id: tr.id,
        name: tr.name,
        roles: tr.roles,
        allowedForYou: tr.roles.some((x) => actor.roles.includes(x)),
        requireComment: tr.requireComment,
      },
      from,
      to: tr.to,
      toName: nameOf(tr.to),
      gates,
      unmet: gates.flatMap((g) => g.reasons),
    };
    from = tr.to;
    return step;
  });
  return {
    release: r.name,
    state: r.state,
    stateName: state?.name ?? r.state,
    reached: state?.inProduction === true,
    terminal: state?.terminal === true,
    goal: road.goal,
    goalName: road.goal === null ? null : nameOf(road.goal),
    steps,
  };
}
