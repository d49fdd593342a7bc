import type { Kysely, Migration } from 'kysely';

/**
 * Coordination: change cycles and blackout windows (P2), the reconciliation
 * checklist and milestones (P14), contacts and distribution groups (P1, P16),
 * the mail outbox (P14, P15), leased background jobs and calendar feed tokens.
 */
export const coordination: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('change_cycles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('cycle_date', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('row_version', 'integer', (c) => c.notNull())
      .addUniqueConstraint('change_cycles_date', ['application_id', 'cycle_date'])
      .execute();

    await db.schema
      .createTable('blackouts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('starts_on', 'text', (c) => c.notNull())
      .addColumn('ends_on', 'text', (c) => c.notNull())
      .addColumn('channel', 'text')
      .addColumn('environment', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('blackouts_app_dates').on('blackouts').columns(['application_id', 'starts_on']).execute();

    // A release may be booked into a cycle; an override of a blackout is kept with its reason and who gave it.
    await db.schema.alterTable('releases').addColumn('cycle_id', 'text').execute();
    await db.schema.alterTable('releases').addColumn('blackout_override', 'text').execute();
    await db.schema.createIndex('releases_cycle').on('releases').column('cycle_id').execute();

    await db.schema
      .createTable('release_milestones')
      .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
      .addColumn('milestone', 'text', (c) => c.notNull())
      .addColumn('planned_date', 'text', (c) => c.notNull())
      .addColumn('set_by', 'text', (c) => c.notNull())
      .addColumn('set_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('release_milestones_pk', ['release_id', 'milestone'])
      .execute();

    await db.schema
      .createTable('checklist_tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('responsible', 'text', (c) => c.notNull())
      .addColumn('due_rule', 'text', (c) => c.notNull())
      .addColumn('due_date', 'text')
      .addColumn('remarks', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('evidence', 'text')
      .addColumn('completed_by', 'text')
      .addColumn('completed_at', 'text')
      .addColumn('reminded_at', 'text')
      .addColumn('escalation_level', 'integer', (c) => c.notNull())
      .addColumn('escalated_at', 'text')
      .addColumn('row_version', 'integer', (c) => c.notNull())
      .addUniqueConstraint('checklist_tasks_task', ['release_id', 'task_id'])
      .execute();
    await db.schema.createIndex('checklist_tasks_due').on('checklist_tasks').columns(['status', 'due_date']).execute();

    await db.schema
      .createTable('contacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('role', 'text')
      .addColumn('system', 'text')
      .addColumn('person', 'text', (c) => c.notNull())
      .addColumn('phone', 'text')
      .addColumn('email', 'text')
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('contacts_app_kind').on('contacts').columns(['application_id', 'kind']).execute();

    await db.schema
      .createTable('distribution_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('distribution_groups_key', ['application_id', 'key'])
      .execute();

    await db.schema
      .createTable('mail_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text')
      .addColumn('release_id', 'text')
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('cause', 'text', (c) => c.notNull())
      .addColumn('recipients', 'text', (c) => c.notNull())
      .addColumn('cc', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('sent_at', 'text')
      .addColumn('transport', 'text')
      .addColumn('message_id', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('mail_outbox_due').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('mail_outbox_release').on('mail_outbox').column('release_id').execute();

    await db.schema
      .createTable('jobs')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_started_at', 'text')
      .addColumn('last_finished_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('runs', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('calendar_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('last_used_at', 'text')
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const t of [
      'calendar_tokens',
      'jobs',
      'mail_outbox',
      'distribution_groups',
      'contacts',
      'checklist_tasks',
      'release_milestones',
    ]) {
      await db.schema.dropTable(t).execute();
    }
    await db.schema.dropIndex('releases_cycle').execute();
    await db.schema.alterTable('releases').dropColumn('blackout_override').execute();
    await db.schema.alterTable('releases').dropColumn('cycle_id').execute();
    await db.schema.dropTable('blackouts').execute();
    await db.schema.dropTable('change_cycles').execute();
  },
};
