import { getHeapStatistics } from 'node:v8';
import { readCacheExportFile } from '../src/integrations/xml/cache-export.js';

/**
 * The manifest benchmark's reader, in a fresh process of its own (started with
 * --expose-gc, so the baseline of each run follows a full collection): reads
 * the export once cold, then RUNS times warm, and prints the timings and the
 * peak memory growth of each read as JSON.
 *
 * Usage: node --expose-gc --import tsx manifest-reader.ts FILE RUNS
 */
const [file, runsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: manifest-reader.ts FILE RUNS');
const runs = Math.max(1, Number(runsArg ?? 3));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

type Run = { ms: number; heap: number; rss: number; elements: number };

/** One read, with peak heap and RSS growth over the baseline sampled every 20 ms (cheap probes only: a full process.memoryUsage() every 20 ms would slow the read). */
async function read(): Promise<Run> {
  gc();
  const baseHeap = getHeapStatistics().used_heap_size;
  const baseRss = process.memoryUsage.rss();
  let heap = baseHeap;
  let rss = baseRss;
  const sample = () => {
    heap = Math.max(heap, getHeapStatistics().used_heap_size);
    rss = Math.max(rss, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 20);
  try {
    const t0 = performance.now();
    const manifest = await readCacheExportFile(file!); // as an upload reads it
    const ms = performance.now() - t0;
    sample();
    return { ms, heap: heap - baseHeap, rss: rss - baseRss, elements: manifest.elements.length };
  } finally {
    clearInterval(timer);
  }
}

const cold = await read();
const warm: Run[] = [];
for (let i = 0; i < runs; i++) warm.push(await read());
process.stdout.write(JSON.stringify({ cold, warm }));
