import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFile } from '../../src/db/dialect/sqlite.js';
import { cleanEnv, freePort, ROOT, runCli, startServer, type CliResult, type RunningServer } from '../support/cli-process.js';
import { dialects, scratchDatabase, type DialectCase, type ScratchDatabase } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-cli-tests';
const DEV_PASSWORD = 'developer password 12345';
const DEFAULT_TEMPLATE = readFileSync(path.join(ROOT, 'templates', 'cms-net.yaml'), 'utf8');

/** The default template with one more element type: a valid version 2. */
function templateV2(): string {
  const v2 = DEFAULT_TEMPLATE.replace(
    '  - { id: web-file,',
    '  - { id: sql, name: SQL script, channel: database }\n  - { id: web-file,',
  ).replace(/^ {2}changes: .*$/m, '  changes: Adds the SQL script element type.');
  expect(v2).not.toBe(DEFAULT_TEMPLATE);
  return v2;
}

/** Two semantic mistakes the parser must both report. */
function templateWithProblems(): string {
  return DEFAULT_TEMPLATE.replace('initialState: draft', 'initialState: nowhere').replace('channel: web }', 'channel: carrier-pigeon }');
}

function json<T = any>(r: CliResult): T {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function suite(dialect: DialectCase['name']): void {
  const full = dialect === 'sqlite';

  describe(`relman CLI against a running server (${dialect})`, () => {
    let scratch: ScratchDatabase;
    let server: RunningServer;
    let tmp: string;
    let configHome: string;

    /** Tests that need the SQLite file (tampering) or a longer run; not registered at all for PostgreSQL. */
    const sqliteOnly = (name: string, fn: () => Promise<void>) => {
      if (full) it(name, fn);
    };
    /** A remote command as the signed-in user (the config written by `relman login`). */
    const cli = (args: string[], input = '', extra: NodeJS.ProcessEnv = {}) =>
      runCli(args, cleanEnv({ XDG_CONFIG_HOME: configHome, ...extra }), input);
    /** A local command on the server's database, beside the running server (signed in: with --local). */
    const local = (args: string[], input = '') => runCli(args, { ...server.localEnv, XDG_CONFIG_HOME: configHome }, input);

    beforeAll(async () => {
      scratch = await scratchDatabase(dialect);
      tmp = mkdtempSync(path.join(os.tmpdir(), 'relman-cli-'));
      configHome = path.join(tmp, 'config');
      server = await startServer({ dataDir: scratch.dataDir, databaseUrl: scratch.url, adminPassword: ADMIN_PASSWORD });
    });

    afterAll(async () => {
      await server?.stop();
      await scratch?.drop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('serve bootstraps the database and logs the dialect', () => {
      expect(server.log()).toContain('published process template cms-net@1');
      expect(server.log()).toContain(`listening on ${server.url} (${dialect})`);
      expect(server.log()).toContain('(from RELMAN_ADMIN_PASSWORD)');
    });

    it('refuses an anonymous call with exit 4 and a hint to log in', async () => {
      const r = await cli(['--url', server.url, 'whoami']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('relman login');
    });

    it('refuses a wrong password with exit 4 and stores nothing', async () => {
      const r = await cli(['login', '--url', server.url, '--username', 'admin'], 'not-the-password\n');
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('wrong username or password');
    });

    it('logs in with the password on stdin, stores the token and whoami answers', async () => {
      const r = await cli(['login', '--url', server.url, '--username', 'admin'], `${ADMIN_PASSWORD}\n`);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`signed in to ${server.url} as admin`);
      const file = path.join(configHome, 'relman', 'config.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const config = JSON.parse(readFileSync(file, 'utf8'));
      expect(config).toMatchObject({ url: server.url, user: 'admin' });
      expect(config.token).toMatch(/\S{20,}/);

      const me = json(await cli(['whoami', '--json']));
      expect(me).toMatchObject({ username: 'admin', roles: ['admin'] });
      const human = await cli(['whoami']);
      expect(human.stdout).toMatch(/^username\s+admin$/m);
    });

    it('creates releases named from the template pattern: CFIS001, then CFIS002', async () => {
      const first = json(
        await cli(['release', 'create', '--type', 'scheduled', '--date', '2026-12-05', '--channels', 'database,web', '--json']),
      );
      expect(first).toMatchObject({
        name: 'CFIS001',
        application: 'cms-net',
        type: 'scheduled',
        state: 'draft',
        plannedDate: '2026-12-05',
        channels: ['database', 'web'],
        template: { key: 'cms-net', version: 1 },
        createdBy: 'admin',
        version: 1,
      });
      const second = json(
        await cli(['release', 'create', '--type', 'scheduled', '--date', '2026-12-12', '--channels', 'database', '--json']),
      );
      expect(second.name).toBe('CFIS002');
    });

    it('refuses an unknown channel with exit 7 and lists the problem', async () => {
      const r = await cli(['release', 'create', '--type', 'scheduled', '--date', '2026-12-19', '--channels', 'database,bogus']);
      expect(r.code).toBe(7);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^ {2}- channels\[1\]: unknown channel "bogus"; one of: database, web$/m);
    });

    it('creates a work item with elements, attaches, refuses a second attach, moves and detaches it', async () => {
      const item = json(
        await cli([
          'item',
          'create',
          '--kind',
          'IR',
          '--ref',
          'HD-1001',
          '--title',
          'Patient search times out',
          '--element',
          'class:CMS.Patient',
          '--element',
          'routine:PATSRCH',
          '--json',
        ]),
      );
      expect(item).toMatchObject({
        key: 'IR-1',
        kind: 'IR',
        helpdeskRef: 'HD-1001',
        release: null,
        elements: [
          { type: 'class', name: 'CMS.Patient' },
          { type: 'routine', name: 'PATSRCH' },
        ],
      });

      const attach = await cli(['item', 'attach', 'IR-1', 'CFIS001']);
      expect(attach).toMatchObject({ code: 0, stdout: 'IR-1 is in CFIS001\n' });

      const again = await cli(['item', 'attach', 'IR-1', 'CFIS002']);
      expect(again.code).toBe(6);
      expect(again.stderr).toContain('IR-1 is already in CFIS001');
      expect(json(await cli(['item', 'show', 'IR-1', '--json'])).release).toBe('CFIS001');

      const move = await cli(['item', 'move', 'IR-1', 'CFIS002']);
      expect(move).toMatchObject({ code: 0, stdout: 'IR-1 is in CFIS002\n' });
      const shown = json(await cli(['release', 'show', 'CFIS002', '--json']));
      expect(shown.items.map((i: { key: string }) => i.key)).toEqual(['IR-1']);

      const detach = await cli(['item', 'detach', 'IR-1']);
      expect(detach).toMatchObject({ code: 0, stdout: 'IR-1 is in no release\n' });
      expect(json(await cli(['item', 'show', 'IR-1', '--json'])).release).toBeNull();
    });

    it('lists and shows releases', async () => {
      const page = json(await cli(['release', 'list', '--json']));
      expect(page.total).toBe(2);
      expect(page.items.map((r: { name: string }) => r.name)).toEqual(['CFIS001', 'CFIS002']);

      const shown = await cli(['release', 'show', 'CFIS001']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^name\s+CFIS001$/m);
      expect(shown.stdout).toMatch(/^channels\s+database, web$/m);
      expect(shown.stdout).toMatch(/^items:\n\(none\)$/m);

      const missing = await cli(['release', 'show', 'CFIS999']);
      expect(missing.code).toBe(5);
    });

    it('creates a user locally (password on stdin) beside the running server; their token works over HTTP', async () => {
      const add = await local(
        ['user', 'add', 'dev1', '--role', 'developer', '--display-name', 'Dee Veloper', '--local'],
        `${DEV_PASSWORD}\n`,
      );
      expect(add.stderr).toBe('');
      expect(add).toMatchObject({ code: 0, stdout: 'created user dev1 with roles developer\n' });

      const created = await local(['token', 'create', '--user', 'dev1', '--local']);
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^\S{20,}$/);

      // The token alone is enough: a fresh config directory, no login.
      const env = { XDG_CONFIG_HOME: path.join(tmp, 'empty'), RELMAN_URL: server.url, RELMAN_TOKEN: token };
      expect(json(await cli(['whoami', '--json'], '', env))).toMatchObject({ username: 'dev1', roles: ['developer'] });
      const made = json(
        await cli(['release', 'create', '--type', 'emergency', '--date', '2026-12-20', '--channels', 'web', '--json'], '', env),
      );
      expect(made).toMatchObject({ name: 'CFIS003', createdBy: 'dev1', type: 'emergency' });

      // The password read from stdin is the one stored.
      const login = await cli(['login', '--url', server.url, '--username', 'dev1'], `${DEV_PASSWORD}\n`, {
        XDG_CONFIG_HOME: path.join(tmp, 'dev1-config'),
      });
      expect(login.code).toBe(0);
    });

    it('refuses release creation to a viewer with exit 4; the viewer can still read', async () => {
      expect((await local(['user', 'add', 'view1', '--role', 'viewer', '--no-password'])).code).toBe(0);
      const token = (await local(['token', 'create', '--user', 'view1'])).stdout.trim();
      const env = { RELMAN_URL: server.url, RELMAN_TOKEN: token };
      const r = await cli(['release', 'create', '--type', 'scheduled', '--date', '2026-12-26', '--channels', 'web'], '', env);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('release.create');
      expect((await cli(['release', 'list'], '', env)).stdout).toContain('CFIS001');
    });

    it('exits 3 when the server cannot be reached', async () => {
      const port = await freePort();
      const r = await cli(['--url', `http://127.0.0.1:${port}`, 'release', 'list']);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`cannot reach relman at http://127.0.0.1:${port}`);
    });

    sqliteOnly('shows the template history and refuses broken template files with exit 7, listing every problem', async () => {
      const history = json(await cli(['template', 'history', '--json']));
      expect(history.items).toHaveLength(1);
      expect(history.items[0]).toMatchObject({ key: 'cms-net', version: 1, publishedBy: 'system' });

      const syntax = path.join(tmp, 'syntax.yaml');
      writeFileSync(syntax, 'key: broken\nname: [unclosed\n');
      const r1 = await cli(['template', 'validate', syntax]);
      expect(r1.code).toBe(7);
      expect(r1.stderr).toContain(`${syntax} has 1 problem(s)`);
      expect(r1.stderr).toMatch(/line \d+, column \d+/);

      const semantic = path.join(tmp, 'semantic.yaml');
      writeFileSync(semantic, templateWithProblems());
      const r2 = await cli(['template', 'validate', semantic]);
      expect(r2.code).toBe(7);
      expect(r2.stderr).toContain('has 2 problem(s)');
      expect(r2.stderr).toMatch(/^ {2}- releaseTypes\[0\]\.initialState: unknown state "nowhere"/m);
      expect(r2.stderr).toMatch(/^ {2}- elementTypes\[\d+\]\.channel: unknown channel "carrier-pigeon"/m);

      // The server refuses it the same way, and publishes nothing.
      const r3 = await cli(['template', 'publish', semantic]);
      expect(r3.code).toBe(7);
      expect(r3.stderr).toContain('carrier-pigeon');
    });

    sqliteOnly('publishes a modified template as version 2; new items may use what it adds', async () => {
      const file = path.join(tmp, 'v2.yaml');
      writeFileSync(file, templateV2());
      expect(await cli(['template', 'validate', file])).toMatchObject({ code: 0, stdout: `${file}: valid template "cms-net"\n` });
      // A later version needs its own record: the file's changes, who prepared and who reviewed it.
      const unreviewed = await cli(['template', 'publish', file]);
      expect(unreviewed.code).toBe(7);
      expect(unreviewed.stderr).toMatch(/^ {2}- revision\.preparedBy: name the person who prepared this version$/m);
      expect(unreviewed.stderr).toMatch(/^ {2}- revision\.reviewedBy: name the person who reviewed this version$/m);
      const published = json(
        await cli(['template', 'publish', file, '--prepared-by', 'P. Reparer', '--reviewed-by', 'R. Viewer', '--json']),
      );
      expect(published).toMatchObject({
        key: 'cms-net',
        version: 2,
        dryRun: false,
        sectionsChanged: ['elementTypes'],
        changes: 'Adds the SQL script element type.',
        reviewedBy: 'R. Viewer',
        publishedBy: 'admin',
      });
      const history = json(await cli(['template', 'history', '--json']));
      expect(history.items.map((v: { version: number }) => v.version).sort()).toEqual([1, 2]);

      const item = json(
        await cli(['item', 'create', '--kind', 'SMCR', '--ref', 'HD-2', '--title', 'Index', '--element', 'sql:ADD_INDEX', '--json']),
      );
      expect(item.elements).toEqual([{ type: 'sql', name: 'ADD_INDEX' }]);
      const release = json(
        await cli(['release', 'create', '--type', 'expedited', '--date', '2027-01-02', '--channels', 'database', '--json']),
      );
      expect(release.template).toEqual({ key: 'cms-net', version: 2 });
    });

    it('verifies the audit chain locally', async () => {
      const r = await local(['audit', 'verify']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^OK: \d+ events, chain head [0-9a-f]{64}\n$/);
    });

    sqliteOnly('exits 8 naming the event after an audit row was altered in the database file', async () => {
      const events = json(await cli(['audit', 'list', '--action', 'release.create', '--json'])).items as { seq: number; id: string }[];
      const target = events.find((e) => e.seq > 1);
      expect(target).toBeDefined();
      const db = new BetterSqlite3(sqliteFile(scratch.dataDir));
      try {
        const changed = db.prepare("update audit_events set actor = 'mallory' where seq = ?").run(target!.seq);
        expect(changed.changes).toBe(1);
      } finally {
        db.close();
      }
      const r = await local(['audit', 'verify']);
      expect(r.code).toBe(8);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`audit chain broken at event ${target!.seq} (id ${target!.id})`);
      expect(r.stderr).toContain('altered');
      const j = await local(['audit', 'verify', '--json']);
      expect(j.code).toBe(8);
      expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, seq: target!.seq, eventId: target!.id, events: target!.seq - 1 });
    });
  });
}

for (const d of dialects) suite(d.name);
