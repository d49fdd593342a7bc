import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, freePort, runCli, spawnCli, type CliResult } from '../support/cli-process.js';

/**
 * The CLI suites run their commands with `runCli`, in a CLI process that is
 * started once and runs one command after the other; a few suites spawn
 * `node bin/relman.js` for each command (`spawnCli`). Both must answer the
 * same: here the same command lines go both ways, each in a folder of its
 * own, and stdout, stderr and the exit code must be equal, byte for byte.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'relman-cli-runner-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let dirs = 0;
/** An empty folder, with settings that point a local command at a database inside it. */
function place(): { cwd: string; env: NodeJS.ProcessEnv } {
  const cwd = path.join(tmp, `run-${++dirs}`);
  mkdirSync(cwd);
  return { cwd, env: cleanEnv({ XDG_CONFIG_HOME: path.join(cwd, 'config'), RELMAN_DATA_DIR: path.join(cwd, 'data') }) };
}

/** The same commands, in order, in two fresh folders: one through the runner, one spawned. */
async function both(commands: { args: string[]; input?: string; env?: NodeJS.ProcessEnv }[]): Promise<[CliResult[], CliResult[]]> {
  const a = place();
  const b = place();
  const viaRunner: CliResult[] = [];
  const spawned: CliResult[] = [];
  for (const c of commands) {
    viaRunner.push(await runCli(c.args, { ...a.env, ...c.env }, c.input ?? '', a.cwd));
    spawned.push(await spawnCli(c.args, { ...b.env, ...c.env }, c.input ?? '', b.cwd));
  }
  // The folders differ; what the commands print about them must not.
  const same = (r: CliResult, dir: string): CliResult => ({
    code: r.code,
    stdout: r.stdout.replaceAll(dir, '<dir>'),
    stderr: r.stderr.replaceAll(dir, '<dir>'),
  });
  return [viaRunner.map((r) => same(r, a.cwd)), spawned.map((r) => same(r, b.cwd))];
}

describe('a command through the CLI runner answers as a spawned relman does', () => {
  it('version, help, usage errors and their exit codes', async () => {
    const [viaRunner, spawned] = await both([
      { args: ['--version'] },
      { args: ['--help'] },
      { args: ['release', 'create', '--help'] },
      { args: ['no-such-command'] },
      { args: ['release', 'create', '--bogus'] },
      { args: ['release', 'list', '--version', '2'] },
    ]);
    expect(viaRunner).toEqual(spawned);
    expect(viaRunner.map((r) => r.code)).toEqual([0, 0, 0, 2, 2, 2]);
    expect(viaRunner[0]!.stdout).toBe('0.1.0\n');
  });

  it('an unreachable server, from the flag and from the environment (exit 3), then no server at all', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const [viaRunner, spawned] = await both([
      { args: ['release', 'list', '--url', url, '--token', 't'] },
      { args: ['--json', 'release', 'list'], env: { RELMAN_URL: url, RELMAN_TOKEN: 't' } },
      { args: ['login', '--url', url, '--with-token'], input: 'a-token\n' },
      // Nothing of the commands before is left: without RELMAN_URL and RELMAN_TOKEN this one is local.
      { args: ['user', 'add', 'bob', '--role', 'developer', '--no-password'] },
    ]);
    expect(viaRunner).toEqual(spawned);
    expect(viaRunner.map((r) => r.code)).toEqual([3, 3, 3, 5]);
  });

  it('local commands: a missing database, migrating a new one, a password on stdin, the audit chain', async () => {
    const [viaRunner, spawned] = await both([
      { args: ['user', 'add', 'bob', '--role', 'developer', '--no-password'] },
      { args: ['audit', 'verify'] },
      { args: ['migrate'] },
      { args: ['migrate', '--status'] },
      { args: ['audit', 'verify'] },
      // No process template is published yet, so no role exists: refused after the password is read.
      { args: ['user', 'add', 'carol', '--role', 'developer'], input: 'a long enough passphrase for carol\n' },
      { args: ['--json', 'user', 'add', 'carol', '--role', 'developer', '--no-password'] },
      { args: ['token', 'create', '--user', 'nobody'] },
      { args: ['token', 'create'] },
    ]);
    // `migrate --status` prints when each migration ran.
    const at = / {2}\d{4}-\d\d-\d\dT[\d:.]+Z$/gm;
    for (const r of [...viaRunner, ...spawned]) r.stdout = r.stdout.replace(at, '  <time>');
    expect(viaRunner).toEqual(spawned);
    expect(viaRunner.map((r) => r.code)).toEqual([5, 5, 0, 0, 0, 7, 7, 5, 2]);
    expect(viaRunner[4]!.stdout).toMatch(/^OK: 0 events, chain head 0{64}\n$/);
  });
});
