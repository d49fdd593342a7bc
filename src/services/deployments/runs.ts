import { randomUUID } from 'node:crypto';
import { checklistOf } from '../../db/repositories/checklist.js';
import { targetFor, targetCommands } from '../../db/repositories/deployment-targets.js';
import {
  appendLog,
  insertRun,
  logOf,
  nextRunNumber,
  runByNumber,
  runsOfRelease,
  stepsOfRun,
  stepsOfRuns,
  stepRoles,
  stepSpec,
  type RunPackage,
  type StepSpec,
} from '../../db/repositories/deployment-runs.js';
import type { DeploymentRunTable, DeploymentStepTable } from '../../db/schema.js';
import { currentPackage } from '../../domain/lifecycle/snapshot.js';
import { checkStart, expandArguments, planOf, stepsForRelease } from '../../domain/deployments/plan.js';
import { ConflictError, ForbiddenError, GatesNotSatisfiedError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { stepEnvironment } from '../../integrations/commands/environment.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import { completeTaskWithin } from '../checklist/tasks.js';
import type { ServiceDeps } from '../deps.js';
import { recordStepWithin } from '../lifecycle/evidence.js';
import { lockedReleaseWrite, type LockedWrite } from '../lifecycle/release-lock.js';
import { currentFileSet } from '../packages/file-set.js';
import { loadRelease, type ReleaseRef } from '../release-lookup.js';
import { runAuditView, runView, type DeploymentRunView } from './run-view.js';
import { moveStepWithin } from './step-moves.js';
import { wakeDeployments } from './wake.js';

/**
 * Deployment runs as people drive them (docs/deployments.md, "Runs"): start
 * one, read it and its log, mark a manual step done or failed, retry or skip
 * a step. The steps that run by themselves are taken by the executor
 * (executor.ts), in whichever relman process leases them.
 */

export type RunRef = ReleaseRef & { run: number };

/** The package files of each channel, as the environment variables of a command step name them. */
export function packageVariables(packages: readonly RunPackage[], pathOf: (sha256: string) => string) {
  return packages.flatMap((p) =>
    p.files.map((f) => ({
      channel: p.files.length === 1 ? p.channel : `${p.channel}-${f.kind}`,
      version: f.version,
      path: pathOf(f.sha256),
      sha256: f.sha256,
    })),
  );
}

async function runPackagesOf(l: LockedWrite): Promise<RunPackage[]> {
  const out: RunPackage[] = [];
  for (const channel of l.snapshot.channels) {
    const set = await currentFileSet(l.db, l.template, l.release.id, channel);
    // A package recorded without a file (a label) is still what the run installs; its files are none relman holds.
    const recorded = currentPackage(l.snapshot, channel);
    if (!set && !recorded) continue;
    out.push({
      channel,
      version: set?.version ?? recorded?.version ?? 0,
      files: (set?.files ?? []).map((f) => ({ version: f.version, kind: f.kind, fileName: f.fileName, size: f.size, sha256: f.sha256 })),
    });
  }
  return out;
}

/** What keeps the run's steps from being able to work, said before anything starts. */
async function readinessProblems(
  l: LockedWrite,
  environment: string,
  steps: ReturnType<typeof stepsForRelease>,
  packages: RunPackage[],
): Promise<string[]> {
  const problems: string[] = [];
  const env = (() => {
    try {
      return stepEnvironment({ release: l.release.name, environment, channel: '', packages: packageVariables(packages, () => '/') });
    } catch (err) {
      problems.push((err as Error).message);
      return {};
    }
  })();
  for (const s of steps) {
    const channel = s.channel ?? '';
    if (s.kind === 'transfer' || s.kind === 'target-commands') {
      const target = await targetFor(l.db, l.ctx.app.id, environment, channel);
      const setIt = `an administrator sets it with: relman target set ${environment} ${channel} …`;
      if (!target) problems.push(`step "${s.name}": no deployment target for ${environment}/${channel}; ${setIt}`);
      else if (s.kind === 'transfer' && target.sftp_host === null)
        problems.push(`step "${s.name}": the target ${environment}/${channel} has no SFTP drop location; ${setIt}`);
      else if (s.kind === 'target-commands' && targetCommands.decode(target.commands).length === 0)
        problems.push(`step "${s.name}": the target ${environment}/${channel} has no commands; ${setIt}`);
    }
    if (s.kind === 'transfer' && !packages.some((p) => p.channel === channel && p.files.length > 0))
      problems.push(`step "${s.name}": no ${channel} package file has been uploaded to ${l.release.name}`);
    if (s.kind === 'command' && s.command) {
      try {
        expandArguments(s.command.argv, { ...env, RELMAN_CHANNEL: channel });
      } catch (err) {
        problems.push(`step "${s.name}": ${(err as Error).message}`);
      }
    }
  }
  return problems;
}

/**
 * Starts a run of the release to an environment: only when the template has
 * a plan for it, the actor holds one of its roles, the release's state and
 * gates allow it (P7: AT after the go-ahead, production after the approval),
 * no other run of the release to it is under way, and every step can work
 * (targets, package files). The run takes the release's current package
 * versions; its steps are copied from the template the release follows.
 */
export async function startRun(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  input: { environment: string },
): Promise<DeploymentRunView> {
  return lockedReleaseWrite(deps, actor, ref, {}, async (l) => {
    const { environment } = input;
    const plan = planOf(l.template, environment);
    if (!plan) {
      const known = l.template.deployments.map((p) => p.environment);
      throw new ValidationError('there is no deployment plan for that environment', [
        { path: 'environment', message: `the template plans deployments to: ${known.join(', ') || 'no environment'}` },
      ]);
    }
    if (!plan.roles.some((r) => actor.roles.includes(r))) throw new ForbiddenError(`deployment to ${environment}`, plan.roles);
    const envName = l.template.environments.find((e) => e.id === environment)?.name ?? environment;
    const check = checkStart(l.template, plan, l.snapshot);
    if (!check.ok) throw new GatesNotSatisfiedError(`deploy-${environment}`, `Deployment to ${envName}`, check.unmet, check.gates);
    const runs = await runsOfRelease(l.db, l.release.id);
    const busy = runs.find((r) => r.environment === environment && (r.state === 'waiting' || r.state === 'running'));
    if (busy) throw new ConflictError(`run ${busy.number} of ${l.release.name} to ${envName} is still ${busy.state}`, 'run-active');
    const templates = stepsForRelease(plan, l.snapshot.channels);
    if (templates.length === 0)
      throw new ConflictError(`no step of the ${envName} plan applies to ${l.release.name}'s channels`, 'no-steps');
    const packages = await runPackagesOf(l);
    const problems = await readinessProblems(l, environment, templates, packages);
    if (problems.length > 0)
      throw new ConflictError(`the deployment to ${envName} cannot start: ${problems.join('; ')}`, 'deployment-not-ready');

    const at = deps.clock().toISOString();
    const run: DeploymentRunTable = {
      id: randomUUID(),
      application_id: l.ctx.app.id,
      release_id: l.release.id,
      number: await nextRunNumber(l.db, l.release.id),
      environment,
      state: 'waiting',
      packages: JSON.stringify(packages),
      started_by: actor.username,
      started_at: at,
      finished_at: null,
      row_version: 1,
    };
    const steps: DeploymentStepTable[] = templates.map((s, position) => {
      const spec: StepSpec = {
        ...(s.description !== undefined ? { description: s.description } : {}),
        ...(s.instructions !== undefined ? { instructions: s.instructions } : {}),
        ...(s.command !== undefined ? { command: s.command } : {}),
        ...(s.completesTask !== undefined ? { completesTask: s.completesTask } : {}),
        recordsSteps: s.recordsSteps,
        ...(s.showsTasks.length > 0 ? { showsTasks: s.showsTasks } : {}),
        ...(s.mail !== undefined ? { mail: s.mail } : {}),
        ...(s.escalation !== undefined ? { escalation: s.escalation } : {}),
      };
      return {
        id: randomUUID(),
        run_id: run.id,
        position,
        step: s.id,
        name: s.name,
        channel: s.channel ?? null,
        kind: s.kind,
        roles: JSON.stringify(s.roles),
        spec: JSON.stringify(spec),
        state: 'waiting',
        outcome: '',
        done_by: null,
        started_at: null,
        finished_at: null,
        attempts: 0,
        lease_owner: null,
        lease_until: null,
        escalation_level: 0,
        escalated_at: null,
        evidence: null,
        row_version: 1,
      };
    });
    await insertRun(l.db, run, steps);
    const pkgText = packages.map((p) => `${p.channel} v${p.version} (${p.files.map((f) => f.fileName).join(', ')})`).join('; ');
    await appendLog(l.db, run.id, [
      {
        position: null,
        at,
        stream: 'info',
        line: `run ${run.number} to ${envName} started by ${actor.username}: ${pkgText || 'no package files'}`,
      },
    ]);
    l.onCommit(() => wakeDeployments());
    const view = runView(l.template, l.release.name, run, steps, deps.clock(), actor.roles, await checklistOf(l.db, l.release.id));
    return l.tx.audit({ action: 'deployment.start', subjectType: 'release', subjectId: l.subject, after: runAuditView(run, steps) }, view);
  });
}

export async function listRuns(deps: ServiceDeps, actor: Actor, ref: ReleaseRef): Promise<DeploymentRunView[]> {
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const db = deps.database.kysely;
  const release = await loadRelease(db, ctx, ref.name);
  const template = await deps.templates.byId(db, release.template_version_id);
  const runs = await runsOfRelease(db, release.id);
  const steps = await stepsOfRuns(
    db,
    runs.map((r) => r.id),
  );
  const now = deps.clock();
  const tasks = await checklistOf(db, release.id);
  return runs.map((r) =>
    runView(
      template,
      release.name,
      r,
      steps.filter((s) => s.run_id === r.id),
      now,
      actor.roles,
      tasks,
    ),
  );
}

async function loadRun(deps: ServiceDeps, ref: RunRef) {
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const db = deps.database.kysely;
  const release = await loadRelease(db, ctx, ref.name);
  const run = await runByNumber(db, release.id, ref.run);
  if (!run) throw new NotFoundError('deployment run', `${release.name}/${ref.run}`);
  return { ctx, release, run };
}

export async function showRun(deps: ServiceDeps, actor: Actor, ref: RunRef): Promise<DeploymentRunView> {
  const { release, run } = await loadRun(deps, ref);
  const db = deps.database.kysely;
  const template = await deps.templates.byId(db, release.template_version_id);
  return runView(template, release.name, run, await stepsOfRun(db, run.id), deps.clock(), actor.roles, await checklistOf(db, release.id));
}

export type LogView = {
  lines: { seq: number; at: string; step: string | null; stream: string; line: string }[];
  /** Pass as `after` to read on. */
  next: number;
  /** The run's state: a reader following the log stops once it is no longer waiting or running and no line is left. */
  state: string;
};

export async function runLog(deps: ServiceDeps, ref: RunRef, after: number, limit: number): Promise<LogView> {
  const { run } = await loadRun(deps, ref);
  const db = deps.database.kysely;
  const rows = await logOf(db, run.id, after, limit);
  const steps = await stepsOfRun(db, run.id);
  const stepAt = new Map(steps.map((s) => [s.position, s.step]));
  return {
    lines: rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      step: r.position === null ? null : (stepAt.get(Number(r.position)) ?? null),
      stream: r.stream,
      line: r.line,
    })),
    next: rows.length > 0 ? Number(rows[rows.length - 1]?.seq) : after,
    state: run.state,
  };
}

type StepRef = RunRef & { step: string };

/** The run as it stands inside a write that changed it. */
async function lockedView(deps: ServiceDeps, l: LockedWrite, run: DeploymentRunTable, actor: Actor): Promise<DeploymentRunView> {
  return runView(
    l.template,
    l.release.name,
    run,
    await stepsOfRun(l.db, run.id),
    deps.clock(),
    actor.roles,
    await checklistOf(l.db, l.release.id),
  );
}

/** Loads a run's step inside a write on its release, and checks the actor may act on it. */
async function lockedStep(l: LockedWrite, actor: Actor, ref: StepRef) {
  const run = await runByNumber(l.db, l.release.id, ref.run);
  if (!run) throw new NotFoundError('deployment run', `${l.release.name}/${ref.run}`);
  const steps = await stepsOfRun(l.db, run.id);
  const step = steps.find((s) => s.step === ref.step);
  if (!step)
    throw new NotFoundError(
      'step',
      ref.step,
      steps.map((s) => s.step),
    );
  const roles = stepRoles.decode(step.roles);
  if (!roles.some((r) => actor.roles.includes(r))) throw new ForbiddenError(`step ${step.step} of run ${run.number}`, roles);
  return { run, step };
}

const noteOf = (note: string | undefined) => (note ?? '').trim();

/**
 * A person of the step's roles marks a manual step done or failed, with a
 * note. Done also records the lifecycle steps it stands for (P10: deployed,
 * confirmed, verified) and completes its checklist task, in the same
 * transaction.
 */
export async function ackStep(
  deps: ServiceDeps,
  actor: Actor,
  ref: StepRef & { outcome: 'done' | 'failed'; note?: string | undefined },
): Promise<DeploymentRunView> {
  return lockedReleaseWrite(deps, actor, ref, { allowTerminal: true }, async (l) => {
    const { run, step } = await lockedStep(l, actor, ref);
    if (step.kind !== 'manual')
      throw new ConflictError(`step "${step.step}" runs by itself; it can be retried or skipped, not marked`, 'step-not-manual');
    const note = noteOf(ref.note);
    if (ref.outcome === 'failed' && note === '')
      throw new ValidationError('say what went wrong', [{ path: 'note', message: 'a failed step needs a note' }]);
    const at = deps.clock().toISOString();
    const moved = await moveStepWithin(
      deps,
      l,
      run,
      step,
      ref.outcome === 'done' ? 'finish' : 'fail',
      { outcome: note, done_by: actor.username, finished_at: at },
      {
        log: `${step.name}: marked ${ref.outcome} by ${actor.username}${note ? `: ${note}` : ''}`,
        stream: ref.outcome === 'done' ? 'info' : 'error',
      },
    );
    if (!moved) throw new ConflictError(`step "${step.step}" was changed meanwhile; reload`, 'step-changed');
    if (ref.outcome === 'done') {
      const spec = stepSpec.decode(step.spec);
      for (const lifecycleStep of spec.recordsSteps ?? []) {
        const roles = l.template.steps.find((s) => s.id === lifecycleStep)?.roles ?? {};
        const channels = step.channel !== null ? [step.channel] : l.snapshot.channels.filter((c) => Object.hasOwn(roles, c));
        for (const channel of channels)
          await recordStepWithin(deps, l, actor, {
            step: lifecycleStep,
            channel,
            note: `deployment run ${run.number}: ${step.name}${note ? `: ${note}` : ''}`,
          });
      }
      if (spec.completesTask !== undefined)
        await completeTaskWithin(deps, l, spec.completesTask, {
          note: `Done in deployment run ${run.number} to ${run.environment}: ${step.name}${note ? `: ${note}` : ''}`,
          evidence: { deployment: { run: run.number, environment: run.environment, step: step.step } },
          by: actor.username,
        });
    }
    l.onCommit(() => wakeDeployments());
    const view = await lockedView(deps, l, run, actor);
    return l.tx.unaudited(view, 'moveStepWithin recorded the step event');
  });
}

/** A failed or interrupted step is tried again: it waits, and runs (or is handed to its people) when its turn comes. */
export async function retryStep(
  deps: ServiceDeps,
  actor: Actor,
  ref: StepRef & { comment?: string | undefined },
): Promise<DeploymentRunView> {
  return lockedReleaseWrite(deps, actor, ref, { allowTerminal: true }, async (l) => {
    const { run, step } = await lockedStep(l, actor, ref);
    const now = deps.clock();
    // A step whose lease ran out is interrupted even if no sweep has recorded it yet.
    let current = step;
    if (step.state === 'running' && step.kind !== 'manual' && step.lease_until !== null && step.lease_until < now.toISOString()) {
      const interrupted = await moveStepWithin(
        deps,
        l,
        run,
        step,
        'interrupt',
        { lease_owner: null, lease_until: null, outcome: 'relman stopped while the step ran' },
        { log: `${step.name}: interrupted: relman stopped while the step ran`, stream: 'error' },
      );
      if (!interrupted) throw new ConflictError(`step "${step.step}" was changed meanwhile; reload`, 'step-changed');
      current = interrupted;
    }
    const comment = noteOf(ref.comment);
    const moved = await moveStepWithin(
      deps,
      l,
      run,
      current,
      'retry',
      { outcome: '', done_by: null, finished_at: null, lease_owner: null, lease_until: null, escalation_level: 0, escalated_at: null },
      { log: `${step.name}: to be retried, asked by ${actor.username}${comment ? `: ${comment}` : ''}` },
    );
    if (!moved) throw new ConflictError(`step "${step.step}" was changed meanwhile; reload`, 'step-changed');
    l.onCommit(() => wakeDeployments());
    const view = await lockedView(deps, l, run, actor);
    return l.tx.unaudited(view, 'moveStepWithin recorded the step event');
  });
}

/** A step this run does not need, with the reason; the run goes on with the next one. */
export async function skipStep(deps: ServiceDeps, actor: Actor, ref: StepRef & { reason: string }): Promise<DeploymentRunView> {
  return lockedReleaseWrite(deps, actor, ref, { allowTerminal: true }, async (l) => {
    const { run, step } = await lockedStep(l, actor, ref);
    const reason = noteOf(ref.reason);
    if (reason === '') throw new ValidationError('say why the step is skipped', [{ path: 'reason', message: 'a reason is required' }]);
    const moved = await moveStepWithin(
      deps,
      l,
      run,
      step,
      'skip',
      { outcome: reason, done_by: actor.username, finished_at: deps.clock().toISOString(), lease_owner: null, lease_until: null },
      { log: `${step.name}: skipped by ${actor.username}: ${reason}` },
    );
    if (!moved) throw new ConflictError(`step "${step.step}" was changed meanwhile; reload`, 'step-changed');
    l.onCommit(() => wakeDeployments());
    const view = await lockedView(deps, l, run, actor);
    return l.tx.unaudited(view, 'moveStepWithin recorded the step event');
  });
}
