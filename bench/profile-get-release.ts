import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { buildApp } from '../src/http/app.js';
import { createDeps } from '../src/runtime.js';
import { benchDatabase, benchDuration } from './common.js';
import { seedRelease } from './http-get-release.js';
import { runLoad } from './load.js';

/**
 * A CPU profile of one relman server answering GET /api/v1/releases/CFIS001
 * under load (64 connections, BENCH_DURATION seconds), taken only while the
 * load runs (start-up and schema compilation stay out of it):
 *
 *   node --import tsx bench/profile-get-release.ts uncached /tmp/uncached.cpuprofile
 *   node --import tsx bench/cpu-profile-summary.ts /tmp/uncached.cpuprofile
 *
 * Modes: `default` (read caches on, no request log), `uncached` (read caches
 * off), `logged` (read caches on, request log at `info` written to
 * /dev/null the way `npm start` writes it to stdout). The load generator
 * runs in a process of its own and is not profiled.
 */
const [mode = 'uncached', out = `/tmp/relman-get-release-${mode}.cpuprofile`] = process.argv.slice(2);
if (!['default', 'uncached', 'logged'].includes(mode)) throw new Error(`mode must be default, uncached or logged, got ${mode}`);
const PATH = '/api/v1/releases/CFIS001';
const db = await benchDatabase('sqlite');
try {
  const headers = await seedRelease(db.deps);
  const deps = mode === 'uncached' ? createDeps(db.deps.database, undefined, { readCacheTtlMs: 0 }) : db.deps;
  const app = await buildApp({ deps, ...(mode === 'logged' ? { logLevel: 'info', logFile: '/dev/null' } : { logLevel: 'silent' }) });
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `${base}${PATH}`;
    // Warm up (JIT, statement caches) before profiling.
    await runLoad({ url, connections: 64, duration: 2, headers });
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const r = await runLoad({ url, connections: 64, duration: benchDuration(), headers });
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(out, JSON.stringify(profile));
    process.stdout.write(`${mode}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, non-2xx ${r.non2xx}; profile in ${out}\n`);
  } finally {
    await app.close();
  }
} finally {
  await db.close();
}
