import { describe, expect, it } from 'vitest';
import { approvalsWaitingFor } from '../../src/domain/lifecycle/approvals-waiting.js';
import { approve, CREATOR, defaultTemplate, now, release } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const carol = { username: 'carol.cmc', roles: ['cmc'] };
const steps = (s: ReturnType<typeof release>, who = carol) => approvalsWaitingFor(t, s, who).map((w) => w.step);

describe('the approvals waiting for a person', () => {
  it('are the steps guarding a transition out of the current state, for those whose role may give them', () => {
    expect(steps(release('scheduled', 'draft'))).toEqual([]);
    expect(steps(release('scheduled', 'package-verified'))).toEqual(['at-go-ahead']);
    // Approve for production needs the AT sign-off too: until given, it waits as well.
    const signedOff = release('scheduled', 'at-signed-off');
    expect(steps(signedOff)).toEqual(['at-signoff', 'production-approval']);
    approve(signedOff, 'at-signoff', 'chris.cmc');
    expect(steps(signedOff)).toEqual(['production-approval']);
    expect(steps(release('scheduled', 'package-verified'), { username: 'dan.dev', roles: ['developer'] })).toEqual([]);
    expect(steps(release('scheduled', 'cancelled'))).toEqual([]);
  });

  it('and any step asked for, with who asked and when; a voided request does not count', () => {
    const s = release('scheduled', 'draft');
    const at = now();
    s.approvalRequests.push({ step: 'at-signoff', by: 'tina.lead', at, voided: false });
    s.approvalRequests.push({ step: 'production-approval', by: 'tina.lead', at, voided: true });
    expect(approvalsWaitingFor(t, s, carol)).toEqual([
      { step: 'at-signoff', stepName: 'Acceptance test sign-off', roles: ['cmc'], requestedBy: 'tina.lead', requestedAt: at },
    ]);
  });

  it('not once satisfied or approved by them, nor for whoever asked for it (separation of duties)', () => {
    const s = release('scheduled', 'package-verified');
    expect(steps(s, { username: CREATOR, roles: ['cmc'] })).toEqual([]);
    s.approvalRequests.push({ step: 'at-go-ahead', by: 'carol.cmc', at: now(), voided: false });
    expect(steps(s)).toEqual([]);
    expect(steps(s, { username: CREATOR, roles: ['cmc'] })).toEqual(['at-go-ahead']);
    approve(s, 'at-go-ahead', 'chris.cmc');
    expect(steps(s, { username: CREATOR, roles: ['cmc'] })).toEqual([]);
  });
});
