import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { cleanEnv, runCli, startServer, type CliResult, type RunningServer } from './cli-process.js';
import { scratchDatabase, type DialectCase, type ScratchDatabase } from './databases.js';
import { startSmtp, type TestSmtp } from './smtp.js';

/** A command that must succeed without a word on stderr; its stdout. */
export function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

export const json = <T = any>(r: CliResult): T => JSON.parse(ok(r)) as T;

/** The technical lead and a coordinator, with addresses: who the mail suites write to. */
export const LEAD_AND_CMC = [
  ['lead1', 'technical-lead', 'lead1@example.org'],
  ['cmc1', 'cmc', 'cmc1@example.org'],
] as const;

export type CliCrew = {
  readonly server: RunningServer;
  readonly scratch: ScratchDatabase;
  /** The suite's SMTP server (only with the `mail` option). */
  readonly smtp: TestSmtp;
  /** A scratch directory of the suite's own, removed at the end. */
  readonly tmp: string;
  /** A remote command as `user` (their API token, no stored login). */
  readonly as: (user: string, args: string[]) => Promise<CliResult>;
};

/**
 * Registers the setup most CLI suites share: a scratch database of `dialect`,
 * `relman serve` on it, and users with roles (and optional e-mail addresses)
 * that each get an API token; all of it is stopped and removed after the
 * suite. `env` is read when the server starts, so it may use what an earlier
 * beforeAll set up. With `mail`, an SMTP server of the suite's own is started
 * first and relman sends to it (jobs every 100 ms), with `mail` added to its
 * environment.
 */
export function cliCrew(opts: {
  dialect: DialectCase['name'];
  name: string;
  adminPassword: string;
  users: readonly (readonly [user: string, role: string, email?: string])[];
  env?: () => NodeJS.ProcessEnv;
  mail?: NodeJS.ProcessEnv;
}): CliCrew {
  let smtp: TestSmtp | undefined;
  let scratch: ScratchDatabase | undefined;
  let server: RunningServer | undefined;
  let tmp: string | undefined;
  const tokens = new Map<string, string>();
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the CLI crew's ${what} is used before the suite has started`);
    return v;
  };

  beforeAll(async () => {
    if (opts.mail) smtp = await startSmtp();
    const mailEnv = smtp && {
      RELMAN_SMTP_HOST: '127.0.0.1',
      RELMAN_SMTP_PORT: String(smtp.port),
      RELMAN_MAIL_FROM: 'Release Management <releases@test.example>',
      RELMAN_JOBS_INTERVAL_MS: '100',
      ...opts.mail,
    };
    scratch = await scratchDatabase(opts.dialect);
    tmp = mkdtempSync(path.join(os.tmpdir(), `relman-${opts.name}-`));
    server = await startServer({
      dataDir: scratch.dataDir,
      databaseUrl: scratch.url,
      adminPassword: opts.adminPassword,
      ...(opts.env || mailEnv ? { env: { ...mailEnv, ...opts.env?.() } } : {}),
    });
    for (const [user, role, email] of opts.users) {
      ok(await runCli(['user', 'add', user, '--role', role, '--no-password', ...(email ? ['--email', email] : [])], server.localEnv));
      tokens.set(user, ok(await runCli(['token', 'create', '--user', user], server.localEnv)).trim());
    }
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
    await scratch?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  return {
    get server() {
      return need(server, 'server');
    },
    get smtp() {
      return need(smtp, 'SMTP server');
    },
    get scratch() {
      return need(scratch, 'database');
    },
    get tmp() {
      return need(tmp, 'scratch directory');
    },
    as: (user, args) =>
      runCli(
        args,
        cleanEnv({
          XDG_CONFIG_HOME: path.join(need(tmp, 'scratch directory'), 'config'),
          RELMAN_URL: need(server, 'server').url,
          RELMAN_TOKEN: tokens.get(user),
        }),
      ),
  };
}
