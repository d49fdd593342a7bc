import { describe, expect, it } from 'vitest';
import {
  advanceAfterApproval,
  approversToTell,
  checkApprovalDecision,
  requesterOf,
  stepsVoidedBy,
  type ApprovalCheck,
  type Decision,
} from '../../src/domain/lifecycle/approvals.js';
import { approve, CREATOR, defaultTemplate, now, release } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const BOTH = ['requirements-addressed', 'implementation-succeeded'];

function decision(username: string, fields: Partial<Decision> = {}): Decision {
  return { username, roles: ['cmc'], decision: 'approved', comment: '', attestations: [], ...fields };
}

function problems(c: ApprovalCheck): string[] {
  expect(c.kind).toBe('refused');
  return c.kind === 'refused' ? c.problems : [];
}

describe('checkApprovalDecision', () => {
  it('knows only the approval steps the release type’s workflow asks for', () => {
    const c = checkApprovalDecision(t, release('scheduled', 'in-at'), 'coffee', decision('carol'));
    expect(c).toEqual({
      kind: 'unknown',
      message:
        '"coffee" is not an approval step of the scheduled workflow; one of: at-go-ahead, at-signoff, production-approval, final-signoff',
    });
    // An emergency release has no AT sign-off: approving one would mean nothing, and
    // its rejection would strand the release in a state its workflow cannot leave.
    expect(checkApprovalDecision(t, release('emergency', 'package-verified'), 'at-signoff', decision('carol'))).toEqual({
      kind: 'unknown',
      message: '"at-signoff" is not an approval step of the emergency workflow; one of: emergency-approval, final-signoff',
    });
  });

  it('needs one of the step roles', () => {
    const s = release('scheduled', 'in-at');
    for (const roles of [['technical-lead'], ['admin'], ['viewer'], []]) {
      expect(checkApprovalDecision(t, s, 'at-signoff', decision('tom', { roles }))).toMatchObject({
        kind: 'forbidden',
        allowedRoles: ['cmc'],
      });
    }
    expect(checkApprovalDecision(t, s, 'at-signoff', decision('carol', { roles: ['developer', 'cmc'] })).kind).toBe('ok');
  });

  it('does not let the requester decide (separation of duties)', () => {
    const s = release('scheduled', 'in-at');
    // Without a request, whoever created the release asked for it.
    expect(requesterOf(s, 'at-signoff')).toBe(CREATOR);
    expect(problems(checkApprovalDecision(t, s, 'at-signoff', decision(CREATOR)))).toEqual([
      `separation of duties: ${CREATOR} created CFIS001 and may not decide "Acceptance test sign-off"`,
    ]);
    s.approvalRequests.push({ step: 'at-signoff', by: 'carol', at: now(), voided: false });
    s.approvalRequests.push({ step: 'at-signoff', by: 'carl', at: now(), voided: true });
    s.approvalRequests.push({ step: 'production-approval', by: 'cora', at: now(), voided: false });
    expect(requesterOf(s, 'at-signoff')).toBe('carol');
    expect(checkApprovalDecision(t, s, 'at-signoff', decision(CREATOR)).kind).toBe('ok');
    expect(checkApprovalDecision(t, s, 'at-signoff', decision('carl')).kind).toBe('ok');
    expect(problems(checkApprovalDecision(t, s, 'at-signoff', decision('carol', { decision: 'rejected', comment: 'no' })))).toHaveLength(1);
  });

  it('lets the requester decide where the step allows it', () => {
    const custom = structuredClone(t);
    custom.approvals.find((a) => a.id === 'at-go-ahead')!.allowRequester = true;
    const s = release('scheduled', 'package-verified');
    expect(checkApprovalDecision(custom, s, 'at-go-ahead', decision(CREATOR)).kind).toBe('ok');
    expect(checkApprovalDecision(t, s, 'at-go-ahead', decision(CREATOR)).kind).toBe('refused');
  });

  it('refuses a second approval by the same person, and one beyond what is required', () => {
    const s = release('scheduled', 'at-signed-off');
    approve(s, 'production-approval', 'carol');
    expect(problems(checkApprovalDecision(t, s, 'production-approval', decision('carol')))).toEqual([
      'carol has already approved "Approval of the production install"',
    ]);
    expect(problems(checkApprovalDecision(t, s, 'production-approval', decision('carl')))).toEqual([
      '"Approval of the production install" is already approved',
    ]);
    // A rejection of a satisfied step is still possible (it voids the approvals).
    expect(
      checkApprovalDecision(t, s, 'production-approval', decision('carl', { decision: 'rejected', comment: 'CATS is down' })).kind,
    ).toBe('ok');
  });

  it('counts only active approvals towards the required number', () => {
    const custom = structuredClone(t);
    custom.approvals.find((a) => a.id === 'production-approval')!.required = 2;
    const s = release('scheduled', 'at-signed-off');
    approve(s, 'production-approval', 'carol', { voided: true });
    approve(s, 'production-approval', 'carl', { decision: 'rejected', comment: 'no' });
    expect(checkApprovalDecision(custom, s, 'production-approval', decision('carol')).kind).toBe('ok');
    approve(s, 'production-approval', 'carol');
    expect(checkApprovalDecision(custom, s, 'production-approval', decision('carl')).kind).toBe('ok');
    approve(s, 'production-approval', 'carl');
    expect(problems(checkApprovalDecision(custom, s, 'production-approval', decision('cora')))).toEqual([
      '"Approval of the production install" is already approved',
    ]);
  });

  it('requires every attestation of the final sign-off (P15)', () => {
    const s = release('scheduled', 'verified-in-production');
    expect(problems(checkApprovalDecision(t, s, 'final-signoff', decision('carol')))).toEqual([
      'confirm "The release addresses the signed-off requirements" (attestation requirements-addressed)',
      'confirm "The implementation succeeded" (attestation implementation-succeeded)',
    ]);
    expect(
      problems(checkApprovalDecision(t, s, 'final-signoff', decision('carol', { attestations: ['implementation-succeeded', 'weather'] }))),
    ).toEqual([
      'confirm "The release addresses the signed-off requirements" (attestation requirements-addressed)',
      'unknown attestation(s): weather',
    ]);
    expect(checkApprovalDecision(t, s, 'final-signoff', decision('carol', { attestations: BOTH })).kind).toBe('ok');
    // A rejection confirms nothing.
    expect(
      checkApprovalDecision(t, s, 'final-signoff', decision('carol', { decision: 'rejected', comment: 'CATS totals wrong' })).kind,
    ).toBe('ok');
  });

  it('needs a comment on a rejection', () => {
    const s = release('scheduled', 'in-at');
    for (const comment of ['', '   ']) {
      expect(problems(checkApprovalDecision(t, s, 'at-signoff', decision('carol', { decision: 'rejected', comment })))).toEqual([
        'a rejection needs a comment saying why',
      ]);
    }
  });

  it('lists every problem at once', () => {
    const s = release('scheduled', 'verified-in-production');
    approve(s, 'final-signoff', CREATOR, { attestations: BOTH });
    const found = problems(checkApprovalDecision(t, s, 'final-signoff', decision(CREATOR, { attestations: ['x'] })));
    expect(found).toHaveLength(5);
    expect(found[0]).toMatch(/^separation of duties/);
    expect(found[1]).toMatch(/has already approved/);
  });
});

describe('stepsVoidedBy', () => {
  it('follows voidOn: the final sign-off survives, the others are voided by packages and items', () => {
    const all = ['at-go-ahead', 'at-signoff', 'production-approval', 'emergency-approval'];
    expect(stepsVoidedBy(t, 'package')).toEqual(all);
    expect(stepsVoidedBy(t, 'items')).toEqual(all);
  });

  it('reads a changed template', () => {
    const custom = structuredClone(t);
    custom.approvals.find((a) => a.id === 'at-go-ahead')!.voidOn = ['items'];
    custom.approvals.find((a) => a.id === 'final-signoff')!.voidOn = ['package'];
    expect(stepsVoidedBy(custom, 'package')).toEqual(['at-signoff', 'production-approval', 'emergency-approval', 'final-signoff']);
    expect(stepsVoidedBy(custom, 'items')).toEqual(['at-go-ahead', 'at-signoff', 'production-approval', 'emergency-approval']);
  });
});

describe('approversToTell', () => {
  const step = t.approvals.find((a) => a.id === 'at-signoff');
  if (!step) throw new Error('no at-signoff step');

  it('tells every holder with an address but the requester and whoever already approved', () => {
    const s = release('scheduled', 'in-at');
    approve(s, 'at-signoff', 'carl.cmc');
    const holders = [
      { username: 'ann.cmc', email: 'ann@example.org' },
      { username: 'carl.cmc', email: 'carl@example.org' },
      { username: 'ria.cmc', email: 'ria@example.org' },
      { username: 'ned.cmc', email: null },
    ];
    expect(approversToTell(t, s, step, 'ria.cmc', holders)).toEqual({
      told: [{ username: 'ann.cmc', email: 'ann@example.org' }],
      nobody: null,
    });
    expect(approversToTell(t, s, { ...step, allowRequester: true }, 'ria.cmc', holders).told.map((x) => x.username)).toEqual([
      'ann.cmc',
      'ria.cmc',
    ]);
    expect(approversToTell(t, s, step, 'ann.cmc', holders.slice(0, 2)).nobody).toBe(
      'nobody who may give "Acceptance test sign-off" can be e-mailed: ann.cmc asked for it and may not give it (separation of duties); carl.cmc has already approved it',
    );
    expect(approversToTell(t, s, step, CREATOR, []).nobody).toBe(
      'no active user holds a role that may give "Acceptance test sign-off" (Change Management Coordinator)',
    );
  });
});

describe('advanceAfterApproval', () => {
  it('takes the one transition the approval completes when every gate holds and the approver may take it', () => {
    const s = release('scheduled', 'verified-in-production');
    approve(s, 'final-signoff', 'carol.cmc', { attestations: BOTH });
    const a = advanceAfterApproval(t, s, ['cmc'], 'final-signoff', '');
    expect(a.kind === 'take' && [a.transition.id, a.gates.map((g) => [g.id, g.pass])]).toEqual([
      'sign-off',
      [
        ['signed-off', true],
        ['checklist:sign-off', true],
      ],
    ]);
    expect(advanceAfterApproval(t, s, ['developer'], 'final-signoff', '')).toEqual({
      kind: 'hold',
      reason: '"Sign the release off" cannot be taken now',
      transitions: [
        { id: 'sign-off', name: 'Sign the release off', unmet: ['"Sign the release off" is for cmc; you hold none of these roles'] },
      ],
    });
  });

  it('holds when no transition from the state waits for the approval, or the gates do not all hold yet', () => {
    const draft = release('scheduled', 'draft');
    approve(draft, 'at-go-ahead');
    expect(advanceAfterApproval(t, draft, ['cmc'], 'at-go-ahead', '')).toEqual({
      kind: 'hold',
      reason: 'no transition from Draft waits for "Go-ahead to install in acceptance test"',
      transitions: [],
    });
    const s = release('scheduled', 'at-signed-off');
    approve(s, 'production-approval');
    const held = advanceAfterApproval(t, s, ['cmc'], 'production-approval', '');
    expect(held.kind).toBe('hold');
    expect(held.kind === 'hold' && held.transitions.map((x) => [x.id, x.unmet.length > 0])).toEqual([['approve-for-production', true]]);
  });
});
