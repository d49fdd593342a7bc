/**
 * A server killed with SIGKILL in the middle of an upload: nothing may be
 * recorded, the audit chain stays intact, no half file becomes an artifact,
 * and the next start sweeps the leftover away. Runs the built server
 * (`npm run build` first).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { runCli, startServer, type CliResult, type RunningServer } from '../support/cli-process.js';
import { dialects, scratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { blobPath, storeFiles, streamUpload, uploadUrl, writeZip, type StreamedUpload } from '../support/packages.js';

const ADMIN_PASSWORD = 'admin-password-for-crash-tests';
const MiB = 1024 * 1024;
const ENTRY = 8 * MiB;
const ENTRIES = 24;

let work: string;
let bigZip: string;
let bigSize: number;
let bigSha: string;

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'relman-crash-'));
  bigZip = path.join(work, 'cms-web.war');
  // ~192 MiB stored (not deflated), incompressible: a large but honest WAR.
  const data = randomBytes(ENTRY);
  await writeZip(bigZip, [
    { name: 'WEB-INF/web.xml', data: '<web-app version="3.1"/>\n' },
    ...Array.from({ length: ENTRIES }, (_, i) => ({ name: `WEB-INF/lib/blob-${i}.jar`, data, compress: false })),
  ]);
  bigSize = statSync(bigZip).size;
  bigSha = await hashFile(bigZip);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Streams the file's bytes from `from` up to `to` through the upload, in the read stream's chunks. */
async function sendRange(up: StreamedUpload, from: number, to: number): Promise<void> {
  for await (const chunk of createReadStream(bigZip, { start: from, end: to - 1, highWaterMark: 256 * 1024 }))
    await up.send(chunk as Buffer);
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(dialects)('kill -9 during an upload ($name)', ({ name: dialect }) => {
  let scratch: ScratchDatabase;
  let server: RunningServer | undefined;
  let token: string;
  let release: string;
  let artifacts: string;
  const tmpDir = () => path.join(artifacts, 'tmp');
  const uploadPath = () => uploadUrl(release, 'web', 'cms-web.war');

  const start = async () => {
    server = await startServer({ dataDir: scratch.dataDir, databaseUrl: scratch.url, adminPassword: ADMIN_PASSWORD });
    return server;
  };

  beforeAll(async () => {
    scratch = await scratchDatabase(dialect);
    artifacts = path.join(scratch.dataDir, 'artifacts');
    const s = await start();
    ok(await runCli(['user', 'add', 'web-wes', '--role', 'web-lead', '--role', 'technical-lead', '--no-password'], s.localEnv));
    token = ok(await runCli(['token', 'create', '--user', 'web-wes'], s.localEnv)).trim();
    const res = await fetch(`${s.url}/api/v1/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'scheduled', plannedDate: '2030-02-02', channels: ['web'] }),
    });
    expect(res.status).toBe(201);
    release = ((await res.json()) as { name: string }).name;
  });
  afterAll(async () => {
    await server?.stop();
    await scratch?.drop();
  });

  it('records nothing for an upload cut off by SIGKILL, and the next start sweeps its leftover', { timeout: 180_000 }, async () => {
    const first = server!;
    expect(bigSize).toBeGreaterThan(ENTRIES * ENTRY);
    const up = streamUpload(first.url, uploadPath(), token);
    const half = Math.floor(bigSize / 2);
    await sendRange(up, 0, half);
    // The server is writing the bytes into a temporary file: kill it mid-write.
    const part = await waitFor('the temporary upload file', () => {
      const names = existsSync(tmpDir()) ? readdirSync(tmpDir()).filter((n) => n.endsWith('.part')) : [];
      return names.length === 1 && statSync(path.join(tmpDir(), names[0]!)).size >= MiB ? names[0] : undefined;
    });
    process.kill(first.pid, 'SIGKILL');
    await first.exited();
    const outcome = await up.outcome;
    expect('error' in outcome, JSON.stringify(outcome)).toBe(true);

    // Nothing recorded, the audit chain whole.
    const db = openDatabase(scratch.target);
    try {
      const k = db.kysely;
      expect(await k.selectFrom('release_packages').select('id').execute()).toEqual([]);
      expect(await k.selectFrom('audit_events').select('seq').where('action', 'like', 'package.%').execute()).toEqual([]);
    } finally {
      await db.close();
    }
    expect(ok(await runCli(['audit', 'verify'], first.localEnv))).toMatch(/^OK: \d+ events, chain head [0-9a-f]{64}\n$/);
    // No artifact; at most the partial file, shorter than the upload.
    const left = storeFiles(artifacts);
    expect(left.sha256).toEqual([]);
    expect(left.tmp).toEqual([part]);
    expect(statSync(path.join(tmpDir(), part)).size).toBeLessThan(bigSize);

    // Restart on the same data dir: the leftover is removed before the server listens.
    const second = await start();
    expect(second.log()).toContain('removed 1 unfinished upload(s)');
    expect(readdirSync(tmpDir())).toEqual([]);

    // The same file uploads cleanly as version 1.
    const again = streamUpload(second.url, uploadPath(), token);
    await sendRange(again, 0, bigSize);
    again.end();
    const done = await again.outcome;
    if ('error' in done) throw done.error;
    expect(done.status, done.body).toBe(201);
    expect(JSON.parse(done.body)).toMatchObject({
      channel: 'web',
      version: 1,
      reused: false,
      file: { kind: 'war', size: bigSize, sha256: bigSha },
    });
    expect(storeFiles(artifacts)).toEqual({ sha256: [blobPath(bigSha)], tmp: [] });
    expect(await hashFile(path.join(artifacts, 'sha256', blobPath(bigSha)))).toBe(bigSha);
    expect(ok(await runCli(['audit', 'verify'], second.localEnv))).toMatch(/^OK: /);
  });
});
