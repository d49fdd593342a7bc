import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServer, type RunningServer } from '../support/cli-process.js';
import { dialects, open, scratchDatabase, type ScratchDatabase } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-local-cli-tests';
const CAROL_PASSWORD = 'carol has a long passphrase';

describe.each(dialects)('local admin commands away from the server’s folder ($name)', ({ name }) => {
  let scratch: ScratchDatabase;
  let empty: ScratchDatabase | undefined;
  let server: RunningServer;
  let tmp: string;
  /** An empty folder the commands run in, as an operator's home directory would be. */
  let elsewhere: string;
  let signedIn: string;

  beforeAll(async () => {
    scratch = await scratchDatabase(name);
    server = await startServer({ dataDir: scratch.dataDir, databaseUrl: scratch.url, adminPassword: ADMIN_PASSWORD });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'relman-local-'));
    elsewhere = path.join(tmp, 'elsewhere');
    signedIn = path.join(tmp, 'signed-in');
    mkdirSync(elsewhere);
  });
  afterAll(async () => {
    await server?.stop();
    await scratch?.drop();
    await empty?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A command run in the empty folder with no settings and no stored sign-in. */
  const away = (args: string[], input = '', extra: NodeJS.ProcessEnv = {}) =>
    runCli(args, cleanEnv({ XDG_CONFIG_HOME: path.join(tmp, 'no-config'), ...extra }), input, elsewhere);

  it('refuses to create a database, says where it looked and how to point it at the right one', async () => {
    const expected = path.join(elsewhere, 'data', 'relman.db');
    for (const args of [
      ['user', 'add', 'bob', '--role', 'developer', '--no-password'],
      ['token', 'create', '--user', 'admin'],
      ['audit', 'verify'],
    ]) {
      const r = await away(args);
      expect(r.code, r.stderr).toBe(5);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`no relman database at ${expected}`);
      expect(r.stderr).toContain('RELMAN_DATA_DIR');
      expect(r.stderr).toContain('DATABASE_URL');
    }
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  (name === 'postgres' ? it : it.skip)('on PostgreSQL, refuses a database without relman’s tables and leaves it empty', async () => {
    empty = await scratchDatabase('postgres');
    const r = await away(['user', 'add', 'bob', '--role', 'developer', '--no-password'], '', { DATABASE_URL: empty.url });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain('no relman database at postgres://');
    const db = open(empty);
    try {
      expect(await db.kysely.introspection.getTables()).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('with --url, user add goes to that server (and asks to sign in) instead of a local database', async () => {
    const r = await away(['user', 'add', 'bob', '--role', 'developer', '--no-password', '--url', server.url]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('relman login');
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('signed in, user add and user set work through the server', async () => {
    const env = cleanEnv({ XDG_CONFIG_HOME: signedIn });
    const run = (args: string[], input = '') => runCli(args, env, input, elsewhere);
    expect((await run(['login', '--url', server.url, '--username', 'admin'], `${ADMIN_PASSWORD}\n`)).code).toBe(0);

    const add = await run(['user', 'add', 'carol', '--role', 'developer', '--email', 'carol@example.org'], `${CAROL_PASSWORD}\n`);
    expect(add).toMatchObject({ code: 0, stderr: '', stdout: 'created user carol with roles developer\n' });
    const set = await run(['user', 'set', 'carol', '--roles', 'cmc,developer', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ username: 'carol', roles: ['cmc', 'developer'], email: 'carol@example.org' });
    // The password policy answers through the server too.
    const weak = await run(['user', 'add', 'dan', '--role', 'developer'], 'password1234\n');
    expect(weak.code).toBe(7);
    expect(weak.stderr).toContain('common passwords');

    // Carol exists on the server, with the password given on stdin.
    const login = await runCli(
      ['login', '--url', server.url, '--username', 'carol'],
      cleanEnv({ XDG_CONFIG_HOME: path.join(tmp, 'carol') }),
      `${CAROL_PASSWORD}\n`,
      elsewhere,
    );
    expect(login.code, login.stderr).toBe(0);
    // An administrator's reset from the command line; the new password works.
    const reset = await run(['user', 'set', 'carol', '--password'], 'carol was given a new one\n');
    expect(reset.code, reset.stderr).toBe(0);
    const again = await runCli(
      ['login', '--url', server.url, '--username', 'carol'],
      cleanEnv({ XDG_CONFIG_HOME: path.join(tmp, 'carol') }),
      'carol was given a new one\n',
      elsewhere,
    );
    expect(again.code, again.stderr).toBe(0);
    const token = await run(['token', 'create', '--user', 'carol', '--name', 'for-carol']);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toMatch(/^rmt_\S+$/);
    const audit = JSON.parse((await run(['audit', 'list', '--action', 'user.create', '--json'])).stdout) as {
      items: { actor: string; subjectId: string }[];
    };
    expect(audit.items).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'admin', subjectId: 'carol' })]));
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  (name === 'sqlite' ? it : it.skip)('relman migrate is the local command that creates a database', async () => {
    const r = await away(['migrate']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(elsewhere, 'data', 'relman.db'))).toBe(true);
    rmSync(path.join(elsewhere, 'data'), { recursive: true, force: true });
  });
});
