import { describe, expect, it } from 'vitest';
import { delivery, type ReleaseFact } from '../../src/domain/reports/delivery.js';
import { monthsOf, weekOf, weeksOf } from '../../src/domain/reports/period.js';
import { hoursBetween, median, percentile } from '../../src/domain/reports/statistics.js';
import { triage, type AttemptFact } from '../../src/domain/reports/triage.js';

const CAUSES = ['fix', 'setup', 'configuration', 'data'];

const attempt = (over: Partial<AttemptFact> & Pick<AttemptFact, 'at'>): AttemptFact => ({
  release: 'R1',
  cycle: '2030-01-12',
  item: 'IR-1',
  environment: 'acceptance-test',
  result: 'failed',
  cause: 'fix',
  ...over,
});

describe('statistics', () => {
  it('median of odd and even counts, nearest-rank p90', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([], 90)).toBeNull();
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90)).toBe(90);
    expect(percentile([1, 2, 3], 90)).toBe(3);
    expect(percentile([7], 90)).toBe(7);
    expect(hoursBetween('2030-01-01T00:00:00.000Z', '2030-01-02T12:00:00.000Z')).toBe(36);
  });
});

describe('periods', () => {
  it('weeks start on Monday; months in order across a year end', () => {
    expect(weekOf('2030-01-09')).toBe('2030-01-07'); // a Wednesday
    expect(weekOf('2030-01-07')).toBe('2030-01-07');
    expect(weekOf('2030-01-13')).toBe('2030-01-07'); // a Sunday
    expect(weeksOf({ from: '2030-01-09', to: '2030-01-21' })).toEqual(['2030-01-07', '2030-01-14', '2030-01-21']);
    expect(monthsOf({ from: '2029-11-30', to: '2030-02-01' })).toEqual(['2029-11', '2029-12', '2030-01', '2030-02']);
  });
});

describe('triage', () => {
  it('counts failures by cause per release and per cycle, and the retests done and still due', () => {
    const report = triage(
      [
        attempt({ at: '2030-01-08T10:00:00Z', cause: 'setup' }),
        attempt({ at: '2030-01-08T11:00:00Z', cause: 'fix' }),
        attempt({ at: '2030-01-08T12:00:00Z', result: 'passed', cause: null }),
        attempt({ at: '2030-01-08T13:00:00Z', item: 'IR-2', cause: 'data' }),
        // The same item in another environment is another line of attempts.
        attempt({ at: '2030-01-08T14:00:00Z', environment: 'development', cause: 'data' }),
        attempt({ release: 'R2', cycle: null, at: '2030-01-09T10:00:00Z', cause: null }),
      ],
      CAUSES,
    );
    expect(report.causes).toEqual([...CAUSES, 'unspecified']);
    expect(
      report.byRelease.map((r) => [r.release, r.attempts, r.failures, r.byCause, r.retested, r.awaitingRetest, r.retestsNeeded]),
    ).toEqual([
      ['R1', 5, 4, { fix: 1, setup: 1, configuration: 0, data: 2, unspecified: 0 }, 2, 2, 4],
      ['R2', 1, 1, { fix: 0, setup: 0, configuration: 0, data: 0, unspecified: 1 }, 0, 1, 1],
    ]);
    expect(report.byCycle.map((c) => [c.cycle, c.releases, c.failures])).toEqual([
      ['2030-01-12', ['R1'], 4],
      [null, ['R2'], 1],
    ]);
    expect(report.total).toMatchObject({ attempts: 6, failures: 5, retested: 2, awaitingRetest: 3 });
  });
});

const rel = (over: Partial<ReleaseFact> & Pick<ReleaseFact, 'name'>): ReleaseFact => ({
  emergency: false,
  productionAt: null,
  rolledBackAt: null,
  elements: [],
  items: [],
  ...over,
});

describe('delivery', () => {
  const period = { from: '2030-01-07', to: '2030-01-20', timeZone: 'UTC' };
  const releases = [
    rel({
      name: 'A',
      productionAt: '2030-01-08T10:00:00.000Z',
      items: [
        { key: 'IR-1', createdAt: '2030-01-07T10:00:00.000Z' },
        { key: 'IR-2', createdAt: '2030-01-06T10:00:00.000Z' },
      ],
      elements: ['class:CMS.Claims'],
    }),
    rel({
      name: 'B',
      productionAt: '2030-01-09T10:00:00.000Z',
      rolledBackAt: '2030-01-09T14:00:00.000Z',
      items: [{ key: 'IR-3', createdAt: '2030-01-09T04:00:00.000Z' }],
    }),
    // Follows A within the window with one of its elements: A failed, restored when E reached production.
    rel({ name: 'E', emergency: true, productionAt: '2030-01-10T10:00:00.000Z', elements: ['class:CMS.Claims'] }),
    // Outside the period, and never in production.
    rel({ name: 'OLD', productionAt: '2029-12-01T10:00:00.000Z' }),
    rel({ name: 'DRAFT' }),
  ];

  it('counts deployments per week and month, lead times, failures and time to restore', () => {
    const d = delivery(releases, period, 7);
    expect(d.deployed.map((r) => r.release)).toEqual(['A', 'B', 'E']);
    expect(d.deploymentFrequency.perWeek).toEqual([
      { week: '2030-01-07', releases: ['A', 'B', 'E'] },
      { week: '2030-01-14', releases: [] },
    ]);
    expect(d.deploymentFrequency.perMonth).toEqual([{ month: '2030-01', releases: ['A', 'B', 'E'] }]);
    // Lead times: 24, 48 and 6 hours.
    expect(d.leadTime.items.map((i) => i.hours)).toEqual([24, 48, 6]);
    expect(d.leadTime.medianHours).toBe(24);
    expect(d.leadTime.p90Hours).toBe(48);
    expect(d.leadTime.releases).toEqual(['A', 'B']);
    expect(d.changeFailure.rate).toBeCloseTo(2 / 3);
    expect(d.changeFailure.failures).toEqual([
      {
        release: 'A',
        productionAt: '2030-01-08T10:00:00.000Z',
        how: 'emergency',
        restoredBy: 'E',
        restoredAt: '2030-01-10T10:00:00.000Z',
        hoursToRestore: 48,
      },
      {
        release: 'B',
        productionAt: '2030-01-09T10:00:00.000Z',
        how: 'rollback',
        restoredBy: null,
        restoredAt: '2030-01-09T14:00:00.000Z',
        hoursToRestore: 4,
      },
    ]);
    expect(d.timeToRestore).toEqual({ medianHours: 26, releases: ['A', 'B'] });
  });

  it('an emergency release after the window, or without a shared element, is no failure', () => {
    expect(delivery(releases, period, 1).changeFailure.releases).toEqual(['B']);
    const apart = releases.map((r) => (r.name === 'E' ? { ...r, elements: ['class:Other'] } : r));
    expect(delivery(apart, period, 7).changeFailure.releases).toEqual(['B']);
  });

  it('counts a deployment on its local date in the template’s time zone, not the UTC one', () => {
    // 23:30Z on 31 January is 00:30 on 1 February in Berlin and 18:30 on 31 January in New York.
    const late = [rel({ name: 'LATE', productionAt: '2030-01-31T23:30:00.000Z' })];
    const berlin = delivery(late, { from: '2030-02-01', to: '2030-02-28', timeZone: 'Europe/Berlin' }, 7);
    expect(berlin.deployed.map((r) => r.release)).toEqual(['LATE']);
    expect(berlin.deploymentFrequency.perMonth).toEqual([{ month: '2030-02', releases: ['LATE'] }]);
    expect(delivery(late, { from: '2030-02-01', to: '2030-02-28', timeZone: 'UTC' }, 7).deployed).toEqual([]);
    const newYork = delivery(late, { from: '2030-01-01', to: '2030-01-31', timeZone: 'America/New_York' }, 7);
    expect(newYork.deploymentFrequency.perMonth).toEqual([{ month: '2030-01', releases: ['LATE'] }]);
    // Sunday 3 February 2030 at 23:30Z is Monday 00:30 in Berlin: the week of 4 February there, of 28 January in UTC.
    const sunday = [rel({ name: 'SUN', productionAt: '2030-02-03T23:30:00.000Z' })];
    const weeks = (timeZone: string) => delivery(sunday, { from: '2030-02-03', to: '2030-02-04', timeZone }, 7).deploymentFrequency.perWeek;
    expect(weeks('Europe/Berlin')).toEqual([
      { week: '2030-01-28', releases: [] },
      { week: '2030-02-04', releases: ['SUN'] },
    ]);
    expect(weeks('UTC')).toEqual([
      { week: '2030-01-28', releases: ['SUN'] },
      { week: '2030-02-04', releases: [] },
    ]);
  });

  it('nothing deployed: no rate, no medians', () => {
    const d = delivery(releases, { from: '2031-01-01', to: '2031-01-31', timeZone: 'UTC' }, 7);
    expect(d.changeFailure.rate).toBeNull();
    expect(d.leadTime.medianHours).toBeNull();
    expect(d.timeToRestore.medianHours).toBeNull();
    expect(d.deploymentFrequency.perWeek.every((w) => w.releases.length === 0)).toBe(true);
  });
});
