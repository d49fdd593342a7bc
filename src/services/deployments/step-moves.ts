import { appendLog, stepsOfRun, updateRun, updateStep } from '../../db/repositories/deployment-runs.js';
import type { DeploymentRunTable, DeploymentStepTable } from '../../db/schema.js';
import type { DeploymentStepAuditView } from '../../domain/audit/deployments.js';
import { ConflictError } from '../../domain/errors.js';
import { runState, stepAfter, type StepMove } from '../../domain/deployments/step-state.js';
import type { ServiceDeps } from '../deps.js';
import type { LockedWrite } from '../lifecycle/release-lock.js';
import { shownState, stepAuditView } from './run-view.js';

const ACTION = {
  start: 'deployment.step-start',
  finish: 'deployment.step-done',
  fail: 'deployment.step-fail',
  skip: 'deployment.step-skip',
  interrupt: 'deployment.step-interrupt',
  retry: 'deployment.step-retry',
} as const;

export type MoveOptions = {
  /** Only if this process still holds the step's lease. */
  owner?: string | undefined;
  /** The line the run's log gets for the move. */
  log: string;
  stream?: 'info' | 'error';
  /** Added to the `after` of the audit event. */
  audit?: Pick<DeploymentStepAuditView, 'mail' | 'escalation'>;
};

/** Recomputes the run's state from its steps (finished when every step is done or skipped). */
export async function settleRun(deps: ServiceDeps, l: LockedWrite, run: DeploymentRunTable): Promise<DeploymentRunTable> {
  const now = deps.clock();
  const steps = await stepsOfRun(l.db, run.id);
  const state = runState(steps.map((s) => shownState(s, now)));
  const finished_at = state === 'succeeded' ? (run.finished_at ?? now.toISOString()) : null;
  if (state !== run.state || finished_at !== run.finished_at) await updateRun(l.db, run.id, { state, finished_at });
  return { ...run, state, finished_at };
}

/**
 * Moves a step inside a write that holds its release: the state rule
 * (domain/deployments/step-state.ts), a change guarded by the version read
 * (and the lease, for an automatic step), the run's state, a log line and the
 * audit event, all in the one transaction. Null when someone else changed the
 * step first.
 */
export async function moveStepWithin(
  deps: ServiceDeps,
  l: LockedWrite,
  run: DeploymentRunTable,
  step: DeploymentStepTable,
  move: StepMove,
  patch: Partial<Omit<DeploymentStepTable, 'id' | 'run_id' | 'position' | 'row_version' | 'state'>>,
  opts: MoveOptions,
): Promise<DeploymentStepTable | null> {
  const to = stepAfter(step.state as never, move);
  if (!to.ok) throw new ConflictError(`step "${step.step}" of run ${run.number}: ${to.reason}`, 'step-state');
  const changed = { ...patch, state: to.state };
  if (!(await updateStep(l.db, step, changed, opts.owner))) return null;
  const after: DeploymentStepTable = { ...step, ...changed, row_version: step.row_version + 1 };
  await settleRun(deps, l, run);
  await appendLog(l.db, run.id, [
    { position: step.position, at: deps.clock().toISOString(), stream: opts.stream ?? 'info', line: opts.log },
  ]);
  l.tx.audit({
    action: ACTION[move],
    subjectType: 'release',
    subjectId: l.subject,
    before: stepAuditView(run, step),
    after: { ...stepAuditView(run, after), ...(opts.audit ?? {}) },
  });
  return after;
}
