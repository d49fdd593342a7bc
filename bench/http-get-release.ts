import os from 'node:os';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '../src/db/database.js';
import { buildApp } from '../src/http/app.js';
import { createDeps } from '../src/runtime.js';
import { SYSTEM_ACTOR } from '../src/services/actor.js';
import { createToken } from '../src/services/auth.js';
import type { ServiceDeps } from '../src/services/deps.js';
import { createRelease } from '../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../src/services/work-items.js';
import { benchDatabase, benchDuration, fmt, printTable } from './common.js';
import { loadMode, runLoad, type LoadSummary } from './load.js';

const PATH = '/api/v1/releases/CFIS001';
const CONNECTIONS = 64;
const LOGGED = 'relman as `npm start` runs it (request log on)';
const QUIET = 'relman, request log off';
const UNCACHED = 'relman, request log and read caches off';
const NO_READ_CONNECTION = '… and the SQLite read connection off';
const NO_STATEMENTS = '… and the SQLite statement cache off';
/** The share of the bare route's rate each configuration should reach (docs/fast-paths.md). */
const GOALS: Record<string, number> = { [LOGGED]: 0.4, [QUIET]: 0.5, [UNCACHED]: 0.25 };

type Measured = LoadSummary & { cpuUsPerRequest: number };

/**
 * A 2 s warm-up, then the measured run, with the CPU time this process (the
 * server) spent per request. On a machine shared with other work req/s swing
 * with the neighbours' load; CPU time per request hardly does, so its ratio
 * is the steadier figure (meaningful when the load runs in its own process).
 */
async function measured(opts: { url: string; connections: number; duration: number; headers: Record<string, string> }): Promise<Measured> {
  await runLoad({ ...opts, duration: 2 });
  const before = process.cpuUsage();
  const r = await runLoad(opts);
  const cpu = process.cpuUsage(before);
  return { ...r, cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, r.total) };
}

async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

/** Release CFIS001 with three work items, and the headers of an administrator's API token. */
export async function seedRelease(deps: ServiceDeps): Promise<Record<string, string>> {
  await createRelease(deps, SYSTEM_ACTOR, {
    type: 'scheduled',
    plannedDate: '2026-12-05',
    channels: ['database', 'web'],
    title: 'Bench',
  });
  for (let i = 1; i <= 3; i++) {
    const it = await createWorkItem(deps, SYSTEM_ACTOR, {
      kind: 'IR',
      helpdeskRef: `HD-${i}`,
      title: `Work item ${i}`,
      elements: [{ type: 'class', name: `CMS.Bench${i}` }],
    });
    await assignWorkItem(deps, SYSTEM_ACTOR, { key: it.key }, { release: 'CFIS001', move: false });
  }
  const { token } = await createToken(deps, SYSTEM_ACTOR, { user: 'admin', name: 'bench' });
  return { authorization: `Bearer ${token}` };
}

/** GET one release (with three work items) from relman, then the same JSON from a bare Fastify route. */
export async function benchHttpGetRelease(): Promise<void> {
  const duration = benchDuration();
  const mode = loadMode();
  const db = await benchDatabase('sqlite');
  const results: [string, Measured][] = [];
  let body: unknown;
  try {
    const { deps } = db;
    const headers = await seedRelease(deps);
    const load = (base: string) => measured({ url: `${base}${PATH}`, connections: CONNECTIONS, duration, headers });

    // As `npm start` runs it: read caches on, the request log at `info`, written (asynchronously) the way
    // pino writes stdout, to BENCH_LOG_FILE or else /dev/null (so a terminal's speed does not count).
    const logged = await buildApp({ deps, logLevel: 'info', logFile: process.env.BENCH_LOG_FILE || '/dev/null' });
    try {
      const base = await listen(logged);
      const res = await fetch(`${base}${PATH}`, { headers });
      if (res.status !== 200) throw new Error(`GET ${PATH}: HTTP ${res.status} ${await res.text()}`);
      body = await res.json();
      results.push([LOGGED, await load(base)]);
    } finally {
      await logged.close();
    }
    const app = await buildApp({ deps, logLevel: 'silent' });
    try {
      results.push([QUIET, await load(await listen(app))]);
    } finally {
      await app.close();
    }
    // The same server with its read caches off (RELMAN_READ_CACHE=0): what a read costs when it must go to the database.
    const uncached = await buildApp({ deps: createDeps(deps.database, undefined, { readCaches: false }), logLevel: 'silent' });
    try {
      results.push([UNCACHED, await load(await listen(uncached))]);
    } finally {
      await uncached.close();
    }
    // BENCH_SWITCHES=1: what each SQLite fast path is worth, with the read caches off so that every read reaches it.
    if (process.env.BENCH_SWITCHES === '1' && db.target.dialect === 'sqlite') {
      for (const [name, options] of [
        [NO_READ_CONNECTION, { readConnection: false }],
        [NO_STATEMENTS, { statementCache: false }],
      ] as const) {
        const database = openDatabase({ ...db.target, ...options });
        const server = await buildApp({ deps: createDeps(database, undefined, { readCaches: false }), logLevel: 'silent' });
        try {
          results.push([name, await load(await listen(server))]);
        } finally {
          await server.close();
          await database.close();
        }
      }
    }
  } finally {
    await db.close();
  }

  // The floor: Fastify alone, serving the same JSON object with no auth, database or schema.
  const bare = Fastify({ logger: false });
  bare.get('/api/v1/releases/:name', () => body);
  try {
    const base = await listen(bare);
    results.push([
      'bare Fastify, same JSON',
      await measured({ url: `${base}${PATH}`, connections: CONNECTIONS, duration, headers: { authorization: 'Bearer x' } }),
    ]);
  } finally {
    await bare.close();
  }

  const where =
    mode === 'process'
      ? 'autocannon in a separate process (the server has this process to itself)'
      : 'autocannon in the server’s own process (BENCH_LOAD=inprocess; skews against the server)';
  process.stdout.write(
    `\nHTTP: GET ${PATH} — ${CONNECTIONS} connections, ${duration} s (after a 2 s warm-up), ${os.availableParallelism()} CPUs shared\n` +
      `load: ${where}; relman on SQLite, bearer token\n\n`,
  );
  printTable(
    ['target', 'req/s', 'CPU µs/req', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors'],
    results.map(([name, r]) => [
      name,
      fmt(r.rps),
      fmt(r.cpuUsPerRequest),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      fmt(r.total),
      fmt(r.non2xx),
      fmt(r.errors + r.timeouts),
    ]),
  );
  const bareRun = results.find(([name]) => name.startsWith('bare'))?.[1];
  for (const [name, run] of results) {
    if (!bareRun || name.startsWith('bare')) continue;
    const ratio = run.rps / bareRun.rps;
    const byCpu = bareRun.cpuUsPerRequest / run.cpuUsPerRequest;
    const goal = GOALS[name];
    const verdict = goal === undefined ? '' : ` (goal ≥ ${goal.toFixed(2)}×) — ${ratio >= goal ? 'met' : 'NOT met'}`;
    process.stdout.write(`\n${name} / bare: ${ratio.toFixed(2)}× req/s${verdict}; ${byCpu.toFixed(2)}× by CPU time per request`);
  }
  process.stdout.write('\n');
  if (results.some(([, r]) => r.non2xx > 0 || r.errors > 0))
    process.stdout.write('warning: some requests failed; the rates above include them\n');
}
