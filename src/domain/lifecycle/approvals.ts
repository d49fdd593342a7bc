import type { ApprovalStep } from '../template/lifecycle-schema.js';
import type { ProcessTemplate } from '../template/schema.js';
import { activeApprovals, type ReleaseSnapshot } from './snapshot.js';
import { workflowOf } from './transitions.js';

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
