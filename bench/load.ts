import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options, type Result } from 'autocannon';

/**
 * The load generator. By default it runs in a child process of its own, so
 * autocannon's event loop does not steal turns from the server's: on a
 * two-core machine the OS can then give each process a core.
 */
export type LoadMode = 'process' | 'inprocess';

export function loadMode(): LoadMode {
  return process.env.BENCH_LOAD === 'inprocess' ? 'inprocess' : 'process';
}

export type LoadSummary = { rps: number; p50: number; p99: number; total: number; non2xx: number; errors: number; timeouts: number };

function summarise(r: Result): LoadSummary {
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const SELF = fileURLToPath(import.meta.url);

export async function runLoad(opts: Options, mode: LoadMode = loadMode()): Promise<LoadSummary> {
  if (mode === 'inprocess') return summarise(await autocannon(opts));
  const child = fork(SELF, [], { cwd: path.resolve(path.dirname(SELF), '..'), execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise<LoadSummary>((resolve, reject) => {
    let settled = false;
    child.once('message', (m: { ok: true; summary: LoadSummary } | { ok: false; error: string }) => {
      settled = true;
      if (m.ok) resolve(m.summary);
      else reject(new Error(`load generator: ${m.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(opts);
  });
}

// Child side: one run per process, options in, summary out.
if (process.argv[1] === SELF && process.send) {
  process.once('message', (opts: Options) => {
    autocannon(opts).then(
      (r) => process.send?.({ ok: true, summary: summarise(r) }, () => process.disconnect()),
      (err: unknown) => process.send?.({ ok: false, error: String(err) }, () => process.disconnect()),
    );
  });
}
