import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_PASSWORD, fmt, printTable } from './common.js';
import { goal, ROOT, startServerProcess, type ServerProcess } from './server-process.js';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin', 'relman.js');

type Case = { name: string; args: string[]; goal: number };

function median(xs: number[]): number {
  const s = xs.toSorted((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wall-clock milliseconds of one `node …` process, from spawn to exit; it must succeed. */
async function timeNode(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  return performance.now() - t0;
}

/**
 * How long the `relman` command takes to start: `relman --version`,
 * `relman --help` and `relman release show <name>` against a running server
 * (`node bin/relman.js serve`, SQLite), each against `node -e 0` in the same
 * run. The runs are interleaved (one of each per round), so a busy moment on
 * the machine touches every command alike; medians are compared.
 */
export async function benchCliStartup(): Promise<void> {
  const rounds = Math.max(1, Number(process.env.BENCH_CLI_RUNS ?? 20));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-bench-cli-'));
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess(path.join(dir, 'data'), ADMIN_PASSWORD);
    const token = (await server.cli(['token', 'create', '--user', 'admin'])).trim();
    const created = await fetch(`${server.url}/api/v1/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'scheduled', plannedDate: '2026-12-05', channels: ['web'], title: 'CLI bench' }),
    });
    if (!created.ok) throw new Error(`create release: HTTP ${created.status} ${await created.text()}`);
    const release = ((await created.json()) as { name: string }).name;

    // Only this run's server and token; no config file from the home folder.
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELMAN_') && k !== 'DATABASE_URL')),
      RELMAN_URL: server.url,
      RELMAN_TOKEN: token,
      XDG_CONFIG_HOME: path.join(dir, 'config'),
    };
    const cases: Case[] = [
      { name: 'relman --version', args: [BIN, '--version'], goal: 3 },
      { name: 'relman --help', args: [BIN, '--help'], goal: 3 },
      { name: `relman release show ${release}`, args: [BIN, 'release', 'show', release], goal: 4 },
    ];
    const baselineArgs = ['-e', '0'];

    // One untimed round warms the file cache and the server.
    await timeNode(baselineArgs, env);
    for (const c of cases) await timeNode(c.args, env);

    const base: number[] = [];
    const times = cases.map(() => [] as number[]);
    for (let i = 0; i < rounds; i++) {
      base.push(await timeNode(baselineArgs, env));
      for (const [j, c] of cases.entries()) times[j]!.push(await timeNode(c.args, env));
    }
    await server.stop();
    server = undefined;

    const baseMs = median(base);
    process.stdout.write(
      `${rounds} rounds (BENCH_CLI_RUNS), each one run of every command in turn; medians, wall clock from spawn to exit; ` +
        `server: node bin/relman.js serve (SQLite) on loopback, sharing ${os.availableParallelism()} CPUs.\n\n`,
    );
    printTable(
      ['command', 'median ms', 'min ms', 'ratio to node -e 0'],
      [
        ['node -e 0', fmt(baseMs, 1), fmt(Math.min(...base), 1), '1.0×'],
        ...cases.map((c, j) => {
          const ms = median(times[j]!);
          return [c.name, fmt(ms, 1), fmt(Math.min(...times[j]!), 1), `${fmt(ms / baseMs, 1)}×`];
        }),
      ],
    );
    process.stdout.write('\n');
    for (const [j, c] of cases.entries()) {
      const ratio = median(times[j]!) / baseMs;
      process.stdout.write(`${c.name}: ${fmt(ratio, 1)}× node -e 0 (goal ≤ ${c.goal}×: ${goal(ratio <= c.goal)})\n`);
    }
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
