import { addDays } from './dates.js';
import type { ChecklistDue, Milestone } from './template/schema.js';

/**
 * Dates and times of the reconciliation checklist (P14), without I/O.
 *
 * Due dates are plain calendar dates (`YYYY-MM-DD`): a task is due some days
 * from release day, or from a milestone of the release's plan. Reminders and
 * escalations happen at instants, computed in the template's time zone:
 *
 * - a task is **overdue** once its due day is over in the template's time
 *   zone (from 00:00 local on the day after the due date);
 * - the **reminder** (level 0) goes out at `reminderTime` local on the day
 *   after the due date;
 * - **escalation level n** goes out `n × escalationDelayHours` after the
 *   reminder, counted on the local wall clock: with a delay of 24 hours every
 *   level goes out at `reminderTime` on a later day, whether or not a
 *   daylight-saving change happened in between.
 *
 * A local time that does not exist (skipped by a spring-forward change) is
 * moved forward by the length of the gap (02:30 → 03:30); a local time that
 * happens twice (fall-back change) means its first occurrence.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

function dateParts(date: string): [number, number, number] {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function formatUtcDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * The planned date of every milestone of the template for a release: the date
 * set on the release where there is one, else its offset from release day.
 */
export function milestoneDates(
  milestones: readonly Pick<Milestone, 'id' | 'offsetDays'>[],
  plannedDate: string,
  set: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of milestones) out[m.id] = Object.hasOwn(set, m.id) ? (set[m.id] as string) : addDays(plannedDate, m.offsetDays);
  return out;
}

/** Whether a template task belongs to a release carrying `channels`: it names none, or one of them. */
export function taskApplies(task: { channels?: readonly string[] | undefined }, channels: readonly string[]): boolean {
  return task.channels === undefined || task.channels.some((c) => channels.includes(c));
}

/** A task's due date: days from release day, or from a milestone's date; null when the milestone has no date. */
export function taskDueDate(due: ChecklistDue, plannedDate: string, milestones: Readonly<Record<string, string>>): string | null {
  if ('milestone' in due) {
    const base = Object.hasOwn(milestones, due.milestone) ? milestones[due.milestone] : undefined;
    return base === undefined ? null : addDays(base, due.offsetDays ?? 0);
  }
  return addDays(plannedDate, due.offsetDays);
}

/** How the due rule reads to a coordinator: "14 days before release day", "at User acceptance testing starts". */
export function describeDue(due: ChecklistDue, milestoneName: (id: string) => string = (id) => id): string {
  const rel = (days: number, what: string): string => {
    if (days === 0) return what === 'release day' ? 'on release day' : `on ${what}`;
    const n = Math.abs(days);
    return `${n} day${n === 1 ? '' : 's'} ${days < 0 ? 'before' : 'after'} ${what}`;
  };
  if ('milestone' in due) return rel(due.offsetDays ?? 0, `"${milestoneName(due.milestone)}"`);
  return rel(due.offsetDays, 'release day');
}

// ------------------------------------------------------------------ time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall-clock time of an instant, as milliseconds of a UTC date with the same fields. */
function wallClock(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second);
}

/** The zone's offset from UTC at an instant, in milliseconds (New York in winter: −5 h). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const ms = Math.floor(at.getTime() / 1000) * 1000;
  return wallClock(ms, timeZone) - ms;
}

/** The local calendar date of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return formatUtcDate(wallClock(at.getTime(), timeZone));
}

/** The instant of a local wall-clock time given as milliseconds of a UTC date with the same fields. */
function instantOfWall(wall: number, timeZone: string): Date {
  // Offsets in force a day before and a day after: a change in between is the only one near (zones change at most a few times a year).
  const before = wall - zoneOffsetMs(new Date(wall - DAY_MS), timeZone);
  const after = wall - zoneOffsetMs(new Date(wall + DAY_MS), timeZone);
  const valid = [before, after].filter((t) => wallClock(t, timeZone) === wall);
  // Happens twice: the first occurrence. Does not happen: read with the offset before the change, which lands after the gap.
  return new Date(valid.length > 0 ? Math.min(...valid) : before);
}

/**
 * The instant at which a local date and `HH:MM` time happen in an IANA time
 * zone (08:00 in New York is 13:00Z in winter and 12:00Z in summer).
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = dateParts(date);
  const t = TIME.exec(time);
  if (!t) throw new RangeError(`not a time (HH:MM): ${time}`);
  return instantOfWall(Date.UTC(y, mo - 1, d, Number(t[1]), Number(t[2])), timeZone);
}

// ---------------------------------------------------------- reminders, escalation

export type ReminderRule = {
  timeZone: string;
  /** `HH:MM` local. */
  reminderTime: string;
  escalationDelayHours: number;
};

/** From when a task due on `dueDate` is overdue: 00:00 local on the next day. */
export function overdueFrom(dueDate: string, timeZone: string): Date {
  return zonedInstant(addDays(dueDate, 1), '00:00', timeZone);
}

export function isOverdue(dueDate: string | null, now: Date, timeZone: string): boolean {
  return dueDate !== null && now.getTime() >= overdueFrom(dueDate, timeZone).getTime();
}

/**
 * Whether a task was already overdue when its release was created: nobody
 * let it slip, so its people hear of it in one digest per person rather than
 * a reminder per task, and its escalations count from that digest.
 */
export function overdueAtCreation(dueDate: string | null, releaseCreatedAt: Date, timeZone: string): boolean {
  return isOverdue(dueDate, releaseCreatedAt, timeZone);
}

/**
 * When step `level` of an overdue task is due: level 0 is the reminder
 * (`reminderTime` on the day after the due date), level n ≥ 1 the n-th
 * escalation, n × escalationDelayHours later on the local wall clock.
 */
export function stepDueAt(dueDate: string, level: number, rule: ReminderRule): Date {
  if (!Number.isInteger(level) || level < 0) throw new RangeError(`not a step level: ${level}`);
  const [y, mo, d] = dateParts(addDays(dueDate, 1));
  const t = TIME.exec(rule.reminderTime);
  if (!t) throw new RangeError(`not a time (HH:MM): ${rule.reminderTime}`);
  const wall = Date.UTC(y, mo - 1, d, Number(t[1]), Number(t[2])) + level * rule.escalationDelayHours * HOUR_MS;
  return instantOfWall(wall, rule.timeZone);
}

export const reminderAt = (dueDate: string, rule: ReminderRule): Date => stepDueAt(dueDate, 0, rule);

/** Escalation level n ≥ 1 of a task due on `dueDate`. */
export function escalationAt(dueDate: string, level: number, rule: ReminderRule): Date {
  if (level < 1) throw new RangeError('escalation levels start at 1');
  return stepDueAt(dueDate, level, rule);
}

/**
 * The highest step due at `now`: −1 before the reminder, 0 from the reminder
 * on, n from escalation level n on, never more than `maxLevel`.
 */
export function dueStep(dueDate: string, now: Date, rule: ReminderRule, maxLevel: number): number {
  if (now.getTime() < stepDueAt(dueDate, 0, rule).getTime()) return -1;
  let level = 0;
  while (level < maxLevel && stepDueAt(dueDate, level + 1, rule).getTime() <= now.getTime()) level++;
  return level;
}

/**
 * What the next sweep should do for an open task, given what was already
 * done (`reminded`, `escalationLevel`): remind, escalate to the next level, or
 * nothing yet. Steps are taken one at a time and in order; a sweep that runs
 * late takes the missed ones one after the other. With `escalateFrom` (the
 * digest that told the people of a task overdue at creation), escalation
 * level n is also not due before n × escalationDelayHours after it.
 */
export function nextStep(
  task: { dueDate: string | null; reminded: boolean; escalationLevel: number; escalateFrom?: Date | undefined },
  now: Date,
  rule: ReminderRule,
  levels: number,
): { kind: 'remind' } | { kind: 'escalate'; level: number } | null {
  if (task.dueDate === null) return null;
  let due = dueStep(task.dueDate, now, rule, levels);
  if (due < 0) return null;
  if (!task.reminded) return { kind: 'remind' };
  if (task.escalateFrom !== undefined) {
    const sinceDigest = Math.floor((now.getTime() - task.escalateFrom.getTime()) / (rule.escalationDelayHours * HOUR_MS));
    due = Math.min(due, Math.max(0, sinceDigest));
  }
  if (task.escalationLevel < due) return { kind: 'escalate', level: task.escalationLevel + 1 };
  return null;
}
