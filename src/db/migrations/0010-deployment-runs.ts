import type { Kysely, Migration } from 'kysely';

/**
 * Deployment runs (docs/deployments.md, "Runs"): a run takes a release's
 * package versions to one environment through the steps of the template's
 * plan, copied into `deployment_steps` when the run starts so a later template
 * version changes no run. An automatic step is leased (`lease_owner`,
 * `lease_until`) by the relman process that runs it; a lease that expires
 * while the step is running means that process stopped: the step is
 * interrupted, never done. `deployment_log` holds each run's log lines in order.
 */
export const deploymentRuns: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('deployment_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('packages', 'text', (c) => c.notNull())
      .addColumn('started_by', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('row_version', 'integer', (c) => c.notNull())
      .addUniqueConstraint('deployment_runs_number', ['release_id', 'number'])
      .execute();
    await db.schema.createIndex('deployment_runs_environment').on('deployment_runs').columns(['application_id', 'environment']).execute();
    await db.schema.createIndex('deployment_runs_state').on('deployment_runs').columns(['state']).execute();

    await db.schema
      .createTable('deployment_steps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull().references('deployment_runs.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('channel', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('done_by', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('escalation_level', 'integer', (c) => c.notNull())
      .addColumn('escalated_at', 'text')
      .addColumn('evidence', 'text')
      .addColumn('row_version', 'integer', (c) => c.notNull())
      .addUniqueConstraint('deployment_steps_position', ['run_id', 'position'])
      .execute();
    await db.schema.createIndex('deployment_steps_state').on('deployment_steps').columns(['state']).execute();

    await db.schema
      .createTable('deployment_log')
      .addColumn('run_id', 'text', (c) => c.notNull().references('deployment_runs.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('position', 'integer')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('deployment_log_pk', ['run_id', 'seq'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('deployment_log').execute();
    await db.schema.dropTable('deployment_steps').execute();
    await db.schema.dropTable('deployment_runs').execute();
  },
};
