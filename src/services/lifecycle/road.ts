import { loadLifecycleRows } from '../../db/repositories/lifecycle.js';
import type { GateResult } from '../../domain/lifecycle/gates.js';
import { roadToProduction } from '../../domain/lifecycle/road.js';
import { evaluateTransitionGates, workflowOf } from '../../domain/lifecycle/transitions.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { channelContents } from '../packages/file-set.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { toSnapshot } from './snapshot.js';

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
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, ref.name);
  const template = await deps.templates.byId(db, r.template_version_id);
  const rows = await loadLifecycleRows(db, r.id);
  const snapshot = toSnapshot(r, rows, await channelContents(db, template, r.id, rows.packages));
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
