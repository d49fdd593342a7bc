import { isTerminalState } from '../release-rules.js';
import type { ProcessTemplate } from '../template/schema.js';
import { approvalStepsOf, requesterOf } from './approvals.js';
import { activeApprovals, type ReleaseSnapshot } from './snapshot.js';
import { workflowOf } from './transitions.js';

export type WaitingApproval = { step: string; stepName: string; roles: string[]; requestedBy: string | null; requestedAt: string | null };

/**
 * The approval steps of a release that wait for this person: a role they hold
 * may give it, it is not yet satisfied, they have not approved it already and
 * separation of duties lets them decide it. A step waits once it was asked for
 * (an open request) or when it guards a transition out of the current state.
 */
export function approvalsWaitingFor(
  t: ProcessTemplate,
  s: ReleaseSnapshot,
  person: { username: string; roles: readonly string[] },
): WaitingApproval[] {
  if (isTerminalState(t, s.state)) return [];
  const gatesHere = new Set(
    workflowOf(t, s.type)
      .transitions.filter((tr) => tr.from.includes(s.state))
      .flatMap((tr) => tr.gates),
  );
  const stepsHere = new Set(t.gates.filter((g) => gatesHere.has(g.id)).flatMap((g) => ('approval' in g.check ? [g.check.approval] : [])));
  const out: WaitingApproval[] = [];
  for (const step of approvalStepsOf(t, s.type)) {
    if (!step.roles.some((r) => person.roles.includes(r))) continue;
    const approvers = new Set(activeApprovals(s, step.id).map((a) => a.by));
    if (approvers.size >= step.required || approvers.has(person.username)) continue;
    if (!step.allowRequester && requesterOf(s, step.id) === person.username) continue;
    const request = s.approvalRequests
      .filter((r) => r.step === step.id && !r.voided)
      .reduce<{ by: string; at: string } | null>((latest, r) => (latest === null || r.at >= latest.at ? r : latest), null);
    if (request === null && !stepsHere.has(step.id)) continue;
    out.push({ step: step.id, stepName: step.name, roles: step.roles, requestedBy: request?.by ?? null, requestedAt: request?.at ?? null });
  }
  return out;
}
