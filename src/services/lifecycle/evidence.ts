import { randomUUID } from 'node:crypto';
import {
  insertIssue,
  insertNotification,
  insertPackageVersion,
  insertStepRecord,
  insertTestAttempt,
  reportHelpdeskRefs,
  reportParts,
  saveReport,
  testAttemptPackages,
  updateIssue,
} from '../../db/repositories/lifecycle.js';
import type {
  ReleaseIssueTable,
  ReleaseNotificationTable,
  ReleasePackageTable,
  StepRecordTable,
  TestAttemptTable,
} from '../../db/schema.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { stepsVoidedBy } from '../../domain/lifecycle/approvals.js';
import { helpdeskRefProblems } from '../../domain/lifecycle/report-refs.js';
import { MANUAL_NOTICE_MEANS } from '../../domain/lifecycle/notifications.js';
import { currentPackage, currentPackageVersions } from '../../domain/lifecycle/snapshot.js';
import { testAttemptProblems } from '../../domain/lifecycle/testing.js';
import type { Actor } from '../actor.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import type { ReleaseRef } from '../release-lookup.js';
import { itemByKey } from '../work-item-key.js';
import { keyOfItem } from '../work-item-view.js';
import { lockedReleaseWrite, type LockedWrite } from './release-lock.js';
import { refuseVoidingChange } from './voiding.js';
import { issueView, notificationView, packageView, reportView, stepRecordView, testAttemptView } from './views.js';
import type { IssueView, NotificationView, PackageView, ReportView, StepRecordView, TestAttemptView } from './views.js';

/**
 * Records a new package version for a channel (the file itself is stored by
 * the package store). Approvals that a new package voids are voided.
 */
export async function recordPackage(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: { channel: string; label: string },
): Promise<PackageView & { voidedApprovals: number }> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'package.record');
    const state = l.template.states.find((s) => s.id === l.release.state);
    if (state?.locksPackages) {
      throw new ConflictError(
        `release ${ref.name} is ${state.name}: its packages are frozen; take it back to packaging first to record a new version`,
        'packages-locked',
      );
    }
    if (!l.snapshot.channels.includes(input.channel)) {
      throw new ValidationError('the release does not carry that channel', [
        { path: 'channel', message: `"${input.channel}" is not one of this release's channels: ${l.snapshot.channels.join(', ')}` },
      ]);
    }
    const at = deps.clock().toISOString();
    refuseVoidingChange(l.template, l.snapshot, { kind: 'package', channel: input.channel, at, by: actor.username });
    const row: ReleasePackageTable = {
      id: randomUUID(),
      release_id: l.release.id,
      channel: input.channel,
      version: (currentPackage(l.snapshot, input.channel)?.version ?? 0) + 1,
      label: input.label,
      created_by: actor.username,
      created_at: at,
      file_name: null,
      kind: null,
      size: null,
      sha256: null,
      manifest: null,
      item_set: null,
    };
    const voided = await insertPackageVersion(l.db, row, stepsVoidedBy(l.template, 'package'));
    const view = { ...packageView(row), voidedApprovals: voided };
    return l.tx.audit({ action: 'package.record', subjectType: 'release', subjectId: l.subject, after: view }, view);
  });
}

export type TestInput = {
  item: string;
  environment: string;
  result: 'passed' | 'failed';
  cause?: string | null | undefined;
  notes?: string | undefined;
};

/** Records one test attempt of an item in an environment (P8); every attempt is kept. */
export async function recordTestAttempt(deps: ServiceDeps, actor: Actor, ref: ReleaseRef, input: TestInput): Promise<TestAttemptView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'test.record');
    const item = await itemByKey(l.db, l.ctx.app.id, input.item);
    const cause = input.cause ?? null;
    const problems = testAttemptProblems(l.template, l.snapshot, {
      itemId: item.id,
      environment: input.environment,
      result: input.result,
      cause,
    });
    if (problems.length > 0) throw new ValidationError('the test attempt cannot be recorded', problems);
    const row: TestAttemptTable = {
      id: randomUUID(),
      release_id: l.release.id,
      item_id: item.id,
      environment: input.environment,
      result: input.result,
      cause,
      notes: input.notes ?? '',
      packages: testAttemptPackages.encode(currentPackageVersions(l.snapshot)),
      recorded_by: actor.username,
      recorded_at: deps.clock().toISOString(),
    };
    await insertTestAttempt(l.db, row);
    const view = testAttemptView(row, keyOfItem(item));
    return l.tx.audit({ action: 'test.record', subjectType: 'release', subjectId: l.subject, after: view }, view);
  });
}

export async function raiseIssue(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: { category: string; title: string; description?: string | undefined },
): Promise<IssueView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'issue.raise');
    if (!l.template.issueCategories.some((c) => c.id === input.category)) {
      const ids = l.template.issueCategories.map((c) => c.id).join(', ');
      throw new ValidationError('unknown issue category', [{ path: 'category', message: `"${input.category}"; one of: ${ids}` }]);
    }
    const row: ReleaseIssueTable = {
      id: randomUUID(),
      release_id: l.release.id,
      number: l.rows.issues.reduce((m, i) => Math.max(m, i.number), 0) + 1,
      category: input.category,
      title: input.title,
      description: input.description ?? '',
      status: 'open',
      resolution: null,
      raised_by: actor.username,
      raised_at: deps.clock().toISOString(),
      resolved_by: null,
      resolved_at: null,
    };
    await insertIssue(l.db, row);
    const view = issueView(row);
    return l.tx.audit({ action: 'issue.raise', subjectType: 'release', subjectId: l.subject, after: view }, view);
  });
}

/** Resolves an issue, or closes it as won't fix — which needs a reason. */
export async function resolveIssue(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  number: number,
  input: { status: 'resolved' | 'wont-fix' | 'open'; resolution?: string | undefined },
): Promise<IssueView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'issue.resolve');
    const row = l.rows.issues.find((i) => i.number === number);
    if (!row) throw new NotFoundError('issue', `${ref.name}#${number}`);
    const resolution = (input.resolution ?? '').trim();
    if (input.status === 'wont-fix' && resolution === '') {
      throw new ValidationError('a reason is required', [{ path: 'resolution', message: "closing an issue as won't fix needs a reason" }]);
    }
    if (row.status === input.status) throw new ConflictError(`issue #${number} is already ${input.status}`, 'issue-unchanged');
    const at = deps.clock().toISOString();
    const reopened = input.status === 'open';
    const patch = {
      status: input.status,
      resolution: reopened ? null : resolution || null,
      resolved_by: reopened ? null : actor.username,
      resolved_at: reopened ? null : at,
    };
    await updateIssue(l.db, row.id, patch);
    const after = issueView({ ...row, ...patch });
    return l.tx.audit({ action: 'issue.resolve', subjectType: 'release', subjectId: l.subject, before: issueView(row), after }, after);
  });
}

/**
 * Records, by hand, a notice to an external system made outside relman — by
 * phone, in a meeting or otherwise — with a note saying how and to whom
 * (gate 2). An e-mail counts only when relman sends it (`mail send
 * --template external-notice`) and the mail server accepts the system's
 * address.
 */
export async function recordNotification(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: { system: string; means: string; note: string },
): Promise<NotificationView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    requireAppAction(l.template, actor, 'notification.record');
    const problems = [];
    const system = l.template.externalSystems.find((s) => s.id === input.system);
    if (!system) {
      const ids = l.template.externalSystems.map((s) => s.id).join(', ');
      problems.push({ path: 'system', message: `"${input.system}"; one of: ${ids}` });
    }
    if (!(MANUAL_NOTICE_MEANS as readonly string[]).includes(input.means)) {
      problems.push({
        path: 'means',
        message: `how the notice was made: one of ${MANUAL_NOTICE_MEANS.join(', ')} (an e-mail counts when relman sends it: mail send --template … --system …)`,
      });
    }
    const note = input.note.trim();
    if (note === '') problems.push({ path: 'note', message: 'say who was told, and what' });
    if (problems.length > 0) throw new ValidationError('the notice cannot be recorded', problems);
    const row: ReleaseNotificationTable = {
      id: randomUUID(),
      release_id: l.release.id,
      system: input.system,
      note,
      recorded_by: actor.username,
      recorded_at: deps.clock().toISOString(),
      means: input.means,
      status: 'notified',
      mail_id: null,
      message_id: null,
      addresses: null,
      accepted: null,
      outcome: null,
      settled_at: null,
    };
    await insertNotification(l.db, row);
    const view = notificationView(row, system?.name);
    return l.tx.audit({ action: 'notification.record', subjectType: 'release', subjectId: l.subject, after: view }, view);
  });
}

/** Writes (or rewrites) a report such as the Emergency Release Report; the audit keeps every version. */
export async function writeReport(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  reportId: string,
  input: { parts: Record<string, string>; helpdeskRefs?: string[] | undefined },
): Promise<ReportView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    const def = l.template.reports.find((r) => r.id === reportId);
    if (!def)
      throw new NotFoundError(
        'report',
        reportId,
        l.template.reports.map((r) => r.id),
      );
    if (!def.roles.some((r) => actor.roles.includes(r))) throw new ForbiddenError(`report ${reportId}`, def.roles);
    const unknown = Object.keys(input.parts).filter((p) => !def.parts.some((x) => x.id === p));
    if (unknown.length > 0) {
      throw new ValidationError(
        'unknown report parts',
        unknown.map((p) => ({
          path: `parts.${p}`,
          message: `not a part of the ${def.name}; parts: ${def.parts.map((x) => x.id).join(', ')}`,
        })),
      );
    }
    const refs = (input.helpdeskRefs ?? []).map((r) => r.trim());
    const refProblems = helpdeskRefProblems(def, ref.name, l.snapshot.items, refs);
    if (refProblems.length > 0) {
      throw new ValidationError(
        `the ${def.name} cites help-desk references that do not qualify`,
        refProblems.map((p) => ({ path: `helpdeskRefs[${p.index}]`, message: p.message })),
      );
    }
    const existing = l.rows.reports.find((r) => r.report === reportId);
    const row = {
      id: existing?.id ?? randomUUID(),
      release_id: l.release.id,
      report: reportId,
      parts: reportParts.encode(input.parts),
      helpdesk_refs: reportHelpdeskRefs.encode(refs),
      written_by: actor.username,
      written_at: deps.clock().toISOString(),
    };
    await saveReport(l.db, row, existing !== undefined);
    const view = reportView(row);
    const before = existing ? reportView(existing) : undefined;
    return l.tx.audit({ action: 'report.write', subjectType: 'release', subjectId: l.subject, before, after: view }, view);
  });
}

/** Records a per-channel step (P10); only the roles the template names for that channel may. */
export async function recordStep(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: { step: string; channel: string; note?: string | undefined },
): Promise<StepRecordView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    const view = await recordStepWithin(deps, l, actor, input);
    return l.tx.unaudited(view, 'recordStepWithin recorded the step.record event');
  });
}

/** The same, inside a write that already holds the release (a deployment step marked done records its lifecycle steps). */
export async function recordStepWithin(
  deps: ServiceDeps,
  l: LockedWrite,
  actor: Actor,
  input: { step: string; channel: string; note?: string | undefined },
): Promise<StepRecordView> {
  const ref = { name: l.release.name };
  const step = l.template.steps.find((s) => s.id === input.step);
  if (!step)
    throw new NotFoundError(
      'step',
      input.step,
      l.template.steps.map((s) => s.id),
    );
  if (!l.snapshot.channels.includes(input.channel) || !Object.hasOwn(step.roles, input.channel)) {
    throw new ValidationError('the step does not apply to that channel', [
      {
        path: 'channel',
        message: `"${step.name}" is recorded per channel for: ${Object.keys(step.roles)
          .filter((c) => l.snapshot.channels.includes(c))
          .join(', ')}`,
      },
    ]);
  }
  const roles = step.roles[input.channel] ?? [];
  if (!roles.some((r) => actor.roles.includes(r))) throw new ForbiddenError(`step ${step.id} (${input.channel})`, roles);
  let version: number | null = null;
  if (step.scope === 'package') {
    const pkg = currentPackage(l.snapshot, input.channel);
    if (!pkg) throw new ConflictError(`no ${input.channel} package has been recorded for ${ref.name}`, 'no-package');
    version = pkg.version;
  }
  const row: StepRecordTable = {
    id: randomUUID(),
    release_id: l.release.id,
    step: step.id,
    channel: input.channel,
    package_version: version,
    note: input.note ?? '',
    recorded_by: actor.username,
    recorded_at: deps.clock().toISOString(),
  };
  await insertStepRecord(l.db, row);
  const view = stepRecordView(row);
  l.tx.audit({ action: 'step.record', subjectType: 'release', subjectId: l.subject, after: view });
  return view;
}
