/**
 * A history of three releases whose report figures are known by hand (see
 * REPORT_FIGURES): the clock is set before the moments the figures depend on.
 *
 * - A: items IR/SMCR created 2030-01-07 09:02 and 09:04; an attempt failed on
 *   setup and passed on retest; in production 2030-01-09 09:02.
 * - B: items created 2030-01-14 09:02 and 09:04; failed on data, passed on
 *   retest; in production 2030-01-15 09:02, rolled back at 13:02.
 * - C: in acceptance test; an attempt failed on configuration, no retest yet.
 */
import type { ServiceDeps } from '../../src/services/deps.js';
import { MINUTE, startFlow, type Crew, type Flow } from './lifecycle-flow.js';
import type { ManualClock } from './service-fixtures.js';

export const REPORT_PERIOD = { from: '2030-01-07', to: '2030-01-20' };

export const REPORT_FIGURES = {
  deployments: 2,
  /** Lead times 48, 47.97, 24 and 23.97 hours. */
  leadTimeMedianHours: 35.985,
  leadTimeP90Hours: 48,
  changeFailureRate: 0.5,
  timeToRestoreMedianHours: 4,
};

const AT_ENV = 'acceptance-test';

async function testedInAt(flow: Flow, cause: string): Promise<void> {
  await flow.toInAt();
  await flow.test(flow.items[0]!, AT_ENV, 'failed', cause);
  for (const item of flow.items) await flow.test(item, AT_ENV, 'passed');
}

/** From in-AT with passed items to `deployed`, the confirmation happening at `at`. */
async function toProductionAt(flow: Flow, at: string): Promise<void> {
  const { crew } = flow;
  await flow.approve('at-signoff');
  await flow.transition(crew.cmc, 'complete-at');
  await flow.notifyAll();
  await flow.approve('production-approval');
  await flow.transition(crew.cmc, 'approve-for-production');
  await flow.startDeployment();
  for (const step of ['deploy', 'confirm-deployment']) {
    for (const c of ['database', 'web']) await flow.step(step, c, c === 'web' ? crew.deployer : crew.dbLead);
  }
  flow.clock.set(new Date(Date.parse(at) - MINUTE));
  await flow.transition(crew.deployer, 'confirm-deployment');
}

export async function seedReportHistory(deps: ServiceDeps, clock: ManualClock, crew: Crew): Promise<{ a: string; b: string; c: string }> {
  clock.set('2030-01-07T09:00:00.000Z');
  const a = await startFlow(deps, clock, crew);
  await testedInAt(a, 'setup');
  await toProductionAt(a, '2030-01-09T09:02:00.000Z');

  clock.set('2030-01-14T09:00:00.000Z');
  const b = await startFlow(deps, clock, crew);
  await testedInAt(b, 'data');
  await toProductionAt(b, '2030-01-15T09:02:00.000Z');
  clock.set('2030-01-15T13:01:00.000Z');
  await b.transition(crew.cmc, 'roll-back', 'claims totals wrong');

  clock.set('2030-01-16T09:00:00.000Z');
  const c = await startFlow(deps, clock, crew);
  await c.toInAt();
  await c.test(c.items[0]!, AT_ENV, 'failed', 'configuration');
  return { a: a.name, b: b.name, c: c.name };
}
