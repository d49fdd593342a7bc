import type { FastifyInstance } from 'fastify';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { manualClock } from '../support/service-fixtures.js';

const V = '/api/v1';

type Feed = { events: Map<string, ICAL.Event>; calendar: ICAL.Component };

/** Parses a feed with ical.js, an iCalendar parser independent of the one that wrote it. */
function parseFeed(text: string): Feed {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  const events = new Map<string, ICAL.Event>();
  for (const c of calendar.getAllSubcomponents('vevent')) {
    const e = new ICAL.Event(c);
    expect(events.has(e.uid), `duplicate UID ${e.uid}`).toBe(false);
    events.set(e.uid, e);
  }
  return { events, calendar };
}

const dateOf = (t: ICAL.Time) => `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;

describe.each(dialects)('calendar routes ($name)', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let cmc: Call;
  let dev: Call;
  let viewer: Call;
  let anon: Call;
  let dbaToken: string;
  // Thursday 22 October 2026, 10:00 in New York (EDT); the November DST change is ten days away.
  const clock = manualClock('2026-10-22T14:00:00.000Z');

  beforeAll(async () => {
    h = await harness(name, clock.clock);
    app = await httpApp(h.deps);
    cmc = caller(app, (await userWith(h.deps, ['cmc'], 'carla')).token);
    dev = caller(app, (await userWith(h.deps, ['developer'], 'dana')).token);
    viewer = caller(app, (await userWith(h.deps, ['viewer'], 'vic')).token);
    dbaToken = (await userWith(h.deps, ['database-lead'], 'dbl')).token;
    anon = caller(app, null);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('plans, lists, moves and cancels cycles, with problems for bad input', async () => {
    const created = expectJson(await cmc('POST', `${V}/cycles`, { date: '2027-02-06' }), 201);
    expect(created).toMatchObject({ date: '2027-02-06', weekday: 'saturday', status: 'planned', version: 1 });
    expectJson(await cmc('POST', `${V}/cycles`, { date: '2027-02-13' }), 201);

    const sunday = expectProblem(await cmc('POST', `${V}/cycles`, { date: '2027-02-07' }), 422, 'validation');
    expect(sunday.errors).toEqual([{ path: 'date', message: expect.stringContaining('is a sunday') }]);
    expectProblem(await cmc('POST', `${V}/cycles`, { date: '2027-02-06' }), 409, 'cycle-exists');
    const bad = expectProblem(await cmc('POST', `${V}/cycles`, { date: '2026-13-01', extra: 1 }), 400, 'validation');
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(['(root)', 'date']);
    expectProblem(await dev('POST', `${V}/cycles`, { date: '2027-02-20' }), 403, 'forbidden');
    expectProblem(await anon('GET', `${V}/cycles`), 401, 'unauthenticated');

    const r = expectJson(
      await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2027-01-30', channels: ['web'], cycle: '2027-02-06' }),
      201,
    );
    expect(r.plannedDate).toBe('2027-02-06');
    const listed = expectJson(await viewer('GET', `${V}/cycles?from=2027-02-01&to=2027-02-10`), 200);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0].releases).toEqual([{ name: r.name, type: 'scheduled', state: 'draft', title: '', channels: ['web'] }]);

    expectProblem(await cmc('POST', `${V}/cycles/2027-02-06/move`, { to: '2027-02-13', reason: 'x' }), 409, 'cycle-exists');
    expectProblem(await cmc('POST', `${V}/cycles/2027-02-06/move`, { to: '2027-02-20' }), 400, 'validation');
    expectProblem(await cmc('POST', `${V}/cycles/2027-02-06/move`, { to: '2027-02-20', reason: 'x', version: 5 }), 409, 'stale-version');
    const moved = expectJson(await cmc('POST', `${V}/cycles/2027-02-06/move`, { to: '2027-02-20', reason: 'staff away' }), 200);
    expect(moved).toMatchObject({ date: '2027-02-20', note: 'staff away', version: 2 });
    expect(expectJson(await viewer('GET', `${V}/releases/${r.name}`), 200).plannedDate).toBe('2027-02-20');

    const cancelled = expectJson(await cmc('POST', `${V}/cycles/2027-02-20/cancel`, { reason: 'freeze' }), 200);
    expect(cancelled).toMatchObject({ status: 'cancelled', releases: [] });
    expectProblem(await cmc('POST', `${V}/cycles/2027-02-20/cancel`, { reason: 'again' }), 409, 'cycle-cancelled');
    expectProblem(await cmc('POST', `${V}/cycles/2027-03-06/cancel`, { reason: 'x' }), 404, 'not-found');
    expectProblem(await dev('PATCH', `${V}/releases/${r.name}`, { cycle: '2027-02-20' }), 409, 'cycle-cancelled');
  });

  it('adds and removes blackouts; scheduling in one is a 409 naming it; the CMC may override an emergency', async () => {
    const b = expectJson(await cmc('POST', `${V}/blackouts`, { from: '2027-03-01', to: '2027-03-07', reason: 'Audit week' }), 201);
    expect(b).toMatchObject({ from: '2027-03-01', to: '2027-03-07', effect: 'blocks', releases: [] });
    const bad = expectProblem(await cmc('POST', `${V}/blackouts`, { from: '2027-03-01', channel: 'fax', reason: 'x' }), 422, 'validation');
    expect(bad.errors).toEqual([{ path: 'channel', message: expect.stringContaining('unknown channel "fax"') }]);
    expectProblem(await cmc('POST', `${V}/blackouts`, { from: '2027-03-01' }), 400, 'validation');

    const refused = expectProblem(
      await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2027-03-03', channels: ['database'] }),
      409,
      'blackout',
    );
    expect(refused.detail).toContain('2027-03-01 to 2027-03-07: Audit week');
    expectProblem(
      await dev('POST', `${V}/releases`, {
        type: 'emergency',
        plannedDate: '2027-03-03',
        channels: ['database'],
        blackoutOverrideReason: 'hot fix',
      }),
      403,
      'forbidden',
    );
    expectProblem(
      await cmc('POST', `${V}/releases`, {
        type: 'scheduled',
        plannedDate: '2027-03-03',
        channels: ['database'],
        blackoutOverrideReason: 'hot fix',
      }),
      409,
      'blackout',
    );
    expectJson(
      await cmc('POST', `${V}/releases`, {
        type: 'emergency',
        plannedDate: '2027-03-03',
        channels: ['database'],
        blackoutOverrideReason: 'hot fix',
      }),
      201,
    );
    const listed = expectJson(await viewer('GET', `${V}/blackouts?from=2027-03-01&to=2027-03-31`), 200);
    expect(listed.items).toEqual([expect.objectContaining({ id: b.id, releases: [expect.objectContaining({ overridden: true })] })]);

    const conflicts = expectJson(await viewer('GET', `${V}/calendar/conflicts?from=2027-03-01&to=2027-03-31`), 200);
    expect(conflicts.items).toEqual([expect.objectContaining({ kind: 'release-blackout', overridden: true, effect: 'blocks' })]);
    expectProblem(await viewer('GET', `${V}/calendar/conflicts?from=2027-03-31&to=2027-03-01`), 422, 'validation');

    // A release planned before a window appears gets its override through its own route.
    const early = expectJson(await dev('POST', `${V}/releases`, { type: 'emergency', plannedDate: '2027-04-10', channels: ['web'] }), 201);
    expectJson(await cmc('POST', `${V}/blackouts`, { from: '2027-04-10', channel: 'web', reason: 'CDN move' }), 201);
    expectProblem(await dev('PUT', `${V}/releases/${early.name}/blackout-override`, { reason: 'x' }), 403, 'forbidden');
    expectProblem(await cmc('PUT', `${V}/releases/${early.name}/blackout-override`, {}), 400, 'validation');
    const o = expectJson(await cmc('PUT', `${V}/releases/${early.name}/blackout-override`, { reason: 'contract deadline' }), 200);
    expect(o.override).toMatchObject({ reason: 'contract deadline', by: 'carla', date: '2027-04-10' });

    expectProblem(await dev('DELETE', `${V}/blackouts/${b.id}`), 403, 'forbidden');
    const del = await cmc('DELETE', `${V}/blackouts/${b.id}`);
    expect(del.statusCode).toBe(204);
    expectProblem(await cmc('DELETE', `${V}/blackouts/${b.id}`), 404, 'not-found');
    expectProblem(await cmc('DELETE', `${V}/blackouts/not-a-uuid`), 400, 'validation');
  });

  it('serves a secret iCalendar feed that calendar clients can subscribe to', async () => {
    // Cycles on the Saturday of the November DST change and across the year end.
    for (const date of ['2026-10-31', '2026-12-26', '2027-01-02']) expectJson(await cmc('POST', `${V}/cycles`, { date }), 201);
    expectJson(await cmc('POST', `${V}/cycles`, { date: '2027-01-16' }), 201);
    expectJson(await cmc('POST', `${V}/cycles/2027-01-16/cancel`, { reason: 'no releases' }), 200);
    const freeze = expectJson(
      await cmc('POST', `${V}/blackouts`, { from: '2026-12-28', to: '2027-01-01', reason: 'Year-end freeze' }),
      201,
    );
    const rel = expectJson(
      await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2026-10-31', channels: ['database'], title: 'DST fixes' }),
      201,
    );

    const dba = caller(app, dbaToken);
    const issued = expectJson(await dba('POST', `${V}/calendar/feed-token`, {}), 201);
    expect(issued.url).toMatch(/^http:\/\/[^/]+\/api\/v1\/calendar\.ics\?token=rmc_[A-Za-z0-9_-]{43}$/);
    const feedUrl = issued.url.replace(/^http:\/\/[^/]+/, '');
    const fetchFeed = async () => {
      const res = await anon('GET', feedUrl);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      return { text: res.body, ...parseFeed(res.body) };
    };

    const first = await fetchFeed();
    expect(first.calendar.getFirstPropertyValue('x-wr-calname')).toBe('relman: dbl');
    const [cycleDst, cycleYearEnd, cycleCancelled] = (
      expectJson(await viewer('GET', `${V}/cycles?from=2026-10-01&to=2027-12-31`), 200).items as { id: string; date: string }[]
    ).filter((c) => ['2026-10-31', '2026-12-26', '2027-01-16'].includes(c.date));
    const dstEvent = first.events.get(`cycle-${cycleDst?.id}@relman`);
    expect(dstEvent?.startDate.isDate).toBe(true);
    expect(dateOf(dstEvent!.startDate)).toBe('2026-10-31');
    expect(dateOf(dstEvent!.endDate)).toBe('2026-11-01');
    expect(dateOf(first.events.get(`cycle-${cycleYearEnd?.id}@relman`)!.endDate)).toBe('2026-12-27');
    expect(first.events.get(`cycle-${cycleCancelled?.id}@relman`)?.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    const blackout = first.events.get(`blackout-${freeze.id}@relman`);
    expect([dateOf(blackout!.startDate), dateOf(blackout!.endDate), blackout!.startDate.isDate]).toEqual([
      '2026-12-28',
      '2027-01-02',
      true,
    ]);
    expect(blackout?.summary).toBe('Blackout: Year-end freeze');
    const releaseRow = await h.deps.database.kysely
      .selectFrom('releases')
      .select('id')
      .where('name', '=', rel.name)
      .executeTakeFirstOrThrow();
    const relEvent = first.events.get(`release-${releaseRow.id}@relman`);
    expect(relEvent?.summary).toBe(`${rel.name} DST fixes (draft)`);
    expect(relEvent?.sequence).toBe(0);
    // Every event is all-day: nothing needs a VTIMEZONE, and no client can shift a date.
    expect(first.calendar.getAllSubcomponents('vtimezone')).toEqual([]);
    for (const e of first.events.values()) {
      expect(e.startDate.isDate, e.uid).toBe(true);
      expect(e.component.getFirstPropertyValue('dtstamp')).toBeTruthy();
    }
    // The database lead's open checklist tasks, and only theirs.
    const tasks = [...first.events.keys()].filter((k) => k.startsWith('task-'));
    const dbaTasks = await h.deps.database.kysely
      .selectFrom('checklist_tasks')
      .select(['id', 'responsible'])
      .where('status', '=', 'open')
      .where('due_date', 'is not', null)
      .execute();
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.sort()).toEqual(
      dbaTasks
        .filter((t) => (JSON.parse(t.responsible) as string[]).includes('database-lead'))
        .map((t) => `task-${t.id}@relman`)
        .sort(),
    );

    // A second fetch: same UIDs, same content (stable entries, no churn in the client).
    const second = await fetchFeed();
    expect([...second.events.keys()].sort()).toEqual([...first.events.keys()].sort());
    expect(second.text).toBe(first.text);
    // Nor does the server's own time zone change a date (UTC+14 and UTC-11 around the date line).
    for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const saved = process.env.TZ;
      process.env.TZ = tz;
      try {
        expect(new Date(2026, 0, 1).getTimezoneOffset()).not.toBe(0);
        expect((await fetchFeed()).text).toBe(first.text);
      } finally {
        process.env.TZ = saved;
      }
    }

    // An update replaces the entry: same UID, higher SEQUENCE, new date and LAST-MODIFIED.
    clock.set('2026-10-23T14:00:00.000Z');
    expectJson(await dev('PATCH', `${V}/releases/${rel.name}`, { plannedDate: '2026-11-07' }), 200);
    const third = await fetchFeed();
    const updated = third.events.get(`release-${releaseRow.id}@relman`);
    expect(updated?.sequence).toBe(1);
    expect(dateOf(updated!.startDate)).toBe('2026-11-07');
    expect(updated?.component.getFirstPropertyValue('last-modified')?.toString()).toBe('2026-10-23T14:00:00Z');
    const ownTasks = await h.deps.database.kysely
      .selectFrom('checklist_tasks')
      .select('id')
      .where('release_id', '=', releaseRow.id)
      .execute();
    const moved = tasks.filter((k) => ownTasks.some((t) => k === `task-${t.id}@relman`));
    expect(moved.length).toBeGreaterThan(0);
    for (const k of moved) expect(third.events.get(k)?.sequence ?? 0).toBeGreaterThan(first.events.get(k)?.sequence ?? 0);

    // Asking for a feed while one exists keeps it (and says how to replace it); the status says since when.
    const kept = expectProblem(await dba('POST', `${V}/calendar/feed-token`, { replace: false }), 409, 'feed-exists');
    expect(kept.detail).toContain('relman calendar feed --rotate');
    expect((await anon('GET', feedUrl)).statusCode).toBe(200);
    expect(expectJson(await dba('GET', `${V}/calendar/feed-token`), 200)).toEqual({
      exists: true,
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
    });

    // Rotating the URL kills the old one; revoking kills the new one; neither says why.
    const rotated = expectJson(await dba('POST', `${V}/calendar/feed-token`, {}), 201);
    const old = expectProblem(await anon('GET', feedUrl), 404, 'not-found');
    expect((await anon('GET', feedUrl)).headers['cache-control']).toBe('no-store');
    const unknown = expectProblem(await anon('GET', `${V}/calendar.ics?token=rmc_nothing`), 404, 'not-found');
    expect(old.detail).toBe(unknown.detail);
    expect((await anon('GET', rotated.url.replace(/^http:\/\/[^/]+/, ''))).statusCode).toBe(200);
    expect((await dba('DELETE', `${V}/calendar/feed-token`)).statusCode).toBe(204);
    expectProblem(await anon('GET', rotated.url.replace(/^http:\/\/[^/]+/, '')), 404, 'not-found');
    expect(expectJson(await dba('GET', `${V}/calendar/feed-token`), 200)).toEqual({ exists: false, createdAt: null, lastUsedAt: null });
    const fresh = expectJson(await dba('POST', `${V}/calendar/feed-token`, { replace: false }), 201);
    expect((await anon('GET', fresh.url.replace(/^http:\/\/[^/]+/, ''))).statusCode).toBe(200);
    expectProblem(await anon('GET', `${V}/calendar.ics`), 400, 'validation');
    expectProblem(await anon('POST', `${V}/calendar/feed-token`, {}), 401, 'unauthenticated');
  });
});
