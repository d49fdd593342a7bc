import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { AUDIT_GENESIS_HASH } from '../../src/db/migrations/0001-initial.js';
import { migrations } from '../../src/db/migrations/index.js';
import { MigrationError, migrateTo, migrateToLatest, migrationStatus } from '../../src/db/migrator.js';
import { createDeps } from '../../src/runtime.js';
import { verifyAudit } from '../../src/services/audit.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { createWorkItem, getWorkItem } from '../../src/services/work-items.js';
import { DEFAULT_TEMPLATE_FILE } from '../../src/config/settings.js';
import { dialects, open, scratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { userWith } from '../support/harness.js';
import { createRelease } from '../../src/services/releases.js';

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
const LOGIN_SECURITY_TABLES = ['login_throttle', 'password_history'];
const RELMAN_TABLES = [
  ...INITIAL_TABLES,
  ...LIFECYCLE_TABLES,
  ...COORDINATION_TABLES,
  'checklist_waivers',
  ...LOGIN_SECURITY_TABLES,
  'deployment_targets',
  'deployment_runs',
  'deployment_steps',
  'deployment_log',
].sort();
const ALL_UP = [
  'applied 0001-initial',
  'applied 0002-lifecycle',
  'applied 0003-package-files',
  'applied 0004-coordination',
  'applied 0005-checklist-waivers',
  'applied 0006-delivery-evidence',
  'applied 0007-login-security',
  'applied 0008-item-numbers-per-kind',
  'applied 0009-deployment-targets',
  'applied 0010-deployment-runs',
];
const ALL_DOWN = [
  'reverted 0010-deployment-runs',
  'reverted 0009-deployment-targets',
  'reverted 0008-item-numbers-per-kind',
  'reverted 0007-login-security',
  'reverted 0006-delivery-evidence',
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
    expect((await migrationStatus(database.kysely)).map((s) => s.executedAt)).toEqual(Object.keys(migrations).map(() => undefined));

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

  it('items numbered across kinds keep their keys; each kind continues after its highest number', async () => {
    const deps = createDeps(database);
    await bootstrap(deps, { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: 'a-long-admin-password' });
    await migrateTo(database.kysely, '0004-coordination');
    // Items as they were numbered before: one sequence for every kind.
    const app = await database.kysely.selectFrom('applications').select('id').executeTakeFirstOrThrow();
    const at = '2026-01-01T00:00:00.000Z';
    for (const [number, kind] of [
      [1, 'IR'],
      [2, 'SMCR'],
      [3, 'DR'],
      [4, 'IR'],
    ] as const) {
      await sql`insert into work_items (id, application_id, number, kind, helpdesk_ref, title, description, owner, priority,
        elements, release_id, created_by, created_at, updated_at, row_version)
        values (${`item-${number}`}, ${app.id}, ${number}, ${kind}, ${`HD-${number}`}, ${`old ${kind}`}, '', null, 'medium',
        '[]', null, 'admin', ${at}, ${at}, 1)`.execute(database.kysely);
    }
    await database.kysely.updateTable('counters').set({ value: 4 }).where('scope', '=', `item:${app.id}`).execute();

    expect(await migrateToLatest(database.kysely)).toEqual(ALL_UP.slice(ALL_UP.indexOf('applied 0004-coordination') + 1));
    const dev = (await userWith(deps, ['developer'], 'dana')).actor;
    for (const key of ['IR-1', 'SMCR-2', 'DR-3', 'IR-4', 'smcr-2', '3']) {
      expect((await getWorkItem(deps, { key: key })).helpdeskRef).toBe(`HD-${key.replace(/\D/g, '')}`);
    }
    const created = [];
    for (const kind of ['IR', 'SMCR', 'DR', 'SMCR'])
      created.push((await createWorkItem(deps, dev, { kind, helpdeskRef: 'HD-9', title: 'new' })).key);
    expect(created).toEqual(['IR-5', 'SMCR-3', 'DR-4', 'SMCR-4']);
    expect((await getWorkItem(deps, { key: 'IR-4' })).title).toBe('old IR');

    // Down again: the per-kind numbers go, every item keeps its row.
    await migrateTo(database.kysely, '0004-coordination');
    expect((await sql<{ n: number }>`select count(*) as n from work_items`.execute(database.kysely)).rows.map((r) => Number(r.n))).toEqual([
      8,
    ]);
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

  it('0006 turns notices recorded when a mail was merely queued into notices that follow their mail', async () => {
    const deps = createDeps(database);
    await bootstrap(deps, { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: 'a-long-admin-password' });
    const lead = await userWith(deps, ['technical-lead'], 'lead-m');
    const release = await createRelease(deps, lead.actor, { type: 'scheduled', plannedDate: '2030-02-02', channels: ['database'] });
    const rel = await database.kysely.selectFrom('releases').select('id').where('name', '=', release.name).executeTakeFirstOrThrow();
    expect(await migrateTo(database.kysely, '0004-coordination')).toEqual(
      ALL_DOWN.slice(0, ALL_DOWN.indexOf('reverted 0004-coordination')),
    );
    const mail = (id: string, status: string) =>
      sql`insert into mail_outbox (id, application_id, release_id, template, cause, recipients, cc, subject, body, created_by,
            created_at, status, attempts, next_attempt_at, last_error, sent_at, message_id)
          values (${id}, null, ${rel.id}, 'external-notice', 'release.mail', '["a@x.example"]', '[]', 's', 'b', 'lead-m',
            '2030-01-01T00:00:00.000Z', ${status}, 1, '2030-01-01T00:00:00.000Z', ${status === 'failed' ? 'refused' : null},
            ${status === 'sent' ? '2030-01-01T00:01:00.000Z' : null}, ${`<${id}@relman.invalid>`})`.execute(database.kysely);
    const notice = (id: string, system: string, note: string) =>
      sql`insert into release_notifications (id, release_id, system, note, recorded_by, recorded_at)
          values (${id}, ${rel.id}, ${system}, ${note}, 'lead-m', '2030-01-01T00:00:00.000Z')`.execute(database.kysely);
    const [sent, failed] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    await mail(sent, 'sent');
    await mail(failed, 'failed');
    await notice('n1', 'cats', `e-mail <${sent}@relman.invalid> (mail ${sent}): hello`);
    await notice('n2', 'meds', `e-mail <${failed}@relman.invalid> (mail ${failed})`);
    await notice('n3', 'fiscal-intermediary', 'by phone');
    expect(await migrateTo(database.kysely, '0006-delivery-evidence')).toEqual([
      'applied 0005-checklist-waivers',
      'applied 0006-delivery-evidence',
    ]);
    const rows = await database.kysely.selectFrom('release_notifications').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.means, r.status, r.mail_id, r.note, r.outcome, r.settled_at])).toEqual([
      ['n1', 'email', 'notified', sent, 'hello', null, '2030-01-01T00:01:00.000Z'],
      ['n2', 'email', 'failed', failed, '', 'refused', null],
      ['n3', 'other', 'notified', null, 'by phone', null, null],
    ]);
  });

  it('refuses an unknown target and names the known ones', async () => {
    const err = await migrateTo(database.kysely, '9999-nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain('unknown migration "9999-nope"');
    expect((err as Error).message).toContain('0001-initial');
    expect(await tables()).toEqual([]);
  });
});
