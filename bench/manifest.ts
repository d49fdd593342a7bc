import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateCacheExport } from '../src/integrations/xml/generate-export.js';
import { fmt, printTable } from './common.js';
import { goal, mbps, MiB, timeCommand } from './server-process.js';

const BODY_BYTES = 20_000;
const SEED = 14;
const READER = fileURLToPath(new URL('./manifest-reader.ts', import.meta.url));

async function generate(file: string, classes: number): Promise<number> {
  await pipeline(Readable.from(generateCacheExport({ classes, bodyBytes: BODY_BYTES, seed: SEED })), createWriteStream(file));
  return statSync(file).size;
}

type Run = { ms: number; heap: number; rss: number; elements: number };

/** The reads, in a fresh process of its own: the bench process holds the generator's garbage, and V8 flags cannot be set at run time without changing how the reader is compiled. */
async function readInChild(file: string, runs: number): Promise<{ cold: Run; warm: Run[] }> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', READER, file, String(runs)], { maxBuffer: 1024 * 1024 }, (err, stdout) =>
      err ? reject(new Error(`the manifest reader failed: ${err.message}`)) : resolve(stdout),
    ),
  );
  return JSON.parse(out) as { cold: Run; warm: Run[] };
}

/** The manifest of a generated Caché export read in this process, against `openssl dgst -sha256` of the same file. */
export async function benchManifest(): Promise<void> {
  const wantedMb = Number(process.env.BENCH_MANIFEST_MB ?? 100);
  const runs = Math.max(1, Number(process.env.BENCH_MANIFEST_RUNS ?? 3));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-bench-manifest-'));
  try {
    // Classes needed for the size asked, from a small sample of the same generator.
    const perClass = (await generate(path.join(dir, 'sample.xml'), 50)) / 50;
    const file = path.join(dir, 'export.xml');
    const classes = Math.max(1, Math.round((wantedMb * MiB) / perClass));
    const tGen = performance.now();
    const size = await generate(file, classes);
    process.stdout.write(
      `file: ${file}, ${fmt(size)} bytes (${fmt(size / MiB, 1)} MiB), ${fmt(classes)} classes + a project, generated in ${fmt((performance.now() - tGen) / 1000, 1)} s\n`,
    );

    // Read once untimed, so the page cache holds the file for every contender alike.
    for await (const _chunk of createReadStream(file)) void _chunk;
    // A server reads many exports: the figure is the warm reader's, the median of the runs after a first
    // read of the same file (shown as the first read: a fresh process, before the JIT has compiled the reader).
    const { cold, warm: reads } = await readInChild(file, runs);
    const read = reads.toSorted((a, b) => a.ms - b.ms)[Math.floor(runs / 2)] ?? reads[0]!;
    const elements = read.elements;
    const opensslRuns: number[] = [];
    for (let i = 0; i < runs; i++) opensslRuns.push(await timeCommand('openssl', ['dgst', '-sha256', file]));
    const openssl = opensslRuns.toSorted((a, b) => a - b)[Math.floor(runs / 2)] ?? NaN;
    process.stdout.write(
      `runs: ${runs} of each (BENCH_MANIFEST_RUNS), medians below; readCacheExportFile runs: ${reads.map((r) => fmt(r.ms / 1000, 2)).join(', ')} s, ` +
        `after a first read of ${fmt(cold.ms / 1000, 2)} s (${fmt(mbps(size, cold.ms), 1)} MB/s, ${(mbps(size, cold.ms) / mbps(size, openssl)).toFixed(3)}× openssl: a fresh process, before the JIT has compiled the reader)\n`,
    );

    const relman = mbps(size, read.ms);
    process.stdout.write(
      `\nreadCacheExportFile (streaming XML in 1 MiB reads, as an upload reads it; every element's canonical SHA-256) in a process of its own, warm, against openssl hashing the same bytes\n\n`,
    );
    printTable(
      ['target', 'seconds', 'MB/s'],
      [
        [`readCacheExportFile (${fmt(elements)} elements)`, fmt(read.ms / 1000, 2), fmt(relman, 1)],
        ['openssl dgst -sha256', fmt(openssl / 1000, 2), fmt(mbps(size, openssl), 1)],
      ],
    );
    const ratio = relman / mbps(size, openssl);
    process.stdout.write(
      `\nmanifest / openssl: ${ratio.toFixed(3)}× (goal ≥ 0.25×) — ${goal(ratio >= 0.25)}\n` +
        `memory growth during the read: heap ${fmt(read.heap / MiB, 1)} MiB, RSS ${fmt(read.rss / MiB, 1)} MiB ` +
        `(the manifest itself holds ${fmt(elements)} elements; flat means independent of the file size — compare runs with BENCH_MANIFEST_MB)\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
