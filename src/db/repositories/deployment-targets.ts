import { jsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import type { DeploymentTargetTable } from '../schema.js';

/** A command step of a deployment target, as stored in `deployment_targets.commands`. */
export type StoredCommand = {
  name: string;
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  timeoutSeconds: number;
};

export const targetCommands = jsonColumn<StoredCommand[]>();

/** An application's deployment targets, by environment and channel. */
export async function targetsOf(db: Db | Trx, applicationId: string): Promise<DeploymentTargetTable[]> {
  return db
    .selectFrom('deployment_targets')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('environment')
    .orderBy('channel')
    .execute();
}

export async function targetFor(
  db: Db | Trx,
  applicationId: string,
  environment: string,
  channel: string,
): Promise<DeploymentTargetTable | undefined> {
  return db
    .selectFrom('deployment_targets')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('environment', '=', environment)
    .where('channel', '=', channel)
    .executeTakeFirst();
}

export async function insertTarget(db: Trx, row: DeploymentTargetTable): Promise<void> {
  await db.insertInto('deployment_targets').values(row).execute();
}

/** Replaces a target's settings if it is still at `expectedVersion`; false when someone changed it since. */
export async function replaceTarget(
  db: Trx,
  id: string,
  expectedVersion: number,
  set: Omit<DeploymentTargetTable, 'id' | 'application_id' | 'environment' | 'channel' | 'created_by' | 'created_at' | 'row_version'>,
): Promise<boolean> {
  const res = await db
    .updateTable('deployment_targets')
    .set({ ...set, row_version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('row_version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function deleteTarget(db: Trx, id: string): Promise<void> {
  await db.deleteFrom('deployment_targets').where('id', '=', id).execute();
}
