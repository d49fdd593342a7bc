import { localDate } from '../checklist.js';
import { addDays, dayNumber, fromDayNumber } from '../dates.js';

/**
 * A reporting period: calendar dates, both days included, as they are in the
 * application's time zone (a release deployed at 23:30 local on Saturday counts
 * for Saturday, whatever the UTC date).
 */
export type Period = { from: string; to: string; timeZone: string };

/** The calendar date of an ISO timestamp in the period's time zone. */
export const dateOf = (at: string, timeZone: string): string => localDate(new Date(at), timeZone);

export const inPeriod = (at: string, period: Period): boolean => {
  const day = dateOf(at, period.timeZone);
  return day >= period.from && day <= period.to;
};

/** The Monday of the week a date falls in (weeks run Monday to Sunday). */
export function weekOf(date: string): string {
  const n = dayNumber(date);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
  return fromDayNumber(n - ((n + 3) % 7));
}

/** The Mondays of every week the period touches, in order. */
export function weeksOf(period: Pick<Period, 'from' | 'to'>): string[] {
  const out: string[] = [];
  for (let w = weekOf(period.from); w <= period.to; w = addDays(w, 7)) out.push(w);
  return out;
}

/** Every `YYYY-MM` month the period touches, in order. */
export function monthsOf(period: Pick<Period, 'from' | 'to'>): string[] {
  const out: string[] = [];
  let [y, m] = period.from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = period.to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) return out;
    out.push(month);
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
}
