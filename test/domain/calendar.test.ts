import { describe, expect, it } from 'vitest';
import {
  blackoutEffect,
  blockingBlackouts,
  cycleDaysBetween,
  describeBlackout,
  findConflicts,
  isCycleDay,
  todayIn,
  weekdayOf,
  type BlackoutWindow,
  type ScheduledRelease,
} from '../../src/domain/calendar.js';
import { addDays, daysBetween } from '../../src/domain/dates.js';

const saturdays = { changeCycleDays: ['saturday' as const] };
const template = {
  environments: [
    { id: 'development', name: 'Dev', order: 1, production: false },
    { id: 'acceptance-test', name: 'AT', order: 2, production: false },
    { id: 'production', name: 'Prod', order: 3, production: true },
  ],
};

const window = (w: Partial<BlackoutWindow> & Pick<BlackoutWindow, 'startsOn'>): BlackoutWindow => ({
  id: `b-${w.startsOn}`,
  endsOn: w.startsOn,
  channel: null,
  environment: null,
  reason: 'freeze',
  ...w,
});

const release = (r: Partial<ScheduledRelease> & Pick<ScheduledRelease, 'name' | 'plannedDate'>): ScheduledRelease => ({
  id: r.name,
  type: 'scheduled',
  channels: ['database'],
  cycleId: null,
  overridden: false,
  ...r,
});

describe('calendar dates', () => {
  it('knows the weekday of dates across centuries, year ends and leap days', () => {
    expect(weekdayOf('1970-01-01')).toBe('thursday');
    expect(weekdayOf('2000-02-29')).toBe('tuesday');
    expect(weekdayOf('2024-02-29')).toBe('thursday');
    expect(weekdayOf('2026-12-26')).toBe('saturday');
    expect(weekdayOf('2027-01-02')).toBe('saturday');
    expect(weekdayOf('2026-11-01')).toBe('sunday'); // US DST ends
    expect(weekdayOf('2026-03-08')).toBe('sunday'); // US DST starts
    expect(weekdayOf('1969-12-31')).toBe('wednesday');
    expect(weekdayOf('2100-03-01')).toBe('monday');
  });

  it('adds days over month, year and leap-day boundaries', () => {
    expect(addDays('2026-12-26', 7)).toBe('2027-01-02');
    expect(addDays('2027-01-02', -7)).toBe('2026-12-26');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-10-31', 1)).toBe('2026-11-01');
    expect(daysBetween('2026-12-26', '2027-01-02')).toBe(7);
    expect(daysBetween('2028-03-01', '2028-02-28')).toBe(-2);
  });

  it('refuses what is not a calendar date', () => {
    expect(() => weekdayOf('2026-02-30')).toThrow(RangeError);
    expect(() => addDays('26-1-1', 1)).toThrow(RangeError);
  });

  it('lists the designated days of a range across a year end', () => {
    expect(cycleDaysBetween(saturdays, '2026-12-20', '2027-01-10')).toEqual(['2026-12-26', '2027-01-02', '2027-01-09']);
    expect(cycleDaysBetween({ changeCycleDays: ['tuesday', 'saturday'] }, '2028-02-26', '2028-03-04')).toEqual([
      '2028-02-26',
      '2028-02-29',
      '2028-03-04',
    ]);
    expect(cycleDaysBetween({ changeCycleDays: [] }, '2026-01-01', '2026-12-31')).toEqual([]);
    expect(cycleDaysBetween(saturdays, '2027-01-10', '2026-12-20')).toEqual([]);
    expect(isCycleDay(saturdays, '2026-10-31')).toBe(true); // the Saturday before the November DST change
    expect(isCycleDay(saturdays, '2026-11-01')).toBe(false);
  });

  it('tells today in the template’s time zone, not the server’s', () => {
    // 03:30 UTC on 1 January is still New Year’s Eve in New York, already New Year’s Day in Tokyo.
    const now = new Date('2027-01-01T03:30:00Z');
    expect(todayIn('America/New_York', now)).toBe('2026-12-31');
    expect(todayIn('Asia/Tokyo', now)).toBe('2027-01-01');
    expect(todayIn('UTC', now)).toBe('2027-01-01');
    // Around the November DST change (01:30 local happens twice).
    expect(todayIn('America/New_York', new Date('2026-11-01T05:30:00Z'))).toBe('2026-11-01');
    expect(todayIn('America/New_York', new Date('2026-11-01T03:59:00Z'))).toBe('2026-10-31');
  });
});

describe('blackout windows', () => {
  it('covers both ends of the window', () => {
    const b = window({ startsOn: '2026-12-24', endsOn: '2027-01-01' });
    const on = (d: string) => blackoutEffect(template, b, { plannedDate: d, channels: ['web'] });
    expect(on('2026-12-23')).toBe('none');
    expect(on('2026-12-24')).toBe('blocks');
    expect(on('2026-12-31')).toBe('blocks');
    expect(on('2027-01-01')).toBe('blocks');
    expect(on('2027-01-02')).toBe('none');
  });

  it('applies a channel window only to releases carrying the channel', () => {
    const b = window({ startsOn: '2026-12-26', channel: 'web' });
    expect(blackoutEffect(template, b, { plannedDate: '2026-12-26', channels: ['database'] })).toBe('none');
    expect(blackoutEffect(template, b, { plannedDate: '2026-12-26', channels: ['database', 'web'] })).toBe('blocks');
  });

  it('blocks on production environment windows and only warns on the others', () => {
    const prod = window({ startsOn: '2026-12-26', environment: 'production' });
    const at = window({ startsOn: '2026-12-26', environment: 'acceptance-test' });
    const r = { plannedDate: '2026-12-26', channels: ['web'] };
    expect(blackoutEffect(template, prod, r)).toBe('blocks');
    expect(blackoutEffect(template, at, r)).toBe('warns');
    expect(blockingBlackouts(template, [prod, at], r)).toEqual([prod]);
    expect(describeBlackout({ ...prod, endsOn: '2026-12-27', channel: 'web' })).toBe(
      '2026-12-26 to 2026-12-27 (web channel, production environment): freeze',
    );
  });
});

describe('conflicts', () => {
  const cycles = [
    { id: 'c1', date: '2026-12-26', status: 'planned' },
    { id: 'c2', date: '2027-01-02', status: 'planned' },
    { id: 'c3', date: '2027-01-09', status: 'cancelled' },
  ];

  it('finds two releases deploying one channel in one cycle', () => {
    const out = findConflicts(template, {
      cycles,
      releases: [
        release({ name: 'CFIS002', plannedDate: '2026-12-26', cycleId: 'c1', channels: ['database', 'web'] }),
        release({ name: 'CFIS001', plannedDate: '2026-12-26', cycleId: 'c1', channels: ['web'] }),
        release({ name: 'CFIS003', plannedDate: '2027-01-02', cycleId: 'c2', channels: ['web'] }),
      ],
      items: [],
      blackouts: [],
    });
    expect(out).toEqual([
      expect.objectContaining({
        kind: 'channel',
        date: '2026-12-26',
        cycle: '2026-12-26',
        channel: 'web',
        releases: ['CFIS001', 'CFIS002'],
      }),
    ]);
  });

  it('finds releases of one day whose items declare the same element', () => {
    const out = findConflicts(template, {
      cycles,
      releases: [
        release({ name: 'CFIS001', plannedDate: '2027-01-02', cycleId: 'c2', channels: ['database'] }),
        release({ name: 'CFIS002', plannedDate: '2027-01-02', cycleId: 'c2', channels: ['web'] }),
        release({ name: 'CFIS003', plannedDate: '2027-01-16', channels: ['web'] }),
      ],
      items: [
        {
          key: 'IR-1',
          releaseId: 'CFIS001',
          elements: [
            { type: 'class', name: 'App.Totals' },
            { type: 'routine', name: 'TOT' },
          ],
        },
        { key: 'IR-2', releaseId: 'CFIS002', elements: [{ type: 'class', name: 'App.Totals' }] },
        { key: 'IR-3', releaseId: 'CFIS003', elements: [{ type: 'routine', name: 'TOT' }] },
      ],
      blackouts: [],
    });
    expect(out).toEqual([
      expect.objectContaining({
        kind: 'elements',
        date: '2027-01-02',
        releases: ['CFIS001', 'CFIS002'],
        elements: [{ type: 'class', name: 'App.Totals', items: ['IR-1', 'IR-2'] }],
      }),
    ]);
  });

  it('finds planned cycles and releases on blackouts, overridden or not', () => {
    const freeze = window({ startsOn: '2026-12-24', endsOn: '2027-01-01' });
    const atOnly = window({ id: 'at', startsOn: '2027-01-09', environment: 'acceptance-test' });
    const out = findConflicts(template, {
      cycles,
      releases: [
        release({ name: 'CFIS001', plannedDate: '2026-12-26', cycleId: 'c1' }),
        release({ name: 'CFIS002', plannedDate: '2026-12-29', type: 'emergency', overridden: true }),
        release({ name: 'CFIS003', plannedDate: '2027-01-09' }),
      ],
      items: [],
      blackouts: [freeze, atOnly],
    });
    expect(out.map((c) => [c.kind, c.date, c.releases])).toEqual([
      ['cycle-blackout', '2026-12-26', ['CFIS001']],
      ['release-blackout', '2026-12-26', ['CFIS001']],
      ['release-blackout', '2026-12-29', ['CFIS002']],
      ['release-blackout', '2027-01-09', ['CFIS003']],
    ]);
    // The cancelled cycle of 2027-01-09 is no conflict; the AT-only window is shown, not blocking.
    expect(out[2]).toMatchObject({ overridden: true, effect: 'blocks' });
    expect(out[3]).toMatchObject({ overridden: false, effect: 'warns' });
    expect(out[1]?.message).toContain('CFIS001 on 2026-12-26 falls in the blackout 2026-12-24 to 2027-01-01: freeze');
  });
});
