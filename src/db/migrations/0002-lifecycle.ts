import type { Kysely, Migration } from 'kysely';

/** Evidence a release's lifecycle is decided from: packages, approvals, tests, issues, notices, reports, steps. */
export const lifecycle: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const common = (t: string) =>
      db.schema
        .createTable(t)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'));

    await common('release_packages')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('release_packages_version', ['release_id', 'channel', 'version'])
      .execute();

    await common('approval_requests')
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('voided_at', 'text')
      .addColumn('void_reason', 'text')
      .execute();

    await common('approvals')
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('attestations', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'text', (c) => c.notNull())
      .addColumn('voided_at', 'text')
      .addColumn('void_reason', 'text')
      .execute();

    await common('test_attempts')
      .addColumn('item_id', 'text', (c) => c.notNull().references('work_items.id'))
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('cause', 'text')
      .addColumn('notes', 'text', (c) => c.notNull())
      .addColumn('packages', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();

    await common('release_issues')
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('resolution', 'text')
      .addColumn('raised_by', 'text', (c) => c.notNull())
      .addColumn('raised_at', 'text', (c) => c.notNull())
      .addColumn('resolved_by', 'text')
      .addColumn('resolved_at', 'text')
      .addUniqueConstraint('release_issues_number', ['release_id', 'number'])
      .execute();

    await common('release_notifications')
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();

    await common('release_reports')
      .addColumn('report', 'text', (c) => c.notNull())
      .addColumn('parts', 'text', (c) => c.notNull())
      .addColumn('helpdesk_refs', 'text', (c) => c.notNull())
      .addColumn('written_by', 'text', (c) => c.notNull())
      .addColumn('written_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('release_reports_report', ['release_id', 'report'])
      .execute();

    await common('step_records')
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('package_version', 'integer')
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();

    await common('release_transitions')
      .addColumn('transition', 'text', (c) => c.notNull())
      .addColumn('from_state', 'text', (c) => c.notNull())
      .addColumn('to_state', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('performed_by', 'text', (c) => c.notNull())
      .addColumn('performed_at', 'text', (c) => c.notNull())
      .execute();

    for (const t of [
      'release_packages',
      'approval_requests',
      'approvals',
      'test_attempts',
      'release_issues',
      'release_notifications',
      'release_reports',
      'step_records',
      'release_transitions',
    ]) {
      await db.schema.createIndex(`${t}_release`).on(t).column('release_id').execute();
    }
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const t of [
      'release_transitions',
      'step_records',
      'release_reports',
      'release_notifications',
      'release_issues',
      'test_attempts',
      'approvals',
      'approval_requests',
      'release_packages',
    ]) {
      await db.schema.dropTable(t).execute();
    }
  },
};
