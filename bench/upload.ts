import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import yazl from 'yazl';
import { ADMIN_PASSWORD, fmt, printTable } from './common.js';
import { goal, mbps, MiB, rssOf, sampleRss, startServerProcess, timeCommand, type ServerProcess } from './server-process.js';

/** Entries of at most 64 MiB, each the same random MiB repeated: bytes no compressor or dedup shortcut helps with. */
const ENTRY = 64 * MiB;

function repeated(block: Buffer, size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(block.length, left);
      left -= n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
}

/** A stored (uncompressed) ZIP of about `bytes`: valid for the web channel, and its check reads only the central directory. */
async function writeStoredZip(file: string, bytes: number): Promise<number> {
  const block = randomBytes(MiB);
  const zip = new yazl.ZipFile();
  const mtime = new Date('2026-11-02T12:00:00Z');
  for (let i = 0, left = bytes; left > 0; i++, left -= ENTRY) {
    const size = Math.min(ENTRY, left);
    zip.addReadStream(repeated(block, size), `assets/bundle-${String(i).padStart(3, '0')}.bin`, { mtime, compress: false, size });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
  return statSync(file).size;
}

type Uploaded = { version: number; file: { sha256: string; size: number } };

async function put(
  server: ServerProcess,
  token: string,
  release: string,
  file: string,
  name: string,
): Promise<{ ms: number; sentMs: number; result: Uploaded }> {
  const size = statSync(file).size;
  const t0 = performance.now();
  let sentMs = 0;
  // node:http with a piped file stream: the plainest client, so the figure is the server's, not fetch's.
  const url = new URL(`${server.url}/api/v1/releases/${release}/packages/web/files/${name}`);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const stream = createReadStream(file, { highWaterMark: 4 * MiB });
    stream.on('end', () => (sentMs = performance.now() - t0));
    stream.pipe(req);
  });
  const ms = performance.now() - t0;
  if (status < 200 || status >= 300) throw new Error(`upload of ${name}: HTTP ${status} ${text}`);
  return { ms, sentMs, result: JSON.parse(text) as Uploaded };
}

const median = (xs: number[]): number => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function flush(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function createRelease(server: ServerProcess, token: string): Promise<string> {
  const created = await fetch(`${server.url}/api/v1/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'scheduled', plannedDate: '2026-12-05', channels: ['web'], title: 'Upload bench' }),
  });
  if (!created.ok) throw new Error(`create release: HTTP ${created.status} ${await created.text()}`);
  return ((await created.json()) as { name: string }).name;
}

/**
 * A package file uploaded over HTTP on loopback into the artifact store
 * (streamed, hashed, written, fsynced, its central directory read, recorded),
 * against hashing the same file with `openssl dgst -sha256` and `sha256sum`.
 */
export async function benchUpload(): Promise<void> {
  const wantedMb = Number(process.env.BENCH_UPLOAD_MB ?? 1024);
  const runs = Math.max(1, Number(process.env.BENCH_UPLOAD_RUNS ?? 3));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-bench-upload-'));
  let server: ServerProcess | undefined;
  try {
    const file = path.join(dir, 'bench.zip');
    const tGen = performance.now();
    const size = await writeStoredZip(file, Math.max(1, wantedMb) * MiB);
    process.stdout.write(
      `file: ${file}, ${fmt(size)} bytes (${fmt(size / MiB, 1)} MiB), a stored ZIP written in ${fmt((performance.now() - tGen) / 1000, 1)} s\n`,
    );
    const warm = path.join(dir, 'warmup.zip');
    await writeStoredZip(warm, MiB);

    // The generated bytes are flushed first: write-back of a fresh file would otherwise compete with the timed runs.
    await flush(file);
    server = await startServerProcess(path.join(dir, 'data'), ADMIN_PASSWORD);
    const token = (await server.cli(['token', 'create', '--user', 'admin'])).trim();
    const srv = server;
    const release = () => createRelease(srv, token);

    // One small upload first, so the server's upload path is loaded and warm before RSS is measured.
    await put(server, token, await release(), warm, 'warmup.zip');
    const rssBefore = rssOf(server.pid);
    const sampler = sampleRss(server.pid);
    const ups: Awaited<ReturnType<typeof put>>[] = [];
    // Each run goes to a new release: the same bytes, so the store keeps one copy (the last step is an unlink instead of a rename).
    for (let i = 0; i < runs; i++) ups.push(await put(server, token, await release(), file, 'bench.zip'));
    const rssPeak = sampler.stop();
    for (const u of ups) if (u.result.file.size !== size) throw new Error(`the server stored ${u.result.file.size} bytes of ${size}`);
    await server.stop();
    server = undefined;

    const opensslRuns: number[] = [];
    const sumRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      opensslRuns.push(await timeCommand('openssl', ['dgst', '-sha256', file]));
      sumRuns.push(await timeCommand('sha256sum', [file]));
    }
    const up = ups.toSorted((a, b) => a.ms - b.ms)[Math.floor(runs / 2)] ?? ups[0]!;
    const openssl = median(opensslRuns);
    const sha256sum = median(sumRuns);
    process.stdout.write(
      `runs: ${runs} of each (BENCH_UPLOAD_RUNS); medians below; relman runs: ${ups.map((u) => fmt(u.ms / 1000, 2)).join(', ')} s\n`,
    );

    const relman = mbps(size, up.ms);
    const rows: [string, number][] = [
      ['relman PUT …/packages/web/files/bench.zip', up.ms],
      ['openssl dgst -sha256', openssl],
      ['sha256sum', sha256sum],
    ];
    process.stdout.write(
      `\nUpload over HTTP (loopback) into the store: streamed, SHA-256, written, fsynced, renamed (a repeat run's duplicate is dropped instead), then the ZIP's central directory read and the version recorded.\n` +
        `The file is a stored ZIP: its check reads only the central directory, so the figure is transfer + hash + write + fsync (a Caché export would add its XML reading; see the manifest benchmark).\n` +
        `Client (node:http, the file piped in 4 MiB reads) and server (node bin/relman.js serve, SQLite) share ${os.availableParallelism()} CPUs.\n\n`,
    );
    printTable(
      ['target', 'seconds', 'MB/s', 'ratio relman/it'],
      rows.map(([name, ms]) => [
        name,
        fmt(ms / 1000, 2),
        fmt(mbps(size, ms), 1),
        name.startsWith('relman') ? '-' : `${(relman / mbps(size, ms)).toFixed(2)}×`,
      ]),
    );
    const vsOpenssl = relman / mbps(size, openssl);
    const vsSum = relman / mbps(size, sha256sum);
    const growth = rssPeak - rssBefore;
    process.stdout.write(
      `\nall bytes handed to the socket after ${fmt(up.sentMs / 1000, 2)} s (${fmt(mbps(size, up.sentMs), 1)} MB/s); the answer came ${fmt((up.ms - up.sentMs) / 1000, 2)} s later (fsync, rename, central directory, record)\n` +
        `relman / openssl:   ${vsOpenssl.toFixed(2)}× (goal ≥ 0.50×) — ${goal(vsOpenssl >= 0.5)}\n` +
        `relman / sha256sum: ${vsSum.toFixed(2)}× (goal > 1×) — ${goal(vsSum > 1)}\n` +
        `server peak RSS growth during the upload: ${fmt(growth / MiB, 1)} MiB (from ${fmt(rssBefore / MiB, 1)} to ${fmt(rssPeak / MiB, 1)} MiB; goal < 64 MiB whatever the file size) — ${goal(growth < 64 * MiB)}\n`,
    );
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
