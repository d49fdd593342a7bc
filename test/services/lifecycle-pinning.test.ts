import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { listApprovals } from '../../src/services/lifecycle/approvals.js';
import { performTransition, releaseGates } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { publishTemplate } from '../../src/services/templates.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { MSG, startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { type ManualClock, rejectsWith, REVIEWED, templateYaml } from '../support/service-fixtures.js';

type Doc = Record<string, any>;
const byId = (list: Doc[], id: string): Doc => {
  const x = list.find((i) => i['id'] === id);
  if (!x) throw new Error(`no ${id}`);
  return x;
};

/** Version 2: the production approval is renamed, and scheduled releases can no longer be cancelled. */
const V2 = templateYaml((doc: Doc) => {
  delete doc['revision'];
  byId(doc['approvals'], 'production-approval').name = 'Go-live approval';
  byId(doc['gates'], 'production-approved').name = 'The CMC approved the go-live';
  const scheduled = byId(doc['workflows'], 'scheduled');
  scheduled.transitions = scheduled.transitions.filter((t: { id: string }) => t.id !== 'cancel');
});

describe.each(dialects)('template pinning of the lifecycle ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew;
  crewPerTest(name, (b) => ({ deps, clock, crew } = b));

  const productionGate = async (f: Flow) => {
    const tr = (await releaseGates(deps, crew.cmc, { name: f.name })).transitions.find((t) => t.id === 'approve-for-production');
    return { unmet: tr?.unmet, name: tr?.gates.find((g) => g.id === 'production-approved')?.name };
  };

  it('releases created before a new version keep following theirs; new releases follow the new one', async () => {
    const old = await startFlow(deps, clock, crew);
    await old.toAtSignedOff();
    await old.notifyAll();
    const stillDraft = await startFlow(deps, clock, crew);

    const published = await publishTemplate(deps, SYSTEM_ACTOR, {
      yaml: V2,
      changes: 'Go-live wording; scheduled releases are no longer cancelled',
      ...REVIEWED,
    });
    expect(published).toMatchObject({ version: 2, changes: 'Go-live wording; scheduled releases are no longer cancelled' });
    expect(published.sectionsChanged).toEqual(['approvals', 'gates', 'workflows']);

    const fresh = await startFlow(deps, clock, crew);
    expect((await getRelease(deps, { name: old.name })).template).toEqual({ key: 'cms-net', version: 1 });
    expect((await getRelease(deps, { name: fresh.name })).template).toEqual({ key: 'cms-net', version: 2 });

    // The old release still speaks version 1's words…
    expect(await productionGate(old)).toEqual({
      unmet: [MSG.productionApprovalMissing],
      name: 'The CMC approved the production install',
    });
    expect(await old.unmet('approve-for-production')).toEqual([MSG.productionApprovalMissing]);
    expect((await listApprovals(deps, { name: old.name })).find((s) => s.step === 'production-approval')?.name).toBe(
      'Approval of the production install',
    );
    // …the new one version 2's.
    await fresh.toAtSignedOff();
    await fresh.notifyAll();
    expect(await productionGate(fresh)).toEqual({
      unmet: ['Go-live approval by the Change Management Coordinator is missing'],
      name: 'The CMC approved the go-live',
    });
    expect((await listApprovals(deps, { name: fresh.name })).find((s) => s.step === 'production-approval')?.name).toBe('Go-live approval');

    // Cancel is gone from version 2 only.
    const options = async (f: Flow) => (await releaseGates(deps, crew.lead, { name: f.name })).transitions.map((t) => t.id);
    expect(await options(stillDraft)).toEqual(['start-packaging', 'cancel']);
    const fresh2 = await startFlow(deps, clock, crew);
    expect(await options(fresh2)).toEqual(['start-packaging']);
    const unknown = await rejectsWith(
      performTransition(deps, crew.lead, { name: fresh2.name }, { transition: 'cancel', comment: 'not needed' }),
      ValidationError,
    );
    expect(unknown.message).toBe('"cancel" is not a transition of the Scheduled change cycle workflow; from Draft: start-packaging');
    await stillDraft.transition(crew.lead, 'cancel', 'not needed');
    expect((await getRelease(deps, { name: stillDraft.name })).state).toBe('cancelled');

    // Both run to production, each under its own version.
    for (const f of [old, fresh]) {
      await f.approve('production-approval');
      await f.transition(crew.cmc, 'approve-for-production');
      expect((await getRelease(deps, { name: f.name })).state).toBe('approved-for-production');
    }
  });
});
