import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { decideApproval, listApprovals, requestApproval } from '../../src/services/lifecycle/approvals.js';
import { recordStep, writeReport } from '../../src/services/lifecycle/evidence.js';
import { releaseGates, releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { userWith } from '../support/harness.js';
import { startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { auditEvents, lastAuditSeq, rejectsWith, type ManualClock } from '../support/service-fixtures.js';

const GO_AHEAD = 'Go-ahead to install in acceptance test';

describe.each(dialects)('approvals ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew;
  crewPerTest(name, (b) => ({ deps, clock, crew } = b));

  const step = async (f: Flow, id: string) => (await listApprovals(deps, { name: f.name })).find((a) => a.step === id);
  const decide = (f: Flow, who: Crew[keyof Crew], decision: 'approve' | 'reject', stepId = 'at-go-ahead', comment?: string) =>
    decideApproval(deps, who, { name: f.name }, { step: stepId, decision, comment });
  /** Refused with approval-refused, and nothing written. */
  async function refused(decision: () => Promise<unknown>): Promise<string> {
    const seq = await lastAuditSeq(deps);
    const err = await rejectsWith(decision(), ConflictError);
    expect(err.code).toBe('approval-refused');
    expect(await lastAuditSeq(deps)).toBe(seq);
    return err.message;
  }

  it('lists the approval steps of the release type’s workflow with roles, requirement and attestations', async () => {
    const f = await startFlow(deps, clock, crew);
    const steps = await listApprovals(deps, { name: f.name });
    expect(steps.map((s) => [s.step, s.roles, s.required, s.requester, s.satisfied])).toEqual([
      ['at-go-ahead', ['cmc'], 1, 'terry', false],
      ['at-signoff', ['cmc'], 1, 'terry', false],
      ['production-approval', ['cmc'], 1, 'terry', false],
      ['final-signoff', ['cmc'], 1, 'terry', false],
    ]);
    expect(steps[3]?.attestations.map((a) => a.id)).toEqual(['requirements-addressed', 'implementation-succeeded']);
    const emergency = await startFlow(deps, clock, crew, { type: 'emergency' });
    expect((await listApprovals(deps, { name: emergency.name })).map((s) => s.step)).toEqual(['emergency-approval', 'final-signoff']);
  });

  it('the release creator is the default requester and may not approve; another coordinator may', async () => {
    const f = await startFlow(deps, clock, crew, { creator: 'cmc' });
    await f.toPackageVerified();
    expect((await step(f, 'at-go-ahead'))?.requester).toBe('carol');
    // Nobody asked: the refusal says she created the release, not that she requested the approval.
    expect(await refused(() => decide(f, crew.cmc, 'approve'))).toBe(
      `separation of duties: carol created ${f.name} and may not decide "${GO_AHEAD}"`,
    );
    const given = await f.approve('at-go-ahead', crew.cmc2);
    expect(given).toMatchObject({ step: 'at-go-ahead', decision: 'approved', decidedBy: 'chris', voided: false });
    expect(await step(f, 'at-go-ahead')).toMatchObject({ approvedBy: ['chris'], satisfied: true });
  });

  it('whoever requested the approval may not give it; nobody approves twice', async () => {
    const f = await startFlow(deps, clock, crew);
    await f.toPackageVerified();
    const req = await f.request('at-go-ahead', crew.cmc2);
    expect(req).toMatchObject({
      step: 'at-go-ahead',
      requestedBy: 'chris',
      requestedAt: clock.now().toISOString(),
      mail: { queued: false },
    });
    expect((await step(f, 'at-go-ahead'))?.requester).toBe('chris');
    expect(await refused(() => decide(f, crew.cmc2, 'approve'))).toBe(
      `separation of duties: chris requested "${GO_AHEAD}" and may not decide it`,
    );
    await f.approve('at-go-ahead', crew.cmc);
    expect(await refused(() => decide(f, crew.cmc, 'approve'))).toBe(`carol has already approved "${GO_AHEAD}"`);
    const third = (await userWith(deps, ['cmc'], 'cleo')).actor;
    expect(await refused(() => decide(f, third, 'approve'))).toBe(`"${GO_AHEAD}" is already approved`);
    // The requester is still named in a refusal that has another reason too.
    expect(await refused(() => decide(f, crew.cmc2, 'approve'))).toBe(
      `separation of duties: chris requested "${GO_AHEAD}" and may not decide it; "${GO_AHEAD}" is already approved`,
    );
    const s = await step(f, 'at-go-ahead');
    expect(s?.decisions.map((d) => [d.decidedBy, d.decision])).toEqual([['carol', 'approved']]);
  });

  it('only the roles of the step decide; an unknown step is a validation error', async () => {
    const f = await startFlow(deps, clock, crew);
    const forbidden = await rejectsWith(decide(f, crew.lead, 'approve'), ForbiddenError);
    expect(forbidden.allowedRoles).toEqual(['cmc']);
    const unknown = await rejectsWith(decide(f, crew.cmc, 'approve', 'go-live'), ValidationError);
    expect(unknown.message).toMatch(
      /^"go-live" is not an approval step\b.*; one of: at-go-ahead, at-signoff, production-approval, .*final-signoff$/,
    );
    expect(unknown.problems).toEqual([{ path: 'step', message: unknown.message }]);
    await rejectsWith(requestApproval(deps, crew.lead, { name: f.name }, { step: 'go-live' }), ValidationError);
    // Asking makes one the requester, who may then not decide: a viewer changes nothing.
    const viewer = await rejectsWith(requestApproval(deps, crew.viewer, { name: f.name }, { step: 'at-go-ahead' }), ForbiddenError);
    expect(viewer.allowedRoles).not.toContain('viewer');
    expect((await step(f, 'at-go-ahead'))?.requester).toBe('terry');
  });

  it('an unknown step or report is refused with the ids that exist', async () => {
    const f = await startFlow(deps, clock, crew);
    const step = await rejectsWith(recordStep(deps, crew.dev, { name: f.name }, { step: 'verify', channel: 'database' }), NotFoundError);
    expect(step.message).toBe('step "verify" does not exist; one of: verify-package, deploy, confirm-deployment, verify-application');
    const report = await rejectsWith(writeReport(deps, crew.lead, { name: f.name }, 'err', { parts: {} }), NotFoundError);
    expect(report.message).toBe('report "err" does not exist; one of: emergency-release-report');
  });

  it('a rejection sends the release back, records reject:<step> and voids the approvals of the step', async () => {
    const f = await startFlow(deps, clock, crew);
    await f.toPackageVerified();
    await f.approve('at-go-ahead', crew.cmc);
    expect(await refused(() => decide(f, crew.cmc2, 'reject', 'at-go-ahead', '  '))).toBe('a rejection needs a comment saying why');
    expect((await getRelease(deps, { name: f.name })).state).toBe('package-verified');

    const seq = await lastAuditSeq(deps);
    const version = (await getRelease(deps, { name: f.name })).version;
    const rejection = await f.reject('at-go-ahead', 'release notes missing', crew.cmc2);
    expect(rejection).toMatchObject({ decision: 'rejected', decidedBy: 'chris', comment: 'release notes missing', voided: false });
    const release = await getRelease(deps, { name: f.name });
    expect([release.state, release.version]).toEqual(['packaging', version + 1]);
    expect((await releaseHistory(deps, { name: f.name })).at(-1)).toMatchObject({
      transition: 'reject:at-go-ahead',
      from: 'package-verified',
      to: 'packaging',
      comment: 'release notes missing',
      performedBy: 'chris',
      evidence: { gates: [], exceptions: [] },
    });
    const s = await step(f, 'at-go-ahead');
    expect(s).toMatchObject({ approvedBy: [], satisfied: false });
    expect(s?.decisions.map((d) => [d.decidedBy, d.decision, d.voided, d.voidReason])).toEqual([
      ['carol', 'approved', true, 'rejected by chris: release notes missing'],
      ['chris', 'rejected', false, null],
    ]);
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['approval.reject', 'chris'],
      ['release.transition', 'chris'],
    ]);
    expect(events[1]?.after).toMatchObject({ state: 'packaging', transition: 'reject:at-go-ahead' });

    // Rejected again while already where the rejection sends it: recorded, no second move.
    await f.reject('at-go-ahead', 'still missing', crew.cmc, false);
    expect((await releaseHistory(deps, { name: f.name })).map((t) => t.transition)).toEqual([
      'start-packaging',
      'mark-package-verified',
      'reject:at-go-ahead',
    ]);
    // After the corrective action carol's (voided) approval no longer stands in her way.
    await f.transition(crew.dev, 'mark-package-verified');
    await f.approve('at-go-ahead', crew.cmc);
    await f.transition(crew.lead, 'install-in-at');
    expect((await getRelease(deps, { name: f.name })).state).toBe('in-at');
  });

  it('the final sign-off needs both attestations', async () => {
    const f = await startFlow(deps, clock, crew);
    const signoff = (attestations: string[]) =>
      decideApproval(deps, crew.cmc, { name: f.name }, { step: 'final-signoff', decision: 'approve', attestations });
    expect(await refused(() => signoff([]))).toBe(
      'confirm "The release addresses the signed-off requirements" (attestation requirements-addressed); ' +
        'confirm "The implementation succeeded" (attestation implementation-succeeded)',
    );
    expect(await refused(() => signoff(['requirements-addressed', 'budget-ok']))).toBe(
      'confirm "The implementation succeeded" (attestation implementation-succeeded); unknown attestation(s): budget-ok',
    );
    const ok = await signoff(['requirements-addressed', 'implementation-succeeded']);
    expect(ok.attestations).toEqual(['requirements-addressed', 'implementation-succeeded']);
    // Its voidOn is empty: a new package does not void it.
    await f.transition(crew.dev, 'start-packaging');
    expect((await f.pkg('database')).voidedApprovals).toBe(0);
    expect(await step(f, 'final-signoff')).toMatchObject({ approvedBy: ['carol'], satisfied: true });
  });

  it('a rejection neither moves a release forward past its gates nor pulls a deployment back to packaging', async () => {
    const f = await startFlow(deps, clock, crew);
    const seq = await lastAuditSeq(deps);
    // production-approval sends a release back to at-signed-off: for a draft that would skip packaging and AT.
    await f.reject('production-approval', 'not planned yet', crew.cmc, false);
    expect((await getRelease(deps, { name: f.name })).state).toBe('draft');
    expect((await auditEvents(deps, seq)).map((e) => e.action)).toEqual(['approval.reject']);

    await f.readyForProduction();
    await f.transition(crew.cmc, 'approve-for-production');
    await f.startDeployment();
    await f.reject('at-go-ahead', 'should not have gone ahead', crew.cmc2, false);
    expect((await getRelease(deps, { name: f.name })).state).toBe('deploying');
    expect((await releaseHistory(deps, { name: f.name })).map((t) => t.transition)).not.toContain('reject:at-go-ahead');
    // The recorded decision voided the step's approval all the same.
    expect(await step(f, 'at-go-ahead')).toMatchObject({ approvedBy: [], satisfied: false });
    // Before the deployment, a rejected production approval does send the release back.
    const g = await startFlow(deps, clock, crew);
    await g.readyForProduction();
    await g.transition(crew.cmc, 'approve-for-production');
    await g.reject('production-approval', 'CATS is down', crew.cmc2);
    expect((await releaseHistory(deps, { name: g.name })).at(-1)).toMatchObject({
      transition: 'reject:production-approval',
      from: 'approved-for-production',
      to: 'at-signed-off',
    });
  });

  it('a rejection never strands a release in a state its workflow has no way out of', async () => {
    // Expedited releases have no in-at state, where a rejected AT sign-off would send a scheduled one.
    const f = await startFlow(deps, clock, crew, { type: 'expedited' });
    await f.toPackageVerified();
    await f.approve('at-signoff', crew.cmc);
    await f.reject('at-signoff', 'regression found', crew.cmc2, false);
    const gates = await releaseGates(deps, crew.cmc, { name: f.name });
    expect(gates.state).toBe('package-verified');
    expect(gates.transitions.map((t) => t.id)).toEqual(['back-to-packaging', 'complete-testing', 'cancel']);
    expect((await step(f, 'at-signoff'))?.approvedBy).toEqual([]);
    expect((await releaseHistory(deps, { name: f.name })).map((t) => t.transition)).toEqual(['start-packaging', 'mark-package-verified']);
  });
});
