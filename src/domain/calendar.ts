import { localDate } from './checklist.js';
import { dayNumber, fromDayNumber } from './dates.js';
import { WEEKDAYS, type Calendar, type ProcessTemplate, type Weekday } from './template/schema.js';

/**
 * Calendar rules (P2): change-cycle days, blackout windows and scheduling
 * conflicts. Dates are plain `YYYY-MM-DD` calendar dates: arithmetic runs on
 * day numbers in UTC, so no local time zone or daylight-saving change can
 * shift a date by one.
 */

/** The weekday of a calendar date. 1970-01-01 (day 0) was a Thursday. */
export function weekdayOf(date: string): Weekday {
  const monday0 = (((dayNumber(date) + 3) % 7) + 7) % 7;
  return WEEKDAYS[monday0] as Weekday;
}

/** Today's date in a time zone: what a coordinator there sees on the wall calendar. */
export function todayIn(timeZone: string, now: Date): string {
  return localDate(now, timeZone);
}

/** Whether the template designates this date's weekday for change cycles. */
export function isCycleDay(calendar: Pick<Calendar, 'changeCycleDays'>, date: string): boolean {
  return calendar.changeCycleDays.includes(weekdayOf(date));
}

/** The designated cycle days from `from` to `to`, both inclusive (at most `limit`). */
export function cycleDaysBetween(calendar: Pick<Calendar, 'changeCycleDays'>, from: string, to: string, limit = 1000): string[] {
  const out: string[] = [];
  if (calendar.changeCycleDays.length === 0) return out;
  const end = dayNumber(to);
  for (let n = dayNumber(from); n <= end && out.length < limit; n++) {
    const d = fromDayNumber(n);
    if (isCycleDay(calendar, d)) out.push(d);
  }
  return out;
}

export type BlackoutWindow = {
  id: string;
  startsOn: string;
  endsOn: string;
  channel: string | null;
  environment: string | null;
  reason: string;
};

/** What a release's schedule is judged by. */
export type ScheduledRelease = {
  id: string;
  name: string;
  type: string;
  plannedDate: string;
  channels: readonly string[];
  cycleId: string | null;
  /** Set when a blackout was overridden, with a reason, for this release. */
  overridden: boolean;
};

/**
 * How a blackout bears on a release planned on a date:
 *
 * - `blocks`: the release may not be scheduled there (without an override);
 * - `warns`: shown as a conflict only;
 * - `none`: the window does not concern the release.
 *
 * The window is inclusive at both ends. A channel-scoped window concerns only
 * releases carrying that channel. A release's planned date is its production
 * install day, so an environment-scoped window blocks only when its
 * environment is a production environment of the template; a window on
 * another environment (say acceptance test) is shown as a conflict, since the
 * release's install there is not dated by relman.
 */
export function blackoutEffect(
  template: Pick<ProcessTemplate, 'environments'>,
  blackout: BlackoutWindow,
  release: { plannedDate: string; channels: readonly string[] },
): 'blocks' | 'warns' | 'none' {
  if (!covers(blackout, release.plannedDate)) return 'none';
  if (blackout.channel !== null && !release.channels.includes(blackout.channel)) return 'none';
  if (blackout.environment !== null) {
    const env = template.environments.find((e) => e.id === blackout.environment);
    return env?.production === true ? 'blocks' : 'warns';
  }
  return 'blocks';
}

export function covers(blackout: Pick<BlackoutWindow, 'startsOn' | 'endsOn'>, date: string): boolean {
  return blackout.startsOn <= date && date <= blackout.endsOn;
}

/** The windows that forbid scheduling this release on its planned date. */
export function blockingBlackouts(
  template: Pick<ProcessTemplate, 'environments'>,
  blackouts: readonly BlackoutWindow[],
  release: { plannedDate: string; channels: readonly string[] },
): BlackoutWindow[] {
  return blackouts.filter((b) => blackoutEffect(template, b, release) === 'blocks');
}

/** "2026-12-24 to 2027-01-01, web channel: year-end freeze" */
export function describeBlackout(b: BlackoutWindow): string {
  const when = b.startsOn === b.endsOn ? b.startsOn : `${b.startsOn} to ${b.endsOn}`;
  const scope = [b.channel === null ? null : `${b.channel} channel`, b.environment === null ? null : `${b.environment} environment`]
    .filter((s) => s !== null)
    .join(', ');
  return `${when}${scope === '' ? '' : ` (${scope})`}: ${b.reason}`;
}

export type CycleFact = { id: string; date: string; status: string };
export type ItemFact = { key: string; releaseId: string; elements: readonly { type: string; name: string }[] };

export type Conflict =
  | { kind: 'channel'; date: string; cycle: string | null; releases: string[]; channel: string; message: string }
  | {
      kind: 'elements';
      date: string;
      cycle: string | null;
      releases: string[];
      elements: { type: string; name: string; items: string[] }[];
      message: string;
    }
  | { kind: 'cycle-blackout'; date: string; cycle: string; releases: string[]; blackout: BlackoutWindow; message: string }
  | {
      kind: 'release-blackout';
      date: string;
      cycle: string | null;
      releases: string[];
      blackout: BlackoutWindow;
      /** blocks: the window forbids the date; warns: a window on a non-production environment. */
      effect: 'blocks' | 'warns';
      overridden: boolean;
      message: string;
    };

/**
 * Every scheduling conflict among the given releases (active ones, whatever
 * the caller considers so), cycles and blackout windows:
 *
 * - two or more releases on the same day (the same cycle) touching one channel;
 * - releases of the same day whose work items declare the same element;
 * - a planned cycle on a blackout window (of any scope);
 * - a release planned on a window that concerns it, overridden or not.
 */
export function findConflicts(
  template: Pick<ProcessTemplate, 'environments'>,
  input: {
    cycles: readonly CycleFact[];
    releases: readonly ScheduledRelease[];
    items: readonly ItemFact[];
    blackouts: readonly BlackoutWindow[];
  },
): Conflict[] {
  const out: Conflict[] = [];
  const cycleById = new Map(input.cycles.map((c) => [c.id, c]));
  const plannedCycleOn = new Map(input.cycles.filter((c) => c.status === 'planned').map((c) => [c.date, c]));
  const cycleOf = (r: ScheduledRelease): string | null =>
    (r.cycleId === null ? undefined : cycleById.get(r.cycleId))?.date ?? plannedCycleOn.get(r.plannedDate)?.date ?? null;
  const byDate = new Map<string, ScheduledRelease[]>();
  for (const r of [...input.releases].sort((a, b) => a.name.localeCompare(b.name))) {
    const list = byDate.get(r.plannedDate) ?? [];
    list.push(r);
    byDate.set(r.plannedDate, list);
  }
  const nameOf = new Map(input.releases.map((r) => [r.id, r.name]));

  for (const [date, releases] of [...byDate].sort(([a], [b]) => a.localeCompare(b))) {
    if (releases.length < 2) continue;
    const cycle = cycleOf(releases[0] as ScheduledRelease);
    const channels = [...new Set(releases.flatMap((r) => r.channels))].sort();
    for (const channel of channels) {
      const on = releases.filter((r) => r.channels.includes(channel)).map((r) => r.name);
      if (on.length > 1) {
        out.push({
          kind: 'channel',
          date,
          cycle,
          releases: on,
          channel,
          message: `${on.join(', ')} all deploy the ${channel} channel on ${date}`,
        });
      }
    }
    const ids = new Set(releases.map((r) => r.id));
    const holders = new Map<string, { type: string; name: string; byRelease: Map<string, string[]> }>();
    for (const item of input.items) {
      if (!ids.has(item.releaseId)) continue;
      for (const e of item.elements) {
        const k = `${e.type}\u0000${e.name}`;
        const h = holders.get(k) ?? { type: e.type, name: e.name, byRelease: new Map<string, string[]>() };
        h.byRelease.set(item.releaseId, [...(h.byRelease.get(item.releaseId) ?? []), item.key]);
        holders.set(k, h);
      }
    }
    const shared = [...holders.values()].filter((h) => h.byRelease.size > 1);
    // One conflict per group of releases sharing elements.
    const groups = new Map<string, { type: string; name: string; items: string[] }[]>();
    for (const h of shared) {
      const names = [...h.byRelease.keys()].map((id) => nameOf.get(id) ?? id).sort();
      const key = names.join(',');
      groups.set(key, [...(groups.get(key) ?? []), { type: h.type, name: h.name, items: [...h.byRelease.values()].flat().sort() }]);
    }
    for (const [key, elements] of groups) {
      elements.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
      const names = key.split(',');
      out.push({
        kind: 'elements',
        date,
        cycle,
        releases: names,
        elements,
        message: `${names.join(' and ')} on ${date} both change ${elements.map((e) => `${e.type} ${e.name}`).join(', ')}`,
      });
    }
  }

  for (const c of [...input.cycles].sort((a, b) => a.date.localeCompare(b.date))) {
    if (c.status !== 'planned') continue;
    for (const b of input.blackouts) {
      if (!covers(b, c.date)) continue;
      out.push({
        kind: 'cycle-blackout',
        date: c.date,
        cycle: c.date,
        releases: (byDate.get(c.date) ?? []).map((r) => r.name),
        blackout: b,
        message: `the change cycle of ${c.date} falls in the blackout ${describeBlackout(b)}`,
      });
    }
  }

  for (const r of [...input.releases].sort((a, b) => a.plannedDate.localeCompare(b.plannedDate) || a.name.localeCompare(b.name))) {
    for (const b of input.blackouts) {
      const effect = blackoutEffect(template, b, r);
      if (effect === 'none') continue;
      const note = effect === 'warns' ? ' (a non-production environment)' : r.overridden ? ' (overridden, with a recorded reason)' : '';
      out.push({
        kind: 'release-blackout',
        date: r.plannedDate,
        cycle: cycleOf(r),
        releases: [r.name],
        blackout: b,
        effect,
        overridden: r.overridden,
        message: `${r.name} on ${r.plannedDate} falls in the blackout ${describeBlackout(b)}${note}`,
      });
    }
  }
  return out;
}
