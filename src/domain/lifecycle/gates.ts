import { taskApplies } from '../checklist.js';
import { packageCoverage } from '../packages-coverage.js';
import type { ProcessTemplate } from '../template/schema.js';
import type { Gate } from '../template/lifecycle-schema.js';
import { describeNotice, effectiveNotice } from './notifications.js';
import { helpdeskRefProblems } from './report-refs.js';
import { activeApprovals, currentPackage, latestAttempt, type Evidence, type ReleaseSnapshot } from './snapshot.js';

export type GateResult = {
  id: string;
  name: string;
  pass: boolean;
  /** Why it does not hold, in words a coordinator understands; empty when it passes. */
  reasons: string[];
  /** What satisfied it (or the part of it that is satisfied): who, when, what. */
  evidence: Evidence[];
  /** Process exceptions that were used to pass it (recorded with the transition). */
  exceptions: string[];
};

const nameOf = (list: readonly { id: string; name: string }[], id: string): string => list.find((x) => x.id === id)?.name ?? id;

function roleNames(t: ProcessTemplate, roles: readonly string[]): string {
  const names = roles.map((r) => `the ${nameOf(t.roles, r)}`);
  return names.length <= 1 ? (names[0] ?? 'nobody') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

function approvalGate(t: ProcessTemplate, s: ReleaseSnapshot, stepId: string, r: GateResult): void {
  const step = t.approvals.find((a) => a.id === stepId);
  if (!step) return void r.reasons.push(`approval step "${stepId}" is not defined`);
  const given = activeApprovals(s, stepId);
  const approvers = new Set(given.map((a) => a.by));
  for (const a of given) r.evidence.push({ what: `${step.name}: approved${a.comment ? ` — ${a.comment}` : ''}`, by: a.by, at: a.at });
  if (approvers.size >= step.required) return;
  if (step.required === 1) r.reasons.push(`${step.name} by ${roleNames(t, step.roles)} is missing`);
  else r.reasons.push(`${step.name} needs ${step.required} approvals by ${roleNames(t, step.roles)}; it has ${approvers.size}`);
}

function stepsGate(t: ProcessTemplate, s: ReleaseSnapshot, stepIds: readonly string[], r: GateResult): void {
  for (const stepId of stepIds) {
    const step = t.steps.find((x) => x.id === stepId);
    if (!step) {
      r.reasons.push(`step "${stepId}" is not defined`);
      continue;
    }
    for (const channel of s.channels) {
      if (!Object.hasOwn(step.roles, channel)) continue;
      const channelName = nameOf(t.channels, channel);
      let version: number | null = null;
      if (step.scope === 'package') {
        const pkg = currentPackage(s, channel);
        if (!pkg) {
          r.reasons.push(`${step.name}: no package has been recorded for the ${channelName} channel`);
          continue;
        }
        version = pkg.version;
      }
      const rec = s.steps.find((x) => x.step === stepId && x.channel === channel && (version === null || x.packageVersion === version));
      if (rec)
        r.evidence.push({
          what: `${step.name} (${channelName}${version === null ? '' : `, package v${version}`})`,
          by: rec.by,
          at: rec.at,
        });
      else
        r.reasons.push(
          `${step.name} is missing for the ${channelName} channel${version === null ? '' : ` (package v${version})`} — record it with \`relman step record ${s.name} ${stepId} --channel ${channel}\``,
        );
    }
  }
}

type TestedCheck = { environments: string[]; singleEnvironmentKinds: string[]; anyEnvironment: boolean };

/** Whether passing in one of the environments suffices: always (anyEnvironment), or by the single-environment exception. */
function oneEnvironmentSuffices(s: ReleaseSnapshot, check: TestedCheck): { single: boolean; exception: boolean } {
  const kinds = new Set(check.singleEnvironmentKinds);
  const exception = !check.anyEnvironment && check.environments.length > 1 && kinds.size > 0 && s.items.every((i) => kinds.has(i.kind));
  return { single: check.anyEnvironment || exception, exception };
}

function itemsPassedGate(t: ProcessTemplate, s: ReleaseSnapshot, check: TestedCheck, r: GateResult): void {
  if (s.items.length === 0) return void r.reasons.push('the release carries no work item to test');
  const kinds = new Set(check.singleEnvironmentKinds);
  const { single, exception } = oneEnvironmentSuffices(s, check);
  const envNames = check.environments.map((e) => nameOf(t.environments, e));
  for (const item of s.items) {
    const latest = check.environments.map((env) => ({ env, attempt: latestAttempt(s, item.id, env) }));
    const passed = latest.filter((l) => l.attempt?.result === 'passed');
    const ok = single ? passed.length > 0 : passed.length === latest.length;
    for (const p of passed)
      if (p.attempt)
        r.evidence.push({ what: `${item.key} passed in ${nameOf(t.environments, p.env)}`, by: p.attempt.by, at: p.attempt.at });
    if (ok) continue;
    for (const { env, attempt } of latest) {
      if (attempt?.result === 'passed' || single) continue;
      const cause = attempt?.cause ? nameOf(t.failureCauses, attempt.cause).toLowerCase() : '';
      const state = attempt ? `its latest attempt failed${cause ? ` (${cause})` : ''}` : 'it has not been tested';
      r.reasons.push(`${item.key} has not passed testing in ${nameOf(t.environments, env)}: ${state}`);
    }
    if (single) r.reasons.push(`${item.key} has not passed testing in any of ${envNames.join(', ')}`);
  }
  if (exception && r.reasons.length === 0) {
    r.exceptions.push(`single-environment testing: every item is a ${[...kinds].join('/')}, so one of ${envNames.join(', ')} sufficed`);
  }
}

const versions = (vs: number[]): string => vs.map((v) => `v${v}`).join(', ');

/**
 * P7, P8: what goes to production is what was tested. For each channel, the
 * current package version must be the one every item's latest passing attempt
 * in the environment(s) was recorded on.
 */
function packagesTestedGate(t: ProcessTemplate, s: ReleaseSnapshot, check: TestedCheck, r: GateResult): void {
  if (s.items.length === 0) return void r.reasons.push('the release carries no work item to test');
  if (s.packages.length === 0) return void r.reasons.push('no package has been recorded, so none was tested');
  const { single } = oneEnvironmentSuffices(s, check);
  const groups = single ? [check.environments] : check.environments.map((e) => [e]);
  for (const channel of s.channels) {
    // A channel without a package has nothing to deploy; the package verification gate says it is missing.
    const pkg = currentPackage(s, channel);
    if (!pkg) continue;
    const what = `${nameOf(t.channels, channel)} package v${pkg.version}`;
    for (const envs of groups) {
      const where =
        envs.length === 1 ? nameOf(t.environments, envs[0] ?? '') : `any of ${envs.map((e) => nameOf(t.environments, e)).join(', ')}`;
      const untested: string[] = [];
      const other = new Set<number>();
      let last: { by: string; at: string } | null = null;
      for (const item of s.items) {
        const passed = envs.map((env) => latestAttempt(s, item.id, env)).filter((a) => a?.result === 'passed');
        const onIt = passed.find((a) => a?.packages[channel] === pkg.version);
        if (onIt) {
          if (last === null || onIt.at > last.at) last = { by: onIt.by, at: onIt.at };
          continue;
        }
        untested.push(item.key);
        for (const a of passed) {
          const v = a?.packages[channel];
          if (v !== undefined) other.add(v);
        }
      }
      if (untested.length === 0) {
        if (last) r.evidence.push({ what: `${what} passed testing in ${where} (${s.items.length} item(s))`, by: last.by, at: last.at });
        continue;
      }
      const tested = [...other].sort((a, b) => a - b);
      const on =
        tested.length === 0
          ? ''
          : tested.length === 1
            ? `the tested version is ${versions(tested)}`
            : `the tested versions are ${versions(tested)}`;
      if (untested.length === s.items.length) r.reasons.push(`${what} was not tested in ${where}${on ? `; ${on}` : ''}`);
      else r.reasons.push(`${what} was not tested in ${where} for ${untested.join(', ')}${on ? `; ${on}` : ''}`);
    }
  }
}

function reportGate(t: ProcessTemplate, s: ReleaseSnapshot, reportId: string, r: GateResult): void {
  const def = t.reports.find((x) => x.id === reportId);
  if (!def) return void r.reasons.push(`report "${reportId}" is not defined`);
  const rep = s.reports.find((x) => x.report === reportId);
  if (!rep) return void r.reasons.push(`the ${def.name} has not been written`);
  for (const part of def.parts) {
    if ((rep.parts[part.id] ?? '').trim() === '') r.reasons.push(`${def.name}: "${part.name}" is missing`);
  }
  if (def.helpdeskRefs?.required && rep.helpdeskRefs.length === 0) {
    const kinds = def.helpdeskRefs.kinds.join('/');
    r.reasons.push(`${def.name}: no help-desk reference${kinds ? ` to ${kinds} records` : ''}`);
  }
  // Items can leave the release after the report was written: each reference is checked again.
  for (const p of helpdeskRefProblems(def, s.name, s.items, rep.helpdeskRefs)) r.reasons.push(`${def.name}: ${p.message}`);
  if (r.reasons.length === 0) r.evidence.push({ what: `${def.name} (${rep.helpdeskRefs.join(', ')})`, by: rep.by, at: rep.at });
}

function coverageGate(t: ProcessTemplate, s: ReleaseSnapshot, r: GateResult): void {
  for (const channel of s.channels) {
    const contents = s.contents?.[channel];
    // A package recorded without a file (managed outside relman) cannot be checked.
    if (!contents) continue;
    const cov = packageCoverage(t, channel, s.items, contents.keys);
    for (const item of cov.items) {
      for (const e of item.missing) {
        r.reasons.push(
          `${item.item} declares ${e.type} ${e.name}, which is not in the ${nameOf(t.channels, channel)} package v${contents.version}`,
        );
      }
    }
    const files = contents.files?.length ? ` (${contents.files.join(', ')})` : '';
    if (cov.complete)
      r.evidence.push({
        what: `${nameOf(t.channels, channel)} package v${contents.version}${files} holds every declared element`,
        by: '-',
        at: '-',
      });
  }
}

function checklistGate(t: ProcessTemplate, s: ReleaseSnapshot, taskId: string, r: GateResult): void {
  const task = s.checklist?.find((x) => x.task === taskId);
  const def = t.checklist.find((x) => x.id === taskId);
  const title = task?.title ?? def?.title ?? taskId;
  if (!task && def && !taskApplies(def, s.channels)) {
    const channels = (def.channels ?? []).map((c) => nameOf(t.channels, c)).join(', ');
    return void r.evidence.push({
      what: `Checklist task '${title}' does not apply: the release carries none of ${channels}`,
      by: '-',
      at: '-',
    });
  }
  if (!task || task.status === 'open') return void r.reasons.push(`Checklist task '${title}' is not done`);
  if (task.status === 'sent') return void r.reasons.push(`Checklist task '${title}' is not done: its mail was sent and awaits delivery`);
  const what = task.status === 'done' ? `Checklist task '${title}' done` : `Checklist task '${title}' marked not applicable`;
  r.evidence.push({ what: task.note ? `${what}: ${task.note}` : what, by: task.by ?? '-', at: task.at ?? '-' });
}

/** Evaluates one gate from the recorded facts, collecting every reason it does not hold. */
export function evaluateGate(t: ProcessTemplate, gate: Gate, s: ReleaseSnapshot): GateResult {
  const r: GateResult = { id: gate.id, name: gate.name, pass: false, reasons: [], evidence: [], exceptions: [] };
  const c = gate.check;
  if ('hasItems' in c) {
    if (s.items.length === 0) r.reasons.push('the release carries no work item');
    else r.evidence.push({ what: `${s.items.length} work item(s): ${s.items.map((i) => i.key).join(', ')}`, by: '-', at: '-' });
  } else if ('approval' in c) approvalGate(t, s, c.approval, r);
  else if ('steps' in c) stepsGate(t, s, c.steps, r);
  else if ('itemsPassed' in c) itemsPassedGate(t, s, c.itemsPassed, r);
  else if ('noOpenIssues' in c) {
    const category = nameOf(t.issueCategories, c.noOpenIssues);
    for (const i of s.issues.filter((x) => x.category === c.noOpenIssues)) {
      if (i.status === 'open') r.reasons.push(`${category} #${i.number} "${i.title}" is unresolved`);
      else if (i.resolvedBy && i.resolvedAt) {
        const how = i.status === 'wont-fix' ? "closed as won't fix" : 'resolved';
        r.evidence.push({ what: `${category} #${i.number} "${i.title}" ${how}`, by: i.resolvedBy, at: i.resolvedAt });
      }
    }
  } else if ('externalSystemsNotified' in c) {
    for (const sys of t.externalSystems) {
      const n = effectiveNotice(s.notifications, sys.id);
      if (n) {
        r.evidence.push({ what: describeNotice(sys.name, n), by: n.by, at: n.settledAt ?? n.at });
        continue;
      }
      // Not notified: say what became of the latest e-mail, if one was sent.
      const latest = s.notifications.filter((x) => x.system === sys.id).at(-1);
      r.reasons.push(latest ? describeNotice(sys.name, latest) : `${sys.name} has not been notified of the release`);
    }
  } else if ('report' in c) reportGate(t, s, c.report, r);
  else if ('checklistDone' in c) checklistGate(t, s, c.checklistDone, r);
  else if ('packagesTested' in c) packagesTestedGate(t, s, c.packagesTested, r);
  else coverageGate(t, s, r);
  r.pass = r.reasons.length === 0;
  return r;
}

export function gateById(t: ProcessTemplate, id: string): Gate | undefined {
  return t.gates.find((g) => g.id === id);
}
