import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blackoutEffect, covers, type BlackoutWindow } from '../../src/domain/calendar.js';
import { cycleMoveBlackouts, overrideAfterMove, type MovingRelease } from '../../src/domain/cycle-move.js';
import { addDays } from '../../src/domain/dates.js';

const CHANNELS = ['cache', 'web', 'batch'];
const TYPES = ['normal', 'emergency', 'minor'];
const template = {
  environments: [
    { id: 'prod', name: 'Production', production: true },
    { id: 'test', name: 'Test', production: false },
  ],
} as unknown as MovingRelease['template'];

const TO = '2027-01-09';

/** A window within a few days of the new date, on any channel or environment (or neither). */
const window = (id: string) =>
  fc
    .record({
      start: fc.integer({ min: -3, max: 3 }),
      length: fc.integer({ min: 0, max: 3 }),
      channel: fc.option(fc.constantFrom(...CHANNELS), { nil: null }),
      environment: fc.option(fc.constantFrom('prod', 'test', 'gone'), { nil: null }),
    })
    .map((w): BlackoutWindow => ({
      id,
      startsOn: addDays(TO, w.start),
      endsOn: addDays(TO, w.start + w.length),
      channel: w.channel,
      environment: w.environment,
      reason: `reason ${id}`,
    }));

const windows = fc.integer({ min: 0, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => window(`w${i}`))));

const releases = fc
  .array(fc.record({ type: fc.constantFrom(...TYPES), channels: fc.subarray(CHANNELS) }), { maxLength: 5 })
  .map((rs) => rs.map((r, i): MovingRelease => ({ id: `r${i}`, name: `R${i}`, type: r.type, channels: r.channels, template })));

const overridable = fc.subarray(TYPES);

describe('the blackout check of moving a cycle', () => {
  it('blocks on exactly the windows of the new date that cover the whole cycle or block one of its releases', () => {
    fc.assert(
      fc.property(windows, releases, overridable, (ws, rs, types) => {
        const d = cycleMoveBlackouts({ to: TO, windows: ws, releases: rs, overridableTypes: types });
        for (const w of ws) {
          const wide = w.channel === null && w.environment === null;
          const blocksOne = rs.some((r) => blackoutEffect(template, w, { plannedDate: TO, channels: r.channels }) === 'blocks');
          expect(d.blocking.includes(w)).toBe(covers(w, TO) && (wide || blocksOne));
        }
        expect(d.what === '').toBe(d.blocking.length === 0);
      }),
    );
  });

  it('names, per release, the windows that block it there, and no release that nothing blocks', () => {
    fc.assert(
      fc.property(windows, releases, overridable, (ws, rs, types) => {
        const d = cycleMoveBlackouts({ to: TO, windows: ws, releases: rs, overridableTypes: types });
        for (const r of rs) {
          const hit = ws
            .filter((w) => blackoutEffect(template, w, { plannedDate: TO, channels: r.channels }) === 'blocks')
            .map((w) => w.id);
          expect(d.concerned.get(r.id)).toEqual(hit.length > 0 ? hit : undefined);
        }
        // Every window concerning a release blocks the move.
        for (const ids of d.concerned.values()) for (const id of ids) expect(d.blocking.some((w) => w.id === id)).toBe(true);
      }),
    );
  });

  it('refuses an override for exactly the concerned releases of types that may not override', () => {
    fc.assert(
      fc.property(windows, releases, overridable, (ws, rs, types) => {
        const d = cycleMoveBlackouts({ to: TO, windows: ws, releases: rs, overridableTypes: types });
        const want = d.blocking.length === 0 ? [] : rs.filter((r) => d.concerned.has(r.id) && !types.includes(r.type));
        expect(d.refused).toEqual(want.map((r) => ({ name: r.name, type: r.type })));
      }),
    );
  });

  it('allowing more release types to override never refuses more, and changes nothing else', () => {
    fc.assert(
      fc.property(windows, releases, overridable, overridable, (ws, rs, some, more) => {
        const wider = [...new Set([...some, ...more])];
        const a = cycleMoveBlackouts({ to: TO, windows: ws, releases: rs, overridableTypes: some });
        const b = cycleMoveBlackouts({ to: TO, windows: ws, releases: rs, overridableTypes: wider });
        for (const r of b.refused) expect(a.refused).toContainEqual(r);
        expect(b.blocking).toEqual(a.blocking);
        expect(b.concerned).toEqual(a.concerned);
      }),
    );
  });

  it('windows off the new date, or a cycle without releases and only scoped windows, never block', () => {
    fc.assert(
      fc.property(windows, releases, overridable, (ws, rs, types) => {
        const off = ws.filter((w) => !covers(w, TO));
        expect(cycleMoveBlackouts({ to: TO, windows: off, releases: rs, overridableTypes: types }).blocking).toEqual([]);
        const scoped = ws.filter((w) => w.channel !== null || w.environment !== null);
        expect(cycleMoveBlackouts({ to: TO, windows: scoped, releases: [], overridableTypes: types }).blocking).toEqual([]);
      }),
    );
  });
});

describe('the override a release carries after its cycle moved', () => {
  const existing = fc.option(
    fc.record({
      reason: fc.string(),
      by: fc.constantFrom('carol', 'dana'),
      at: fc.constant('2027-01-01T00:00:00.000Z'),
      date: fc.constantFrom(TO, '2027-01-02', '2026-12-26'),
      blackouts: fc.array(fc.constantFrom('w0', 'w1', 'w2'), { maxLength: 2 }),
    }),
    { nil: null },
  );
  const hit = fc.option(fc.array(fc.constantFrom('w0', 'w1', 'w2'), { minLength: 1, maxLength: 3 }), { nil: undefined });
  const move = fc.option(
    fc.record({ reason: fc.string({ minLength: 1 }), by: fc.constant('cmc'), at: fc.constant('2027-01-05T10:00:00.000Z') }),
    {
      nil: undefined,
    },
  );

  it('is new when the move overrides windows blocking it, kept only when recorded for the new date, else none', () => {
    fc.assert(
      fc.property(hit, move, existing, (h, m, e) => {
        const o = overrideAfterMove({ to: TO, hit: h, override: m, existing: e });
        if (h && m) expect(o).toEqual({ ...m, date: TO, blackouts: h });
        else if (e?.date === TO) expect(o).toBe(e);
        else expect(o).toBeNull();
        // Whatever it is, an override a release carries is for the date it is planned on.
        if (o !== null) expect(o.date).toBe(TO);
      }),
    );
  });
});
