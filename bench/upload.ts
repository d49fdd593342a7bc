import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import yazl from 'yazl';
import { generateCacheExport } from '../src/integrations/xml/generate-export.js';
import { ADMIN_PASSWORD, fmt, printTable } from './common.js';
import { goal, mbps, MiB, rssOf, sampleRss, startServerProcess, timeCommand, type ServerProcess } from './server-process.js';

/** Entries of at most 64 MiB, each the same random MiB repeated: bytes no compressor or dedup shortcut helps with. */
const ENTRY = 64 * MiB;
const CLIENT = fileURLToPath(new URL('./upload-client.ts', import.meta.url));

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

type Client = 'curl' | 'node';
type Put = { ms: number; sentMs: number | null; result: Uploaded };

/**
 * The client that uploads: curl by default (where installed), the plainest
 * and cheapest HTTP client, so that on a machine whose CPUs the client and the
 * server share the figure is the server's; BENCH_UPLOAD_CLIENT=node uses a
 * node:http client instead (bench/upload-client.ts), which costs about twice
 * the CPU of curl for the same bytes.
 */
function chooseClient(): Client {
  const wanted = process.env.BENCH_UPLOAD_CLIENT;
  if (wanted === 'node' || wanted === 'curl') return wanted;
  if (wanted) throw new Error(`BENCH_UPLOAD_CLIENT must be curl or node, not "${wanted}"`);
  return spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0 ? 'curl' : 'node';
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 1024 * 1024 }, (err, stdout) =>
      err ? reject(new Error(`the upload client failed: ${err.message}`)) : resolve(stdout),
    ),
  );
}

/** Method code per generated class, as in the manifest benchmark. */
const EXPORT_BODY_BYTES = 20_000;

/** A generated Caché/IRIS export of about `bytes` (the manifest benchmark's generator): its check reads all of it. */
async function writeExport(file: string, bytes: number): Promise<number> {
  const write = (classes: number, to: string) =>
    pipeline(Readable.from(generateCacheExport({ classes, bodyBytes: EXPORT_BODY_BYTES, seed: 14 })), createWriteStream(to));
  const sample = `${file}.sample`;
  await write(50, sample);
  const perClass = statSync(sample).size / 50;
  rmSync(sample);
  await write(Math.max(1, Math.round(bytes / perClass)), file);
  return statSync(file).size;
}

async function put(
  client: Client,
  server: ServerProcess,
  token: string,
  release: string,
  file: string,
  name: string,
  channel = 'web',
): Promise<Put> {
  const url = `${server.url}/api/v1/releases/${release}/packages/${channel}/files/${name}`;
  let status: number;
  let text: string;
  let ms: number;
  let sentMs: number | null = null;
  if (client === 'curl') {
    // Timed by curl itself, from before connecting to the end of the answer; no "Expect: 100-continue" round trip.
    const out = await run('curl', [
      '-sS',
      '-X',
      'PUT',
      '-H',
      `authorization: Bearer ${token}`,
      '-H',
      'content-type: application/octet-stream',
      '-H',
      'expect:',
      '--upload-file',
      file,
      '-w',
      '\n%{http_code} %{time_total}',
      url,
    ]);
    const cut = out.lastIndexOf('\n');
    const [code, total] = out.slice(cut + 1).split(' ');
    [status, text, ms] = [Number(code), out.slice(0, cut), Number(total) * 1000];
  } else {
    const out = await run(process.execPath, ['--import', 'tsx', CLIENT, url, token, file]);
    ({ status, text, ms, sentMs } = JSON.parse(out) as { status: number; text: string; ms: number; sentMs: number });
  }
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

async function createRelease(server: ServerProcess, token: string, channel = 'web'): Promise<string> {
  const created = await fetch(`${server.url}/api/v1/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'scheduled', plannedDate: '2026-12-05', channels: [channel], title: 'Upload bench' }),
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
  const zipMb = Number(process.env.BENCH_UPLOAD_MB ?? 1024);
  const exportMb = Number(process.env.BENCH_UPLOAD_EXPORT_MB ?? 100);
  const runs = Math.max(1, Number(process.env.BENCH_UPLOAD_RUNS ?? 5));
  if (zipMb > 0) await benchZipUpload(zipMb, runs);
  if (exportMb > 0) await benchExportUpload(exportMb, runs);
}

/**
 * A generated Caché/IRIS export uploaded over HTTP into the store: streamed,
 * SHA-256, written, fsynced, its manifest read (every element's canonical
 * hash), recorded; against `openssl dgst -sha256` of the same file.
 */
async function benchExportUpload(wantedMb: number, runs: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-bench-upload-export-'));
  const servers: ServerProcess[] = [];
  try {
    const file = path.join(dir, 'bench.xml');
    const tGen = performance.now();
    const size = await writeExport(file, wantedMb * MiB);
    process.stdout.write(
      `\nfile: ${file}, ${fmt(size)} bytes (${fmt(size / MiB, 1)} MiB), a generated Caché export written in ${fmt((performance.now() - tGen) / 1000, 1)} s\n`,
    );
    const warm = path.join(dir, 'warmup.xml');
    await writeExport(warm, 4 * MiB);
    await flush(file);
    // The same uploads to two servers, in turn: as configured (the manifest read while the bytes arrive), and with
    // RELMAN_UPLOAD_STREAM_MANIFEST=0 (the stored file read for it afterwards), so the two are measured alike.
    const streamed = await startServerProcess(path.join(dir, 'data'), ADMIN_PASSWORD);
    servers.push(streamed);
    const after = await startServerProcess(path.join(dir, 'data-after'), ADMIN_PASSWORD, { RELMAN_UPLOAD_STREAM_MANIFEST: '0' });
    servers.push(after);
    const client = chooseClient();
    const targets = await Promise.all(
      [streamed, after].map(async (server) => {
        const token = (await server.cli(['token', 'create', '--user', 'admin'])).trim();
        const send = async (f: string, n: string) =>
          put(client, server, token, await createRelease(server, token, 'database'), f, n, 'database');
        // Warm-up uploads, so the JIT has compiled the reader before the timed runs (a server reads many exports).
        for (let i = 0; i < 3; i++) await send(warm, 'warmup.xml');
        return { server, send, ups: [] as Put[] };
      }),
    );
    const rssBefore = rssOf(streamed.pid);
    const sampler = sampleRss(streamed.pid);
    for (let i = 0; i < runs; i++) {
      for (const t of targets) {
        await new Promise((r) => setTimeout(r, 1000)); // the previous run's replaced copy is freed in the background
        t.ups.push(await t.send(file, 'bench.xml'));
      }
    }
    const rssPeak = sampler.stop();
    for (const t of targets) {
      for (const u of t.ups) if (u.result.file.size !== size) throw new Error(`the server stored ${u.result.file.size} bytes of ${size}`);
    }
    for (const s of servers.splice(0)) await s.stop();
    const opensslRuns: number[] = [];
    for (let i = 0; i < runs; i++) opensslRuns.push(await timeCommand('openssl', ['dgst', '-sha256', file]));
    const openssl = median(opensslRuns);
    const [mid, midAfter] = targets.map((t) => t.ups.toSorted((a, b) => a.ms - b.ms)[Math.floor(runs / 2)] ?? t.ups[0]!);
    const relman = mbps(size, mid!.ms);
    const relmanAfter = mbps(size, midAfter!.ms);
    process.stdout.write(
      `runs: ${runs} of each (BENCH_UPLOAD_RUNS); medians below; relman runs: ${targets[0]!.ups.map((u) => fmt(u.ms / 1000, 2)).join(', ')} s; ` +
        `with the manifest read afterwards: ${targets[1]!.ups.map((u) => fmt(u.ms / 1000, 2)).join(', ')} s\n` +
        `\nCaché export upload over HTTP (loopback): streamed, SHA-256, written, fsynced, its manifest read (every element's canonical hash) and the version recorded.\n` +
        `Client: ${client === 'curl' ? 'curl --upload-file' : 'node:http'} (BENCH_UPLOAD_CLIENT); size: BENCH_UPLOAD_EXPORT_MB (0 skips this part).\n\n`,
    );
    const vs = (mbs: number) => `${(mbs / mbps(size, openssl)).toFixed(2)}×`;
    printTable(
      ['target', 'seconds', 'MB/s', 'ratio to openssl'],
      [
        ['relman PUT …/database/files/bench.xml', fmt(mid!.ms / 1000, 2), fmt(relman, 1), vs(relman)],
        ['  the same, RELMAN_UPLOAD_STREAM_MANIFEST=0', fmt(midAfter!.ms / 1000, 2), fmt(relmanAfter, 1), vs(relmanAfter)],
        ['openssl dgst -sha256', fmt(openssl / 1000, 2), fmt(mbps(size, openssl), 1), '1.00×'],
      ],
    );
    const ratio = relman / mbps(size, openssl);
    const growth = rssPeak - rssBefore;
    process.stdout.write(
      `\nexport upload / openssl: ${ratio.toFixed(2)}× (goal ≥ 0.25×) — ${goal(ratio >= 0.25)}; ` +
        `${(relman / relmanAfter).toFixed(2)}× the speed of reading the stored file afterwards\n` +
        `server peak RSS growth during the upload: ${fmt(growth / MiB, 1)} MiB (goal < 64 MiB whatever the file size) — ${goal(growth < 64 * MiB)}\n`,
    );
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stored ZIP uploaded over HTTP into the store, against hashing the same file with `openssl dgst -sha256` and `sha256sum`. */
async function benchZipUpload(wantedMb: number, runs: number): Promise<void> {
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
    const client = chooseClient();
    await put(client, server, token, await release(), warm, 'warmup.zip');
    const rssBefore = rssOf(server.pid);
    const sampler = sampleRss(server.pid);
    const ups: Put[] = [];
    // Each run goes to a new release: the same bytes, so the store keeps one copy (the last step is an unlink instead of a rename).
    for (let i = 0; i < runs; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000)); // the previous run's replaced copy is freed in the background
      ups.push(await put(client, server, token, await release(), file, 'bench.zip'));
    }
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
        `Client (${client === 'curl' ? 'curl --upload-file' : 'node:http, the file piped in 4 MiB reads'}, in a process of its own, timed from before it connects to the end of the answer; BENCH_UPLOAD_CLIENT=curl|node) and server (node bin/relman.js serve, SQLite) share ${os.availableParallelism()} CPUs.\n\n`,
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
      (up.sentMs === null
        ? '\n'
        : `\nall bytes handed to the socket after ${fmt(up.sentMs / 1000, 2)} s (${fmt(mbps(size, up.sentMs), 1)} MB/s); the answer came ${fmt((up.ms - up.sentMs) / 1000, 2)} s later (fsync, rename, central directory, record)\n`) +
        `relman / openssl:   ${vsOpenssl.toFixed(2)}× (goal ≥ 0.50×) — ${goal(vsOpenssl >= 0.5)}\n` +
        `relman / sha256sum: ${vsSum.toFixed(2)}× (goal > 1×) — ${goal(vsSum > 1)}\n` +
        `server peak RSS growth during the upload: ${fmt(growth / MiB, 1)} MiB (from ${fmt(rssBefore / MiB, 1)} to ${fmt(rssPeak / MiB, 1)} MiB; goal < 64 MiB whatever the file size) — ${goal(growth < 64 * MiB)}\n`,
    );
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
