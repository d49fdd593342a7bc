import { addDays } from '../dates.js';
import { dateOf, inPeriod, monthsOf, weekOf, weeksOf, type Period } from './period.js';
import { hoursBetween, median, percentile } from './statistics.js';

/** One release, as the delivery figures need it. */
export type ReleaseFact = {
  name: string;
  /** An emergency release (P12): one that follows a production release soon with the same elements marks it as failed. */
  emergency: boolean;
  /** When it first reached one of its template's production states; null if it never did. */
  productionAt: string | null;
  /** When it first left the production states for another (a rollback); null if it never did. */
  rolledBackAt: string | null;
  /** The elements its items change, as `type:name`. */
  elements: string[];
  /** Its work items, with when each was created. */
  items: { key: string; createdAt: string }[];
};

export type Failure = {
  release: string;
  productionAt: string;
  /** Why it counts as failed. */
  how: 'rollback' | 'emergency';
  /** The emergency release that followed it, if that is what restored service. */
  restoredBy: string | null;
  restoredAt: string;
  hoursToRestore: number;
};

export type DeliveryReport = {
  period: Period;
  /** Releases that reached production in the period, by when they did. */
  deployed: { release: string; productionAt: string }[];
  deploymentFrequency: {
    count: number;
    perWeek: { week: string; releases: string[] }[];
    perMonth: { month: string; releases: string[] }[];
  };
  leadTime: {
    /** Hours from a work item's creation to its release reaching production. */
    medianHours: number | null;
    p90Hours: number | null;
    items: { item: string; release: string; hours: number }[];
    releases: string[];
  };
  changeFailure: {
    /** failures / deployed; null when nothing was deployed. */
    rate: number | null;
    deployed: number;
    failures: Failure[];
    releases: string[];
    windowDays: number;
  };
  timeToRestore: { medianHours: number | null; releases: string[] };
};

const byTime =
  <T>(at: (t: T) => string) =>
  (a: T, b: T) =>
    at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0;

/**
 * The delivery figures of one application over a period: how often releases
 * reached production, how long work items took to get there, how many of those
 * releases failed (rolled back, or followed within `windowDays` by an emergency
 * release carrying one of their elements) and how long restoring took.
 */
export function delivery(releases: readonly ReleaseFact[], period: Period, windowDays: number): DeliveryReport {
  const deployed = releases
    .filter((r): r is ReleaseFact & { productionAt: string } => r.productionAt !== null && inPeriod(r.productionAt, period))
    .sort(byTime((r) => r.productionAt));

  // Each deployment's local date, worked out once (a time-zone conversion each).
  const dayOf = new Map(deployed.map((r) => [r.name, dateOf(r.productionAt, period.timeZone)]));
  const perWeek = weeksOf(period).map((week) => ({
    week,
    releases: deployed.filter((r) => weekOf(dayOf.get(r.name)!) === week).map((r) => r.name),
  }));
  const perMonth = monthsOf(period).map((month) => ({
    month,
    releases: deployed.filter((r) => dayOf.get(r.name)!.slice(0, 7) === month).map((r) => r.name),
  }));

  const leadItems = deployed.flatMap((r) =>
    r.items.map((i) => ({ item: i.key, release: r.name, hours: hoursBetween(i.createdAt, r.productionAt) })),
  );
  const hours = leadItems.map((i) => i.hours);

  const emergencies = releases
    .filter((r): r is ReleaseFact & { productionAt: string } => r.emergency && r.productionAt !== null)
    .sort(byTime((r) => r.productionAt));
  const failures: Failure[] = [];
  for (const r of deployed) {
    const until = addDays(dayOf.get(r.name)!, windowDays);
    const follower = emergencies.find(
      (e) =>
        e.name !== r.name &&
        e.productionAt > r.productionAt &&
        dateOf(e.productionAt, period.timeZone) <= until &&
        e.elements.some((el) => r.elements.includes(el)),
    );
    const rollback = r.rolledBackAt !== null && r.rolledBackAt >= r.productionAt ? r.rolledBackAt : null;
    if (rollback === null && !follower) continue;
    // Whichever came first put production right again.
    const byRollback = rollback !== null && (!follower || rollback <= follower.productionAt);
    const restoredAt = byRollback ? rollback : follower!.productionAt;
    failures.push({
      release: r.name,
      productionAt: r.productionAt,
      how: rollback !== null ? 'rollback' : 'emergency',
      restoredBy: byRollback ? null : follower!.name,
      restoredAt,
      hoursToRestore: hoursBetween(r.productionAt, restoredAt),
    });
  }
  const failed = failures.map((f) => f.release);

  return {
    period,
    deployed: deployed.map((r) => ({ release: r.name, productionAt: r.productionAt })),
    deploymentFrequency: { count: deployed.length, perWeek, perMonth },
    leadTime: {
      medianHours: median(hours),
      p90Hours: percentile(hours, 90),
      items: leadItems,
      releases: [...new Set(leadItems.map((i) => i.release))],
    },
    changeFailure: {
      rate: deployed.length === 0 ? null : failures.length / deployed.length,
      deployed: deployed.length,
      failures,
      releases: failed,
      windowDays,
    },
    timeToRestore: { medianHours: median(failures.map((f) => f.hoursToRestore)), releases: failed },
  };
}
