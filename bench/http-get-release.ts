import os from 'node:os';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { createDeps } from '../src/runtime.js';
import { SYSTEM_ACTOR } from '../src/services/actor.js';
import { createToken } from '../src/services/auth.js';
import { createRelease } from '../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../src/services/work-items.js';
import { benchDatabase, benchDuration, fmt, printTable } from './common.js';
import { loadMode, runLoad, type LoadSummary } from './load.js';

const PATH = '/api/v1/releases/CFIS001';
const CONNECTIONS = 64;

async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

/** GET one release (with three work items) from relman, then the same JSON from a bare Fastify route. */
export async function benchHttpGetRelease(): Promise<void> {
  const duration = benchDuration();
  const mode = loadMode();
  const db = await benchDatabase('sqlite');
  const results: [string, LoadSummary][] = [];
  let body: unknown;
  try {
    const { deps } = db;
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
    const headers = { authorization: `Bearer ${token}` };
    const load = (base: string) =>
      runLoad({ url: `${base}${PATH}`, connections: CONNECTIONS, duration, headers, warmup: { connections: CONNECTIONS, duration: 2 } });

    const app = await buildApp({ deps, logLevel: 'silent' });
    try {
      const base = await listen(app);
      const res = await fetch(`${base}${PATH}`, { headers });
      if (res.status !== 200) throw new Error(`GET ${PATH}: HTTP ${res.status} ${await res.text()}`);
      body = await res.json();
      results.push(['relman (default, read caches on)', await load(base)]);
    } finally {
      await app.close();
    }
    // The same server with its read caches off: what a read costs when it must go to the database.
    const uncached = await buildApp({ deps: createDeps(deps.database, undefined, { readCacheTtlMs: 0 }), logLevel: 'silent' });
    try {
      const base = await listen(uncached);
      results.push(['relman, read caches off', await load(base)]);
    } finally {
      await uncached.close();
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
      await runLoad({
        url: `${base}${PATH}`,
        connections: CONNECTIONS,
        duration,
        headers: { authorization: 'Bearer x' },
        warmup: { connections: CONNECTIONS, duration: 2 },
      }),
    ]);
  } finally {
    await bare.close();
  }

  const where =
    mode === 'process'
      ? 'autocannon in a separate process (the server has this process to itself)'
      : 'autocannon in the server’s own process (BENCH_LOAD=inprocess; skews against the server)';
  process.stdout.write(
    `\nHTTP: GET ${PATH} — ${CONNECTIONS} connections, ${duration} s (+2 s warm-up), ${os.availableParallelism()} CPUs shared\n` +
      `load: ${where}; relman on SQLite, logging off, bearer token\n\n`,
  );
  printTable(
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors'],
    results.map(([name, r]) => [name, fmt(r.rps), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.total), fmt(r.non2xx), fmt(r.errors + r.timeouts)]),
  );
  const bareRun = results.find(([name]) => name.startsWith('bare'))?.[1];
  for (const [name, run] of results) {
    if (!bareRun || name.startsWith('bare')) continue;
    const ratio = run.rps / bareRun.rps;
    process.stdout.write(`\n${name} / bare: ${ratio.toFixed(2)}× req/s (goal ≥ 0.50×) — ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
  }
  process.stdout.write('\n');
  if (results.some(([, r]) => r.non2xx > 0 || r.errors > 0))
    process.stdout.write('warning: some requests failed; the rates above include them\n');
}
