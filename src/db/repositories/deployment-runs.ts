import { jsonColumn, nullableJsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import type { DeploymentLogTable, DeploymentRunTable, DeploymentStepTable } from '../schema.js';

/** The files of one channel a run takes, as recorded when it started. */
export type RunPackage = {
  channel: string;
  version: number;
  files: { version: number; kind: string; fileName: string; size: number; sha256: string }[];
};
export type StepSpec = {
  description?: string;
  instructions?: string;
  command?: { argv: string[]; cwd?: string; env?: Record<string, string>; timeoutSeconds: number };
  completesTask?: string;
  recordsSteps?: string[];
  showsTasks?: string[];
  mail?: string;
  escalation?: { afterHours: number; mail: string };
};

export const runPackages = jsonColumn<RunPackage[]>();
export const stepRoles = jsonColumn<string[]>();
export const stepSpec = jsonColumn<StepSpec>();
export const stepEvidence = nullableJsonColumn<Record<string, unknown>>();

const ACTIVE_RUN_STATES = ['waiting', 'running'];

export async function nextRunNumber(db: Trx, releaseId: string): Promise<number> {
  const row = await db
    .selectFrom('deployment_runs')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
  return Number(row?.n ?? 0) + 1;
}

export async function insertRun(db: Trx, run: DeploymentRunTable, steps: DeploymentStepTable[]): Promise<void> {
  await db.insertInto('deployment_runs').values(run).execute();
  if (steps.length > 0) await db.insertInto('deployment_steps').values(steps).execute();
}

export async function runsOfRelease(db: Db | Trx, releaseId: string): Promise<DeploymentRunTable[]> {
  return db.selectFrom('deployment_runs').selectAll().where('release_id', '=', releaseId).orderBy('number').execute();
}

export async function runById(db: Db | Trx, id: string): Promise<DeploymentRunTable | undefined> {
  return db.selectFrom('deployment_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function runByNumber(db: Db | Trx, releaseId: string, n: number): Promise<DeploymentRunTable | undefined> {
  return db.selectFrom('deployment_runs').selectAll().where('release_id', '=', releaseId).where('number', '=', n).executeTakeFirst();
}

/** Runs that may have a step to begin: waiting or running. */
export async function activeRuns(db: Db | Trx): Promise<DeploymentRunTable[]> {
  return db.selectFrom('deployment_runs').selectAll().where('state', 'in', ACTIVE_RUN_STATES).orderBy('started_at').execute();
}

export type EnvironmentRun = DeploymentRunTable & { release_name: string; planned_date: string };

/** An application's runs, newest first, with their release's name and planned date (at most `limit`). */
export async function runsOfApplication(db: Db | Trx, applicationId: string, limit: number): Promise<EnvironmentRun[]> {
  return db
    .selectFrom('deployment_runs as r')
    .innerJoin('releases as rel', 'rel.id', 'r.release_id')
    .selectAll('r')
    .select(['rel.name as release_name', 'rel.planned_date as planned_date'])
    .where('r.application_id', '=', applicationId)
    .orderBy('r.started_at', 'desc')
    .limit(limit)
    .execute();
}

export async function stepsOfRun(db: Db | Trx, runId: string): Promise<DeploymentStepTable[]> {
  return db.selectFrom('deployment_steps').selectAll().where('run_id', '=', runId).orderBy('position').execute();
}

export async function stepsOfRuns(db: Db | Trx, runIds: readonly string[]): Promise<DeploymentStepTable[]> {
  if (runIds.length === 0) return [];
  return db.selectFrom('deployment_steps').selectAll().where('run_id', 'in', runIds).orderBy('run_id').orderBy('position').execute();
}

export async function stepById(db: Db | Trx, id: string): Promise<DeploymentStepTable | undefined> {
  return db.selectFrom('deployment_steps').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Changes a step only if it is still the version read (and, with `owner`,
 * still leased by that owner): of two writers, one wins, the other changes
 * nothing and learns it from the `false`.
 */
export async function updateStep(
  db: Trx,
  step: Pick<DeploymentStepTable, 'id' | 'row_version'>,
  patch: Partial<Omit<DeploymentStepTable, 'id' | 'run_id' | 'position' | 'row_version'>>,
  owner?: string,
): Promise<boolean> {
  let q = db
    .updateTable('deployment_steps')
    .set({ ...patch, row_version: step.row_version + 1 })
    .where('id', '=', step.id)
    .where('row_version', '=', step.row_version);
  if (owner !== undefined) q = q.where('lease_owner', '=', owner);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Extends the lease of a step this owner runs; false when it no longer holds it. */
export async function renewStepLease(db: Db, id: string, owner: string, leaseUntil: string): Promise<boolean> {
  const res = await db
    .updateTable('deployment_steps')
    .set({ lease_until: leaseUntil })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Automatic steps still marked running whose lease ran out: the process running them stopped. */
export async function expiredSteps(db: Db | Trx, now: string): Promise<DeploymentStepTable[]> {
  return db
    .selectFrom('deployment_steps')
    .selectAll()
    .where('state', '=', 'running')
    .where('lease_until', 'is not', null)
    .where('lease_until', '<', now)
    .execute();
}

export type WaitingStep = DeploymentStepTable & { run_number: number; environment: string; release_name: string };

/** An application's manual steps waiting for their people, oldest first, with their run and release. */
export async function waitingManualSteps(db: Db | Trx, applicationId: string): Promise<WaitingStep[]> {
  return db
    .selectFrom('deployment_steps as s')
    .innerJoin('deployment_runs as r', 'r.id', 's.run_id')
    .innerJoin('releases as rel', 'rel.id', 'r.release_id')
    .selectAll('s')
    .select(['r.number as run_number', 'r.environment as environment', 'rel.name as release_name'])
    .where('r.application_id', '=', applicationId)
    .where('s.state', '=', 'running')
    .where('s.kind', '=', 'manual')
    .orderBy('s.started_at')
    .execute();
}

/** Manual steps waiting for their people, for escalation. */
export async function runningManualSteps(db: Db | Trx): Promise<DeploymentStepTable[]> {
  return db.selectFrom('deployment_steps').selectAll().where('state', '=', 'running').where('kind', '=', 'manual').execute();
}

export async function updateRun(db: Trx, id: string, patch: Partial<Pick<DeploymentRunTable, 'state' | 'finished_at'>>): Promise<void> {
  await db
    .updateTable('deployment_runs')
    .set((eb) => ({ ...patch, row_version: eb('row_version', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export type LogLine = { position: number | null; at: string; stream: string; line: string };

/**
 * Appends lines to a run's log, numbered after the last one. The run's row is
 * locked first (a no-op update), so two writers appending to one run take
 * turns and never number two lines alike. Inside a write that also locks the
 * release, the release comes first.
 */
export async function appendLog(db: Trx, runId: string, lines: readonly LogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await db
    .updateTable('deployment_runs')
    .set((eb) => ({ row_version: eb.ref('row_version') }))
    .where('id', '=', runId)
    .execute();
  const row = await db
    .selectFrom('deployment_log')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('run_id', '=', runId)
    .executeTakeFirst();
  const first = Number(row?.seq ?? 0) + 1;
  const values: DeploymentLogTable[] = lines.map((l, i) => ({ run_id: runId, seq: first + i, ...l }));
  for (let i = 0; i < values.length; i += 200)
    await db
      .insertInto('deployment_log')
      .values(values.slice(i, i + 200))
      .execute();
}

export async function logOf(db: Db | Trx, runId: string, after: number, limit: number): Promise<DeploymentLogTable[]> {
  return db
    .selectFrom('deployment_log')
    .selectAll()
    .where('run_id', '=', runId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
}
