import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blackoutEffect, cycleDaysBetween, isCycleDay, weekdayOf } from '../../src/domain/calendar.js';
import { addDays, daysBetween } from '../../src/domain/dates.js';
import { WEEKDAYS } from '../../src/domain/template/schema.js';

/** Any calendar date from 1900 to 2199, leap days included. */
const date = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('calendar properties', () => {
  it('weekdays follow each other day by day', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -800, max: 800 }), (d, n) => {
        const i = WEEKDAYS.indexOf(weekdayOf(d));
        const j = WEEKDAYS.indexOf(weekdayOf(addDays(d, n)));
        expect((((j - i) % 7) + 7) % 7).toBe(((n % 7) + 7) % 7);
      }),
    );
  });

  it('adding and subtracting days round-trips and agrees with daysBetween', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -3000, max: 3000 }), (d, n) => {
        expect(addDays(addDays(d, n), -n)).toBe(d);
        expect(daysBetween(d, addDays(d, n))).toBe(n);
      }),
    );
  });

  it('agrees with the JavaScript calendar whatever the time zone (UTC arithmetic)', () => {
    fc.assert(
      fc.property(date, (d) => {
        const js = new Date(`${d}T12:00:00Z`).getUTCDay(); // 0 = Sunday
        expect(WEEKDAYS.indexOf(weekdayOf(d))).toBe((js + 6) % 7);
      }),
    );
  });

  it('lists exactly the designated days of a range, in order, once each', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 400 }), fc.subarray([...WEEKDAYS], { minLength: 1 }), (from, len, days) => {
        const to = addDays(from, len);
        const cal = { changeCycleDays: days };
        const got = cycleDaysBetween(cal, from, to);
        const want: string[] = [];
        for (let i = 0; i <= len; i++) if (isCycleDay(cal, addDays(from, i))) want.push(addDays(from, i));
        expect(got).toEqual(want);
        if (days.length === 1 && got.length > 1) for (let k = 1; k < got.length; k++) expect(daysBetween(got[k - 1]!, got[k]!)).toBe(7);
      }),
    );
  });

  it('a window covers exactly the dates from its first to its last day', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 60 }), fc.integer({ min: -5, max: 70 }), (start, len, offset) => {
        const b = { id: 'b', startsOn: start, endsOn: addDays(start, len), channel: null, environment: null, reason: 'x' };
        const effect = blackoutEffect({ environments: [] }, b, { plannedDate: addDays(start, offset), channels: [] });
        expect(effect).toBe(offset >= 0 && offset <= len ? 'blocks' : 'none');
      }),
    );
  });
});
