/**
 * Drives releases through the lifecycle services the way the people of the
 * default template would, one write at a time. The hand-moved clock advances
 * a minute before every write, so every record has its own time and the
 * histories read in the order things happened. Each write's expected audit
 * event (action and actor) is noted in `log`, for checking the audit trail.
 */
import { GatesNotSatisfiedError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/services/actor.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { decideApproval, requestApproval } from '../../src/services/lifecycle/approvals.js';
import {
  raiseIssue,
  recordNotification,
  recordPackage,
  recordStep,
  recordTestAttempt,
  resolveIssue,
  writeReport,
} from '../../src/services/lifecycle/evidence.js';
import { completeTask, releaseChecklist } from '../../src/services/checklist/tasks.js';
import { performTransition } from '../../src/services/lifecycle/transitions.js';
import { createRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { userWith } from './harness.js';
import { rejectsWith, type ManualClock } from './service-fixtures.js';

export const MINUTE = 60_000;

/** One person per role of the default template (two coordinators, for separation of duties). */
export type Crew = {
  lead: Actor;
  dev: Actor;
  cmc: Actor;
  cmc2: Actor;
  analyst: Actor;
  deployer: Actor;
  dbLead: Actor;
  viewer: Actor;
};

export async function makeCrew(deps: ServiceDeps): Promise<Crew> {
  const u = async (roles: string[], name: string) => (await userWith(deps, roles, name)).actor;
  return {
    lead: await u(['technical-lead'], 'terry'),
    dev: await u(['developer'], 'dana'),
    cmc: await u(['cmc'], 'carol'),
    cmc2: await u(['cmc'], 'chris'),
    analyst: await u(['systems-analyst'], 'sam'),
    deployer: await u(['deployment'], 'dora'),
    dbLead: await u(['database-lead'], 'bill'),
    viewer: await u(['viewer'], 'vera'),
  };
}

/** What the messages of the default template say. */
export const MSG = {
  atSignoffMissing: 'Acceptance test sign-off by the Change Management Coordinator is missing',
  productionApprovalMissing: 'Approval of the production install by the Change Management Coordinator is missing',
  emergencyApprovalMissing: 'Approval of the emergency release by the Change Management Coordinator is missing',
  notNotified: (system: string) => `${system} has not been notified of the release`,
  noPackage: (channel: string) =>
    `Rollout package verified and tested by the development team: no package has been recorded for the ${channel} channel`,
  notVerified: (channel: string, version: number, release: string, channelId: string) =>
    `Rollout package verified and tested by the development team is missing for the ${channel} channel (package v${version}) — record it with \`relman step record ${release} verify-package --channel ${channelId}\``,
  openAtIssue: (n: number, title: string) => `Issue reported during acceptance testing #${n} "${title}" is unresolved`,
  openProjectIssue: (n: number, title: string) => `Pending project issue concerning the release #${n} "${title}" is unresolved`,
  notPassed: (item: string, env: string, state = 'it has not been tested') => `${item} has not passed testing in ${env}: ${state}`,
  /** P7, P8: the package version to deploy is not the one the items passed testing on. */
  notTested: (channel: string, version: number, where: string, tested?: number) =>
    `${channel} package v${version} was not tested in ${where}${tested === undefined ? '' : `; the tested version is v${tested}`}`,
  noPackageTested: 'no package has been recorded, so none was tested',
  singleEnvException: 'single-environment testing: every item is a DR, so one of Development, Acceptance Test (AT) sufficed',
};

export const DB = 'Database (Cache/IRIS)';
export const WEB = 'Web (WebSphere)';
export const AT = 'Acceptance Test (AT)';
export const SYSTEMS = ['cats', 'meds', 'fiscal-intermediary'];

export const FULL_REPORT = {
  summary: 'Claims totals are doubled for split payments',
  'analysis-and-impact': 'Every split payment since Monday; finance reports wrong',
  'test-results': 'Passed in development: totals match the ledger',
  'sources-affected': 'CMS.Claims.Totals, ^CLMTOT',
  'release-specifications': 'Install CMS.Claims.Totals; rebuild ^CLMTOT',
};

export type FlowOptions = { type?: string; channels?: string[]; kinds?: string[]; creator?: keyof Crew };

export type Flow = ReturnType<typeof flowFor>;

/** Creates a release (by the technical lead unless told), with one item per kind, assigned by the lead. */
export async function startFlow(deps: ServiceDeps, clock: ManualClock, crew: Crew, options: FlowOptions = {}): Promise<Flow> {
  const log: { action: string; actor: string }[] = [];
  const creator = crew[options.creator ?? 'lead'];
  clock.advance(MINUTE);
  const release = await createRelease(deps, creator, {
    type: options.type ?? 'scheduled',
    plannedDate: '2030-02-02',
    channels: options.channels ?? ['database', 'web'],
  });
  log.push({ action: 'release.create', actor: creator.username });
  const flow = flowFor(deps, clock, crew, release.name, log);
  for (const kind of options.kinds ?? ['IR', 'SMCR']) await flow.addItem(kind);
  return flow;
}

export function flowFor(deps: ServiceDeps, clock: ManualClock, crew: Crew, name: string, log: { action: string; actor: string }[] = []) {
  const items: string[] = [];
  /** Runs one write a minute after the previous one and notes its audit event(s). */
  const write = async <T>(actor: Actor, actions: string[], fn: () => Promise<T>): Promise<T> => {
    clock.advance(MINUTE);
    const result = await fn();
    for (const action of actions) log.push({ action, actor: actor.username });
    return result;
  };
  /** The release's open checklist tasks that the template requires before a transition (only those of its channels exist). */
  const openTasksTiedTo = async (transition: string): Promise<string[]> =>
    (await releaseChecklist(deps, { name })).tasks
      .filter((t) => t.status === 'open' && t.requiredBefore.some((b) => b.transition === transition))
      .map((t) => t.task);
  const f = {
    deps,
    clock,
    crew,
    name,
    items,
    log,
    async addItem(kind: string, title = `${kind} change`): Promise<string> {
      const item = await write(crew.dev, ['item.create'], () => createWorkItem(deps, crew.dev, { kind, helpdeskRef: `HD-${kind}`, title }));
      await write(crew.lead, ['item.attach'], () => assignWorkItem(deps, crew.lead, { key: item.key }, { release: name }));
      items.push(item.key);
      return item.key;
    },
    transition: (actor: Actor, transition: string, comment?: string) =>
      write(actor, ['release.transition'], () => performTransition(deps, actor, { name }, { transition, comment })),
    approve: (step: string, actor: Actor = crew.cmc, attestations?: string[]) =>
      write(actor, ['approval.approve'], () => decideApproval(deps, actor, { name }, { step, decision: 'approve', attestations })),
    /** A rejection that sends the release back also records a transition. */
    reject: (step: string, comment: string, actor: Actor = crew.cmc, movesBack = true) =>
      write(actor, movesBack ? ['approval.reject', 'release.transition'] : ['approval.reject'], () =>
        decideApproval(deps, actor, { name }, { step, decision: 'reject', comment }),
      ),
    request: (step: string, actor: Actor) => write(actor, ['approval.request'], () => requestApproval(deps, actor, { name }, { step })),
    pkg: (channel: string, actor: Actor = crew.dev) =>
      write(actor, ['package.record'], () => recordPackage(deps, actor, { name }, { channel, label: `${name}-${channel}` })),
    step: (step: string, channel: string, actor: Actor) =>
      write(actor, ['step.record'], () => recordStep(deps, actor, { name }, { step, channel, note: `${step} ${channel}` })),
    test: (item: string, environment: string, result: 'passed' | 'failed', cause?: string, actor: Actor = crew.analyst) =>
      write(actor, ['test.record'], () => recordTestAttempt(deps, actor, { name }, { item, environment, result, cause })),
    raise: (category: string, title: string, actor: Actor = crew.analyst) =>
      write(actor, ['issue.raise'], () => raiseIssue(deps, actor, { name }, { category, title })),
    resolve: (number: number, actor: Actor = crew.dev, status: 'resolved' | 'wont-fix' = 'resolved', resolution = 'fixed') =>
      write(actor, ['issue.resolve'], () => resolveIssue(deps, actor, { name }, number, { status, resolution })),
    notify: (system: string, actor: Actor = crew.lead) =>
      write(actor, ['notification.record'], () =>
        recordNotification(deps, actor, { name }, { system, means: 'phone', note: 'called the interface desk' }),
      ),
    report: (parts: Record<string, string>, helpdeskRefs: string[], actor: Actor = crew.lead) =>
      write(actor, ['report.write'], () => writeReport(deps, actor, { name }, 'emergency-release-report', { parts, helpdeskRefs })),
    move: (item: string, to: string) =>
      write(crew.lead, ['item.move'], () => assignWorkItem(deps, crew.lead, { key: item }, { release: to, move: true })),

    /** Every unmet condition of a transition, as performTransition refuses it. */
    async unmet(transition: string, actor: Actor = crew.cmc, comment?: string): Promise<string[]> {
      const err = await rejectsWith(performTransition(deps, actor, { name }, { transition, comment }), GatesNotSatisfiedError);
      return err.unmet;
    },

    // ---- whole stages, by the people the template names
    async toPackageVerified(): Promise<void> {
      await f.transition(crew.dev, 'start-packaging');
      for (const c of await channelsOf()) await f.pkg(c);
      for (const c of await channelsOf()) await f.step('verify-package', c, crew.dev);
      await f.transition(crew.dev, 'mark-package-verified');
    },
    async toInAt(): Promise<void> {
      await f.toPackageVerified();
      await f.approve('at-go-ahead');
      await f.transition(crew.lead, 'install-in-at');
    },
    async toAtSignedOff(): Promise<void> {
      await f.toInAt();
      for (const i of items) await f.test(i, 'acceptance-test', 'passed');
      await f.approve('at-signoff');
      await f.transition(crew.cmc, 'complete-at');
    },
    async notifyAll(): Promise<void> {
      for (const s of SYSTEMS) await f.notify(s);
    },
    /** At-signed-off with every production gate holding. */
    async readyForProduction(): Promise<void> {
      await f.toAtSignedOff();
      await f.notifyAll();
      await f.approve('production-approval');
    },
    /** Completes checklist tasks (P14) as the coordinator. */
    complete: (task: string, note = `${task} done`) =>
      write(crew.cmc, ['checklist.complete'], () => completeTask(deps, crew.cmc, { name }, task, { note })),
    /** The backup and the web packages' transfer (P17), then start-deployment. */
    async startDeployment(actor: Actor = crew.deployer): Promise<void> {
      for (const task of await openTasksTiedTo('start-deployment')) await f.complete(task);
      await f.transition(actor, 'start-deployment');
    },
    /** From approved-for-production to signed-off, with the checklist done where the template ties it (P14, P17). */
    async deployAndSignOff(): Promise<void> {
      const chans = await channelsOf();
      await f.startDeployment();
      for (const step of ['deploy', 'confirm-deployment']) {
        for (const c of chans) await f.step(step, c, c === 'web' ? crew.deployer : crew.dbLead);
      }
      await f.transition(crew.deployer, 'confirm-deployment');
      for (const c of chans) await f.step('verify-application', c, crew.analyst);
      await f.transition(crew.analyst, 'verify-in-production');
      await f.approve('final-signoff', crew.cmc, ['requirements-addressed', 'implementation-succeeded']);
      for (const task of await openTasksTiedTo('sign-off')) await f.complete(task);
      await f.transition(crew.cmc, 'sign-off');
    },
  };
  async function channelsOf(): Promise<string[]> {
    const row = await deps.database.kysely.selectFrom('releases').select('channels').where('name', '=', name).executeTakeFirstOrThrow();
    return JSON.parse(row.channels) as string[];
  }
  return f;
}
