import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeDue,
  dueStep,
  escalationAt,
  isOverdue,
  localDate,
  milestoneDates,
  nextStep,
  overdueFrom,
  reminderAt,
  stepDueAt,
  taskDueDate,
  zonedInstant,
  zoneOffsetMs,
  type ReminderRule,
} from '../../src/domain/checklist.js';
import { addDays, daysBetween } from '../../src/domain/dates.js';
import { isCalendarDate } from '../../src/domain/dates.js';

const NY = 'America/New_York';
const iso = (d: Date) => d.toISOString();
const rule = (over: Partial<ReminderRule> = {}): ReminderRule => ({
  timeZone: NY,
  reminderTime: '08:00',
  escalationDelayHours: 24,
  ...over,
});

describe('calendar dates', () => {
  it('moves across month ends, year ends and leap days', () => {
    expect(addDays('2030-01-01', -1)).toBe('2029-12-31');
    expect(addDays('2030-12-31', 1)).toBe('2031-01-01');
    expect(addDays('2031-01-10', -14)).toBe('2030-12-27');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2030-03-01', -1)).toBe('2030-02-28');
    expect(addDays('2100-03-01', -1)).toBe('2100-02-28');
    expect(addDays('2000-03-01', -1)).toBe('2000-02-29');
    expect(addDays('2030-03-31', -30)).toBe('2030-03-01');
    expect(daysBetween('2029-12-31', '2030-01-14')).toBe(14);
  });

  it('is unaffected by daylight-saving changes (dates only)', () => {
    expect(addDays('2030-03-10', 1)).toBe('2030-03-11');
    expect(addDays('2030-11-03', -1)).toBe('2030-11-02');
  });

  it('property: adding and subtracting days gives the date back, and every result is a calendar date', () => {
    const date = fc
      .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, fc.integer({ min: -400, max: 400 }), fc.integer({ min: -400, max: 400 }), (d, a, b) => {
        const moved = addDays(d, a);
        expect(isCalendarDate(moved)).toBe(true);
        expect(addDays(moved, -a)).toBe(d);
        expect(addDays(addDays(d, a), b)).toBe(addDays(d, a + b));
        expect(daysBetween(d, moved)).toBe(a);
      }),
    );
  });
});

describe('due dates of tasks', () => {
  const milestones = [{ id: 'uat-start', offsetDays: -7 }];

  it('counts from release day or from a milestone, set or from the template', () => {
    const dates = milestoneDates(milestones, '2031-01-05');
    expect(dates).toEqual({ 'uat-start': '2030-12-29' });
    expect(taskDueDate({ offsetDays: -14 }, '2031-01-05', dates)).toBe('2030-12-22');
    expect(taskDueDate({ offsetDays: 0 }, '2031-01-05', dates)).toBe('2031-01-05');
    expect(taskDueDate({ milestone: 'uat-start' }, '2031-01-05', dates)).toBe('2030-12-29');
    expect(taskDueDate({ milestone: 'uat-start', offsetDays: -2 }, '2031-01-05', dates)).toBe('2030-12-27');
    const set = milestoneDates(milestones, '2031-01-05', { 'uat-start': '2031-01-02' });
    expect(taskDueDate({ milestone: 'uat-start', offsetDays: -1 }, '2031-01-05', set)).toBe('2031-01-01');
    expect(taskDueDate({ milestone: 'unknown' }, '2031-01-05', set)).toBeNull();
  });

  it('describes the rule in words', () => {
    expect(describeDue({ offsetDays: -14 })).toBe('14 days before release day');
    expect(describeDue({ offsetDays: -1 })).toBe('1 day before release day');
    expect(describeDue({ offsetDays: 0 })).toBe('on release day');
    expect(describeDue({ milestone: 'uat-start' }, () => 'UAT starts')).toBe('on "UAT starts"');
    expect(describeDue({ milestone: 'uat-start', offsetDays: 2 }, () => 'UAT starts')).toBe('2 days after "UAT starts"');
  });
});

describe('local times in a time zone', () => {
  it('08:00 in New York is 13:00Z in winter and 12:00Z in summer', () => {
    expect(iso(zonedInstant('2030-01-15', '08:00', NY))).toBe('2030-01-15T13:00:00.000Z');
    expect(iso(zonedInstant('2030-07-15', '08:00', NY))).toBe('2030-07-15T12:00:00.000Z');
  });

  it('on both sides of the March change (2030-03-10, 02:00 → 03:00)', () => {
    expect(iso(zonedInstant('2030-03-09', '08:00', NY))).toBe('2030-03-09T13:00:00.000Z');
    expect(iso(zonedInstant('2030-03-10', '08:00', NY))).toBe('2030-03-10T12:00:00.000Z');
    expect(iso(zonedInstant('2030-03-10', '01:59', NY))).toBe('2030-03-10T06:59:00.000Z');
    expect(iso(zonedInstant('2030-03-10', '03:00', NY))).toBe('2030-03-10T07:00:00.000Z');
  });

  it('a local time skipped by the March change moves forward by the gap', () => {
    expect(iso(zonedInstant('2030-03-10', '02:30', NY))).toBe('2030-03-10T07:30:00.000Z'); // 03:30 EDT
    expect(iso(zonedInstant('2030-03-31', '02:30', 'Europe/Berlin'))).toBe('2030-03-31T01:30:00.000Z'); // 03:30 CEST
    // Lord Howe Island changes by 30 minutes.
    expect(iso(zonedInstant('2030-10-06', '02:15', 'Australia/Lord_Howe'))).toBe('2030-10-05T15:45:00.000Z');
  });

  it('on both sides of the November change (2030-11-03, 02:00 → 01:00); a repeated time is its first occurrence', () => {
    expect(iso(zonedInstant('2030-11-02', '08:00', NY))).toBe('2030-11-02T12:00:00.000Z');
    expect(iso(zonedInstant('2030-11-03', '08:00', NY))).toBe('2030-11-03T13:00:00.000Z');
    expect(iso(zonedInstant('2030-11-03', '01:30', NY))).toBe('2030-11-03T05:30:00.000Z'); // 01:30 EDT, not EST
    expect(iso(zonedInstant('2030-10-27', '02:30', 'Europe/Berlin'))).toBe('2030-10-27T00:30:00.000Z'); // CEST
  });

  it('across the year end, and in zones east of UTC', () => {
    expect(iso(zonedInstant('2031-01-01', '00:00', NY))).toBe('2031-01-01T05:00:00.000Z');
    expect(iso(zonedInstant('2031-01-01', '08:00', 'Pacific/Kiritimati'))).toBe('2030-12-31T18:00:00.000Z');
    expect(localDate(new Date('2031-01-01T03:00:00Z'), NY)).toBe('2030-12-31');
    expect(localDate(new Date('2030-12-31T12:00:00Z'), 'Pacific/Kiritimati')).toBe('2031-01-01');
  });

  it('property: a local time that exists maps back to itself; the offset is within ±14 h', () => {
    const zones = fc.constantFrom(
      NY,
      'Europe/Berlin',
      'Australia/Sydney',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'UTC',
      'America/Sao_Paulo',
    );
    const date = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const time = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(zones, date, time, (zone, d, t) => {
        const at = zonedInstant(d, t, zone);
        const off = zoneOffsetMs(at, zone);
        expect(Math.abs(off)).toBeLessThanOrEqual(14 * 3_600_000);
        const wall = new Date(at.getTime() + off).toISOString();
        // Either the exact local time, or (skipped by a change) a later one on the same day within the gap.
        if (wall.slice(0, 16) !== `${d}T${t}`) {
          expect(wall.slice(0, 10)).toBe(d);
          const shift = Date.parse(`${wall.slice(0, 16)}:00Z`) - Date.parse(`${d}T${t}:00Z`);
          expect(shift).toBeGreaterThan(0);
          expect(shift).toBeLessThanOrEqual(3_600_000);
        }
        // Later local times of the day never map to earlier instants.
        expect(zonedInstant(d, '23:59', zone).getTime()).toBeGreaterThanOrEqual(at.getTime());
      }),
    );
  });
});

describe('overdue, reminder and escalation instants', () => {
  it('a task due on a day is overdue from 00:00 local on the next day; the reminder goes out at reminderTime then', () => {
    const r = rule();
    expect(iso(overdueFrom('2030-06-10', NY))).toBe('2030-06-11T04:00:00.000Z');
    expect(isOverdue('2030-06-10', new Date('2030-06-11T03:59:59Z'), NY)).toBe(false);
    expect(isOverdue('2030-06-10', new Date('2030-06-11T04:00:00Z'), NY)).toBe(true);
    expect(isOverdue(null, new Date('2099-01-01T00:00:00Z'), NY)).toBe(false);
    expect(iso(reminderAt('2030-06-10', r))).toBe('2030-06-11T12:00:00.000Z');
    expect(iso(escalationAt('2030-06-10', 1, r))).toBe('2030-06-12T12:00:00.000Z');
    expect(iso(escalationAt('2030-06-10', 2, r))).toBe('2030-06-13T12:00:00.000Z');
  });

  it('escalations keep the local reminder time across the March change', () => {
    const r = rule();
    // Due Friday 2030-03-08: reminder Saturday 08:00 EST, level 1 Sunday 08:00 EDT, level 2 Monday 08:00 EDT.
    expect(iso(reminderAt('2030-03-08', r))).toBe('2030-03-09T13:00:00.000Z');
    expect(iso(escalationAt('2030-03-08', 1, r))).toBe('2030-03-10T12:00:00.000Z');
    expect(iso(escalationAt('2030-03-08', 2, r))).toBe('2030-03-11T12:00:00.000Z');
  });

  it('and across the November change', () => {
    const r = rule();
    expect(iso(reminderAt('2030-11-01', r))).toBe('2030-11-02T12:00:00.000Z');
    expect(iso(escalationAt('2030-11-01', 1, r))).toBe('2030-11-03T13:00:00.000Z');
  });

  it('delays that are not whole days count on the local wall clock too', () => {
    const r = rule({ escalationDelayHours: 12 });
    expect(iso(stepDueAt('2030-03-09', 0, r))).toBe('2030-03-10T12:00:00.000Z'); // 08:00 EDT
    expect(iso(stepDueAt('2030-03-09', 1, r))).toBe('2030-03-11T00:00:00.000Z'); // 20:00 EDT
    const skipped = rule({ reminderTime: '14:30', escalationDelayHours: 12 });
    // 14:30 + 12 h is 02:30 on the day of the change, which does not exist: 03:30 EDT.
    expect(iso(stepDueAt('2030-03-08', 1, skipped))).toBe('2030-03-10T07:30:00.000Z');
  });

  it('over the year end', () => {
    const r = rule();
    expect(iso(reminderAt('2030-12-31', r))).toBe('2031-01-01T13:00:00.000Z');
    expect(iso(escalationAt('2030-12-30', 2, r))).toBe('2031-01-02T13:00:00.000Z');
  });

  it('the step due at an instant, capped by the escalation list', () => {
    const r = rule();
    expect(dueStep('2030-03-08', new Date('2030-03-09T12:59:59Z'), r, 3)).toBe(-1);
    expect(dueStep('2030-03-08', new Date('2030-03-09T13:00:00Z'), r, 3)).toBe(0);
    expect(dueStep('2030-03-08', new Date('2030-03-10T11:59:59Z'), r, 3)).toBe(0);
    expect(dueStep('2030-03-08', new Date('2030-03-10T12:00:00Z'), r, 3)).toBe(1);
    expect(dueStep('2030-03-08', new Date('2030-03-11T12:00:00Z'), r, 3)).toBe(2);
    expect(dueStep('2030-03-08', new Date('2030-04-30T12:00:00Z'), r, 3)).toBe(3);
    expect(dueStep('2030-03-08', new Date('2030-04-30T12:00:00Z'), r, 0)).toBe(0);
  });

  it('the next step: reminder first, then one level at a time', () => {
    const r = rule();
    const late = new Date('2030-03-20T12:00:00Z');
    expect(nextStep({ dueDate: null, reminded: false, escalationLevel: 0 }, late, r, 2)).toBeNull();
    expect(nextStep({ dueDate: '2030-03-08', reminded: false, escalationLevel: 0 }, late, r, 2)).toEqual({ kind: 'remind' });
    expect(nextStep({ dueDate: '2030-03-08', reminded: true, escalationLevel: 0 }, late, r, 2)).toEqual({ kind: 'escalate', level: 1 });
    expect(nextStep({ dueDate: '2030-03-08', reminded: true, escalationLevel: 1 }, late, r, 2)).toEqual({ kind: 'escalate', level: 2 });
    expect(nextStep({ dueDate: '2030-03-08', reminded: true, escalationLevel: 2 }, late, r, 2)).toBeNull();
    expect(nextStep({ dueDate: '2030-03-08', reminded: false, escalationLevel: 0 }, new Date('2030-03-09T12:00:00Z'), r, 2)).toBeNull();
  });

  it('property: steps never go back in time, the reminder is after the due day, and the due step is consistent', () => {
    const zones = fc.constantFrom(NY, 'Europe/Berlin', 'Australia/Sydney', 'Pacific/Kiritimati', 'America/Sao_Paulo', 'UTC');
    const date = fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2050-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const time = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        zones,
        date,
        time,
        fc.integer({ min: 1, max: 72 }),
        fc.integer({ min: 0, max: 400 }),
        (zone, due, t, delay, hoursLater) => {
          const r: ReminderRule = { timeZone: zone, reminderTime: t, escalationDelayHours: delay };
          const steps = [0, 1, 2, 3].map((n) => stepDueAt(due, n, r).getTime());
          // Never earlier; equal only when a step falls into a skipped hour and is moved onto the next one.
          for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1] ?? 0);
          expect(steps[0]).toBeGreaterThanOrEqual(overdueFrom(due, zone).getTime());
          expect(localDate(new Date(steps[0] ?? 0), zone) > due).toBe(true);
          const now = new Date((steps[0] ?? 0) + hoursLater * 3_600_000);
          const level = dueStep(due, now, r, 3);
          expect(level).toBeGreaterThanOrEqual(0);
          expect(stepDueAt(due, level, r).getTime()).toBeLessThanOrEqual(now.getTime());
          if (level < 3) expect(stepDueAt(due, level + 1, r).getTime()).toBeGreaterThan(now.getTime());
        },
      ),
    );
  });
});
