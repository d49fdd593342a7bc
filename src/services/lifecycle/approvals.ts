import { randomUUID } from 'node:crypto';
import { mailCc, mailRecipients } from '../../db/repositories/mail-outbox.js';
import {
  approvalAttestations,
  insertApproval,
  insertApprovalRequest,
  loadLifecycleRows,
  voidApprovals,
} from '../../db/repositories/lifecycle.js';
import type { ApprovalTable } from '../../db/schema.js';
import type { AuditEvent } from '../../domain/audit/catalogue.js';
import type { ApprovalRequestAuditView, RequestMail } from '../../domain/audit/lifecycle.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../domain/errors.js';
import {
  advanceAfterApproval,
  approvalStepsOf,
  approversToTell,
  checkApprovalDecision,
  DEFAULT_REQUEST_MAIL,
  requesterOf,
  requestMailOf,
  type AdvanceCandidate,
} from '../../domain/lifecycle/approvals.js';
import { activeApprovals } from '../../domain/lifecycle/snapshot.js';
import { workflowOf } from '../../domain/lifecycle/transitions.js';
import type { ApprovalStep } from '../../domain/template/lifecycle-schema.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { usersHoldingRoles } from '../mail/recipients.js';
import { displayNameOf, queueFollowUpMail, queueReleaseMailUnaudited, type FollowUpMail } from '../mail/release-mail.js';
import type { Audited, WriteTx } from '../write.js';
import { lockedReleaseWrite, type LockedRelease, type LockedWrite } from './release-lock.js';
import { toSnapshot, toSnapshotApproval } from './snapshot.js';
import { recordStateChange, takeTransition } from './transitions.js';
import { approvalView, transitionView, type ApprovalView, type TransitionView } from './views.js';

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

export async function listApprovals(deps: ServiceDeps, ref: ReleaseRef): Promise<ApprovalStepView[]> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, ref.name);
  const template = await deps.templates.byId(db, r.template_version_id);
  const rows = await loadLifecycleRows(db, r.id);
  const snap = toSnapshot(r, rows);
  return approvalStepsOf(template, r.type).map((step) => {
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

export type { RequestMail };

export type ApprovalRequestView = ApprovalRequestAuditView;

/** The `relman` arguments that name the release: `--app` first when it is not in the default application. */
const cliRelease = (l: LockedRelease, command: string): string =>
  `relman ${l.ctx.app.is_default === 1 ? '' : `--app ${l.ctx.app.key} `}release ${command} ${l.release.name}`;

/**
 * Queues the mail telling the people who may give the approval that it was
 * requested: the step's mail template, addressed to them. When nobody can be
 * told, no mail is queued and the answer says why.
 */
async function tellApprovers(deps: ServiceDeps, l: LockedWrite, actor: Actor, step: ApprovalStep, comment: string): Promise<RequestMail> {
  const template = requestMailOf(l.template, step);
  if (template === null) {
    const reason = `the process template names no mail for requests of "${step.name}" (notifyOnRequest on the step, or a mail template "${DEFAULT_REQUEST_MAIL}")`;
    return { queued: false, template, reason };
  }
  const holders = await usersHoldingRoles(l.db, step.roles);
  const pick = approversToTell(l.template, l.snapshot, step, actor.username, holders);
  if (pick.nobody !== null) return { queued: false, template, reason: pick.nobody };
  const row = await queueReleaseMailUnaudited(deps, l, actor, {
    template,
    cause: `approval.request.${step.id}`,
    extraTo: pick.told.map((p) => p.email),
    values: {
      'approval.name': step.name,
      'approval.roles': step.roles.map((r) => l.template.roles.find((x) => x.id === r)?.name ?? r).join(', '),
      'approval.requestedBy': await displayNameOf(l, actor.username),
      'approval.comment': comment,
      'approval.attestations': step.attestations.map((a) => `- ${a.text} (--attest ${a.id})`).join('\n'),
      'approval.command': `${cliRelease(l, 'approve')} ${step.id}`,
      'approval.rejectCommand': `${cliRelease(l, 'reject')} ${step.id} --comment "why"`,
    },
  });
  return {
    queued: true,
    template,
    mailId: row.id,
    messageId: row.message_id,
    to: mailRecipients.decode(row.recipients),
    cc: mailCc.decode(row.cc),
  };
}

/**
 * Asks for an approval and e-mails the people who may give it (P15). The
 * request stands even when nobody can be e-mailed; the answer then says why.
 */
export async function requestApproval(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: { step: string; comment?: string | undefined },
): Promise<ApprovalRequestView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    // Whoever requests becomes the person who may not decide (separation of
    // duties), so asking is reserved for the people who run the release.
    requireAppAction(l.template, actor, 'release.update');
    const steps = approvalStepsOf(l.template, l.release.type);
    const step = steps.find((a) => a.id === input.step);
    if (!step) {
      const message = `"${input.step}" is not an approval step of a ${l.release.type} release; one of: ${steps.map((a) => a.id).join(', ')}`;
      throw new ValidationError(message, [{ path: 'step', message }]);
    }
    const at = deps.clock().toISOString();
    const comment = input.comment ?? '';
    await insertApprovalRequest(l.db, {
      id: randomUUID(),
      release_id: l.release.id,
      step: step.id,
      requested_by: actor.username,
      requested_at: at,
      comment,
      voided_at: null,
      void_reason: null,
    });
    const mail = await tellApprovers(deps, l, actor, step, comment);
    const after = { step: step.id, requestedBy: actor.username, requestedAt: at, mail };
    return l.tx.audit({ action: 'approval.request', subjectType: 'release', subjectId: l.subject, after }, after);
  });
}

/**
 * Where a rejection sends the release: the step's onReject state, but only
 * from a state around a transition that the step's approval guards (a
 * rejection must not move a draft forward past gates, nor a deployed release
 * back to packaging), and only to a state the release's own workflow leads on
 * from (an expedited release has no in-at, and would be stranded there).
 */
function rejectionTarget(t: ProcessTemplate, releaseType: string, state: string, step: ApprovalStep): string | null {
  const back = step.onReject?.to;
  if (back === undefined || back === state) return null;
  const workflow = workflowOf(t, releaseType);
  const guards = new Set(t.gates.filter((g) => 'approval' in g.check && g.check.approval === step.id).map((g) => g.id));
  const guarded = workflow.transitions.filter((tr) => tr.gates.some((g) => guards.has(g)));
  const around = guarded.some((tr) => tr.from.includes(state) || tr.to === state);
  const wayOut = workflow.transitions.some((tr) => tr.from.includes(back));
  return around && wayOut ? back : null;
}

export type DecisionInput = {
  step: string;
  decision: 'approve' | 'reject';
  comment?: string | undefined;
  attestations?: string[] | undefined;
  expectedVersion?: number | undefined;
  /** After approving, take the transition the approval completes, if it now can be taken. */
  advance?: boolean | undefined;
};

/** What became of an approver's request to advance: the transition taken, or why not. */
export type AdvanceView = { taken: true; transition: TransitionView } | { taken: false; reason: string; transitions: AdvanceCandidate[] };

export type DecisionView = ApprovalView & { advance?: AdvanceView };

/** Records the events in their order; the last one produces the write's result. */
function auditEach<T>(tx: WriteTx, events: readonly [AuditEvent, ...AuditEvent[]], result: T): Audited<T> {
  for (const e of events.slice(0, -1)) tx.audit(e);
  return tx.audit(events[events.length - 1] as AuditEvent, result);
}

/**
 * Approves or rejects an approval step. A rejection voids the step's approvals
 * and sends the release where the template says. An approval with `advance`
 * then takes, in the same transaction, the one transition from the current
 * state that it completes; when that cannot be taken, the approval still
 * stands and the answer says why the release did not move.
 */
export async function decideApproval(deps: ServiceDeps, actor: Actor, ref: ReleaseRef, input: DecisionInput): Promise<DecisionView> {
  if (input.advance === true && input.decision !== 'approve') {
    const message = 'only an approval can advance the release; a rejection sends it where the template says';
    throw new ValidationError(message, [{ path: 'advance', message }]);
  }
  return lockedReleaseWrite(deps, actor, ref, { expectedVersion: input.expectedVersion }, async (l) => {
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
      attestations: approvalAttestations.encode(attestations),
      decided_by: actor.username,
      decided_at: at,
      voided_at: null,
      void_reason: null,
    };
    await insertApproval(l.db, row);
    const view = approvalView(row);
    // P15: the mails the step sends once approved (e.g. the CMC's sign-off confirmation), in this transaction.
    const mails: FollowUpMail[] = [];
    if (decision === 'approved') {
      const attested = check.step.attestations.filter((a) => attestations.includes(a.id)).map((a) => `- ${a.text}`);
      for (const template of check.step.notify) {
        mails.push(
          await queueFollowUpMail(deps, l, actor, {
            template,
            cause: `approval.${check.step.id}`,
            values: {
              'approval.by': await displayNameOf(l, actor.username),
              'approval.comment': comment,
              'approval.attestations': attested.join('\n'),
            },
          }),
        );
      }
    }
    const after = mails.length > 0 ? { ...view, mails } : view;
    const events: [AuditEvent, ...AuditEvent[]] = [
      decision === 'approved'
        ? { action: 'approval.approve', subjectType: 'release', subjectId: l.subject, after }
        : { action: 'approval.reject', subjectType: 'release', subjectId: l.subject, after },
    ];
    const back = decision === 'rejected' ? rejectionTarget(l.template, l.release.type, l.release.state, check.step) : null;
    if (back !== null) {
      const evidence = { gates: [], exceptions: [] };
      const sent = await recordStateChange(deps, l, { transition: `reject:${check.step.id}`, to: back, comment, evidence });
      events.push(sent.event);
    }
    if (input.advance !== true) return auditEach(l.tx, events, view);
    const counted = { ...l.snapshot, approvals: [...l.snapshot.approvals, toSnapshotApproval(row)] };
    const next = advanceAfterApproval(l.template, counted, actor.roles, check.step.id, comment);
    if (next.kind === 'hold') {
      return auditEach(l.tx, events, { ...view, advance: { taken: false, reason: next.reason, transitions: next.transitions } });
    }
    const taken = await takeTransition(deps, l, next, comment);
    events.push(taken.event);
    return auditEach(l.tx, events, { ...view, advance: { taken: true, transition: transitionView(taken.row) } });
  });
}
