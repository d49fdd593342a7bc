import { describe, expect, it } from 'vitest';
import { stepsVoidedBy } from '../../src/domain/lifecycle/approvals.js';
import type { ReleaseSnapshot } from '../../src/domain/lifecycle/snapshot.js';
import { checkTransition, transitionOptions, workflowOf, type TransitionCheck } from '../../src/domain/lifecycle/transitions.js';
import * as fx from './lifecycle-fixtures.js';

const t = fx.defaultTemplate();
const CMC = ['cmc'];
const LEAD = ['technical-lead'];

function refused(c: TransitionCheck): string[] {
  expect(c.kind).toBe('refused');
  return c.kind === 'refused' ? c.unmet : [];
}

/** Performs a transition that must be allowed now, and moves the release. */
function go(s: ReleaseSnapshot, id: string, roles: string[], comment = ''): TransitionCheck {
  const c = checkTransition(t, s, roles, id, comment);
  expect(c.kind, JSON.stringify(c)).toBe('ok');
  if (c.kind === 'ok') s.state = c.transition.to;
  return c;
}

describe('checkTransition', () => {
  it('lists every unmet condition in one refusal: state, comment and each failing gate', () => {
    const custom = structuredClone(t);
    const tr = custom.workflows[0]?.transitions.find((x) => x.id === 'approve-for-production');
    if (!tr) throw new Error('no approve-for-production');
    tr.requireComment = true;
    const s = fx.withItems(fx.release('scheduled', 'in-at'), fx.item(1));
    s.issues.push({ number: 7, category: 'project-issue', title: 'Budget not approved', status: 'open' });
    const c = checkTransition(custom, s, CMC, 'approve-for-production', ' ');
    expect(refused(c)).toEqual([
      'the release is In acceptance test; "Approve for production" starts from Acceptance test signed off',
      '"Approve for production" needs a comment saying why',
      'Acceptance test sign-off by the Change Management Coordinator is missing',
      'CATS has not been notified of the release',
      'MEDS has not been notified of the release',
      'Fiscal intermediary has not been notified of the release',
      'Rollout package verified and tested by the development team: no package has been recorded for the Database (Cache/IRIS) channel',
      'Rollout package verified and tested by the development team: no package has been recorded for the Web (WebSphere) channel',
      'no package has been recorded, so none was tested',
      'Pending project issue concerning the release #7 "Budget not approved" is unresolved',
      'Approval of the production install by the Change Management Coordinator is missing',
    ]);
    if (c.kind === 'refused') expect(c.gates.filter((g) => !g.pass).map((g) => g.id)).toHaveLength(6);
  });

  it('needs a comment where the template says so', () => {
    const s = fx.release('scheduled', 'package-verified');
    expect(refused(checkTransition(t, s, LEAD, 'back-to-packaging', ''))).toEqual([
      '"Back to packaging (corrective action)" needs a comment saying why',
    ]);
    expect(checkTransition(t, s, LEAD, 'back-to-packaging', 'IR-1 fails in AT').kind).toBe('ok');
  });

  it('refuses roles the transition does not name, before anything else', () => {
    const s = fx.release('scheduled', 'draft');
    for (const roles of [['developer'], ['viewer'], ['admin'], []]) {
      expect(checkTransition(t, s, roles, 'approve-for-production', '')).toMatchObject({ kind: 'forbidden', allowedRoles: ['cmc'] });
    }
  });

  it('does not know transitions of other workflows', () => {
    const c = checkTransition(t, fx.release('expedited', 'package-verified'), LEAD, 'install-in-at', '');
    expect(c).toEqual({
      kind: 'unknown',
      message:
        '"install-in-at" is not a transition of the Expedited release (P13): no regression testing step workflow; from Package verified: back-to-packaging, complete-testing, cancel',
    });
    expect(() => checkTransition(t, fx.release('weekly', 'draft'), LEAD, 'cancel', 'x')).toThrow(/weekly/);
  });

  it('passes with the exceptions the gates used', () => {
    const s = fx.withItems(fx.release('emergency', 'package-verified', ['database']), fx.item(1, 'DR'));
    fx.verifyPackages(s);
    fx.attempt(s, 'item-1', 'acceptance-test', 'passed');
    fx.writeReport(s, fx.FULL_REPORT, ['HD-1001']);
    fx.approve(s, 'emergency-approval', 'carol.cmc');
    const c = checkTransition(t, s, CMC, 'approve-for-production', '');
    expect(c).toMatchObject({
      kind: 'ok',
      exceptions: ['single-environment testing: every item is a DR, so one of Development, Acceptance Test (AT) sufficed'],
    });
  });

  it('never leaves a terminal state', () => {
    for (const w of t.workflows) {
      for (const state of t.states.filter((x) => x.terminal)) {
        expect(w.transitions.filter((tr) => tr.from.includes(state.id))).toEqual([]);
      }
    }
  });
});

describe('transitionOptions', () => {
  it('lists what leaves the current state, for whom, and what is missing', () => {
    const s = fx.withItems(fx.release('scheduled', 'package-verified'), fx.item(1));
    fx.verifyPackages(s);
    const options = transitionOptions(t, s, ['database-lead']);
    expect(options.map((o) => [o.id, o.to, o.allowedForYou])).toEqual([
      ['back-to-packaging', 'packaging', false],
      ['install-in-at', 'in-at', true],
      ['cancel', 'cancelled', false],
    ]);
    expect(options[1]?.unmet).toEqual(['Go-ahead to install in acceptance test by the Change Management Coordinator is missing']);
    expect(options[1]?.gates.map((g) => [g.id, g.pass])).toEqual([
      ['package-verified', true],
      ['at-go-ahead', false],
    ]);
  });
});

describe('the scheduled path', () => {
  it('reaches each state from draft to signed-off as the facts are recorded', () => {
    const s = fx.release('scheduled', 'draft');
    expect(refused(checkTransition(t, s, LEAD, 'start-packaging', ''))).toEqual(['the release carries no work item']);
    fx.withItems(s, fx.item(1), fx.item(2, 'SMCR'));
    go(s, 'start-packaging', LEAD);
    expect(s.state).toBe('packaging');

    fx.recordPackage(s, 'database');
    fx.recordStep(s, 'verify-package', 'database', 1);
    expect(refused(checkTransition(t, s, ['developer'], 'mark-package-verified', ''))).toEqual([
      'Rollout package verified and tested by the development team: no package has been recorded for the Web (WebSphere) channel',
    ]);
    fx.recordStep(s, 'verify-package', 'web', fx.recordPackage(s, 'web'));
    go(s, 'mark-package-verified', ['developer']);

    expect(refused(checkTransition(t, s, ['web-lead'], 'install-in-at', ''))).toEqual([
      'Go-ahead to install in acceptance test by the Change Management Coordinator is missing',
    ]);
    fx.approve(s, 'at-go-ahead');
    go(s, 'install-in-at', ['web-lead']);
    expect(s.state).toBe('in-at');

    for (const i of s.items) fx.attempt(s, i.id, 'acceptance-test', 'passed');
    s.issues.push({ number: 1, category: 'at-issue', title: 'Report totals off', status: 'open' });
    expect(refused(checkTransition(t, s, CMC, 'complete-at', ''))).toEqual([
      'Issue reported during acceptance testing #1 "Report totals off" is unresolved',
      'Acceptance test sign-off by the Change Management Coordinator is missing',
    ]);
    s.issues[0]!.status = 'resolved';
    fx.approve(s, 'at-signoff');
    go(s, 'complete-at', CMC);
    expect(s.state).toBe('at-signed-off');

    expect(refused(checkTransition(t, s, CMC, 'approve-for-production', ''))).toHaveLength(4);
    fx.notifyAll(t, s);
    fx.approve(s, 'production-approval');
    go(s, 'approve-for-production', CMC);
    expect(s.state).toBe('approved-for-production');

    go(s, 'start-deployment', ['deployment']);
    for (const c of s.channels) for (const step of ['deploy', 'confirm-deployment']) fx.recordStep(s, step, c, null);
    go(s, 'confirm-deployment', ['database-lead']);
    expect(s.state).toBe('deployed');
    for (const c of s.channels) fx.recordStep(s, 'verify-application', c, null, 'sam.analyst');
    go(s, 'verify-in-production', ['systems-analyst']);
    fx.approve(s, 'final-signoff', 'carol.cmc', { attestations: ['requirements-addressed', 'implementation-succeeded'] });
    go(s, 'sign-off', CMC);
    expect(s.state).toBe('signed-off');
    expect(transitionOptions(t, s, CMC)).toEqual([]);
  });

  it('asks again for verification and approvals after a new package version', () => {
    const s = fx.withItems(fx.release('scheduled', 'at-signed-off'), fx.item(1));
    fx.verifyPackages(s);
    fx.notifyAll(t, s);
    fx.approve(s, 'at-signoff');
    fx.approve(s, 'production-approval');
    fx.attempt(s, 'item-1', 'acceptance-test', 'passed');
    expect(checkTransition(t, s, CMC, 'approve-for-production', '').kind).toBe('ok');
    fx.recordPackage(s, 'database');
    const voided = new Set(stepsVoidedBy(t, 'package'));
    for (const a of s.approvals) if (voided.has(a.step)) a.voided = true;
    expect(refused(checkTransition(t, s, CMC, 'approve-for-production', ''))).toEqual([
      'Acceptance test sign-off by the Change Management Coordinator is missing',
      'Rollout package verified and tested by the development team is missing for the Database (Cache/IRIS) channel (package v2) — record it with `relman step record CFIS001 verify-package --channel database`',
      'Database (Cache/IRIS) package v2 was not tested in Acceptance Test (AT); the tested version is v1',
      'Approval of the production install by the Change Management Coordinator is missing',
    ]);
    // Signing acceptance testing off again does not make the untested version tested (P7, P8).
    fx.approve(s, 'at-signoff', 'chris.cmc');
    fx.approve(s, 'production-approval', 'chris.cmc');
    fx.recordStep(s, 'verify-package', 'database', 2);
    expect(refused(checkTransition(t, s, CMC, 'approve-for-production', ''))).toEqual([
      'Database (Cache/IRIS) package v2 was not tested in Acceptance Test (AT); the tested version is v1',
    ]);
  });
});

describe('the expedited path', () => {
  it('has no installation in acceptance test', () => {
    const w = workflowOf(t, 'expedited');
    expect(w.transitions.map((x) => x.id)).not.toContain('install-in-at');
    expect(w.transitions.filter((x) => x.to === 'in-at' || x.from.includes('in-at'))).toEqual([]);
  });

  it('goes from package-verified straight to testing complete', () => {
    const s = fx.withItems(fx.release('expedited', 'draft', ['web']), fx.item(1));
    go(s, 'start-packaging', ['developer']);
    fx.verifyPackages(s);
    go(s, 'mark-package-verified', ['developer']);
    expect(refused(checkTransition(t, s, LEAD, 'complete-testing', ''))).toEqual([
      'IR-1 has not passed testing in any of Development, Acceptance Test (AT)',
      'Web (WebSphere) package v1 was not tested in any of Development, Acceptance Test (AT)',
      'Acceptance test sign-off by the Change Management Coordinator is missing',
    ]);
    // No regression testing (P13): passing in development alone is enough.
    fx.attempt(s, 'item-1', 'development', 'passed');
    expect(refused(checkTransition(t, s, LEAD, 'complete-testing', ''))).toEqual([
      'Acceptance test sign-off by the Change Management Coordinator is missing',
    ]);
    fx.approve(s, 'at-signoff');
    go(s, 'complete-testing', LEAD);
    expect(s.state).toBe('at-signed-off');
    fx.notifyAll(t, s);
    fx.approve(s, 'production-approval');
    go(s, 'approve-for-production', CMC);
    expect(s.state).toBe('approved-for-production');
  });
});

describe('the emergency path', () => {
  it('goes from package-verified to approved-for-production only with the report and the emergency approval', () => {
    const w = workflowOf(t, 'emergency');
    expect(w.transitions.filter((x) => x.to === 'approved-for-production').map((x) => x.from)).toEqual([['package-verified']]);
    expect(w.transitions.some((x) => x.to === 'in-at' || x.to === 'at-signed-off')).toBe(false);

    const s = fx.withItems(fx.release('emergency', 'draft', ['database']), fx.item(1), fx.item(2, 'DR'));
    go(s, 'start-packaging', LEAD);
    fx.verifyPackages(s);
    go(s, 'mark-package-verified', LEAD);
    for (const i of s.items) for (const env of ['development', 'acceptance-test']) fx.attempt(s, i.id, env, 'passed');
    expect(refused(checkTransition(t, s, CMC, 'approve-for-production', ''))).toEqual([
      'the Emergency Release Report has not been written',
      'Approval of the emergency release by the Change Management Coordinator is missing',
    ]);
    fx.writeReport(s, { ...fx.FULL_REPORT, 'release-specifications': '' }, []);
    fx.approve(s, 'production-approval');
    expect(refused(checkTransition(t, s, CMC, 'approve-for-production', ''))).toEqual([
      'Emergency Release Report: "Release specifications" is missing',
      'Emergency Release Report: no help-desk reference to IR/DR records',
      'Approval of the emergency release by the Change Management Coordinator is missing',
    ]);
    s.reports[0] = { ...s.reports[0]!, parts: fx.FULL_REPORT, helpdeskRefs: ['HD-1001'] };
    fx.approve(s, 'emergency-approval');
    const c = go(s, 'approve-for-production', CMC);
    expect(c.kind === 'ok' && c.exceptions).toEqual([]);
    expect(s.state).toBe('approved-for-production');
  });
});
