import type { Kysely, Migration } from 'kysely';

/**
 * Waivers of checklist tasks tied to a transition (P14, P17): the coordinator
 * lets one transition go ahead while a task it needs is still open, with a
 * reason. One waiver per task and transition.
 */
export const checklistWaivers: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('checklist_waivers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('transition', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('waived_by', 'text', (c) => c.notNull())
      .addColumn('waived_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('checklist_waivers_task', ['release_id', 'task_id', 'transition'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('checklist_waivers').execute();
  },
};
