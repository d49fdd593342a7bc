import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import { verifyAudit } from '../../src/services/audit.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { decideApproval, listApprovals, requestApproval } from '../../src/services/lifecycle/approvals.js';
import { releaseEvidence } from '../../src/services/lifecycle/evidence-read.js';
import {
  raiseIssue,
  recordNotification,
  recordPackage,
  recordStep,
  recordTestAttempt,
  resolveIssue,
  writeReport,
} from '../../src/services/lifecycle/evidence.js';
import { performTransition, releaseGates, releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { FULL_REPORT, startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { auditEvents, lastAuditSeq, rejectsWith, type ManualClock } from '../support/service-fixtures.js';

type GateEvidence = { id: string; pass: boolean; reasons: string[]; evidence: { what: string; by: string; at: string }[] };
const gatesOf = (evidence: unknown) => (evidence as { gates: GateEvidence[]; exceptions: string[] }).gates;

describe.each(dialects)('scheduled release end to end ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew;
  crewPerTest(name, (b) => ({ deps, clock, crew } = b));

  it('reaches signed-off through the people the template names, with one audit event per write', async () => {
    const seq = await lastAuditSeq(deps);
    const f: Flow = await startFlow(deps, clock, crew);
    const [ir, smcr] = f.items as [string, string];

    await f.toInAt();
    // An issue found during AT, fixed by the developer; a failed attempt kept in the history.
    await f.test(ir, 'acceptance-test', 'failed', 'setup');
    const issue = await f.raise('at-issue', 'Totals wrong on the claims page');
    expect(issue).toMatchObject({ number: 1, status: 'open', raisedBy: 'sam' });
    for (const i of [ir, smcr]) await f.test(i, 'acceptance-test', 'passed');
    await f.resolve(1);
    await f.request('at-signoff', crew.lead);
    await f.approve('at-signoff');
    await f.transition(crew.cmc, 'complete-at');
    await f.notifyAll();
    await f.approve('production-approval', crew.cmc2);
    await f.transition(crew.cmc, 'approve-for-production');
    // The sign-off needs both attestations: one is not enough.
    const partial = await rejectsWith(
      decideApproval(
        deps,
        crew.cmc,
        { name: f.name },
        {
          step: 'final-signoff',
          decision: 'approve',
          attestations: ['requirements-addressed'],
        },
      ),
      ConflictError,
    );
    expect(partial.message).toBe('confirm "The implementation succeeded" (attestation implementation-succeeded)');
    await f.deployAndSignOff();

    const release = await getRelease(deps, { name: f.name });
    expect(release.state).toBe('signed-off');

    // ---- history: every transition, in order, each with its gates' evidence
    const history = await releaseHistory(deps, { name: f.name });
    expect(history.map((t) => [t.transition, t.from, t.to, t.performedBy])).toEqual([
      ['start-packaging', 'draft', 'packaging', 'dana'],
      ['mark-package-verified', 'packaging', 'package-verified', 'dana'],
      ['install-in-at', 'package-verified', 'in-at', 'terry'],
      ['complete-at', 'in-at', 'at-signed-off', 'carol'],
      ['approve-for-production', 'at-signed-off', 'approved-for-production', 'carol'],
      ['start-deployment', 'approved-for-production', 'deploying', 'dora'],
      ['confirm-deployment', 'deploying', 'deployed', 'dora'],
      ['verify-in-production', 'deployed', 'verified-in-production', 'sam'],
      ['sign-off', 'verified-in-production', 'signed-off', 'carol'],
    ]);
    const approvals = await listApprovals(deps, { name: f.name });
    const decidedAt = (step: string) => approvals.find((a) => a.step === step)?.decisions[0]?.decidedAt;
    const steps = (await releaseEvidence(deps, { name: f.name })).steps;
    const stepAt = (step: string, channel: string) => steps.find((s) => s.step === step && s.channel === channel)?.recordedAt;

    const production = history[4];
    const gates = gatesOf(production?.evidence);
    expect(gates.map((g) => [g.id, g.pass, g.reasons])).toEqual([
      ['at-signed-off', true, []],
      ['systems-notified', true, []],
      ['package-verified', true, []],
      ['package-covers-items', true, []],
      ['packages-tested-at', true, []],
      ['no-open-at-issues', true, []],
      ['no-pending-project-issues', true, []],
      ['production-approved', true, []],
    ]);
    const byId = (id: string) => gates.find((g) => g.id === id)?.evidence;
    expect(byId('at-signed-off')).toEqual([{ what: 'Acceptance test sign-off: approved', by: 'carol', at: decidedAt('at-signoff') }]);
    expect(byId('production-approved')).toEqual([
      { what: 'Approval of the production install: approved', by: 'chris', at: decidedAt('production-approval') },
    ]);
    expect(byId('systems-notified')?.map((e) => [e.what, e.by])).toEqual([
      ['CATS notified by phone: called the interface desk', 'terry'],
      ['MEDS notified by phone: called the interface desk', 'terry'],
      ['Fiscal intermediary notified by phone: called the interface desk', 'terry'],
    ]);
    expect(byId('package-verified')).toEqual([
      {
        what: 'Rollout package verified and tested by the development team (Database (Cache/IRIS), package v1)',
        by: 'dana',
        at: stepAt('verify-package', 'database'),
      },
      {
        what: 'Rollout package verified and tested by the development team (Web (WebSphere), package v1)',
        by: 'dana',
        at: stepAt('verify-package', 'web'),
      },
    ]);
    const deployed = byIdOf(history[6]?.evidence, 'deployed');
    expect(deployed?.map((e) => [e.what, e.by])).toEqual([
      ['Packages deployed to production (Database (Cache/IRIS))', 'bill'],
      ['Packages deployed to production (Web (WebSphere))', 'dora'],
      ['Deployment confirmed (Database (Cache/IRIS))', 'bill'],
      ['Deployment confirmed (Web (WebSphere))', 'dora'],
    ]);
    expect(deployed?.[1]?.at).toBe(stepAt('deploy', 'web'));
    const passedAt = byIdOf(history[3]?.evidence, 'items-passed-at');
    expect(passedAt?.map((e) => [e.what, e.by])).toEqual([
      [`${ir} passed in Acceptance Test (AT)`, 'sam'],
      [`${smcr} passed in Acceptance Test (AT)`, 'sam'],
    ]);
    expect(byIdOf(history[8]?.evidence, 'signed-off')).toEqual([
      { what: 'Sign-off of the release: approved', by: 'carol', at: decidedAt('final-signoff') },
    ]);
    // The AT issue gate shows who resolved the issue; no project issue was ever raised, so that gate has nothing to show.
    expect(byId('no-open-at-issues')?.map((e) => [e.what, e.by])).toEqual([
      ['Issue reported during acceptance testing #1 "Totals wrong on the claims page" resolved', 'dana'],
    ]);
    expect(byId('no-pending-project-issues')).toEqual([]);
    // Packages here are recorded by label, without files: coverage has nothing to check and no evidence.
    expect(byId('package-covers-items')).toEqual([]);
    // Every other gate that passed names who and when (hasItems is a count, not a person's act).
    for (const t of history) {
      for (const g of gatesOf(t.evidence)) {
        expect(g.pass).toBe(true);
        if (g.id === 'has-items' || g.id === 'no-pending-project-issues' || g.id === 'package-covers-items') continue;
        expect(g.evidence.length).toBeGreaterThan(0);
        for (const e of g.evidence) {
          expect(e.by).toMatch(/^[a-z]+$/);
          expect(e.at <= t.performedAt).toBe(true);
        }
      }
    }
    // Transitions happened at increasing times, the last one being the sign-off.
    expect(history.map((t) => t.performedAt)).toEqual([...history.map((t) => t.performedAt)].sort());
    expect(history.at(-1)?.performedAt).toBe(clock.now().toISOString());

    // ---- audit: exactly one event per write, with its action, actor and subject
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => ({ action: e.action, actor: e.actor }))).toEqual(f.log);
    const lifecycle = events.filter((e) => !e.action.startsWith('item.'));
    expect(new Set(lifecycle.map((e) => e.subject))).toEqual(new Set([`release:cms-net/${f.name}`]));
    const count = (action: string) => events.filter((e) => e.action === action).length;
    expect({
      transition: count('release.transition'),
      approve: count('approval.approve'),
      request: count('approval.request'),
      pkg: count('package.record'),
      test: count('test.record'),
      step: count('step.record'),
      notify: count('notification.record'),
      raise: count('issue.raise'),
      resolve: count('issue.resolve'),
    }).toEqual({ transition: 9, approve: 4, request: 1, pkg: 2, test: 3, step: 8, notify: 3, raise: 1, resolve: 1 });
    const signOff = events.filter((e) => e.action === 'release.transition').at(-1);
    expect(signOff).toMatchObject({
      actor: 'carol',
      before: { state: 'verified-in-production' },
      after: { state: 'signed-off', transition: 'sign-off' },
    });
    expect(await verifyAudit(deps.database.kysely)).toMatchObject({ ok: true, events: events.length + seq });
    // Every write on the release (attachments included) bumped its version once.
    const releaseWrites = f.log.filter((l) => l.action !== 'release.create' && l.action !== 'item.create').length;
    expect((await getRelease(deps, { name: f.name })).version).toBe(1 + releaseWrites);
  });

  it('a signed-off release refuses every further write, and nothing is recorded', async () => {
    const f = await startFlow(deps, clock, crew);
    await f.readyForProduction();
    await f.transition(crew.cmc, 'approve-for-production');
    await f.deployAndSignOff();
    const seq = await lastAuditSeq(deps);
    const version = (await getRelease(deps, { name: f.name })).version;
    const [ir] = f.items as [string];
    const spare = await createWorkItem(deps, crew.dev, { kind: 'IR', helpdeskRef: 'HD-9', title: 'late' });
    const afterSpare = await lastAuditSeq(deps);
    expect(afterSpare).toBe(seq + 1);
    const n = f.name;

    const writes: [string, () => Promise<unknown>][] = [
      ['cancel', () => performTransition(deps, crew.cmc, { name: n }, { transition: 'cancel', comment: 'too late' })],
      ['roll-back', () => performTransition(deps, crew.cmc, { name: n }, { transition: 'roll-back', comment: 'harm' })],
      ['approve', () => decideApproval(deps, crew.cmc2, { name: n }, { step: 'production-approval', decision: 'approve' })],
      ['reject', () => decideApproval(deps, crew.cmc2, { name: n }, { step: 'at-signoff', decision: 'reject', comment: 'no' })],
      ['request', () => requestApproval(deps, crew.lead, { name: n }, { step: 'at-signoff' })],
      ['package', () => recordPackage(deps, crew.dev, { name: n }, { channel: 'database', label: 'v2' })],
      ['test', () => recordTestAttempt(deps, crew.analyst, { name: n }, { item: ir, environment: 'production', result: 'passed' })],
      ['raise', () => raiseIssue(deps, crew.analyst, { name: n }, { category: 'at-issue', title: 'late' })],
      ['resolve', () => resolveIssue(deps, crew.dev, { name: n }, 1, { status: 'resolved' })],
      ['notify', () => recordNotification(deps, crew.lead, { name: n }, { system: 'cats', means: 'phone', note: 'called' })],
      [
        'report',
        () => writeReport(deps, crew.lead, { name: n }, 'emergency-release-report', { parts: FULL_REPORT, helpdeskRefs: ['HD-IR'] }),
      ],
      ['step', () => recordStep(deps, crew.dbLead, { name: n }, { step: 'deploy', channel: 'database' })],
      ['attach', () => assignWorkItem(deps, crew.lead, { key: spare.key }, { release: n })],
      ['detach', () => assignWorkItem(deps, crew.lead, { key: ir }, { release: null })],
    ];
    for (const [label, write] of writes) {
      const err = await rejectsWith(write(), ConflictError);
      expect([label, err.code]).toEqual([label, 'release-closed']);
    }
    expect(await lastAuditSeq(deps)).toBe(afterSpare);
    const after = await getRelease(deps, { name: n });
    expect([after.state, after.version, after.items.map((i) => i.key)]).toEqual(['signed-off', version, f.items]);
    const gates = await releaseGates(deps, crew.cmc, { name: n });
    expect(gates).toMatchObject({ state: 'signed-off', stateName: 'Signed off', terminal: true, transitions: [] });
  });
});

function byIdOf(evidence: unknown, id: string): GateEvidence['evidence'] | undefined {
  return gatesOf(evidence).find((g) => g.id === id)?.evidence;
}
