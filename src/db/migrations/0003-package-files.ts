import type { Kysely, Migration } from 'kysely';

const COLUMNS = ['file_name', 'kind', 'size', 'sha256', 'manifest', 'item_set'] as const;

/** Package versions may carry a stored file: its name, detected kind, size, checksum and manifest. */
export const packageFiles: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    await db.schema.alterTable('release_packages').addColumn('file_name', 'text').execute();
    await db.schema.alterTable('release_packages').addColumn('kind', 'text').execute();
    await db.schema.alterTable('release_packages').addColumn('size', 'bigint').execute();
    await db.schema.alterTable('release_packages').addColumn('sha256', 'text').execute();
    await db.schema.alterTable('release_packages').addColumn('manifest', 'text').execute();
    await db.schema.alterTable('release_packages').addColumn('item_set', 'text').execute();
    await db.schema.createIndex('release_packages_sha256').on('release_packages').column('sha256').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('release_packages_sha256').execute();
    for (const c of [...COLUMNS].reverse()) await db.schema.alterTable('release_packages').dropColumn(c).execute();
  },
};
