import type { Command } from 'commander';
import { table } from '../output.js';
import { client, globals, show } from './remote.js';

type Row = Record<string, unknown>;
type TriageRow = Row & {
  byCause: Record<string, number>;
  failures: number;
  retested: number;
  awaitingRetest: number;
  retestsNeeded: number;
};
type Triage = {
  period: { from: string; to: string };
  causes: string[];
  byRelease: (TriageRow & { release: string })[];
  byCycle: (TriageRow & { cycle: string | null; releases: string[] })[];
};
type Delivery = {
  period: { from: string; to: string };
  deployed: { release: string }[];
  deploymentFrequency: { count: number; perWeek: { week: string; releases: string[] }[] };
  leadTime: { medianHours: number | null; p90Hours: number | null; releases: string[] };
  changeFailure: { rate: number | null; deployed: number; releases: string[]; windowDays: number };
  timeToRestore: { medianHours: number | null; releases: string[] };
};

type PeriodOpts = { from?: string; to?: string };

const hours = (h: number | null): string => (h === null ? '-' : `${h.toFixed(1)} h`);

const triageRow = (causes: string[], r: TriageRow): Row => ({
  ...r,
  ...Object.fromEntries(causes.map((c) => [c, r.byCause[c] ?? 0])),
  awaiting: r.awaitingRetest,
  needed: r.retestsNeeded,
});

function triageText(t: Triage): string {
  const counts = [...t.causes, 'failures', 'retested', 'awaiting', 'needed'];
  return [
    `acceptance-test triage, ${t.period.from} to ${t.period.to}`,
    '',
    'per release:',
    table(
      t.byRelease.map((r) => triageRow(t.causes, r)),
      ['release', 'attempts', ...counts],
    ),
    '',
    'per change cycle:',
    table(
      t.byCycle.map((c) => ({ ...triageRow(t.causes, c), cycle: c.cycle ?? '(not booked)' })),
      ['cycle', 'releases', ...counts],
    ),
  ].join('\n');
}

function deliveryText(d: Delivery): string {
  const rate = d.changeFailure.rate === null ? '-' : `${Math.round(d.changeFailure.rate * 1000) / 10} %`;
  return [
    `delivery figures, ${d.period.from} to ${d.period.to}`,
    '',
    table(
      [
        { figure: 'deployments', value: String(d.deploymentFrequency.count), releases: d.deployed.map((r) => r.release) },
        { figure: 'lead time (median)', value: hours(d.leadTime.medianHours), releases: d.leadTime.releases },
        { figure: 'lead time (p90)', value: hours(d.leadTime.p90Hours), releases: d.leadTime.releases },
        {
          figure: 'change failure rate',
          value: `${rate} (${d.changeFailure.releases.length} of ${d.changeFailure.deployed})`,
          releases: d.changeFailure.releases,
        },
        { figure: 'time to restore (median)', value: hours(d.timeToRestore.medianHours), releases: d.timeToRestore.releases },
      ],
      ['figure', 'value', 'releases'],
    ),
    '',
    'deployments per week:',
    table(
      d.deploymentFrequency.perWeek.map((w) => ({ week: w.week, deployments: w.releases.length, releases: w.releases })),
      ['week', 'deployments', 'releases'],
    ),
  ].join('\n');
}

/** `relman report triage|delivery`, beside the release reports (`report write`) already there. */
export function registerReports(program: Command): void {
  const report = program.commands.find((c) => c.name() === 'report') ?? program.command('report').description('reports');
  report
    .command('triage')
    .description('acceptance-test failures by cause and the retests they need, per release and change cycle')
    .option('--from <YYYY-MM-DD>', 'first day of the period (default: 89 days before --to)')
    .option('--to <YYYY-MM-DD>', 'last day of the period (default: today)')
    .action(async (opts: PeriodOpts, cmd: Command) => {
      const t = await client(cmd).request<Triage>('GET', '/reports/triage', undefined, { app: globals(cmd).app, ...opts });
      show(cmd, t, () => triageText(t));
    });
  report
    .command('delivery')
    .description('deployment frequency, lead time, change failure rate and time to restore, with the releases behind them')
    .option('--from <YYYY-MM-DD>', 'first day of the period (default: 89 days before --to)')
    .option('--to <YYYY-MM-DD>', 'last day of the period (default: today)')
    .action(async (opts: PeriodOpts, cmd: Command) => {
      const d = await client(cmd).request<Delivery>('GET', '/reports/delivery', undefined, { app: globals(cmd).app, ...opts });
      show(cmd, d, () => deliveryText(d));
    });
}
