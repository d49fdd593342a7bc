/** Calendar dates as YYYY-MM-DD strings, computed in UTC so no time zone shifts a day. */
export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
const parse = (date: string): Date => new Date(`${date}T00:00:00Z`);

export function addDays(date: string, days: number): string {
  const d = parse(date);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

/** The Monday of the week of `date`. */
export function mondayOf(date: string): string {
  const day = parse(date).getUTCDay();
  return addDays(date, -((day + 6) % 7));
}

export const monthOf = (date: string): string => date.slice(0, 7);

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return isoDate(d).slice(0, 7);
}

/** The weeks (Monday first) that show a month: seven dates each, including the days of the months around it. */
export function monthWeeks(month: string): string[][] {
  const first = `${month}-01`;
  const lastDay = addDays(`${addMonths(month, 1)}-01`, -1);
  const weeks: string[][] = [];
  for (let start = mondayOf(first); start <= lastDay; start = addDays(start, 7)) {
    weeks.push(Array.from({ length: 7 }, (_, i) => addDays(start, i)));
  }
  return weeks;
}

export const weekDays = (monday: string): string[] => Array.from({ length: 7 }, (_, i) => addDays(monday, i));

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const monthName = (month: string): string =>
  parse(`${month}-01`).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

export const dayLabel = (date: string): string =>
  parse(date).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export const isMonth = (s: string | null): s is string => s !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
export const isDate = (s: string | null): s is string => s !== null && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(parse(s).getTime());
