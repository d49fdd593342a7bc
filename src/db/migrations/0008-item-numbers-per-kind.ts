import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Work items are numbered per kind (IR-1, SMCR-1, DR-1). `number` stays the
 * application-wide creation order; `kind_number` is the number in the key.
 * Existing items keep their keys (`kind_number` = `number`), and each kind's
 * counter (`item:<application id>:<kind>`) continues after the highest number
 * that kind has used, so no key is ever given twice.
 */
export const itemNumbersPerKind: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // SQLite adds a NOT NULL column only with a default; every row is set just below.
    await db.schema
      .alterTable('work_items')
      .addColumn('kind_number', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`update work_items set kind_number = number`.execute(db);
    await db.schema
      .createIndex('work_items_app_kind_number')
      .on('work_items')
      .columns(['application_id', 'kind', 'kind_number'])
      .unique()
      .execute();
    await sql`insert into counters (scope, value)
      select 'item:' || application_id || ':' || kind, max(number) from work_items group by application_id, kind`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`delete from counters where scope like ${'item:%:%'}`.execute(db);
    await db.schema.dropIndex('work_items_app_kind_number').execute();
    await db.schema.alterTable('work_items').dropColumn('kind_number').execute();
  },
};
