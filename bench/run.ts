import os from 'node:os';
import { benchCliStartup } from './cli-startup.js';
import { benchHttpGetRelease } from './http-get-release.js';
import { benchManifest } from './manifest.js';
import { benchReleaseCreate } from './release-create.js';
import { benchSftpThroughput } from './sftp-throughput.js';
import { benchUpload } from './upload.js';
import { benchWebBudget } from './web-budget.js';

/**
 * `npm run bench [-- NAME…]`: runs every benchmark (or the named ones) and
 * prints its results. Benchmarks report; they never pass or fail a build.
 * BENCH_DURATION (seconds per HTTP run), BENCH_RELEASES (creations per mode),
 * BENCH_PG_URL or RELMAN_TEST_PG_URL (PostgreSQL), BENCH_LOAD=inprocess,
 * BENCH_UPLOAD_MB (ZIP upload size, default 1024; 0 skips it), BENCH_UPLOAD_EXPORT_MB (Caché export upload size, default 100;
 * 0 skips it), BENCH_UPLOAD_RUNS (default 5), BENCH_UPLOAD_CLIENT (curl, the default where installed, or node),
 * BENCH_MANIFEST_MB (export size, default 100), BENCH_MANIFEST_RUNS (default 3),
 * BENCH_CLI_RUNS (rounds of `node -e 0` against `relman --version`, `--help` and `release show`, default 20),
 * BENCH_WEB_ITEMS (work items on web-budget's release, default 200), BENCH_WEB_RUNS (page loads, default 5),
 * BENCH_SFTP_MB (file sent by transferFiles and by OpenSSH's sftp, default 1024), BENCH_SFTP_RUNS (default 2),
 * BENCH_LOG_FILE (where http-get-release's logged server writes its request log, default /dev/null; a real file
 * adds the cost of the writes), BENCH_SWITCHES=1 (http-get-release also measures reads with each SQLite fast path off).
 */
const benchmarks: Record<string, () => Promise<void>> = {
  'http-get-release': benchHttpGetRelease,
  'release-create': benchReleaseCreate,
  upload: benchUpload,
  manifest: benchManifest,
  'cli-startup': benchCliStartup,
  'web-budget': benchWebBudget,
  'sftp-throughput': benchSftpThroughput,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`);
  process.exit(2);
}

process.stdout.write(
  `relman benchmarks — node ${process.version}, ${os.availableParallelism()} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}\n`,
);
let failed = false;
for (const [name, run] of Object.entries(benchmarks)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n=== ${name} ===\n`);
  const t0 = performance.now();
  try {
    await run();
  } catch (err) {
    failed = true;
    process.stderr.write(`${name} failed: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.stdout.write(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
process.exitCode = failed ? 1 : 0;
