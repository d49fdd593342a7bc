/** One recorded test attempt, as the triage report needs it. */
export type AttemptFact = {
  release: string;
  /** The change cycle's date the release is booked into, or null. */
  cycle: string | null;
  item: string;
  environment: string;
  result: string;
  cause: string | null;
  at: string;
};

/** Failures of unknown cause (recorded before causes were required) count under this key. */
export const UNSPECIFIED_CAUSE = 'unspecified';

export type TriageRow = {
  attempts: number;
  failures: number;
  /** Failures per cause: every cause of the template, zero included. */
  byCause: Record<string, number>;
  /** Failed attempts followed by another attempt of the same item in the same environment. */
  retested: number;
  /** Failed attempts that are the latest attempt of their item in their environment: a retest is still due. */
  awaitingRetest: number;
  /** retested + awaitingRetest: every failure needs a retest. */
  retestsNeeded: number;
};

export type TriageReport = {
  causes: string[];
  byRelease: (TriageRow & { release: string; cycle: string | null })[];
  byCycle: (TriageRow & { cycle: string | null; releases: string[] })[];
  total: TriageRow;
};

const key = (a: AttemptFact): string => `${a.release}\u0000${a.item}\u0000${a.environment}`;

/**
 * Acceptance-test triage: failures by cause and the retests they call for, per
 * release and per change cycle. `attempts` are those of the period; `causes`
 * the template's failure causes in its order.
 */
export function triage(attempts: readonly AttemptFact[], causes: readonly string[]): TriageReport {
  const ordered = [...attempts].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  // The latest attempt of each item in each environment (of its release) settles whether a failure was retested.
  const latest = new Map<string, AttemptFact>();
  for (const a of ordered) latest.set(key(a), a);

  const allCauses = [...causes];
  for (const a of ordered) {
    const cause = a.cause ?? UNSPECIFIED_CAUSE;
    if (a.result === 'failed' && !allCauses.includes(cause)) allCauses.push(cause);
  }
  const emptyRow = (): TriageRow => ({
    attempts: 0,
    failures: 0,
    byCause: Object.fromEntries(allCauses.map((c) => [c, 0])),
    retested: 0,
    awaitingRetest: 0,
    retestsNeeded: 0,
  });
  const add = (row: TriageRow, a: AttemptFact): void => {
    row.attempts += 1;
    if (a.result !== 'failed') return;
    row.failures += 1;
    const cause = a.cause ?? UNSPECIFIED_CAUSE;
    row.byCause[cause] = (row.byCause[cause] ?? 0) + 1;
    if (latest.get(key(a)) === a) row.awaitingRetest += 1;
    else row.retested += 1;
    row.retestsNeeded += 1;
  };

  const releases = new Map<string, TriageReport['byRelease'][number]>();
  const cycles = new Map<string | null, TriageReport['byCycle'][number]>();
  const total = emptyRow();
  for (const a of ordered) {
    let r = releases.get(a.release);
    if (!r) releases.set(a.release, (r = { release: a.release, cycle: a.cycle, ...emptyRow() }));
    let c = cycles.get(a.cycle);
    if (!c) cycles.set(a.cycle, (c = { cycle: a.cycle, releases: [], ...emptyRow() }));
    if (!c.releases.includes(a.release)) c.releases.push(a.release);
    add(r, a);
    add(c, a);
    add(total, a);
  }
  const byCycle = [...cycles.values()].sort((a, b) => (a.cycle ?? '\uffff').localeCompare(b.cycle ?? '\uffff'));
  for (const c of byCycle) c.releases.sort();
  return {
    causes: allCauses,
    byRelease: [...releases.values()].sort((a, b) => a.release.localeCompare(b.release)),
    byCycle,
    total,
  };
}
