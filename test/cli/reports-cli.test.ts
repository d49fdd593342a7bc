import { describe, expect, it } from 'vitest';
import { json, ok } from '../support/cli-crew.js';
import { cleanEnv, runCli } from '../support/cli-process.js';
import { appPerFile } from '../support/factories.js';
import { makeCrew } from '../support/lifecycle-flow.js';
import { REPORT_FIGURES, REPORT_PERIOD, seedReportHistory } from '../support/report-history.js';
import { manualClock } from '../support/service-fixtures.js';

describe('relman report triage|delivery', () => {
  const clock = manualClock();
  let env: NodeJS.ProcessEnv;
  let names: { a: string; b: string; c: string };
  appPerFile(
    'sqlite',
    async ({ app, deps, fx }) => {
      names = await seedReportHistory(deps, clock, await makeCrew(deps));
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      env = cleanEnv({ RELMAN_URL: url, RELMAN_TOKEN: (await fx.user({ roles: ['viewer'], name: 'reader' })).token });
    },
    { clock: clock.clock },
  );
  const period = ['--from', REPORT_PERIOD.from, '--to', REPORT_PERIOD.to];

  it('prints the delivery figures as JSON and as a table naming the releases behind them', async () => {
    const d = json<{
      deploymentFrequency: { count: number };
      leadTime: { medianHours: number };
      changeFailure: { rate: number; releases: string[] };
    }>(await runCli(['report', 'delivery', ...period, '--json'], env));
    expect(d.deploymentFrequency.count).toBe(REPORT_FIGURES.deployments);
    expect(d.leadTime.medianHours).toBe(REPORT_FIGURES.leadTimeMedianHours);
    expect(d.changeFailure).toMatchObject({ rate: REPORT_FIGURES.changeFailureRate, releases: [names.b] });
    const text = ok(await runCli(['report', 'delivery', ...period], env));
    expect(text).toContain(`delivery figures, ${REPORT_PERIOD.from} to ${REPORT_PERIOD.to}`);
    expect(text).toMatch(new RegExp(`change failure rate\\s+50 % \\(1 of 2\\)\\s+${names.b}`));
    expect(text).toMatch(/lead time \(median\)\s+36\.0 h/);
  });

  it('prints the triage as JSON and as tables per release and per cycle', async () => {
    const t = json<{ total: { failures: number; awaitingRetest: number } }>(await runCli(['report', 'triage', ...period, '--json'], env));
    expect(t.total).toMatchObject({ failures: 3, awaitingRetest: 1 });
    const text = ok(await runCli(['report', 'triage', ...period], env));
    expect(text).toContain('per release:');
    expect(text).toMatch(new RegExp(`${names.c}\\s+1\\s+0\\s+0\\s+1\\s+0\\s+1\\s+0\\s+1\\s+1`));
  });
});
