import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandSpecError,
  CUT_MARKER,
  LineSplitter,
  MAX_LINE_BYTES,
  runCommand,
  stepEnvironment,
  validateCommandSpec,
  type CommandSpec,
  type OutputStream,
} from '../../src/integrations/commands/index.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'relman-commands-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh path in the temp dir. */
const fresh = (name: string) => path.join(dir, `${++counter}-${name}`);

/** Writes a /bin/sh script and gives the argv that runs it. */
async function script(body: string): Promise<string[]> {
  const file = fresh('script.sh');
  await writeFile(file, body);
  return ['/bin/sh', file];
}

/** A node program run with `node -e`; extra arguments follow. */
const nodeArgv = (source: string, ...args: string[]) => [process.execPath, '-e', source, ...args];

/** Alive and not a zombie waiting to be reaped (a zombie does nothing any more). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL is delivered, not awaited: give a killed process a moment to be gone before looking. */
async function settledAlive(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return alive(pid);
}

const readPid = async (file: string) => Number((await readFile(file, 'utf8')).trim());

/** Processes a failing test might leave behind. */
const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

describe('runCommand', () => {
  it('passes stdout and stderr lines on as they arrive, in order per stream', async () => {
    const go = fresh('go');
    // The script prints, then waits until the test has seen its first line: the run can only
    // end if that line was passed on while the script was still running.
    const argv = await script(
      `echo one; echo err-one >&2; while [ ! -e '${go}' ]; do sleep 0.05; done; echo two; echo err-two >&2; printf 'three'`,
    );
    const seen: [OutputStream, string][] = [];
    let settled = false;
    let settledAtFirstLine: boolean | undefined;
    const run = runCommand(
      { argv, timeoutMs: 10_000 },
      {
        onLine: (stream, line) => {
          seen.push([stream, line]);
          if (line === 'one') {
            settledAtFirstLine = settled;
            writeFileSync(go, '');
          }
        },
      },
    );
    void run.then(() => (settled = true));
    const result = await run;
    expect(settledAtFirstLine).toBe(false);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(seen.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(['one', 'two', 'three']);
    expect(seen.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(['err-one', 'err-two']);
    expect([...result.lastLines].sort()).toEqual(['err-one', 'err-two', 'one', 'three', 'two']);
  });

  it('reports the exit code', async () => {
    const ok = await runCommand({ argv: ['/bin/sh', '-c', 'exit 0'], timeoutMs: 5000 });
    expect(ok).toMatchObject({ exitCode: 0, signal: null, timedOut: false, aborted: false });
    const failed = await runCommand({ argv: ['/bin/sh', '-c', 'echo broken >&2; exit 3'], timeoutMs: 5000 });
    expect(failed).toMatchObject({ exitCode: 3, signal: null, timedOut: false, lastLines: ['broken'] });
  });

  it('stops the whole process group on timeout, background children included', async () => {
    const childPid = fresh('child.pid');
    const grandchildPid = fresh('grandchild.pid');
    const argv = await script(
      `sleep 60 &\necho $! > '${grandchildPid}'\necho $$ > '${childPid}'\necho started\nwhile :; do sleep 0.05; done\n`,
    );
    const result = await runCommand({ argv, timeoutMs: 300 }, { killGraceMs: 2000 });
    const child = await readPid(childPid);
    const grandchild = await readPid(grandchildPid);
    leftovers.push(child, grandchild);
    expect(result.timedOut).toBe(true);
    expect(result.aborted).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    expect(result.lastLines).toEqual(['started']);
    expect(await settledAlive(child)).toBe(false);
    expect(await settledAlive(grandchild)).toBe(false);
  }, 15_000);

  it('SIGKILLs a command that ignores SIGTERM once the grace is over', async () => {
    const grandchildPid = fresh('grandchild.pid');
    const argv = await script(`trap '' TERM\nsleep 60 &\necho $! > '${grandchildPid}'\necho started\nwhile :; do sleep 0.05; done\n`);
    const result = await runCommand({ argv, timeoutMs: 300 }, { killGraceMs: 300 });
    const grandchild = await readPid(grandchildPid);
    leftovers.push(grandchild);
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(await settledAlive(grandchild)).toBe(false);
  }, 15_000);

  it('stops the process group when the abort signal fires', async () => {
    const grandchildPid = fresh('grandchild.pid');
    const argv = await script(`trap '' TERM\nsleep 60 &\necho $! > '${grandchildPid}'\necho started\nwhile :; do sleep 0.05; done\n`);
    const controller = new AbortController();
    const result = await runCommand(
      { argv, timeoutMs: 60_000 },
      { signal: controller.signal, killGraceMs: 300, onLine: (_s, line) => line === 'started' && controller.abort() },
    );
    const grandchild = await readPid(grandchildPid);
    leftovers.push(grandchild);
    expect(result).toMatchObject({ aborted: true, timedOut: false, exitCode: null, signal: 'SIGKILL' });
    expect(await settledAlive(grandchild)).toBe(false);
  }, 15_000);

  it('does not start a command whose abort signal already fired', async () => {
    const marker = fresh('ran');
    const controller = new AbortController();
    controller.abort();
    const result = await runCommand({ argv: ['/usr/bin/touch', marker], timeoutMs: 5000 }, { signal: controller.signal });
    expect(result).toMatchObject({ aborted: true, exitCode: null });
    expect(result.lastLines[0]).toMatch(/not started/);
    expect(existsSync(marker)).toBe(false);
  });

  it('gives a readable result for a program that cannot be started', async () => {
    const missing = await runCommand({ argv: ['relman-no-such-program', 'x'], timeoutMs: 5000 });
    expect(missing).toMatchObject({ exitCode: null, signal: null, timedOut: false });
    expect(missing.lastLines).toEqual(['cannot run relman-no-such-program: not found']);

    const absent = await runCommand({ argv: [path.join(dir, 'nothing-here')], timeoutMs: 5000 });
    expect(absent.lastLines).toEqual([`cannot run ${path.join(dir, 'nothing-here')}: not found`]);

    const notExecutable = fresh('plain.sh');
    await writeFile(notExecutable, 'echo hi\n');
    await chmod(notExecutable, 0o644);
    const denied = await runCommand({ argv: [notExecutable], timeoutMs: 5000 });
    expect(denied.exitCode).toBeNull();
    expect(denied.lastLines[0]).toMatch(/^cannot run .*plain\.sh: permission denied/);

    const noCwd = await runCommand({ argv: ['/bin/sh', '-c', 'true'], cwd: path.join(dir, 'gone'), timeoutMs: 5000 });
    expect(noCwd.lastLines[0]).toBe(`cannot run /bin/sh: working directory ${path.join(dir, 'gone')} does not exist`);
  });

  it('passes every argument literally, without a shell', async () => {
    const pwned = fresh('pwned');
    const args = [
      'two words',
      `"double" and 'single' quotes`,
      `$(touch ${pwned})`,
      `\`touch ${pwned}\``,
      `a; touch ${pwned}`,
      '$HOME',
      '*',
      'x > y | z && w',
      '',
    ];
    const result = await runCommand({
      argv: nodeArgv('process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args),
      timeoutMs: 10_000,
    });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.lastLines.join('\n'))).toEqual(args);
    expect(existsSync(pwned)).toBe(false);
  });

  it("gives the command a minimal environment, never relman's own", async () => {
    const saved = { ...process.env };
    process.env.RELMAN_SECRET_KEY = 'do-not-leak';
    process.env.RELMAN_DATABASE_URL = 'postgres://user:pw@db/relman';
    process.env.PATH = `/usr/bin:/bin:${path.dirname(process.execPath)}`;
    process.env.LANG = 'C.UTF-8';
    try {
      const result = await runCommand({
        argv: nodeArgv('process.stdout.write(JSON.stringify(process.env))'),
        env: { RELMAN_RELEASE: 'CFIS001', DEPLOY_TARGET: 'prod' },
        timeoutMs: 10_000,
      });
      expect(result.exitCode).toBe(0);
      const env = JSON.parse(result.lastLines.join('\n'));
      expect(env.RELMAN_SECRET_KEY).toBeUndefined();
      expect(env.RELMAN_DATABASE_URL).toBeUndefined();
      expect(env).toMatchObject({ RELMAN_RELEASE: 'CFIS001', DEPLOY_TARGET: 'prod', PATH: process.env.PATH, LANG: 'C.UTF-8' });
      const allowed = new Set(['PATH', 'HOME', 'LANG', 'TZ', 'RELMAN_RELEASE', 'DEPLOY_TARGET']);
      expect(Object.keys(env).filter((name) => !allowed.has(name))).toEqual([]);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('runs in the given directory with stdin closed', async () => {
    const result = await runCommand({ argv: ['/bin/sh', '-c', 'pwd; cat; echo done'], cwd: dir, timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, lastLines: [realpathSync(dir), 'done'] });
  });

  it('keeps the last 20 lines and cuts very long ones', async () => {
    const many = await runCommand({
      argv: ['/bin/sh', '-c', 'i=1; while [ $i -le 30 ]; do echo "line $i"; i=$((i+1)); done'],
      timeoutMs: 10_000,
    });
    expect(many.lastLines).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));

    const lines: string[] = [];
    const long = await runCommand(
      { argv: nodeArgv("process.stdout.write('x'.repeat(100000) + '\\r\\nafter\\r\\n')"), timeoutMs: 10_000 },
      { onLine: (_s, line) => lines.push(line) },
    );
    expect(long.exitCode).toBe(0);
    expect(lines).toEqual(['x'.repeat(MAX_LINE_BYTES) + CUT_MARKER, 'after']);
  });

  it('refuses an invalid spec', async () => {
    await expect(runCommand({ argv: 'rm -rf /' as unknown as string[], timeoutMs: 100 })).rejects.toBeInstanceOf(CommandSpecError);
  });
});

describe('LineSplitter', () => {
  const split = (chunks: (string | Buffer)[]) => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    splitter.end();
    return lines;
  };

  it('joins partial lines, drops CR before LF and keeps a last line without LF', () => {
    expect(split(['on', 'e\r', '\ntw', 'o\n\nthr', 'ee'])).toEqual(['one', 'two', '', 'three']);
    expect(split(['a\r\n', 'b\r\r\n'])).toEqual(['a', 'b\r']);
    expect(split([''])).toEqual([]);
  });

  it('passes on a line exactly 8 KiB long whole, with or without CR', () => {
    const exact = 'y'.repeat(MAX_LINE_BYTES);
    expect(split([exact + '\r', '\n', exact + '\n'])).toEqual([exact, exact]);
    expect(split([exact + 'z\n'])).toEqual([exact + CUT_MARKER]);
  });

  it('cuts a long line at a character boundary and drops the rest of it', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    // 'é' is two bytes; an odd prefix puts the 8 KiB boundary inside one.
    splitter.push(Buffer.from('a' + 'é'.repeat(MAX_LINE_BYTES)));
    expect(lines).toEqual(['a' + 'é'.repeat(MAX_LINE_BYTES / 2 - 1) + CUT_MARKER]);
    splitter.push(Buffer.from('more of the same line\nnext'));
    splitter.end();
    expect(lines.slice(1)).toEqual(['next']);
  });

  it('joins a character split between chunks', () => {
    const bytes = Buffer.from('€uro\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)])).toEqual(['€uro']);
  });
});

describe('validateCommandSpec', () => {
  const valid: CommandSpec = { argv: ['/usr/bin/deploy', '--env', 'prod'], cwd: '/srv', env: { TARGET_1: 'x' }, timeoutMs: 1000 };
  const paths = (spec: unknown) => validateCommandSpec(spec).map((p) => p.path);

  it('accepts a well-formed spec', () => {
    expect(validateCommandSpec(valid)).toEqual([]);
    expect(validateCommandSpec({ argv: ['true'], timeoutMs: 86_400_000 })).toEqual([]);
  });

  it('refuses a command line instead of an argv list', () => {
    const problems = validateCommandSpec({ ...valid, argv: '/usr/bin/deploy --env prod' });
    expect(problems).toEqual([{ path: 'argv', message: expect.stringMatching(/not a command line/) }]);
  });

  it('refuses empty, non-string and NUL-carrying arguments', () => {
    expect(paths({ ...valid, argv: [] })).toEqual(['argv']);
    expect(paths({ ...valid, argv: [''] })).toEqual(['argv[0]']);
    expect(paths({ ...valid, argv: ['deploy', 3] })).toEqual(['argv[1]']);
    expect(paths({ ...valid, argv: ['deploy', 'a\0b'] })).toEqual(['argv[1]']);
    expect(paths({ ...valid, argv: ['de\0ploy'] })).toEqual(['argv[0]']);
  });

  it('refuses a relative working directory', () => {
    expect(paths({ ...valid, cwd: 'srv/app' })).toEqual(['cwd']);
    expect(paths({ ...valid, cwd: './app' })).toEqual(['cwd']);
    expect(paths({ ...valid, cwd: '/srv\0' })).toEqual(['cwd']);
  });

  it('refuses bad variable names and values', () => {
    expect(paths({ ...valid, env: { lower: 'x', '1ABC': 'x', 'A-B': 'x', 'A B': 'x', OK_1: 'x' } })).toEqual([
      'env.lower',
      'env.1ABC',
      'env.A-B',
      'env.A B',
    ]);
    expect(paths({ ...valid, env: { A: 1 } })).toEqual(['env.A']);
    expect(paths({ ...valid, env: { A: 'x\0' } })).toEqual(['env.A']);
    expect(paths({ ...valid, env: ['A=1'] })).toEqual(['env']);
  });

  it('refuses a timeout outside 1 ms to 24 hours', () => {
    for (const timeoutMs of [0, -1, 1.5, 86_400_001, '1000', undefined, Number.NaN]) {
      expect(paths({ ...valid, timeoutMs })).toEqual(['timeoutMs']);
    }
  });

  it('refuses what is not an object', () => {
    expect(paths(null)).toEqual(['']);
    expect(paths(['deploy'])).toEqual(['']);
  });
});

describe('stepEnvironment', () => {
  it('names the release, environment, channel and each package', () => {
    expect(
      stepEnvironment({
        release: 'CFIS001',
        environment: 'production',
        channel: 'web-app',
        packages: [
          { channel: 'web-app', version: 7, path: '/var/lib/relman/packages/web-app-7.war', sha256: 'ab'.repeat(32) },
          { channel: 'db.schema', version: 12, path: '/var/lib/relman/packages/db-12.zip', sha256: 'cd'.repeat(32) },
        ],
      }),
    ).toEqual({
      RELMAN_RELEASE: 'CFIS001',
      RELMAN_ENVIRONMENT: 'production',
      RELMAN_CHANNEL: 'web-app',
      RELMAN_PACKAGE_WEB_APP_PATH: '/var/lib/relman/packages/web-app-7.war',
      RELMAN_PACKAGE_WEB_APP_VERSION: '7',
      RELMAN_PACKAGE_WEB_APP_SHA256: 'ab'.repeat(32),
      RELMAN_PACKAGE_DB_SCHEMA_PATH: '/var/lib/relman/packages/db-12.zip',
      RELMAN_PACKAGE_DB_SCHEMA_VERSION: '12',
      RELMAN_PACKAGE_DB_SCHEMA_SHA256: 'cd'.repeat(32),
    });
  });

  it('gives names a command spec accepts', () => {
    const env = stepEnvironment({
      release: 'R1',
      environment: 'test',
      channel: 'ä',
      packages: [{ channel: '9 lives ä', version: 1, path: '/p', sha256: '0'.repeat(64) }],
    });
    expect(Object.keys(env)).toContain('RELMAN_PACKAGE_9_LIVES___PATH');
    expect(validateCommandSpec({ argv: ['true'], env, timeoutMs: 1 })).toEqual([]);
  });

  it('refuses two channels that would share a name', () => {
    const pkg = { version: 1, path: '/p', sha256: '0'.repeat(64) };
    expect(() =>
      stepEnvironment({
        release: 'R1',
        environment: 'test',
        channel: 'web-app',
        packages: [
          { ...pkg, channel: 'web-app' },
          { ...pkg, channel: 'web_app' },
        ],
      }),
    ).toThrow(/"web-app" and "web_app"/);
  });
});
