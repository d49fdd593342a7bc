import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/services/actor.js';
import { addBlackout, listBlackouts, removeBlackout } from '../../src/services/calendar/blackouts.js';
import { listConflicts } from '../../src/services/calendar/conflicts.js';
import { cancelCycle, createCycle, listCycles, moveCycle } from '../../src/services/calendar/cycles.js';
import { overrideBlackout } from '../../src/services/calendar/schedule.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { getRelease, updateRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { fixtures, harnessPerTest } from '../support/factories.js';
import type { releaseInput } from '../support/service-fixtures.js';
import { manualClock, rejectsWith } from '../support/service-fixtures.js';

describe.each(dialects)('change cycles and blackouts ($name)', ({ name }) => {
  let deps: ServiceDeps, cmc: Actor, admin: Actor, dana: Actor, nemo: Actor;
  // Tuesday 20 October 2026, 11:00 in New York: before the November DST change and the year end.
  const clock = manualClock('2026-10-20T15:00:00.000Z');

  harnessPerTest(
    name,
    async (b) => {
      deps = b.deps;
      const people = { carla: ['cmc'], ada: ['admin'], dana: ['developer'], nemo: ['developer'] };
      ({ carla: cmc, ada: admin, dana, nemo } = await b.fx.actors(people));
      await deps.database.kysely.updateTable('users').set({ email: 'dana@example.com' }).where('username', '=', 'dana').execute();
    },
    { clock, start: '2026-10-20T15:00:00.000Z' },
  );

  const release = (actor: Actor, over: Parameters<typeof releaseInput>[0] = {}) => fixtures(deps).release(actor, over);
  const row = (releaseName: string) =>
    deps.database.kysely.selectFrom('releases').selectAll().where('name', '=', releaseName).executeTakeFirstOrThrow();
  const audit = (action: string) => deps.database.kysely.selectFrom('audit_events').selectAll().where('action', '=', action).execute();

  describe('cycles', () => {
    it('plans cycles on Saturdays, across the DST change and the year end', async () => {
      const dst = await createCycle(deps, cmc, { date: '2026-10-31' });
      expect(dst).toMatchObject({
        date: '2026-10-31',
        weekday: 'saturday',
        designatedDay: true,
        status: 'planned',
        releases: [],
        version: 1,
      });
      await createCycle(deps, cmc, { date: '2026-12-26' });
      await createCycle(deps, admin, { date: '2027-01-02' });
      const { items } = await listCycles(deps, { from: '2026-12-20', to: '2027-01-10' });
      expect(items.map((c) => [c.date, c.weekday, c.title])).toEqual([
        ['2026-12-26', 'saturday', 'Change cycle 2026-12-26'],
        ['2027-01-02', 'saturday', 'Change cycle 2027-01-02'],
      ]);
      expect(await audit('cycle.create')).toHaveLength(3);
    });

    it('refuses other weekdays unless one-off, past dates, duplicates and other roles', async () => {
      const sunday = await rejectsWith(createCycle(deps, cmc, { date: '2026-11-01' }), ValidationError);
      expect(sunday.problems[0]?.message).toContain('2026-11-01 is a sunday; cycles are on saturday');
      const oneOff = await createCycle(deps, cmc, { date: '2026-11-01', oneOff: true, title: 'Extra cycle' });
      expect(oneOff).toMatchObject({ weekday: 'sunday', designatedDay: false, title: 'Extra cycle' });
      const past = await rejectsWith(createCycle(deps, cmc, { date: '2026-10-17' }), ValidationError);
      expect(past.problems[0]?.message).toContain('before today (2026-10-20 in America/New_York)');
      await createCycle(deps, cmc, { date: '2026-10-24' });
      expect((await rejectsWith(createCycle(deps, cmc, { date: '2026-10-24' }), ConflictError)).code).toBe('cycle-exists');
      await rejectsWith(createCycle(deps, dana, { date: '2026-11-07' }), ForbiddenError);
      await rejectsWith(createCycle(deps, cmc, { date: '2026-02-30' }), ValidationError);
    });

    it('judges “today” in the template’s time zone', async () => {
      // 03:00 UTC on Sunday 25 October is still Saturday evening in New York.
      clock.set('2026-10-25T03:00:00.000Z');
      expect((await createCycle(deps, cmc, { date: '2026-10-24' })).date).toBe('2026-10-24');
      clock.set('2026-10-25T05:00:00.000Z');
      await rejectsWith(createCycle(deps, cmc, { date: '2026-10-24', oneOff: true, title: 'x' }), ValidationError);
    });

    it('books releases by cycle date, and automatically when planned on a cycle day', async () => {
      await createCycle(deps, cmc, { date: '2026-12-26' });
      const booked = await release(dana, { cycle: '2026-12-26', plannedDate: '2026-12-20' });
      expect(booked.plannedDate).toBe('2026-12-26');
      const auto = await release(nemo, { plannedDate: '2026-12-26', channels: ['web'] });
      const loose = await release(nemo, { plannedDate: '2026-12-27' });
      const cycle = (await listCycles(deps, {})).items[0];
      expect(cycle?.releases.map((r) => r.name)).toEqual([booked.name, auto.name]);
      expect((await row(loose.name)).cycle_id).toBeNull();

      // Moving a release off its cycle's date unbooks it; `release book` books it again.
      await updateRelease(deps, nemo, { name: auto.name }, { plannedDate: '2026-12-28' });
      expect((await row(auto.name)).cycle_id).toBeNull();
      await updateRelease(deps, nemo, { name: auto.name }, { cycle: '2026-12-26' });
      expect(await row(auto.name)).toMatchObject({ planned_date: '2026-12-26', cycle_id: cycle?.id });

      await rejectsWith(release(dana, { cycle: '2027-01-02' }), NotFoundError);
      await createCycle(deps, cmc, { date: '2027-01-02' });
      await cancelCycle(deps, cmc, { date: '2027-01-02' }, { reason: 'holidays' });
      expect((await rejectsWith(release(dana, { cycle: '2027-01-02' }), ConflictError)).code).toBe('cycle-cancelled');
    });

    it('moves a cycle with its releases and checklist dates across the year end, and tells owners who have an address', async () => {
      await createCycle(deps, cmc, { date: '2026-12-26' });
      const a = await release(dana, { cycle: '2026-12-26', title: 'Totals' });
      const b = await release(nemo, { cycle: '2026-12-26', channels: ['web'] });
      const tasksBefore = await deps.database.kysely
        .selectFrom('checklist_tasks')
        .selectAll()
        .where('release_id', '=', (await row(a.name)).id)
        .execute();

      expect(tasksBefore.length).toBeGreaterThan(0);
      const moved = await moveCycle(
        deps,
        cmc,
        { date: '2026-12-26' },
        {
          to: '2027-01-02',
          reason: 'Boxing day staffing',
          expectedVersion: 1,
        },
      );
      expect(moved).toMatchObject({ date: '2027-01-02', weekday: 'saturday', note: 'Boxing day staffing', version: 2 });
      expect(moved.releases.map((r) => r.name)).toEqual([a.name, b.name]);
      for (const n of [a.name, b.name]) expect((await getRelease(deps, { name: n })).plannedDate).toBe('2027-01-02');

      // Checklist due dates move with the release (when the checklist has tasks).
      const tasksAfter = await deps.database.kysely
        .selectFrom('checklist_tasks')
        .selectAll()
        .where('release_id', '=', (await row(a.name)).id)
        .execute();
      for (const t of tasksBefore.filter((x) => x.due_date !== null && x.status === 'open')) {
        const after = tasksAfter.find((x) => x.id === t.id);
        const shifted = new Date(Date.parse(`${t.due_date}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
        expect(after?.due_date, t.task_id).toBe(shifted);
      }

      // One notice, to the owner with an e-mail; nemo has none and the move still happened.
      const mails = await deps.database.kysely.selectFrom('mail_outbox').selectAll().where('template', '=', 'cycle-moved').execute();
      expect(mails).toHaveLength(1);
      expect(JSON.parse(mails[0]?.recipients ?? '[]')).toEqual(['dana@example.com']);
      expect(mails[0]?.subject).toBe(`${a.name}: change cycle moved from 2026-12-26 to 2027-01-02`);
      expect(mails[0]?.body).toContain('Boxing day staffing');
      expect(mails[0]?.release_id).toBe((await row(a.name)).id);
      expect(await audit('cycle.move')).toHaveLength(1);
      expect(await audit('release.reschedule')).toHaveLength(2);
      expect((await listCycles(deps, { from: '2026-12-26', to: '2026-12-26' })).items).toEqual([]);
    });

    it('refuses to move onto another cycle, into the past, a stale version, or onto a blackout that applies', async () => {
      await createCycle(deps, cmc, { date: '2026-12-26' });
      await createCycle(deps, cmc, { date: '2027-01-02' });
      expect((await rejectsWith(moveCycle(deps, cmc, { date: '2026-12-26' }, { to: '2027-01-02', reason: 'x' }), ConflictError)).code).toBe(
        'cycle-exists',
      );
      await rejectsWith(moveCycle(deps, cmc, { date: '2026-12-26' }, { to: '2026-10-01', reason: 'x' }), ValidationError);
      expect(
        (await rejectsWith(moveCycle(deps, cmc, { date: '2026-12-26' }, { to: '2026-12-27', reason: 'x', expectedVersion: 7 }), Error))
          .name,
      ).toBe('StaleVersionError');
      await rejectsWith(moveCycle(deps, dana, { date: '2026-12-26' }, { to: '2026-12-27', reason: 'x' }), ForbiddenError);
      await rejectsWith(moveCycle(deps, cmc, { date: '2026-12-05' }, { to: '2026-12-27', reason: 'x' }), NotFoundError);

      await release(dana, { cycle: '2026-12-26', type: 'scheduled', channels: ['web'] });
      await addBlackout(deps, cmc, { from: '2027-01-09', channel: 'web', reason: 'web farm upgrade' });
      const refused = await rejectsWith(moveCycle(deps, cmc, { date: '2026-12-26' }, { to: '2027-01-09', reason: 'x' }), ConflictError);
      expect(refused.code).toBe('blackout');
      expect(refused.message).toContain('2027-01-09 (web channel): web farm upgrade');
      // An override on a move needs blackout.override and release types that may override.
      await rejectsWith(
        moveCycle(deps, admin, { date: '2026-12-26' }, { to: '2027-01-09', reason: 'x', blackoutOverrideReason: 'urgent' }),
        ForbiddenError,
      );
      expect(
        (
          await rejectsWith(
            moveCycle(deps, cmc, { date: '2026-12-26' }, { to: '2027-01-09', reason: 'x', blackoutOverrideReason: 'urgent' }),
            ConflictError,
          )
        ).message,
      ).toContain('(scheduled) may not override');
      // A database-only window does not concern the web release.
      await addBlackout(deps, cmc, { from: '2027-01-16', channel: 'database', reason: 'db maintenance' });
      expect((await moveCycle(deps, cmc, { date: '2026-12-26' }, { to: '2027-01-16', reason: 'later' })).date).toBe('2027-01-16');
    });

    it('cancels a cycle: releases keep their dates, are unbooked, and the cycle can be planned again', async () => {
      await createCycle(deps, cmc, { date: '2026-12-26' });
      const a = await release(dana, { cycle: '2026-12-26' });
      const cancelled = await cancelCycle(deps, cmc, { date: '2026-12-26' }, { reason: 'Christmas' });
      expect(cancelled).toMatchObject({ status: 'cancelled', note: 'Christmas', releases: [], version: 2 });
      expect(await row(a.name)).toMatchObject({ planned_date: '2026-12-26', cycle_id: null });
      expect(await audit('release.unbook')).toHaveLength(1);
      expect(await deps.database.kysely.selectFrom('mail_outbox').selectAll().execute()).toEqual([]);
      expect((await rejectsWith(cancelCycle(deps, cmc, { date: '2026-12-26' }, { reason: 'again' }), ConflictError)).code).toBe(
        'cycle-cancelled',
      );
      expect((await rejectsWith(moveCycle(deps, cmc, { date: '2026-12-26' }, { to: '2027-01-02', reason: 'x' }), ConflictError)).code).toBe(
        'cycle-cancelled',
      );
      const again = await createCycle(deps, cmc, { date: '2026-12-26' });
      expect(again).toMatchObject({ status: 'planned', version: 3, id: cancelled.id });
    });
  });

  describe('blackouts', () => {
    it('refuse scheduling in the window with a clear 409 naming the window and its reason', async () => {
      const b = await addBlackout(deps, cmc, { from: '2026-12-24', to: '2027-01-01', reason: 'Year-end freeze' });
      expect(b).toMatchObject({ from: '2026-12-24', to: '2027-01-01', channel: null, environment: null, effect: 'blocks', releases: [] });
      const refused = await rejectsWith(release(dana, { plannedDate: '2027-01-01' }), ConflictError);
      expect(refused.code).toBe('blackout');
      expect(refused.message).toBe(
        'a new release cannot be planned on 2027-01-01: blackout 2026-12-24 to 2027-01-01: Year-end freeze; scheduled releases may not override a blackout (only emergency may)',
      );
      expect((await release(dana, { plannedDate: '2027-01-02' })).plannedDate).toBe('2027-01-02');
      const moved = await rejectsWith(updateRelease(deps, dana, { name: 'CFIS001' }, { plannedDate: '2026-12-24' }), ConflictError);
      expect(moved.code).toBe('blackout');
      // A release that exists is named.
      expect(moved.message).toMatch(/^CFIS001 cannot be planned on 2026-12-24: blackout /);
      // No release, no number consumed.
      expect((await release(dana, { plannedDate: '2027-01-05' })).name).toBe('CFIS002');
    });

    it('lets an emergency release override, with a reason, by the CMC only', async () => {
      await addBlackout(deps, cmc, { from: '2026-12-24', to: '2027-01-01', reason: 'Year-end freeze' });
      const emergency = { type: 'emergency', plannedDate: '2026-12-29' };
      expect((await rejectsWith(release(cmc, emergency), ConflictError)).message).toContain(
        'emergency releases may be scheduled there only with a reason (`--blackout-override-reason`) given by a role holding blackout.override',
      );
      await rejectsWith(release(dana, { ...emergency, blackoutOverrideReason: 'patient safety' }), ForbiddenError);
      await rejectsWith(release(admin, { ...emergency, blackoutOverrideReason: 'patient safety' }), ForbiddenError);
      expect((await rejectsWith(release(cmc, { plannedDate: '2026-12-29', blackoutOverrideReason: 'please' }), ConflictError)).code).toBe(
        'blackout',
      );
      const ok = await release(cmc, { ...emergency, blackoutOverrideReason: 'Patient safety fix' });
      const override = JSON.parse((await row(ok.name)).blackout_override ?? 'null');
      expect(override).toMatchObject({ reason: 'Patient safety fix', by: 'carla', at: '2026-10-20T15:00:00.000Z', date: '2026-12-29' });
      // The recorded override stays valid for edits that keep the date; moving the date needs a new one.
      await updateRelease(deps, cmc, { name: ok.name }, { channels: ['database', 'web'] });
      expect(JSON.parse((await row(ok.name)).blackout_override ?? 'null')).toMatchObject({ reason: 'Patient safety fix' });
      await rejectsWith(updateRelease(deps, cmc, { name: ok.name }, { plannedDate: '2026-12-30' }), ConflictError);
      await updateRelease(deps, cmc, { name: ok.name }, { plannedDate: '2027-01-04' });
      expect((await row(ok.name)).blackout_override).toBeNull();
    });

    it('applies channel windows to that channel and environment windows to production only', async () => {
      await addBlackout(deps, cmc, { from: '2027-01-09', channel: 'web', reason: 'web farm upgrade' });
      await addBlackout(deps, cmc, { from: '2027-01-16', environment: 'acceptance-test', reason: 'AT refresh' });
      await addBlackout(deps, cmc, { from: '2027-01-23', environment: 'production', reason: 'data-centre move' });
      expect((await release(dana, { plannedDate: '2027-01-09', channels: ['database'] })).plannedDate).toBe('2027-01-09');
      await rejectsWith(release(dana, { plannedDate: '2027-01-09', channels: ['web'] }), ConflictError);
      expect((await release(dana, { plannedDate: '2027-01-16' })).plannedDate).toBe('2027-01-16');
      await rejectsWith(release(dana, { plannedDate: '2027-01-23' }), ConflictError);
      const listed = await listBlackouts(deps, { from: '2027-01-01' });
      expect(listed.items.map((b) => [b.from, b.effect, b.releases.map((r) => r.name)])).toEqual([
        ['2027-01-09', 'blocks', []],
        ['2027-01-16', 'warns', ['CFIS002']],
        ['2027-01-23', 'blocks', []],
      ]);
    });

    it('validates windows against the template and removes them', async () => {
      const bad = await rejectsWith(
        addBlackout(deps, cmc, { from: '2027-01-09', to: '2027-01-01', channel: 'carrier-pigeon', environment: 'staging', reason: ' ' }),
        ValidationError,
      );
      expect(bad.problems.map((p) => p.path)).toEqual(['to', 'channel', 'environment', 'reason']);
      await rejectsWith(addBlackout(deps, dana, { from: '2027-01-09', reason: 'x' }), ForbiddenError);
      const b = await addBlackout(deps, cmc, { from: '2027-01-09', reason: 'x' });
      await rejectsWith(release(dana, { plannedDate: '2027-01-09' }), ConflictError);
      await rejectsWith(removeBlackout(deps, dana, undefined, b.id), ForbiddenError);
      await removeBlackout(deps, cmc, undefined, b.id);
      expect((await release(dana, { plannedDate: '2027-01-09' })).plannedDate).toBe('2027-01-09');
      await rejectsWith(removeBlackout(deps, cmc, undefined, b.id), NotFoundError);
      expect((await audit('blackout.add')).length).toBe(1);
      expect((await audit('blackout.remove')).length).toBe(1);
    });

    it('records an override for a release planned before the window was added', async () => {
      const e = await release(dana, { type: 'emergency', plannedDate: '2027-01-09' });
      const s = await release(dana, { type: 'scheduled', plannedDate: '2027-01-09' });
      const free = await release(dana, { type: 'emergency', plannedDate: '2027-01-10' });
      const b = await addBlackout(deps, cmc, { from: '2027-01-09', reason: 'freeze' });
      expect(b.releases.map((r) => r.name)).toEqual([e.name, s.name]);
      await rejectsWith(overrideBlackout(deps, dana, { name: e.name }, { reason: 'go' }), ForbiddenError);
      expect((await rejectsWith(overrideBlackout(deps, cmc, { name: s.name }, { reason: 'go' }), ConflictError)).code).toBe('blackout');
      expect((await rejectsWith(overrideBlackout(deps, cmc, { name: free.name }, { reason: 'go' }), ConflictError)).code).toBe(
        'no-blackout',
      );
      const done = await overrideBlackout(deps, cmc, { name: e.name }, { reason: 'Regulatory deadline', expectedVersion: 1 });
      expect(done).toMatchObject({
        release: e.name,
        plannedDate: '2027-01-09',
        override: { reason: 'Regulatory deadline', by: 'carla' },
        version: 2,
      });
      expect(done.blackouts).toEqual([{ id: b.id, from: '2027-01-09', to: '2027-01-09', reason: 'freeze' }]);
      expect(await audit('release.blackout-override')).toHaveLength(1);
    });
  });

  it('lists conflicts of all kinds', async () => {
    await createCycle(deps, cmc, { date: '2026-12-26' });
    const a = await release(dana, { cycle: '2026-12-26', channels: ['database', 'web'] });
    const b = await release(nemo, { cycle: '2026-12-26', channels: ['web'] });
    const i1 = await createWorkItem(deps, dana, {
      kind: 'IR',
      helpdeskRef: 'HD-1',
      title: 'a',
      elements: [{ type: 'class', name: 'App.Totals' }],
    });
    const i2 = await createWorkItem(deps, dana, {
      kind: 'IR',
      helpdeskRef: 'HD-2',
      title: 'b',
      elements: [
        { type: 'class', name: 'App.Totals' },
        { type: 'web-file', name: 'index.html' },
      ],
    });
    await assignWorkItem(deps, admin, { key: i1.key }, { release: a.name });
    await assignWorkItem(deps, admin, { key: i2.key }, { release: b.name });
    // A window added after the booking: the cycle and both releases are on it.
    await addBlackout(deps, cmc, { from: '2026-12-26', reason: 'Boxing day' });

    const { from, to, items } = await listConflicts(deps, {});
    expect([from, to]).toEqual(['2026-10-20', '2027-04-18']);
    expect(items.map((c) => [c.kind, c.date, c.releases])).toEqual([
      ['channel', '2026-12-26', [a.name, b.name]],
      ['elements', '2026-12-26', [a.name, b.name]],
      ['cycle-blackout', '2026-12-26', [a.name, b.name]],
      ['release-blackout', '2026-12-26', [a.name]],
      ['release-blackout', '2026-12-26', [b.name]],
    ]);
    expect(items[1]).toMatchObject({ elements: [{ type: 'class', name: 'App.Totals', items: [i1.key, i2.key] }] });
    expect((await listConflicts(deps, { from: '2027-01-01', to: '2027-01-31' })).items).toEqual([]);
    await rejectsWith(listConflicts(deps, { from: '2027-01-31', to: '2027-01-01' }), ValidationError);
  });

  it('lists conflicts by date, whatever their kind', async () => {
    await createCycle(deps, cmc, { date: '2026-12-26' });
    const a = await release(dana, { cycle: '2026-12-26', channels: ['web'] });
    const b = await release(nemo, { cycle: '2026-12-26', channels: ['web'] });
    const early = await release(dana, { plannedDate: '2026-11-10', channels: ['database'] });
    await addBlackout(deps, cmc, { from: '2026-11-09', to: '2026-11-11', reason: 'Audit week' });
    const { items } = await listConflicts(deps, {});
    expect(items.map((c) => [c.date, c.kind, c.releases])).toEqual([
      ['2026-11-10', 'release-blackout', [early.name]],
      ['2026-12-26', 'channel', [a.name, b.name]],
    ]);
  });
});
