import type { Kysely, Migration } from 'kysely';

/**
 * Sign-in security: failed sign-ins counted per account and per address, in
 * the database so every relman process sharing it honours the same locks;
 * and the hashes of each user's recent passwords, so an old one is not reused.
 */
export const loginSecurity: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('login_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'text', (c) => c.notNull())
      .addColumn('locked_until', 'text')
      .execute();
    await db.schema.createIndex('login_throttle_last_failure').on('login_throttle').column('last_failure_at').execute();

    await db.schema
      .createTable('password_history')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('password_history_pk', ['user_id', 'position'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('password_history').execute();
    await db.schema.dropTable('login_throttle').execute();
  },
};
