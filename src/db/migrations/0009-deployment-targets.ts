import type { Kysely, Migration } from 'kysely';

/**
 * Deployment targets: per application, environment and channel, where a
 * release's packages go (an SFTP drop location, all its columns null when the
 * target has none) and the command steps run there. The SFTP secret (a private
 * key or a password) is stored sealed only (`v1.<keyId>.…`, see
 * src/integrations/secrets/secret-box.ts), never as plain text.
 */
export const deploymentTargets: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('deployment_targets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('sftp_host', 'text')
      .addColumn('sftp_port', 'integer')
      .addColumn('sftp_username', 'text')
      .addColumn('sftp_directory', 'text')
      .addColumn('sftp_host_key_fingerprint', 'text')
      .addColumn('secret_kind', 'text')
      .addColumn('secret_sealed', 'text')
      .addColumn('secret_set_by', 'text')
      .addColumn('secret_set_at', 'text')
      .addColumn('commands', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('row_version', 'integer', (c) => c.notNull())
      .addUniqueConstraint('deployment_targets_key', ['application_id', 'environment', 'channel'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('deployment_targets').execute();
  },
};
