import type { ProcessTemplate } from '../template/schema.js';
import { stepsVoidedBy } from './approvals.js';
import { currentPackage, type ReleaseSnapshot, type SnapshotItem } from './snapshot.js';
import { evaluateTransitionGates, workflowOf } from './transitions.js';

/**
 * A change that voids recorded evidence: a new package version of a channel
 * (package-scoped steps and the approvals that say `voidOn: [package]`), or a
 * change of the release's work items (`voidOn: [items]`).
 */
export type EvidenceChange =
  { kind: 'package'; channel: string; at: string; by: string } | { kind: 'items'; add?: SnapshotItem[]; remove?: string[] };

/** The release's facts as they would be once the change is recorded. */
export function snapshotAfter(t: ProcessTemplate, s: ReleaseSnapshot, change: EvidenceChange): ReleaseSnapshot {
  const voided = new Set(stepsVoidedBy(t, change.kind));
  const after: ReleaseSnapshot = {
    ...s,
    approvals: s.approvals.map((a) => (voided.has(a.step) ? { ...a, voided: true } : a)),
    approvalRequests: s.approvalRequests.map((q) => (voided.has(q.step) ? { ...q, voided: true } : q)),
  };
  if (change.kind === 'package') {
    const version = (currentPackage(s, change.channel)?.version ?? 0) + 1;
    after.packages = [...s.packages, { channel: change.channel, version, label: '', by: change.by, at: change.at }];
    if (s.contents) {
      // What the new file holds is not known here; coverage is judged on it once recorded.
      const { [change.channel]: _old, ...rest } = s.contents;
      after.contents = rest;
    }
  } else {
    const removed = new Set(change.remove ?? []);
    after.items = [...s.items.filter((i) => !removed.has(i.id)), ...(change.add ?? [])];
  }
  return after;
}

export type StateVoiding = {
  /** True when the release's current state would rest on voided evidence after the change. */
  voided: boolean;
  /** The conditions of the state that the change would break. */
  reasons: string[];
  /** Transitions open now from the current state to a non-terminal state that the change would leave standing. */
  wayBack: string[];
};

function brokenBy(t: ProcessTemplate, before: ReleaseSnapshot, after: ReleaseSnapshot, state: string): string[] | null {
  const into = workflowOf(t, before.type).transitions.filter((tr) => tr.to === state);
  // A state no transition leads into (an initial state) claims nothing.
  if (into.length === 0) return null;
  const reasons: string[] = [];
  for (const tr of into) {
    const was = evaluateTransitionGates(t, tr, before);
    const now = evaluateTransitionGates(t, tr, after);
    const broken = now.filter((g, i) => !g.pass && was[i]?.pass === true);
    // One way into the state still holds as it did: the state stands.
    if (broken.length === 0) return null;
    for (const g of broken) for (const reason of g.reasons) if (!reasons.includes(reason)) reasons.push(reason);
  }
  return reasons;
}

/**
 * Whether a change would leave the release in a state whose evidence it
 * voids. A state stands on the gates of the transitions that lead into it; it
 * is voided when every way into it has a gate that holds now and would not
 * hold after the change (a release in acceptance test after a new package
 * version no longer has the go-ahead for that package, nor its verification).
 */
export function stateVoidedBy(t: ProcessTemplate, s: ReleaseSnapshot, change: EvidenceChange): StateVoiding {
  const after = snapshotAfter(t, s, change);
  const reasons = brokenBy(t, s, after, s.state);
  if (reasons === null) return { voided: false, reasons: [], wayBack: [] };
  const terminal = new Set(t.states.filter((x) => x.terminal).map((x) => x.id));
  const wayBack = workflowOf(t, s.type)
    .transitions.filter((tr) => tr.from.includes(s.state) && !terminal.has(tr.to) && tr.to !== s.state)
    .filter((tr) => evaluateTransitionGates(t, tr, s).every((g) => g.pass) && brokenBy(t, s, after, tr.to) === null)
    .map((tr) => tr.id);
  return { voided: true, reasons, wayBack };
}

const nameOf = (list: readonly { id: string; name: string }[], id: string): string => list.find((x) => x.id === id)?.name ?? id;

/** The refusal of a change that would void the release's state, in a coordinator's words; null when it may be recorded. */
export function voidedStateProblem(t: ProcessTemplate, s: ReleaseSnapshot, change: EvidenceChange): string | null {
  const v = stateVoidedBy(t, s, change);
  if (!v.voided) return null;
  const what = change.kind === 'package' ? `a new ${nameOf(t.channels, change.channel)} package version` : 'a change of its work items';
  const back = v.wayBack.length > 0 ? `; take it back first (${v.wayBack.join(' or ')})` : '';
  return `release ${s.name} is ${nameOf(t.states, s.state)}, which ${what} would void: ${v.reasons.join('; ')}${back}`;
}
