import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/domain/errors.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { releaseEvidence } from '../../src/services/lifecycle/evidence-read.js';
import { recordTestAttempt } from '../../src/services/lifecycle/evidence.js';
import { releaseGates, releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { assignWorkItem, getWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { AT, DB, MSG, startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { lastAuditSeq, rejectsWith, type ManualClock } from '../support/service-fixtures.js';

describe.each(dialects)('P8 test attempts and triage ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew, f: Flow;

  crewPerTest(name, async (b) => {
    ({ deps, clock, crew } = b);
    f = await startFlow(deps, clock, crew, { channels: ['database'], kinds: ['IR', 'SMCR'] });
    await f.toInAt();
  });

  const attempt = (item: string, result: 'passed' | 'failed', cause?: string | null, environment = 'acceptance-test') =>
    recordTestAttempt(deps, crew.analyst, { name: f.name }, { item, environment, result, cause });
  /** The attempt is refused with these problems and nothing is written. */
  async function invalid(write: () => Promise<unknown>): Promise<{ path: string; message: string }[]> {
    const seq = await lastAuditSeq(deps);
    const err = await rejectsWith(write(), ValidationError);
    expect(await lastAuditSeq(deps)).toBe(seq);
    return err.problems;
  }
  const completeAtUnmet = async () =>
    (await releaseGates(deps, crew.cmc, { name: f.name })).transitions.find((t) => t.id === 'complete-at')?.unmet;

  it('a failure caused by the fix is retested only after a new package version; every attempt is kept', async () => {
    expect(await invalid(() => attempt('IR-1', 'failed'))).toEqual([
      { path: 'cause', message: 'a failed attempt needs a cause: fix, setup, configuration, data' },
    ]);
    expect(await invalid(() => attempt('IR-1', 'passed', 'setup'))).toEqual([
      { path: 'cause', message: 'a passed attempt has no failure cause' },
    ]);
    expect(await invalid(() => attempt('IR-1', 'failed', 'gremlins', 'staging'))).toEqual([
      { path: 'environment', message: 'unknown environment "staging"; one of: development, acceptance-test, production' },
      { path: 'cause', message: 'unknown cause "gremlins"; one of: fix, setup, configuration, data' },
    ]);

    await f.test('IR-1', 'acceptance-test', 'failed', 'fix');
    const backToDeveloper = {
      path: 'item',
      message:
        'IR-1 failed because of the fix itself; it goes back to the developer and can be retested once a new package version is recorded',
    };
    expect(await invalid(() => attempt('IR-1', 'passed'))).toEqual([backToDeveloper]);
    // Another failure is no retest either: the item is with the developer.
    expect(await invalid(() => attempt('IR-1', 'failed', 'setup'))).toEqual([backToDeveloper]);
    expect(await completeAtUnmet()).toEqual([
      MSG.notPassed('IR-1', AT, 'its latest attempt failed (the fix itself)'),
      MSG.notPassed('SMCR-1', AT),
      MSG.notTested(DB, 1, AT),
      MSG.atSignoffMissing,
    ]);

    // The item goes back to the developer and is packaged again (P8): the release goes back to packaging first,
    // since a new version voids the go-ahead it was installed in AT on.
    expect((await rejectsWith(f.pkg('database'), ConflictError)).code).toBe('state-evidence-voided');
    await f.transition(crew.dev, 'back-to-packaging', 'IR-1 failed in AT: the fix itself');
    const v2 = await f.pkg('database');
    expect(v2.version).toBe(2);
    await f.step('verify-package', 'database', crew.dev);
    await f.transition(crew.dev, 'mark-package-verified');
    await f.approve('at-go-ahead');
    await f.transition(crew.lead, 'install-in-at');
    await f.test('IR-1', 'acceptance-test', 'passed');

    // Setup, configuration and data failures are retested on the same package.
    await f.test('SMCR-1', 'acceptance-test', 'failed', 'setup');
    await f.test('SMCR-1', 'acceptance-test', 'failed', 'configuration');
    await f.test('SMCR-1', 'acceptance-test', 'passed');

    const tests = (await releaseEvidence(deps, { name: f.name })).tests;
    expect(tests.map((t) => [t.item, t.environment, t.result, t.cause, t.packages, t.recordedBy])).toEqual([
      ['IR-1', 'acceptance-test', 'failed', 'fix', { database: 1 }, 'sam'],
      ['IR-1', 'acceptance-test', 'passed', null, { database: 2 }, 'sam'],
      ['SMCR-1', 'acceptance-test', 'failed', 'setup', { database: 2 }, 'sam'],
      ['SMCR-1', 'acceptance-test', 'failed', 'configuration', { database: 2 }, 'sam'],
      ['SMCR-1', 'acceptance-test', 'passed', null, { database: 2 }, 'sam'],
    ]);
    expect(tests.map((t) => t.recordedAt)).toEqual([...tests.map((t) => t.recordedAt)].sort());
    expect(new Set(tests.map((t) => t.id)).size).toBe(5);
    expect(await completeAtUnmet()).toEqual([MSG.atSignoffMissing]);
  });

  it('who may record, and only for items of the release', async () => {
    const forbidden = await rejectsWith(
      recordTestAttempt(deps, crew.deployer, { name: f.name }, { item: 'IR-1', environment: 'acceptance-test', result: 'passed' }),
      ForbiddenError,
    );
    expect(forbidden.allowedRoles).toEqual(['developer', 'systems-analyst', 'technical-lead', 'cmc', 'admin']);
    const other = await startFlow(deps, clock, crew, { kinds: ['DR'] });
    expect(other.items).toEqual(['DR-1']);
    expect(await invalid(() => attempt('DR-1', 'passed'))).toEqual([{ path: 'item', message: `the item is not in release ${f.name}` }]);
  });

  it('an item that keeps failing is moved to a later release; the gate no longer counts it', async () => {
    await f.test('SMCR-1', 'acceptance-test', 'passed');
    for (const cause of ['data', 'setup', 'data']) await f.test('IR-1', 'acceptance-test', 'failed', cause);
    await f.approve('at-signoff');
    expect(await completeAtUnmet()).toEqual([
      MSG.notPassed('IR-1', AT, 'its latest attempt failed (data)'),
      `${MSG.notTested(DB, 1, AT)} for IR-1`,
    ]);

    const later = await startFlow(deps, clock, crew, { kinds: [] });
    // An item is in one release at a time: it is moved, not copied.
    const plain = await rejectsWith(assignWorkItem(deps, crew.lead, { key: 'IR-1' }, { release: later.name }), ConflictError);
    expect(plain.code).toBe('already-assigned');
    // Moving it out voids the go-ahead the release was installed in AT on: it goes back to packaging first.
    const inAt = await rejectsWith(f.move('IR-1', later.name), ConflictError);
    expect(inAt.code).toBe('state-evidence-voided');
    await f.transition(crew.lead, 'back-to-packaging', 'IR-1 moves to a later release');
    const moved = await f.move('IR-1', later.name);
    expect(moved).toMatchObject({ key: 'IR-1', release: later.name });
    expect((await getRelease(deps, { name: f.name })).items.map((i) => i.key)).toEqual(['SMCR-1']);
    await f.transition(crew.dev, 'mark-package-verified');

    // The move changed the item set: the go-ahead and the AT sign-off given before it no longer count.
    await f.approve('at-go-ahead');
    await f.transition(crew.lead, 'install-in-at');
    expect(await completeAtUnmet()).toEqual([MSG.atSignoffMissing]);
    await f.approve('at-signoff');
    await f.transition(crew.cmc, 'complete-at');
    const done = (await releaseHistory(deps, { name: f.name })).at(-1);
    const passed = (done?.evidence as { gates: { id: string; evidence: { what: string }[] }[] }).gates.find(
      (g) => g.id === 'items-passed-at',
    );
    expect(passed?.evidence.map((e) => e.what)).toEqual(['SMCR-1 passed in Acceptance Test (AT)']);

    // The attempts stay on the release they were made in, under the item's key.
    const kept = (await releaseEvidence(deps, { name: f.name })).tests.filter((t) => t.item === 'IR-1');
    expect(kept.map((t) => t.cause)).toEqual(['data', 'setup', 'data']);
    // The later release starts the item's testing afresh.
    expect((await releaseEvidence(deps, { name: later.name })).tests).toEqual([]);
    await later.transition(crew.dev, 'start-packaging');
    expect((await getRelease(deps, { name: later.name })).items.map((i) => i.key)).toEqual(['IR-1']);

    // The item's own record shows its whole test history, across both releases (P4).
    for (const c of ['database', 'web']) await later.pkg(c);
    for (const c of ['database', 'web']) await later.step('verify-package', c, crew.dev);
    await later.transition(crew.dev, 'mark-package-verified');
    await later.approve('at-go-ahead');
    await later.transition(crew.lead, 'install-in-at');
    await later.test('IR-1', 'acceptance-test', 'passed');
    const history = (await getWorkItem(deps, { key: 'IR-1' })).tests;
    expect(history.map((t) => [t.release, t.environment, t.result, t.cause, t.packages, t.recordedBy])).toEqual([
      [f.name, 'acceptance-test', 'failed', 'data', { database: 1 }, 'sam'],
      [f.name, 'acceptance-test', 'failed', 'setup', { database: 1 }, 'sam'],
      [f.name, 'acceptance-test', 'failed', 'data', { database: 1 }, 'sam'],
      [later.name, 'acceptance-test', 'passed', null, { database: 1, web: 1 }, 'sam'],
    ]);
    expect(history.every((t, i) => i === 0 || t.recordedAt > (history[i - 1]?.recordedAt ?? ''))).toBe(true);
  });
});
