import { randomUUID } from 'node:crypto';
import { insertTransition, transitionEvidence, transitionsOf } from '../../db/repositories/lifecycle.js';
import type { ReleaseTransitionTable } from '../../db/schema.js';
import { ForbiddenError, GatesNotSatisfiedError, ValidationError } from '../../domain/errors.js';
import type { AuditEvent } from '../../domain/audit/catalogue.js';
import type { TransitionEvidence } from '../../domain/audit/lifecycle.js';
import type { GateResult } from '../../domain/lifecycle/gates.js';
import type { Transition } from '../../domain/template/lifecycle-schema.js';
import { checkTransition, transitionOptions, type TransitionOption } from '../../domain/lifecycle/transitions.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { lockedReleaseWrite, type LockedWrite } from './release-lock.js';
import { releaseFacts } from './release-facts.js';
import { transitionView, type TransitionView } from './views.js';

export type GatesView = { release: string; state: string; stateName: string; terminal: boolean; transitions: TransitionOption[] };

/** The transitions out of the release's current state, each with every gate evaluated now. */
export async function releaseGates(deps: ServiceDeps, actor: Actor, ref: ReleaseRef): Promise<GatesView> {
  const { release: r, template, snapshot } = await releaseFacts(deps, ref);
  const state = template.states.find((s) => s.id === r.state);
  return {
    release: r.name,
    state: r.state,
    stateName: state?.name ?? r.state,
    terminal: state?.terminal === true,
    transitions: transitionOptions(template, snapshot, actor.roles),
  };
}

export type StateChange = { transition: string; to: string; comment: string; evidence: TransitionEvidence };

/** The audit event of a state change. */
export type TransitionEvent = Extract<AuditEvent, { action: 'release.transition' }>;

/**
 * Records a state change (also used when a rejection sends a release back);
 * returns the row and the audit event the caller records.
 */
export async function recordStateChange(
  deps: ServiceDeps,
  l: LockedWrite,
  change: StateChange,
): Promise<{ row: ReleaseTransitionTable; event: TransitionEvent }> {
  const { transition, to, comment, evidence } = change;
  const row: ReleaseTransitionTable = {
    id: randomUUID(),
    release_id: l.release.id,
    transition,
    from_state: l.release.state,
    to_state: to,
    comment,
    evidence: transitionEvidence.encode(evidence),
    performed_by: l.tx.actor.username,
    performed_at: deps.clock().toISOString(),
  };
  await insertTransition(l.db, row);
  const event: TransitionEvent = {
    action: 'release.transition',
    subjectType: 'release',
    subjectId: l.subject,
    before: { state: l.release.state },
    after: { state: to, transition, comment, exceptions: evidence.exceptions },
  };
  return { row, event };
}

/** Takes a transition whose every condition was found to hold, recording the gates' evidence. */
export async function takeTransition(
  deps: ServiceDeps,
  l: LockedWrite,
  check: { transition: Transition; gates: GateResult[]; exceptions: string[] },
  comment: string,
): Promise<{ row: ReleaseTransitionTable; event: TransitionEvent }> {
  const gates = check.gates.map((g) => ({ ...g, reasons: [] }));
  return recordStateChange(deps, l, {
    transition: check.transition.id,
    to: check.transition.to,
    comment,
    evidence: { gates, exceptions: check.exceptions },
  });
}

export type TransitionInput = { transition: string; comment?: string | undefined; expectedVersion?: number | undefined };

/**
 * Moves a release along one of its workflow's transitions. Refused with every
 * unmet condition when the state, the comment rule or any gate does not allow it.
 */
export async function performTransition(deps: ServiceDeps, actor: Actor, ref: ReleaseRef, input: TransitionInput): Promise<TransitionView> {
  return lockedReleaseWrite(deps, actor, ref, { expectedVersion: input.expectedVersion }, async (l) => {
    const comment = input.comment ?? '';
    const check = checkTransition(l.template, l.snapshot, actor.roles, input.transition, comment);
    switch (check.kind) {
      case 'unknown':
        throw new ValidationError(check.message, [{ path: 'transition', message: check.message }]);
      case 'forbidden':
        throw new ForbiddenError(`transition ${check.transition.id}`, check.allowedRoles);
      case 'refused':
        throw new GatesNotSatisfiedError(check.transition.id, check.transition.name, check.unmet, check.gates);
      case 'ok': {
        const taken = await takeTransition(deps, l, check, comment);
        return l.tx.audit(taken.event, transitionView(taken.row));
      }
    }
  });
}

export async function releaseHistory(deps: ServiceDeps, ref: ReleaseRef): Promise<TransitionView[]> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, ref.name);
  return (await transitionsOf(db, r.id)).map(transitionView);
}
