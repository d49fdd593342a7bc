import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/services/actor.js';
import { addBlackout } from '../../src/services/calendar/blackouts.js';
import { cancelCycle, createCycle, moveCycle } from '../../src/services/calendar/cycles.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { releaseEvidence } from '../../src/services/lifecycle/evidence-read.js';
import { createRelease, getRelease } from '../../src/services/releases.js';
import { dialects } from '../support/databases.js';
import { harnessPerTest } from '../support/factories.js';
import { auditEvents, manualClock, releaseInput } from '../support/service-fixtures.js';

describe.each(dialects)('a release’s change cycle and blackout override ($name)', ({ name }) => {
  let deps: ServiceDeps, cmc: Actor, lead: Actor;
  const clock = manualClock('2026-10-20T15:00:00.000Z');

  harnessPerTest(
    name,
    async (b) => {
      deps = b.deps;
      ({ carla: cmc, terry: lead } = await b.fx.actors({ carla: ['cmc'], terry: ['technical-lead'] }));
    },
    { clock, start: '2026-10-20T15:00:00.000Z' },
  );

  it('a new cycle books the releases already planned on its date (unless told not to), and the release shows its cycle', async () => {
    const a = await createRelease(deps, lead, releaseInput({ plannedDate: '2026-11-07' }));
    const b = await createRelease(deps, lead, releaseInput({ plannedDate: '2026-11-07', channels: ['web'] }));
    const other = await createRelease(deps, lead, releaseInput({ plannedDate: '2026-11-14' }));
    expect(a.cycle).toBeNull();

    const cycle = await createCycle(deps, cmc, { date: '2026-11-07' });
    expect(cycle.booked).toEqual([a.name, b.name]);
    expect(cycle.releases.map((r) => r.name)).toEqual([a.name, b.name]);
    expect((await getRelease(deps, { name: a.name })).cycle).toEqual({
      date: '2026-11-07',
      title: 'Change cycle 2026-11-07',
      status: 'planned',
    });
    const booked = (await auditEvents(deps)).filter((e) => e.action === 'release.book');
    expect(booked.map((e) => [e.subject, e.actor, e.before, e.after])).toEqual([
      [`release:cms-net/${a.name}`, 'carla', { cycle: null }, { cycle: '2026-11-07', plannedDate: '2026-11-07' }],
      [`release:cms-net/${b.name}`, 'carla', { cycle: null }, { cycle: '2026-11-07', plannedDate: '2026-11-07' }],
    ]);
    expect((await getRelease(deps, { name: a.name })).version).toBe(a.version + 1);

    const notBooked = await createCycle(deps, cmc, { date: '2026-11-14', bookPlanned: false });
    expect(notBooked).toMatchObject({ booked: [], releases: [] });
    expect((await getRelease(deps, { name: other.name })).cycle).toBeNull();

    // After a cancellation the releases keep their date; planning the cycle again books them again.
    await cancelCycle(deps, cmc, { date: '2026-11-07' }, { reason: 'nothing ready' });
    expect((await getRelease(deps, { name: a.name })).cycle).toBeNull();
    expect((await createCycle(deps, cmc, { date: '2026-11-07' })).booked).toEqual([a.name, b.name]);
  });

  it('shows who overrode which blackout, when and why: on the release, in its evidence and in the audit', async () => {
    const freeze = await addBlackout(deps, cmc, { from: '2026-12-24', to: '2027-01-01', reason: 'Year-end freeze' });
    clock.advance(60_000);
    const reason = 'claims are paid twice since Monday';
    const e = await createRelease(
      deps,
      cmc,
      releaseInput({ type: 'emergency', plannedDate: '2026-12-28', blackoutOverrideReason: reason }),
    );
    const at = clock.now().toISOString();
    const expected = {
      date: '2026-12-28',
      reason,
      by: 'carla',
      at,
      blackouts: [{ id: freeze.id, from: '2026-12-24', to: '2027-01-01', reason: 'Year-end freeze' }],
      text: `blackout 2026-12-24 to 2027-01-01: Year-end freeze overridden by carla at ${at}: ${reason}`,
    };
    expect(e.blackoutOverride).toEqual(expected);
    expect((await getRelease(deps, { name: e.name })).blackoutOverride).toEqual(expected);
    expect((await releaseEvidence(deps, { name: e.name })).blackoutOverride).toEqual(expected);
    const [created] = (await auditEvents(deps)).filter((x) => x.action === 'release.create');
    expect(created?.after.blackoutOverride).toEqual(expected);

    // Moving a cycle onto a blackout records the override on each release it concerns, and says so in the audit.
    await createCycle(deps, cmc, { date: '2026-12-19' });
    const moved = await createRelease(deps, cmc, releaseInput({ type: 'emergency', plannedDate: '2026-12-19' }));
    await moveCycle(
      deps,
      cmc,
      { date: '2026-12-19' },
      {
        to: '2026-12-26',
        reason: 'staff',
        blackoutOverrideReason: 'agreed with the board',
      },
    );
    const [rescheduled] = (await auditEvents(deps)).filter((x) => x.action === 'release.reschedule');
    expect(rescheduled?.after.blackoutOverride).toMatchObject({ reason: 'agreed with the board', by: 'carla', date: '2026-12-26' });
    expect((await getRelease(deps, { name: moved.name })).blackoutOverride?.text).toContain('overridden by carla');
    expect((await releaseEvidence(deps, { name: e.name })).blackoutOverride).toEqual(expected);
  });
});
