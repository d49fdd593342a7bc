import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { appPerFile } from '../support/factories.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { makeCrew } from '../support/lifecycle-flow.js';
import { REPORT_FIGURES, REPORT_PERIOD, seedReportHistory } from '../support/report-history.js';
import { manualClock } from '../support/service-fixtures.js';

const V = '/api/v1';
const PERIOD = `from=${REPORT_PERIOD.from}&to=${REPORT_PERIOD.to}`;

type Row = {
  failures: number;
  byCause: Record<string, number>;
  retested: number;
  awaitingRetest: number;
  retestsNeeded: number;
  attempts: number;
};
type Triage = {
  causes: string[];
  byRelease: (Row & { release: string })[];
  byCycle: (Row & { cycle: string | null; releases: string[] })[];
  total: Row;
};
type Delivery = {
  deployed: { release: string }[];
  deploymentFrequency: {
    count: number;
    perWeek: { week: string; releases: string[] }[];
    perMonth: { month: string; releases: string[] }[];
  };
  leadTime: { medianHours: number; p90Hours: number; items: { item: string; release: string; hours: number }[]; releases: string[] };
  changeFailure: {
    rate: number;
    deployed: number;
    releases: string[];
    failures: { release: string; how: string; hoursToRestore: number }[];
  };
  timeToRestore: { medianHours: number; releases: string[] };
};

describe.each(dialects)('reports over HTTP on $name', ({ name: dialect }) => {
  const clock = manualClock();
  let viewer: Call;
  let names: { a: string; b: string; c: string };
  appPerFile(
    dialect,
    async ({ app, deps, fx }) => {
      names = await seedReportHistory(deps, clock, await makeCrew(deps));
      viewer = caller(app, (await fx.user({ roles: ['viewer'], name: 'reader' })).token);
    },
    { clock: clock.clock },
  );

  it('triage: failures by cause per release and cycle, retests done and still due', async () => {
    const t = expectJson<Triage>(await viewer('GET', `${V}/reports/triage?${PERIOD}`), 200);
    // Dates are counted in the template's time zone, which the answer names.
    expect((t as Triage & { period: unknown }).period).toEqual({ ...REPORT_PERIOD, timeZone: 'America/New_York' });
    expect(t.causes).toEqual(['fix', 'setup', 'configuration', 'data']);
    const zero = { fix: 0, setup: 0, configuration: 0, data: 0 };
    expect(t.byRelease.map((r) => [r.release, r.attempts, r.failures, r.byCause, r.retested, r.awaitingRetest])).toEqual([
      [names.a, 3, 1, { ...zero, setup: 1 }, 1, 0],
      [names.b, 3, 1, { ...zero, data: 1 }, 1, 0],
      [names.c, 1, 1, { ...zero, configuration: 1 }, 0, 1],
    ]);
    expect(t.byCycle).toEqual([
      expect.objectContaining({ cycle: null, releases: [names.a, names.b, names.c], failures: 3, retestsNeeded: 3 }),
    ]);
    expect(t.total).toMatchObject({ failures: 3, retested: 2, awaitingRetest: 1, retestsNeeded: 3 });
    // A period before the history has nothing in it.
    expect(expectJson<Triage>(await viewer('GET', `${V}/reports/triage?from=2029-01-01&to=2029-01-31`), 200).total.attempts).toBe(0);
  });

  it('delivery: deployments per week, lead time, change failure rate and time to restore, with the releases behind them', async () => {
    const d = expectJson<Delivery>(await viewer('GET', `${V}/reports/delivery?${PERIOD}`), 200);
    expect(d.deployed.map((r) => r.release)).toEqual([names.a, names.b]);
    expect(d.deploymentFrequency.count).toBe(REPORT_FIGURES.deployments);
    expect(d.deploymentFrequency.perWeek).toEqual([
      { week: '2030-01-07', releases: [names.a] },
      { week: '2030-01-14', releases: [names.b] },
    ]);
    expect(d.deploymentFrequency.perMonth).toEqual([{ month: '2030-01', releases: [names.a, names.b] }]);
    expect(d.leadTime.items.map((i) => [i.item, i.hours])).toEqual([
      ['IR-1', 48],
      ['SMCR-1', 47.97],
      ['IR-2', 24],
      ['SMCR-2', 23.97],
    ]);
    expect(d.leadTime.medianHours).toBe(REPORT_FIGURES.leadTimeMedianHours);
    expect(d.leadTime.p90Hours).toBe(REPORT_FIGURES.leadTimeP90Hours);
    expect(d.changeFailure).toMatchObject({ rate: REPORT_FIGURES.changeFailureRate, deployed: 2, releases: [names.b] });
    expect(d.changeFailure.failures).toEqual([expect.objectContaining({ release: names.b, how: 'rollback', hoursToRestore: 4 })]);
    expect(d.timeToRestore).toEqual({ medianHours: REPORT_FIGURES.timeToRestoreMedianHours, releases: [names.b] });
  });

  it('refuses a period that ends before it starts, and a malformed date', async () => {
    expectProblem(await viewer('GET', `${V}/reports/delivery?from=2030-02-01&to=2030-01-01`), 400);
    expectProblem(await viewer('GET', `${V}/reports/triage?from=2030-02-30`), 400);
  });
});
