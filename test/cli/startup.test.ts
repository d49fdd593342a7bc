import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, freePort, ROOT } from '../support/cli-process.js';

/**
 * `relman` loads a command's implementation only when that command runs: a
 * remote command or `--version`/`--help` never loads the server, the
 * database drivers or the template and schema readers. A loader hook in the
 * child (module.register) appends every module URL it loads to a file.
 */
const HOOKS = `data:text/javascript,${encodeURIComponent(
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.RELMAN_TEST_MODULE_LOG, url + '\\n');
  return next(url, context);
}`,
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(HOOKS)});`)}`;

/** Packages and relman layers that only `serve` and the local commands need. */
const HEAVY = [
  /\/node_modules\/(fastify|@fastify\/[^/]+|kysely|better-sqlite3|pg|pg-[^/]+|yaml|zod|yauzl|nodemailer|ical-generator|prom-client|@node-rs\/[^/]+)\//,
  /\/dist\/(http|db|services|jobs|integrations)\//,
  /\/dist\/config\/settings\.js$/,
  /\/dist\/domain\/template\//,
  /\/dist\/runtime\.js$/,
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'relman-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Run = { code: number; stdout: string; stderr: string; modules: string[] };

let runs = 0;
function runLogged(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  const log = path.join(tmp, `modules-${++runs}.txt`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', REGISTER, BIN, ...args],
      { cwd: ROOT, env: cleanEnv({ ...extra, RELMAN_TEST_MODULE_LOG: log }), timeout: 30_000 },
      (err, stdout, stderr) => {
        let modules: string[] = [];
        try {
          modules = readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l !== '');
        } catch {
          // Nothing loaded through the hook: the assertions below say so.
        }
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, modules });
      },
    );
  });
}

function heavy(r: Run): string[] {
  return r.modules.filter((m) => HEAVY.some((h) => h.test(m)));
}

describe('relman start-up loads only what the command needs', () => {
  it('--version', async () => {
    const r = await runLogged(['--version']);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: '0.1.0\n' });
    // The hook saw the CLI load, so an empty list below means something.
    expect(r.modules.some((m) => m.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(heavy(r)).toEqual([]);
  });

  it('--help lists every command', async () => {
    const r = await runLogged(['--help']);
    expect(r.code).toBe(0);
    const commands = r.stdout
      .split('\nCommands:\n')[1]!
      .split('\n')
      .flatMap((l) => /^ {2}(\S+)/.exec(l)?.[1] ?? []);
    expect(commands).toEqual([
      'serve',
      'login',
      'logout',
      'whoami',
      'release',
      'package',
      'test',
      'issue',
      'notify',
      'report',
      'step',
      'item',
      'template',
      'cycle',
      'blackout',
      'calendar',
      'checklist',
      'milestone',
      'contact',
      'group',
      'mail',
      'target',
      'deploy',
      'migrate',
      'user',
      'token',
      'audit',
      'app',
      'help',
    ]);
    expect(r.modules.some((m) => m.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(heavy(r)).toEqual([]);
  });

  it('a remote command (release show, --ref checked) needs only the HTTP client', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const show = await runLogged(['--url', url, '--token', 'x', 'release', 'show', 'CFIS001']);
    expect(show.code).toBe(3);
    expect(show.stderr).toMatch(/^relman: cannot reach relman at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
    expect(show.modules.some((m) => m.endsWith('/dist/cli/client.js'))).toBe(true);
    expect(heavy(show)).toEqual([]);

    const badRef = await runLogged(['--url', url, 'item', 'create', '--kind', 'IR', '--ref', 'HD-1\tHD-2', '--title', 'x']);
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain('--ref "HD-1\\tHD-2": a help-desk reference has no control characters (tabs, line breaks)');
    expect(heavy(badRef)).toEqual([]);
  });

  it('serve and the local commands load their implementation when they run', async () => {
    const r = await runLogged(['audit', 'verify'], { RELMAN_DATA_DIR: path.join(tmp, 'no-data') });
    // No database where it looks: said with the not-found code, after loading the local implementation.
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^relman: /);
    expect(r.modules.some((m) => m.endsWith('/dist/cli/commands/local-run.js'))).toBe(true);
    expect(heavy(r)).not.toEqual([]);
  });
});
