import type { ApprovalStep, Transition } from '../template/lifecycle-schema.js';
import type { ProcessTemplate } from '../template/schema.js';
import type { GateResult } from './gates.js';
import { activeApprovals, type ReleaseSnapshot } from './snapshot.js';
import { checkTransition, workflowOf } from './transitions.js';

export type ApprovalCheck =
  | { kind: 'unknown'; message: string }
  | { kind: 'forbidden'; step: ApprovalStep; allowedRoles: string[] }
  | { kind: 'refused'; step: ApprovalStep; problems: string[] }
  | { kind: 'ok'; step: ApprovalStep };

/** The approval steps a release of this type can use: those its workflow's gates ask for. */
export function approvalStepsOf(t: ProcessTemplate, releaseType: string): ApprovalStep[] {
  const gateIds = new Set(workflowOf(t, releaseType).transitions.flatMap((tr) => tr.gates));
  const used = new Set(
    t.gates.filter((g) => gateIds.has(g.id) && 'approval' in g.check).map((g) => ('approval' in g.check ? g.check.approval : '')),
  );
  return t.approvals.filter((a) => used.has(a.id));
}

/** Who asked for the approval: the latest open request, else whoever created the release. */
export function requesterOf(s: ReleaseSnapshot, step: string): string {
  return latestRequest(s, step)?.by ?? s.createdBy;
}

function latestRequest(s: ReleaseSnapshot, step: string): { by: string; at: string } | null {
  let latest: { by: string; at: string } | null = null;
  for (const r of s.approvalRequests) if (r.step === step && !r.voided && (latest === null || r.at >= latest.at)) latest = r;
  return latest;
}

export type Decision = {
  username: string;
  roles: readonly string[];
  decision: 'approved' | 'rejected';
  comment: string;
  attestations: readonly string[];
};

/** Whether this person may give this decision now; every problem is listed. */
export function checkApprovalDecision(t: ProcessTemplate, s: ReleaseSnapshot, stepId: string, d: Decision): ApprovalCheck {
  const steps = approvalStepsOf(t, s.type);
  const step = steps.find((a) => a.id === stepId);
  if (!step) {
    return {
      kind: 'unknown',
      message: `"${stepId}" is not an approval step of the ${workflowOf(t, s.type).id} workflow; one of: ${steps.map((a) => a.id).join(', ')}`,
    };
  }
  if (!step.roles.some((r) => d.roles.includes(r))) return { kind: 'forbidden', step, allowedRoles: step.roles };
  const problems: string[] = [];
  const request = latestRequest(s, stepId);
  if (!step.allowRequester && (request?.by ?? s.createdBy) === d.username) {
    // Without a request, the creator stands in for the requester: say which it was.
    problems.push(
      request
        ? `separation of duties: ${d.username} requested "${step.name}" and may not decide it`
        : `separation of duties: ${d.username} created ${s.name} and may not decide "${step.name}"`,
    );
  }
  const given = activeApprovals(s, stepId);
  if (given.some((a) => a.by === d.username)) problems.push(`${d.username} has already approved "${step.name}"`);
  else if (d.decision === 'approved' && new Set(given.map((a) => a.by)).size >= step.required) {
    problems.push(`"${step.name}" is already approved`);
  }
  if (d.decision === 'rejected' && d.comment.trim() === '') problems.push('a rejection needs a comment saying why');
  if (d.decision === 'approved') {
    for (const a of step.attestations) {
      if (!d.attestations.includes(a.id)) problems.push(`confirm "${a.text}" (attestation ${a.id})`);
    }
  }
  const unknown = d.attestations.filter((a) => !step.attestations.some((x) => x.id === a));
  if (unknown.length > 0) problems.push(`unknown attestation(s): ${unknown.join(', ')}`);
  return problems.length > 0 ? { kind: 'refused', step, problems } : { kind: 'ok', step };
}

/** Approval steps whose given approvals a change voids. */
export function stepsVoidedBy(t: ProcessTemplate, change: 'package' | 'items'): string[] {
  return t.approvals.filter((a) => a.voidOn.includes(change)).map((a) => a.id);
}

/** The mail template a step uses for its requests when it names none, if the template has it. */
export const DEFAULT_REQUEST_MAIL = 'approval-request';

/** The mail template that tells a step's approvers of a request: its `notifyOnRequest`, else `approval-request` if defined. */
export function requestMailOf(t: ProcessTemplate, step: ApprovalStep): string | null {
  if (step.notifyOnRequest !== undefined) return step.notifyOnRequest;
  return t.mailTemplates.some((m) => m.id === DEFAULT_REQUEST_MAIL) ? DEFAULT_REQUEST_MAIL : null;
}

/** A user holding one of a step's roles. */
export type RoleHolder = { username: string; email: string | null };

export type ApproversToTell = {
  /** Who may give the approval and can be e-mailed. */
  told: { username: string; email: string }[];
  /** When nobody can be told: why, naming each holder left out. */
  nobody: string | null;
};

/**
 * Whom to tell that an approval was requested: the holders of the step's
 * roles who may give it — not the requester when separation of duties
 * excludes them, not whoever's approval already counts — and who have an
 * e-mail address.
 */
export function approversToTell(
  t: ProcessTemplate,
  s: ReleaseSnapshot,
  step: ApprovalStep,
  requester: string,
  holders: readonly RoleHolder[],
): ApproversToTell {
  const given = new Set(activeApprovals(s, step.id).map((a) => a.by));
  const told: { username: string; email: string }[] = [];
  const leftOut: string[] = [];
  for (const h of holders) {
    if (!step.allowRequester && h.username === requester)
      leftOut.push(`${h.username} asked for it and may not give it (separation of duties)`);
    else if (given.has(h.username)) leftOut.push(`${h.username} has already approved it`);
    else if (h.email === null || !h.email.includes('@')) leftOut.push(`${h.username} has no e-mail address`);
    else told.push({ username: h.username, email: h.email });
  }
  if (told.length > 0) return { told, nobody: null };
  const roles = step.roles.map((r) => t.roles.find((x) => x.id === r)?.name ?? r).join(', ');
  if (holders.length === 0) return { told, nobody: `no active user holds a role that may give "${step.name}" (${roles})` };
  return { told, nobody: `nobody who may give "${step.name}" can be e-mailed: ${leftOut.join('; ')}` };
}

export type AdvanceCandidate = { id: string; name: string; unmet: string[] };

export type Advance =
  | { kind: 'take'; transition: Transition; gates: GateResult[]; exceptions: string[] }
  | { kind: 'hold'; reason: string; transitions: AdvanceCandidate[] };

const stateName = (t: ProcessTemplate, id: string): string => t.states.find((x) => x.id === id)?.name ?? id;

/**
 * The transition an approval just given moves the release along when its
 * approver asks to advance: the one transition from the current state that a
 * gate on this approval step guards, every condition of which now holds and
 * which the approver may take. Otherwise it is held, saying why — every unmet
 * condition of each such transition, or the transitions to choose from.
 * `s` is the release with the approval already counted; the approval's
 * comment is the transition's comment.
 */
export function advanceAfterApproval(
  t: ProcessTemplate,
  s: ReleaseSnapshot,
  roles: readonly string[],
  stepId: string,
  comment: string,
): Advance {
  const step = t.approvals.find((a) => a.id === stepId);
  const guards = new Set(t.gates.filter((g) => 'approval' in g.check && g.check.approval === stepId).map((g) => g.id));
  const candidates = workflowOf(t, s.type).transitions.filter((tr) => tr.from.includes(s.state) && tr.gates.some((g) => guards.has(g)));
  const here = stateName(t, s.state);
  if (candidates.length === 0) {
    return { kind: 'hold', reason: `no transition from ${here} waits for "${step?.name ?? stepId}"`, transitions: [] };
  }
  const checks = candidates.map((tr) => ({ tr, check: checkTransition(t, s, roles, tr.id, comment) }));
  const ready = checks.flatMap((c) => (c.check.kind === 'ok' ? [{ ...c, check: c.check }] : []));
  if (ready.length > 1) {
    return {
      kind: 'hold',
      reason: `"${step?.name ?? stepId}" completes several transitions from ${here}: ${ready.map((c) => c.tr.id).join(', ')}; take one of them yourself`,
      transitions: ready.map((c) => ({ id: c.tr.id, name: c.tr.name, unmet: [] })),
    };
  }
  const only = ready[0];
  if (only) return { kind: 'take', transition: only.tr, gates: only.check.gates, exceptions: only.check.exceptions };
  const transitions = checks.map(({ tr, check }) => ({
    id: tr.id,
    name: tr.name,
    unmet:
      check.kind === 'forbidden'
        ? [`"${tr.name}" is for ${check.allowedRoles.join(', ')}; you hold none of these roles`]
        : check.kind === 'refused'
          ? check.unmet
          : [check.kind === 'unknown' ? check.message : ''],
  }));
  const names = transitions.map((c) => `"${c.name}"`).join(' or ');
  return { kind: 'hold', reason: `${names} cannot be taken now`, transitions };
}
