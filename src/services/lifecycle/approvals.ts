import { randomUUID } from 'node:crypto';
import { loadLifecycleRows, voidApprovals } from '../../db/repositories/lifecycle.js';
import type { ApprovalTable } from '../../db/schema.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { checkApprovalDecision, requesterOf } from '../../domain/lifecycle/approvals.js';
import { activeApprovals } from '../../domain/lifecycle/snapshot.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import { appendAudit } from '../audit.js';
import type { ServiceDeps } from '../deps.js';
import { loadRelease } from '../releases.js';
import { withLockedRelease } from './release-lock.js';
import { toSnapshot } from './snapshot.js';
import { recordStateChange } from './transitions.js';
import { approvalView, type ApprovalView } from './views.js';

export type ApprovalStepView = {
  step: string;
  name: string;
  roles: string[];
  required: number;
  approvedBy: string[];
  satisfied: boolean;
  requester: string;
  attestations: { id: string; text: string }[];
  decisions: ApprovalView[];
};

export async function listApprovals(deps: ServiceDeps, app: string | undefined, name: string): Promise<ApprovalStepView[]> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const r = await loadRelease(db, ctx, name);
  const template = await deps.templates.byId(db, r.template_version_id);
  const rows = await loadLifecycleRows(db, r.id);
  const snap = toSnapshot(r, rows);
  return template.approvals.map((step) => {
    const approvedBy = [...new Set(activeApprovals(snap, step.id).map((a) => a.by))];
    return {
      step: step.id,
      name: step.name,
      roles: step.roles,
      required: step.required,
      approvedBy,
      satisfied: approvedBy.length >= step.required,
      requester: requesterOf(snap, step.id),
      attestations: step.attestations,
      decisions: rows.approvals.filter((a) => a.step === step.id).map(approvalView),
    };
  });
}

export async function requestApproval(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  name: string,
  input: { step: string; comment?: string | undefined },
): Promise<{ step: string; requestedBy: string; requestedAt: string }> {
  return withLockedRelease(deps, app, name, {}, async (l) => {
    const step = l.template.approvals.find((a) => a.id === input.step);
    if (!step) throw new NotFoundError('approval step', input.step);
    const at = deps.clock().toISOString();
    await l.db
      .insertInto('approval_requests')
      .values({
        id: randomUUID(),
        release_id: l.release.id,
        step: step.id,
        requested_by: actor.username,
        requested_at: at,
        comment: input.comment ?? '',
        voided_at: null,
        void_reason: null,
      })
      .execute();
    const after = { step: step.id, requestedBy: actor.username, requestedAt: at };
    await appendAudit(l.db, { actor, at: deps.clock(), action: 'approval.request', subjectType: 'release', subjectId: l.subject, after });
    return after;
  });
}

export type DecisionInput = {
  step: string;
  decision: 'approve' | 'reject';
  comment?: string | undefined;
  attestations?: string[] | undefined;
  expectedVersion?: number | undefined;
};

/**
 * Approves or rejects an approval step. A rejection voids the step's approvals
 * and sends the release where the template says.
 */
export async function decideApproval(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  name: string,
  input: DecisionInput,
): Promise<ApprovalView> {
  return withLockedRelease(deps, app, name, { expectedVersion: input.expectedVersion }, async (l) => {
    const decision = input.decision === 'approve' ? 'approved' : 'rejected';
    const comment = input.comment ?? '';
    const attestations = input.attestations ?? [];
    const check = checkApprovalDecision(l.template, l.snapshot, input.step, {
      username: actor.username,
      roles: actor.roles,
      decision,
      comment,
      attestations,
    });
    if (check.kind === 'unknown') throw new ValidationError(check.message, [{ path: 'step', message: check.message }]);
    if (check.kind === 'forbidden') throw new ForbiddenError(`approval ${input.step}`, check.allowedRoles);
    if (check.kind === 'refused') throw new ConflictError(check.problems.join('; '), 'approval-refused');
    const at = deps.clock().toISOString();
    if (decision === 'rejected') await voidApprovals(l.db, l.release.id, [check.step.id], `rejected by ${actor.username}: ${comment}`, at);
    const row: ApprovalTable = {
      id: randomUUID(),
      release_id: l.release.id,
      step: check.step.id,
      decision,
      comment,
      attestations: JSON.stringify(attestations),
      decided_by: actor.username,
      decided_at: at,
      voided_at: null,
      void_reason: null,
    };
    await l.db.insertInto('approvals').values(row).execute();
    const view = approvalView(row);
    await appendAudit(l.db, {
      actor,
      at: deps.clock(),
      action: decision === 'approved' ? 'approval.approve' : 'approval.reject',
      subjectType: 'release',
      subjectId: l.subject,
      after: view,
    });
    const back = check.step.onReject?.to;
    if (decision === 'rejected' && back !== undefined && back !== l.release.state) {
      await recordStateChange(deps, l, actor, `reject:${check.step.id}`, back, comment, { gates: [], exceptions: [] });
    }
    return view;
  });
}
