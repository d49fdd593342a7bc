import type { Transition, Workflow } from '../template/lifecycle-schema.js';
import type { ProcessTemplate } from '../template/schema.js';
import { checklistTie } from './checklist-ties.js';
import { evaluateGate, gateById, type GateResult } from './gates.js';
import type { ReleaseSnapshot } from './snapshot.js';

export function workflowOf(t: ProcessTemplate, releaseType: string): Workflow {
  const type = t.releaseTypes.find((r) => r.id === releaseType);
  const w = type ? t.workflows.find((x) => x.id === type.workflow) : undefined;
  if (!w) throw new Error(`no workflow for release type "${releaseType}"`);
  return w;
}

const stateName = (t: ProcessTemplate, id: string): string => t.states.find((s) => s.id === id)?.name ?? id;

export type TransitionOption = {
  id: string;
  name: string;
  to: string;
  roles: string[];
  /** True when the caller holds one of the roles. */
  allowedForYou: boolean;
  /** The transition must be given a comment saying why. */
  requireComment: boolean;
  gates: GateResult[];
  /** Every unmet condition (gates, comment rule aside), empty when it could be performed now. */
  unmet: string[];
};

/** Every gate the transition requires, evaluated now, then the checklist tasks tied to it (if any). */
export function evaluateTransitionGates(t: ProcessTemplate, tr: Transition, s: ReleaseSnapshot): GateResult[] {
  const gates = tr.gates.map((id) => {
    const gate = gateById(t, id);
    return gate
      ? evaluateGate(t, gate, s)
      : { id, name: id, pass: false, reasons: [`gate "${id}" is not defined`], evidence: [], exceptions: [] };
  });
  const tie = checklistTie(t, tr, s);
  return tie ? [...gates, tie] : gates;
}

/** The transitions that leave the release's current state, with their gates. */
export function transitionOptions(t: ProcessTemplate, s: ReleaseSnapshot, roles: readonly string[]): TransitionOption[] {
  return workflowOf(t, s.type)
    .transitions.filter((tr) => tr.from.includes(s.state))
    .map((tr) => {
      const gates = evaluateTransitionGates(t, tr, s);
      return {
        id: tr.id,
        name: tr.name,
        to: tr.to,
        roles: tr.roles,
        allowedForYou: tr.roles.some((r) => roles.includes(r)),
        requireComment: tr.requireComment,
        gates,
        unmet: gates.flatMap((g) => g.reasons),
      };
    });
}

export type TransitionCheck =
  | { kind: 'unknown'; message: string }
  | { kind: 'forbidden'; transition: Transition; allowedRoles: string[] }
  | { kind: 'refused'; transition: Transition; unmet: string[]; gates: GateResult[] }
  | { kind: 'ok'; transition: Transition; gates: GateResult[]; exceptions: string[] };

/**
 * Whether `roles` may move the release along `transitionId` now. A refusal
 * lists every unmet condition — wrong state, missing comment and each gate's
 * reasons — not just the first.
 */
export function checkTransition(
  t: ProcessTemplate,
  s: ReleaseSnapshot,
  roles: readonly string[],
  transitionId: string,
  comment: string,
): TransitionCheck {
  const workflow = workflowOf(t, s.type);
  const tr = workflow.transitions.find((x) => x.id === transitionId);
  if (!tr) {
    const here = workflow.transitions.filter((x) => x.from.includes(s.state)).map((x) => x.id);
    return {
      kind: 'unknown',
      message: `"${transitionId}" is not a transition of the ${workflow.name} workflow; from ${stateName(t, s.state)}: ${here.join(', ') || 'none'}`,
    };
  }
  if (!tr.roles.some((r) => roles.includes(r))) return { kind: 'forbidden', transition: tr, allowedRoles: tr.roles };
  const unmet: string[] = [];
  if (!tr.from.includes(s.state)) {
    unmet.push(`the release is ${stateName(t, s.state)}; "${tr.name}" starts from ${tr.from.map((x) => stateName(t, x)).join(' or ')}`);
  }
  if (tr.requireComment && comment.trim() === '') unmet.push(`"${tr.name}" needs a comment saying why`);
  const gates = evaluateTransitionGates(t, tr, s);
  for (const g of gates) unmet.push(...g.reasons);
  if (unmet.length > 0) return { kind: 'refused', transition: tr, unmet, gates };
  return { kind: 'ok', transition: tr, gates, exceptions: gates.flatMap((g) => g.exceptions) };
}
