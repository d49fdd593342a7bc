import { randomUUID } from 'node:crypto';
import { loadLifecycleRows, transitionsOf } from '../../db/repositories/lifecycle.js';
import type { ReleaseTransitionTable } from '../../db/schema.js';
import { ForbiddenError, GatesNotSatisfiedError, ValidationError } from '../../domain/errors.js';
import type { GateResult } from '../../domain/lifecycle/gates.js';
import type { Transition } from '../../domain/template/lifecycle-schema.js';
import { checkTransition, transitionOptions, type TransitionOption } from '../../domain/lifecycle/transitions.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import { appendAudit } from '../audit.js';
import type { ServiceDeps } from '../deps.js';
import { loadRelease } from '../releases.js';
import { withLockedRelease, type LockedRelease } from './release-lock.js';
import { channelContents } from '../packages/file-set.js';
import { toSnapshot } from './snapshot.js';
import { transitionView, type TransitionView } from './views.js';

export type GatesView = { release: string; state: string; stateName: string; terminal: boolean; transitions: TransitionOption[] };

/** The transitions out of the release's current state, each with every gate evaluated now. */
export async function releaseGates(deps: ServiceDeps, actor: Actor, app: string | undefined, name: string): Promise<GatesView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const r = await loadRelease(db, ctx, name);
  const template = await deps.templates.byId(db, r.template_version_id);
  const rows = await loadLifecycleRows(db, r.id);
  const snapshot = toSnapshot(r, rows, await channelContents(db, template, r.id, rows.packages));
  const state = template.states.find((s) => s.id === r.state);
  return {
    release: r.name,
    state: r.state,
    stateName: state?.name ?? r.state,
    terminal: state?.terminal === true,
    transitions: transitionOptions(template, snapshot, actor.roles),
  };
}

/** Records a state change (also used when a rejection sends a release back). */
export async function recordStateChange(
  deps: ServiceDeps,
  l: LockedRelease,
  actor: Actor,
  transition: string,
  to: string,
  comment: string,
  evidence: { gates: GateResult[]; exceptions: string[] },
): Promise<ReleaseTransitionTable> {
  const row: ReleaseTransitionTable = {
    id: randomUUID(),
    release_id: l.release.id,
    transition,
    from_state: l.release.state,
    to_state: to,
    comment,
    evidence: JSON.stringify(evidence),
    performed_by: actor.username,
    performed_at: deps.clock().toISOString(),
  };
  await l.db.insertInto('release_transitions').values(row).execute();
  await l.db.updateTable('releases').set({ state: to }).where('id', '=', l.release.id).execute();
  await appendAudit(l.db, {
    actor,
    at: deps.clock(),
    action: 'release.transition',
    subjectType: 'release',
    subjectId: l.subject,
    before: { state: l.release.state },
    after: { state: to, transition, comment, exceptions: evidence.exceptions },
  });
  return row;
}

/** Takes a transition whose every condition was found to hold, recording the gates' evidence. */
export async function takeTransition(
  deps: ServiceDeps,
  l: LockedRelease,
  actor: Actor,
  check: { transition: Transition; gates: GateResult[]; exceptions: string[] },
  comment: string,
): Promise<ReleaseTransitionTable> {
  const gates = check.gates.map((g) => ({ ...g, reasons: [] }));
  return recordStateChange(deps, l, actor, check.transition.id, check.transition.to, comment, { gates, exceptions: check.exceptions });
}

export type TransitionInput = { transition: string; comment?: string | undefined; expectedVersion?: number | undefined };

/**
 * Moves a release along one of its workflow's transitions. Refused with every
 * unmet condition when the state, the comment rule or any gate does not allow it.
 */
export async function performTransition(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  name: string,
  input: TransitionInput,
): Promise<TransitionView> {
  return withLockedRelease(deps, app, name, { expectedVersion: input.expectedVersion }, async (l) => {
    const comment = input.comment ?? '';
    const check = checkTransition(l.template, l.snapshot, actor.roles, input.transition, comment);
    switch (check.kind) {
      case 'unknown':
        throw new ValidationError(check.message, [{ path: 'transition', message: check.message }]);
      case 'forbidden':
        throw new ForbiddenError(`transition ${check.transition.id}`, check.allowedRoles);
      case 'refused':
        throw new GatesNotSatisfiedError(check.transition.id, check.transition.name, check.unmet, check.gates);
      case 'ok':
        return transitionView(await takeTransition(deps, l, actor, check, comment));
    }
  });
}

export async function releaseHistory(deps: ServiceDeps, app: string | undefined, name: string): Promise<TransitionView[]> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const r = await loadRelease(db, ctx, name);
  return (await transitionsOf(db, r.id)).map(transitionView);
}
