import { describe, expect, it } from 'vitest';
import { stateVoidedBy, voidedStateProblem } from '../../src/domain/lifecycle/voiding.js';
import { approve, attempt, defaultTemplate, item, release, verifyPackages, withItems } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const newDb = { kind: 'package', channel: 'database', at: '2025-02-01T00:00:00.000Z', by: 'dan.dev' } as const;

describe('a change that voids the evidence of the release’s state', () => {
  it('leaves draft and packaging alone: nothing recorded there depends on the package', () => {
    const draft = withItems(release('scheduled', 'draft'), item(1));
    expect(stateVoidedBy(t, draft, newDb).voided).toBe(false);
    const packaging = withItems(release('scheduled', 'packaging'), item(1));
    verifyPackages(packaging);
    expect(stateVoidedBy(t, packaging, newDb)).toEqual({ voided: false, reasons: [], wayBack: [] });
    expect(stateVoidedBy(t, packaging, { kind: 'items', add: [item(2)] }).voided).toBe(false);
  });

  it('refuses a new package version once acceptance testing is signed off, naming what it would void and the way back', () => {
    const s = withItems(release('scheduled', 'at-signed-off'), item(1));
    verifyPackages(s);
    approve(s, 'at-go-ahead');
    attempt(s, 'item-1', 'acceptance-test', 'passed');
    approve(s, 'at-signoff');
    expect(stateVoidedBy(t, s, newDb)).toEqual({
      voided: true,
      reasons: [
        'Database (Cache/IRIS) package v2 was not tested in Acceptance Test (AT); the tested version is v1',
        'Acceptance test sign-off by the Change Management Coordinator is missing',
      ],
      wayBack: ['back-to-packaging'],
    });
    expect(voidedStateProblem(t, s, newDb)).toBe(
      'release CFIS001 is Acceptance test signed off, which a new Database (Cache/IRIS) package version would void: ' +
        'Database (Cache/IRIS) package v2 was not tested in Acceptance Test (AT); the tested version is v1; ' +
        'Acceptance test sign-off by the Change Management Coordinator is missing; take it back first (back-to-packaging)',
    );
  });

  it('refuses it in acceptance test and once the package is verified', () => {
    const inAt = withItems(release('scheduled', 'in-at'), item(1));
    verifyPackages(inAt);
    approve(inAt, 'at-go-ahead');
    expect(stateVoidedBy(t, inAt, newDb).reasons).toEqual([
      'Rollout package verified and tested by the development team is missing for the Database (Cache/IRIS) channel (package v2) — record it with `relman step record CFIS001 verify-package --channel database`',
      'Go-ahead to install in acceptance test by the Change Management Coordinator is missing',
    ]);
    const verified = withItems(release('emergency', 'package-verified'), item(1));
    verifyPackages(verified);
    expect(stateVoidedBy(t, verified, newDb)).toMatchObject({ voided: true, wayBack: ['back-to-packaging'] });
  });

  it('refuses a change of items that voids the go-ahead a release in acceptance test was installed on', () => {
    const s = withItems(release('scheduled', 'in-at'), item(1), item(2));
    verifyPackages(s);
    approve(s, 'at-go-ahead');
    expect(stateVoidedBy(t, s, { kind: 'items', remove: ['item-2'] })).toEqual({
      voided: true,
      reasons: ['Go-ahead to install in acceptance test by the Change Management Coordinator is missing'],
      wayBack: ['back-to-packaging'],
    });
  });
});
