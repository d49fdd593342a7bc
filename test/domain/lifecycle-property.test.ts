/**
 * Random sequences of actions, by people holding random roles, on a simulated
 * release. Whatever happens, a release that enters approved-for-production
 * satisfies the production prerequisites (P11, P12), re-derived here from the
 * recorded facts without the gate code, and no release leaves a terminal state.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkApprovalDecision, stepsVoidedBy } from '../../src/domain/lifecycle/approvals.js';
import { currentPackageVersions, emptySnapshot, latestAttempt, type ReleaseSnapshot } from '../../src/domain/lifecycle/snapshot.js';
import { testAttemptProblems } from '../../src/domain/lifecycle/testing.js';
import { checkTransition, evaluateTransitionGates, workflowOf } from '../../src/domain/lifecycle/transitions.js';
import { gateById } from '../../src/domain/lifecycle/gates.js';
import { voidedStateProblem } from '../../src/domain/lifecycle/voiding.js';
import { canPerform, type AppAction } from '../../src/domain/permissions.js';
import { defaultTemplate } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const ROLE_IDS = t.roles.map((r) => r.id);
const TERMINAL = new Set(t.states.filter((s) => s.terminal).map((s) => s.id));
const KINDS = ['IR', 'SMCR', 'DR'] as const;
const REPORT_PARTS = ['summary', 'analysis-and-impact', 'test-results', 'sources-affected', 'release-specifications'];
const REF_KINDS: readonly string[] = ['IR', 'DR'];
const PRODUCTION = 'approved-for-production';

type User = { name: string; roles: string[] };
// One person per role, and a second coordinator so that separation of duties can be met.
const CAST: User[] = [['carol', 'cmc'], ['carl', 'cmc'], ...ROLE_IDS.filter((r) => r !== 'cmc').map((r) => [`${r}-person`, r])].map(
  ([name, role]) => ({ name: name!, roles: [role!] }),
);

/** Who acts: mostly someone holding a role the action needs, sometimes anyone. */
type Actor = { qualified: boolean; pick: number };
/** Indices pick from the lists they name, modulo their length, when the action is applied. */
type Action =
  | { a: 'transition'; transition: number; forward: boolean; comment: boolean; actor: Actor }
  | { a: 'package'; channel: number; actor: Actor }
  | { a: 'step'; step: number; channel: number; actor: Actor }
  | { a: 'request'; step: number; actor: Actor }
  | { a: 'decide'; step: number; approve: boolean; attest: boolean; comment: boolean; actor: Actor }
  | { a: 'test'; item: number; env: number; pass: boolean; cause: number; actor: Actor }
  | { a: 'raise'; category: number; actor: Actor }
  | { a: 'resolve'; issue: number; wontFix: boolean; actor: Actor }
  | { a: 'notify'; system: number; actor: Actor }
  | { a: 'report'; blank: number; refs: boolean; actor: Actor }
  | { a: 'attach'; kind: number; actor: Actor }
  | { a: 'detach'; item: number; actor: Actor }
  /** Towards the next state: records a fact a forward transition still lacks, or attempts it. */
  | { a: 'progress'; transition: number; n: number; actor: Actor };

const often = (tenths: number) => fc.integer({ min: 0, max: 19 }).map((n) => n < tenths * 2);
const nat = fc.nat({ max: 1000 });
const actor: fc.Arbitrary<Actor> = fc.record({ qualified: often(9), pick: nat });
type Fields<A extends Action['a']> = {
  [K in Exclude<keyof Extract<Action, { a: A }>, 'a' | 'actor'>]: fc.Arbitrary<Extract<Action, { a: A }>[K]>;
};
const act = <A extends Action['a']>(a: A, fields: Fields<A>) =>
  fc.record({ ...fields, actor }).map((f) => ({ a, ...f }) as unknown as Action);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 20, arbitrary: act('progress', { transition: nat, n: nat }) },
  { weight: 3, arbitrary: act('transition', { transition: nat, forward: often(9.5), comment: often(7) }) },
  { weight: 2, arbitrary: act('package', { channel: nat }) },
  { weight: 2, arbitrary: act('step', { step: nat, channel: nat }) },
  { weight: 1, arbitrary: act('request', { step: nat }) },
  { weight: 2, arbitrary: act('decide', { step: nat, approve: often(7), attest: often(9), comment: often(7) }) },
  { weight: 2, arbitrary: act('test', { item: nat, env: nat, pass: often(7), cause: nat }) },
  { weight: 1, arbitrary: act('raise', { category: nat }) },
  { weight: 1, arbitrary: act('resolve', { issue: nat, wontFix: often(2) }) },
  { weight: 1, arbitrary: act('notify', { system: nat }) },
  { weight: 1, arbitrary: act('report', { blank: fc.nat({ max: 2 * REPORT_PARTS.length }), refs: often(7) }) },
  { weight: 1, arbitrary: act('attach', { kind: nat }) },
  { weight: 1, arbitrary: act('detach', { item: nat }) },
);

const scenario = fc.record({
  type: fc.constantFrom('scheduled', 'emergency', 'expedited'),
  channels: fc.subarray(['database', 'web'], { minLength: 1 }),
  items: fc.array(fc.constantFrom(...KINDS), { maxLength: 3 }),
  extraUsers: fc.array(fc.subarray(ROLE_IDS), { maxLength: 4 }),
  creator: nat,
  actions: fc.array(action, { minLength: 10, maxLength: 60, size: 'max' }),
});

const pick = <T>(list: readonly T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);

// ------------------------------------------------------------- the oracle

/** The production prerequisites, re-derived from the recorded facts; returns every one that does not hold. */
function productionViolations(s: ReleaseSnapshot, users: User[]): string[] {
  const out: string[] = [];
  const isCmc = (name: string) => users.some((u) => u.name === name && u.roles.includes('cmc'));
  const activeCmcApproval = (step: string) =>
    s.approvals.some((a) => a.step === step && a.decision === 'approved' && !a.voided && isCmc(a.by));
  for (const channel of s.channels) {
    const versions = s.packages.filter((p) => p.channel === channel).map((p) => p.version);
    const latest = versions.length === 0 ? null : Math.max(...versions);
    const verified = s.steps.some((x) => x.step === 'verify-package' && x.channel === channel && x.packageVersion === latest);
    if (latest === null || !verified) out.push(`package of ${channel} not verified at v${latest}`);
  }
  const current = currentPackageVersions(s);
  for (const item of s.items) {
    const onCurrent = t.environments.some((e) => {
      const last = latestAttempt(s, item.id, e.id);
      return last?.result === 'passed' && Object.entries(current).every(([c, v]) => last.packages[c] === v);
    });
    if (!onCurrent) out.push(`${item.key} did not pass testing on the packages to deploy`);
  }
  const open = (category: string) => s.issues.some((i) => i.category === category && i.status === 'open');
  if (open('at-issue')) out.push('open AT issue');
  if (s.type === 'emergency') {
    const report = s.reports.filter((r) => r.report === 'emergency-release-report');
    const complete = report.length === 1 && REPORT_PARTS.every((p) => (report[0]?.parts[p] ?? '').trim() !== '');
    if (!complete) out.push('emergency report incomplete');
    const refs = report[0]?.helpdeskRefs ?? [];
    if (refs.length === 0) out.push('emergency report without help-desk reference');
    const qualifying = new Set(s.items.filter((i) => REF_KINDS.includes(i.kind)).map((i) => i.helpdeskRef));
    if (refs.some((r) => !qualifying.has(r))) out.push('emergency report cites a reference no IR/DR item on the release has');
    if (!activeCmcApproval('emergency-approval')) out.push('no active emergency approval by a CMC');
  } else {
    if (!activeCmcApproval('at-signoff')) out.push('no active AT sign-off by a CMC');
    for (const sys of t.externalSystems) if (!s.notifications.some((n) => n.system === sys.id)) out.push(`${sys.id} not notified`);
    if (open('project-issue')) out.push('pending project issue');
  }
  return out;
}

// ------------------------------------------------------------- the simulation

type Stats = { runs: number; reached: Record<string, number>; ended: Record<string, number> };

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function simulate(sc: Scenario, stats: Stats): void {
  const users: User[] = [...CAST, ...sc.extraUsers.map((roles, i) => ({ name: `user-${i}`, roles }))];
  const s = emptySnapshot({
    name: 'CFIS001',
    type: sc.type,
    state: 'draft',
    channels: sc.channels,
    createdBy: pick(users, sc.creator)!.name,
  });
  const workflow = workflowOf(t, s.type);
  let clock = 0;
  let items = 0;
  let reached = false;
  const at = () => new Date(Date.UTC(2025, 0, 1) + ++clock * 1000).toISOString();
  const addItem = (kind: string) => s.items.push({ id: `item-${++items}`, key: `${kind}-${items}`, kind, helpdeskRef: `HD-${items}` });
  sc.items.forEach(addItem);

  const who = (a: Actor, roles: readonly string[]): User => {
    const qualified = users.filter((u) => u.roles.some((r) => roles.includes(r)));
    return pick(a.qualified && qualified.length > 0 ? qualified : users, a.pick)!;
  };
  const permitted = (a: Actor, what: AppAction): User | null => {
    const u = who(a, t.permissions[what] ?? []);
    return canPerform(t, u.roles, what) ? u : null;
  };
  const voidApprovals = (change: 'package' | 'items') => {
    const steps = new Set(stepsVoidedBy(t, change));
    for (const x of s.approvals) if (steps.has(x.step)) x.voided = true;
  };
  const enter = (state: string) => {
    expect(TERMINAL.has(s.state), `left terminal state ${s.state} for ${state}`).toBe(false);
    s.state = state;
    if (state !== PRODUCTION) return;
    expect(productionViolations(s, users)).toEqual([]);
    reached = true;
  };
  const forward = () => workflow.transitions.filter((tr) => tr.from.includes(s.state) && !tr.requireComment);

  /** The fact a forward transition still lacks, as an action; gate evaluation only steers here, the oracle does not use it. */
  function progress(x: Extract<Action, { a: 'progress' }>): Action | null {
    const tr = pick(forward(), x.transition);
    if (!tr) return null;
    const { actor: a, n } = x;
    const failing = evaluateTransitionGates(t, tr, s).filter((g) => !g.pass);
    const check = gateById(t, pick(failing, n)?.id ?? '')?.check;
    if (!check) return { a: 'transition', transition: x.transition, forward: true, comment: true, actor: a };
    if ('hasItems' in check) return { a: 'attach', kind: n, actor: a };
    if ('approval' in check) {
      const step = t.approvals.findIndex((ap) => ap.id === check.approval);
      return { a: 'decide', step, approve: true, attest: true, comment: true, actor: a };
    }
    if ('externalSystemsNotified' in check) {
      const silent = t.externalSystems.findIndex((sys) => !s.notifications.some((x) => x.system === sys.id));
      return { a: 'notify', system: Math.max(silent, 0), actor: a };
    }
    if ('report' in check) return { a: 'report', blank: REPORT_PARTS.length, refs: true, actor: a };
    if ('noOpenIssues' in check) {
      const blocking = s.issues.filter((i) => i.status === 'open').findIndex((i) => i.category === check.noOpenIssues);
      return { a: 'resolve', issue: Math.max(blocking, 0), wontFix: false, actor: a };
    }
    if ('steps' in check) {
      for (const stepId of check.steps) {
        const step = t.steps.find((x) => x.id === stepId)!;
        for (const [channel, c] of s.channels.map((ch, i) => [ch, i] as const)) {
          if (!Object.hasOwn(step.roles, channel)) continue;
          const version = step.scope === 'package' ? (currentPackageVersions(s)[channel] ?? 0) : null;
          if (version === 0) return { a: 'package', channel: c, actor: a };
          if (!s.steps.some((r) => r.step === stepId && r.channel === channel && (version === null || r.packageVersion === version))) {
            return { a: 'step', step: t.steps.indexOf(step), channel: c, actor: a };
          }
        }
      }
      return null;
    }
    // The simulated packages carry no files, so there is nothing to cover.
    if ('packagesCoverItems' in check) return null;
    // The default template gates no transition on the checklist.
    if ('checklistDone' in check) return null;
    const envs = ('itemsPassed' in check ? check.itemsPassed : check.packagesTested).environments;
    const current = currentPackageVersions(s);
    for (const [i, item] of s.items.entries()) {
      for (const env of envs) {
        const last = latestAttempt(s, item.id, env);
        if (last?.result === 'passed' && Object.entries(current).every(([c, v]) => last.packages[c] === v)) continue;
        const test = { a: 'test', item: i, env: t.environments.findIndex((e) => e.id === env), pass: true, cause: 0, actor: a } as const;
        const blocked = testAttemptProblems(t, s, { itemId: item.id, environment: env, result: 'passed', cause: null }).length > 0;
        return blocked ? { a: 'package', channel: n, actor: a } : test;
      }
    }
    return null;
  }

  function apply(x: Action): void {
    switch (x.a) {
      case 'progress': {
        const next = progress(x);
        if (next) apply(next);
        return;
      }
      case 'transition': {
        const leaving = workflow.transitions.filter((tr) => tr.from.includes(s.state));
        const ahead = forward();
        // Mostly ahead; sometimes a step back, a cancellation or a rollback; sometimes any transition at all
        // (from a terminal state always: none of them may succeed).
        const anywhere = TERMINAL.has(s.state) || (!x.forward && x.transition % 2 === 1);
        const tr = pick(anywhere ? workflow.transitions : x.forward && ahead.length > 0 ? ahead : leaving, x.transition);
        if (!tr) return;
        const u = who(x.actor, tr.roles);
        const c = checkTransition(t, s, u.roles, tr.id, x.comment ? 'as agreed with the CMC' : '');
        if (c.kind !== 'ok') return;
        expect(tr.from).toContain(s.state);
        expect(tr.roles.some((r) => u.roles.includes(r))).toBe(true);
        return enter(tr.to);
      }
      case 'package': {
        const u = permitted(x.actor, 'package.record');
        const channel = pick(s.channels, x.channel);
        if (!u || !channel) return;
        // Refused while the release's state rests on evidence a new version voids.
        if (voidedStateProblem(t, s, { kind: 'package', channel, at: '', by: u.name }) !== null) return;
        const version = (currentPackageVersions(s)[channel] ?? 0) + 1;
        s.packages.push({ channel, version, label: `${channel}-v${version}`, by: u.name, at: at() });
        return voidApprovals('package');
      }
      case 'step': {
        const step = pick(t.steps, x.step)!;
        const channel = pick(s.channels, x.channel)!;
        const roles = Object.hasOwn(step.roles, channel) ? (step.roles[channel] ?? []) : [];
        const u = who(x.actor, roles);
        const version = step.scope === 'package' ? (currentPackageVersions(s)[channel] ?? null) : null;
        if (!u.roles.some((r) => roles.includes(r)) || (step.scope === 'package' && version === null)) return;
        s.steps.push({ step: step.id, channel, packageVersion: version, by: u.name, at: at() });
        return;
      }
      case 'request': {
        const u = permitted(x.actor, 'release.update');
        if (u) s.approvalRequests.push({ step: pick(t.approvals, x.step)!.id, by: u.name, at: at(), voided: false });
        return;
      }
      case 'decide': {
        const step = pick(t.approvals, x.step)!;
        const u = who(x.actor, step.roles);
        const decision = x.approve ? 'approved' : 'rejected';
        const comment = x.comment ? 'reviewed' : '';
        const attestations = x.attest ? step.attestations.map((a) => a.id) : [];
        const c = checkApprovalDecision(t, s, step.id, { username: u.name, roles: u.roles, decision, comment, attestations });
        if (c.kind !== 'ok') return;
        expect(step.roles.some((r) => u.roles.includes(r))).toBe(true);
        if (decision === 'rejected') for (const a of s.approvals) if (a.step === step.id) a.voided = true;
        s.approvals.push({
          id: `a${s.approvals.length}`,
          step: step.id,
          decision,
          by: u.name,
          at: at(),
          comment,
          attestations,
          voided: false,
        });
        if (decision === 'rejected' && step.onReject && !TERMINAL.has(s.state)) enter(step.onReject.to);
        return;
      }
      case 'test': {
        const u = permitted(x.actor, 'test.record');
        const item = pick(s.items, x.item);
        const environment = pick(t.environments, x.env)!.id;
        if (!u || !item) return;
        const cause = x.pass ? null : pick(t.failureCauses, x.cause)!.id;
        const input = { itemId: item.id, environment, result: x.pass ? ('passed' as const) : ('failed' as const), cause };
        if (testAttemptProblems(t, s, input).length === 0)
          s.tests.push({ ...input, by: u.name, at: at(), packages: currentPackageVersions(s) });
        return;
      }
      case 'raise': {
        const category = pick(t.issueCategories, x.category)!.id;
        if (permitted(x.actor, 'issue.raise'))
          s.issues.push({ number: s.issues.length + 1, category, title: 'found a problem', status: 'open' });
        return;
      }
      case 'resolve': {
        const issue = pick(
          s.issues.filter((i) => i.status === 'open'),
          x.issue,
        );
        if (issue && permitted(x.actor, 'issue.resolve')) issue.status = x.wontFix ? 'wont-fix' : 'resolved';
        return;
      }
      case 'notify': {
        const u = permitted(x.actor, 'notification.record');
        if (u)
          s.notifications.push({
            system: pick(t.externalSystems, x.system)!.id,
            by: u.name,
            at: at(),
            note: 'called',
            means: 'phone',
            status: 'notified',
            addresses: [],
            accepted: null,
          });
        return;
      }
      case 'report': {
        const def = t.reports[0]!;
        const u = who(x.actor, def.roles);
        if (!u.roles.some((r) => def.roles.includes(r))) return;
        // Rewriting the report replaces it; `blank` beyond the part count leaves every part filled in.
        const parts = Object.fromEntries(def.parts.map((p, i) => [p.id, i === x.blank ? ' ' : `${p.name}: text`]));
        // The writer cites the help-desk references of the release's IR/DR items, as the report write requires.
        const refs = s.items.filter((i) => REF_KINDS.includes(i.kind)).map((i) => i.helpdeskRef);
        s.reports = [{ report: def.id, parts, helpdeskRefs: x.refs ? refs : [], by: u.name, at: at() }];
        return;
      }
      case 'attach':
      case 'detach': {
        if (!permitted(x.actor, 'item.assign') || (x.a === 'detach' && s.items.length === 0)) return;
        if (t.states.find((st) => st.id === s.state)?.locksPackages) return;
        const change =
          x.a === 'attach'
            ? { kind: 'items' as const, add: [{ id: 'new', key: 'new', kind: pick(KINDS, x.kind)!, helpdeskRef: 'HD-new' }] }
            : { kind: 'items' as const, remove: [s.items[x.item % s.items.length]!.id] };
        if (voidedStateProblem(t, s, change) !== null) return;
        if (x.a === 'attach') addItem(pick(KINDS, x.kind)!);
        else s.items.splice(x.item % s.items.length, 1);
        return voidApprovals('items');
      }
      default: {
        const never: never = x;
        throw new Error(`unhandled ${JSON.stringify(never)}`);
      }
    }
  }

  for (const x of sc.actions) apply(x);
  stats.runs += 1;
  if (reached) stats.reached[s.type] = (stats.reached[s.type] ?? 0) + 1;
  stats.ended[s.state] = (stats.ended[s.state] ?? 0) + 1;
}

describe('the release lifecycle under random actions', () => {
  it('enters approved-for-production only when the production prerequisites hold, and never leaves a terminal state', () => {
    const stats: Stats = { runs: 0, reached: {}, ended: {} };
    fc.assert(
      fc.property(scenario, (sc) => simulate(sc, stats)),
      { numRuns: 300 },
    );
    const reached = Object.values(stats.reached).reduce((a, b) => a + b, 0);
    const terminal = Object.entries(stats.ended).filter(([state]) => TERMINAL.has(state));
    console.info(`reached ${PRODUCTION} in ${reached} of ${stats.runs} runs`, stats.reached, 'ended in', stats.ended);
    // Not vacuous: every release type gets there in a fair share of the runs, and some runs end in a terminal state.
    expect(reached / stats.runs).toBeGreaterThan(0.15);
    for (const type of ['scheduled', 'emergency', 'expedited']) expect(stats.reached[type] ?? 0).toBeGreaterThan(0);
    expect(terminal.length).toBeGreaterThan(0);
  });
});
