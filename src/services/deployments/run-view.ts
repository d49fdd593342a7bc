import { runPackages, stepEvidence, stepRoles, stepSpec, type RunPackage } from '../../db/repositories/deployment-runs.js';
import { taskEvidence } from '../../db/repositories/checklist.js';
import type { ChecklistTaskTable, DeploymentRunTable, DeploymentStepTable } from '../../db/schema.js';
import type { ChecklistEvidence } from '../../domain/audit/checklist.js';
import type { DeploymentRunAuditView, DeploymentStepAuditView } from '../../domain/audit/deployments.js';
import { runState, type RunState, type StepState } from '../../domain/deployments/step-state.js';
import { isAutomatic } from '../../domain/deployments/plan.js';
import type { DeploymentStepKind } from '../../domain/template/deployment-schema.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';

export type DeploymentStepView = {
  position: number;
  step: string;
  name: string;
  channel: string | null;
  kind: DeploymentStepKind;
  state: StepState;
  roles: string[];
  description: string | null;
  instructions: string | null;
  /** A command step's program and arguments, as the template gives them. */
  command: string[] | null;
  completesTask: string | null;
  recordsSteps: string[];
  /** A manual step's checklist tasks to read with it (release notes, the deployment checklist): their note and evidence. */
  documents: { task: string; title: string; status: string; note: string | null; evidence: ChecklistEvidence | null }[];
  outcome: string;
  by: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  escalationLevel: number;
  evidence: Record<string, unknown> | null;
  /** What the asking person may do with it now. */
  actions: ('done' | 'failed' | 'retry' | 'skip')[];
};

export type DeploymentRunView = {
  release: string;
  number: number;
  environment: string;
  environmentName: string;
  state: RunState;
  packages: RunPackage[];
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  steps: DeploymentStepView[];
};

/**
 * A step as it must be shown: one still marked running whose lease ran out
 * was being run by a relman process that stopped; it is interrupted (the next
 * sweep records it so), never running and never done.
 */
export function shownState(step: DeploymentStepTable, now: Date): StepState {
  const state = step.state as StepState;
  if (state === 'running' && isAutomatic(step.kind) && step.lease_until !== null && step.lease_until < now.toISOString())
    return 'interrupted';
  return state;
}

export function stepActions(step: DeploymentStepTable, state: StepState, roles: readonly string[]): DeploymentStepView['actions'] {
  if (!stepRoles.decode(step.roles).some((r) => roles.includes(r))) return [];
  if (state === 'running' && step.kind === 'manual') return ['done', 'failed'];
  if (state === 'failed' || state === 'interrupted') return ['retry', 'skip'];
  if (state === 'waiting') return ['skip'];
  return [];
}

export function stepView(
  step: DeploymentStepTable,
  now: Date,
  roles: readonly string[],
  tasks: readonly ChecklistTaskTable[] = [],
): DeploymentStepView {
  const spec = stepSpec.decode(step.spec);
  const documents = (spec.showsTasks ?? []).flatMap((id) => {
    const t = tasks.find((x) => x.task_id === id);
    return t ? [{ task: t.task_id, title: t.title, status: t.status, note: t.note, evidence: taskEvidence.decode(t.evidence) }] : [];
  });
  const state = shownState(step, now);
  return {
    position: step.position,
    step: step.step,
    name: step.name,
    channel: step.channel,
    kind: step.kind as DeploymentStepKind,
    state,
    roles: stepRoles.decode(step.roles),
    description: spec.description ?? null,
    instructions: spec.instructions ?? null,
    command: spec.command?.argv ?? null,
    completesTask: spec.completesTask ?? null,
    recordsSteps: spec.recordsSteps ?? [],
    documents,
    outcome: step.outcome,
    by: step.done_by,
    startedAt: step.started_at,
    finishedAt: step.finished_at,
    attempts: step.attempts,
    escalationLevel: step.escalation_level,
    evidence: stepEvidence.decode(step.evidence),
    actions: stepActions(step, state, roles),
  };
}

export function runView(
  template: ProcessTemplate,
  release: string,
  run: DeploymentRunTable,
  steps: readonly DeploymentStepTable[],
  now: Date,
  roles: readonly string[],
  tasks: readonly ChecklistTaskTable[] = [],
): DeploymentRunView {
  const views = steps.map((s) => stepView(s, now, roles, tasks));
  return {
    release,
    number: run.number,
    environment: run.environment,
    environmentName: template.environments.find((e) => e.id === run.environment)?.name ?? run.environment,
    state: runState(views.map((v) => v.state)),
    packages: runPackages.decode(run.packages),
    startedBy: run.started_by,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    steps: views,
  };
}

export function runAuditView(run: DeploymentRunTable, steps: readonly DeploymentStepTable[]): DeploymentRunAuditView {
  return {
    run: run.number,
    environment: run.environment,
    state: run.state,
    packages: runPackages
      .decode(run.packages)
      .map((p) => ({ channel: p.channel, version: p.version, files: p.files.map((f) => f.fileName) })),
    steps: steps.map((s) => ({ position: s.position, step: s.step, name: s.name, channel: s.channel, kind: s.kind })),
  };
}

export function stepAuditView(run: DeploymentRunTable, s: DeploymentStepTable): DeploymentStepAuditView {
  return {
    run: run.number,
    environment: run.environment,
    position: s.position,
    step: s.step,
    name: s.name,
    channel: s.channel,
    kind: s.kind,
    state: s.state,
    outcome: s.outcome,
    by: s.done_by,
    attempts: s.attempts,
    ...(s.evidence !== null ? { evidence: stepEvidence.decode(s.evidence) } : {}),
  };
}
