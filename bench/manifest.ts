import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readCacheExport } from '../src/integrations/xml/cache-export.js';
import { generateCacheExport } from '../src/integrations/xml/generate-export.js';
import { fmt, printTable } from './common.js';
import { goal, mbps, MiB, timeCommand } from './server-process.js';

const BODY_BYTES = 20_000;
const SEED = 14;

async function generate(file: string, classes: number): Promise<number> {
  await pipeline(Readable.from(generateCacheExport({ classes, bodyBytes: BODY_BYTES, seed: SEED })), createWriteStream(file));
  return statSync(file).size;
}

/** A full garbage collection, when the flag can be turned on at run time; otherwise nothing. */
function collect(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // Without it the baseline is a little noisier.
  }
}

/** Peak heap and RSS growth over a baseline, sampled every 20 ms while `fn` runs. */
async function withMemory<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; heap: number; rss: number }> {
  collect();
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let rss = base.rss;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  };
  const timer = setInterval(sample, 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    sample();
    return { value, ms, heap: heap - base.heapUsed, rss: rss - base.rss };
  } finally {
    clearInterval(timer);
  }
}

/** The manifest of a generated Caché export read in this process, against `openssl dgst -sha256` of the same file. */
export async function benchManifest(): Promise<void> {
  const wantedMb = Number(process.env.BENCH_MANIFEST_MB ?? 100);
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
    const read = await withMemory(() => readCacheExport(createReadStream(file)));
    const elements = read.value.elements.length;
    const openssl = await timeCommand('openssl', ['dgst', '-sha256', file]);

    const relman = mbps(size, read.ms);
    process.stdout.write(
      `\nreadCacheExport (streaming XML, every element's canonical SHA-256) in this process, against openssl hashing the same bytes\n\n`,
    );
    printTable(
      ['target', 'seconds', 'MB/s'],
      [
        [`readCacheExport (${fmt(elements)} elements)`, fmt(read.ms / 1000, 2), fmt(relman, 1)],
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
