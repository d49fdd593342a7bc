import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { AUDIT_GENESIS_HASH } from '../../src/db/migrations/0001-initial.js';
import { migrations } from '../../src/db/migrations/index.js';
import { MigrationError, migrateTo, migrateToLatest, migrationStatus } from '../../src/db/migrator.js';
import { createDeps } from '../../src/runtime.js';
import { verifyAudit } from '../../src/services/audit.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { DEFAULT_TEMPLATE_FILE } from '../../src/config/settings.js';
import { dialects, open, scratchDatabase, type ScratchDatabase } from '../support/databases.js';

const INITIAL_TABLES = [
  'api_tokens',
  'applications',
  'audit_events',
  'audit_head',
  'counters',
  'releases',
  'sessions',
  'template_versions',
  'user_roles',
  'users',
  'work_items',
];
const LIFECYCLE_TABLES = [
  'approval_requests',
  'approvals',
  'release_issues',
  'release_notifications',
  'release_packages',
  'release_reports',
  'release_transitions',
  'step_records',
  'test_attempts',
];
const COORDINATION_TABLES = [
  'blackouts',
  'calendar_tokens',
  'change_cycles',
  'checklist_tasks',
  'contacts',
  'distribution_groups',
  'jobs',
  'mail_outbox',
  'release_milestones',
];
const RELMAN_TABLES = [...INITIAL_TABLES, ...LIFECYCLE_TABLES, ...COORDINATION_TABLES, 'checklist_waivers'].sort();
const ALL_UP = [
  'applied 0001-initial',
  'applied 0002-lifecycle',
  'applied 0003-package-files',
  'applied 0004-coordination',
  'applied 0005-checklist-waivers',
];
const ALL_DOWN = [
  'reverted 0005-checklist-waivers',
  'reverted 0004-coordination',
  'reverted 0003-package-files',
  'reverted 0002-lifecycle',
  'reverted 0001-initial',
];
const BOOKKEEPING = ['relman_migrations', 'relman_migrations_lock'];

describe.each(dialects)('migrations ($name)', ({ name }) => {
  let scratch: ScratchDatabase;
  let database: Database;

  beforeEach(async () => {
    scratch = await scratchDatabase(name);
    database = open(scratch);
  });
  afterEach(async () => {
    await database.close();
    await scratch.drop();
  });

  async function tables(): Promise<string[]> {
    const all = await database.kysely.introspection.getTables();
    return all
      .filter((t) => t.schema === undefined || t.schema === 'public')
      .map((t) => t.name)
      .sort();
  }

  async function headRow(): Promise<{ id: number; seq: number; hash: string }[]> {
    return database.kysely.selectFrom('audit_head').selectAll().execute();
  }

  it('goes up to the latest schema, down to nothing and up again', async () => {
    expect(await tables()).toEqual([]);

    expect(await migrateToLatest(database.kysely)).toEqual(ALL_UP);
    expect(await tables()).toEqual([...RELMAN_TABLES, ...BOOKKEEPING].sort());
    expect(await headRow()).toEqual([{ id: 1, seq: 0, hash: AUDIT_GENESIS_HASH }]);
    const status = await migrationStatus(database.kysely);
    expect(status.map((s) => s.name)).toEqual(Object.keys(migrations));
    expect(status.every((s) => s.executedAt instanceof Date)).toBe(true);

    // Already at the latest version: nothing to do.
    expect(await migrateToLatest(database.kysely)).toEqual([]);

    expect(await migrateTo(database.kysely, '0')).toEqual(ALL_DOWN);
    const left = await tables();
    expect(left.filter((t) => RELMAN_TABLES.includes(t))).toEqual([]);
    expect(left).toEqual(BOOKKEEPING);
    expect((await migrationStatus(database.kysely)).map((s) => s.executedAt)).toEqual(ALL_UP.map(() => undefined));

    expect(await migrateToLatest(database.kysely)).toEqual(ALL_UP);
    expect(await tables()).toEqual([...RELMAN_TABLES, ...BOOKKEEPING].sort());
    expect(await headRow()).toEqual([{ id: 1, seq: 0, hash: AUDIT_GENESIS_HASH }]);
  });

  it('going down discards the data, and the re-created schema works from scratch', async () => {
    const deps = createDeps(database);
    const first = await bootstrap(deps, { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: 'a-long-admin-password' });
    expect(first.migrations).toEqual(ALL_UP);
    expect(first.templatePublished).toBe('cms-net@1');
    expect((await verifyAudit(database.kysely)).ok).toBe(true);
    const users = await database.kysely.selectFrom('users').select('username').execute();
    expect(users.map((u) => u.username)).toEqual(['admin']);

    await migrateTo(database.kysely, '0');
    expect((await tables()).filter((t) => RELMAN_TABLES.includes(t))).toEqual([]);

    await migrateToLatest(database.kysely);
    expect(await database.kysely.selectFrom('users').selectAll().execute()).toEqual([]);
    expect(await database.kysely.selectFrom('audit_events').selectAll().execute()).toEqual([]);
    const verified = await verifyAudit(database.kysely);
    expect(verified).toEqual({ ok: true, events: 0, headHash: AUDIT_GENESIS_HASH });

    // A fresh bootstrap on the re-created schema starts the chain again at 1.
    const second = await bootstrap(createDeps(database), { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: 'a-long-admin-password' });
    expect(second.migrations).toEqual([]);
    expect(second.templatePublished).toBe('cms-net@1');
    const seqs = await database.kysely.selectFrom('audit_events').select('seq').orderBy('seq').execute();
    expect(seqs.map((s) => s.seq)).toEqual([1, 2, 3]);
  });

  it('migrating to a named migration applies exactly up to it', async () => {
    expect(await migrateTo(database.kysely, '0001-initial')).toEqual(['applied 0001-initial']);
    expect((await tables()).filter((t) => RELMAN_TABLES.includes(t))).toEqual(INITIAL_TABLES);
    expect(await migrateTo(database.kysely, '0001-initial')).toEqual([]);
    // Up one more, then back down one: only the lifecycle tables come and go.
    expect(await migrateTo(database.kysely, '0002-lifecycle')).toEqual(['applied 0002-lifecycle']);
    expect((await tables()).filter((t) => RELMAN_TABLES.includes(t))).toEqual([...INITIAL_TABLES, ...LIFECYCLE_TABLES].sort());
    expect(await migrateTo(database.kysely, '0001-initial')).toEqual(['reverted 0002-lifecycle']);
    expect((await tables()).filter((t) => RELMAN_TABLES.includes(t))).toEqual(INITIAL_TABLES);
  });

  it('refuses an unknown target and names the known ones', async () => {
    const err = await migrateTo(database.kysely, '9999-nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain('unknown migration "9999-nope"');
    expect((err as Error).message).toContain('0001-initial');
    expect(await tables()).toEqual([]);
  });
});
