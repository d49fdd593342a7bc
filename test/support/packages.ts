/**
 * Package files in tests: fixtures, archives built with yazl (and by hand
 * where yazl refuses to write something hostile), an app with a store the
 * test can look into, uploads in one piece or streamed, and what the
 * database and the store hold afterwards.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import yazl from 'yazl';
import { buildApp } from '../../src/http/app.js';
import { FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { ROOT } from './cli-process.js';
import type { Call } from './http.js';

export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'packages');
export const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));
export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

export const OCTET = { 'content-type': 'application/octet-stream' };
export const MTIME = new Date('2030-01-10T09:00:00Z');

/** A Caché element or web file as work items declare it and manifests list it. */
export type El = { type: string; name: string };
export const el = (type: string, name: string): El => ({ type, name });
export const keysOf = (elements: El[]): string[] => elements.map((e) => `${e.type}:${e.name}`);

// ---------------------------------------------------------------- archives

export type ZipSpec = { name: string; data?: Buffer | string; dir?: boolean; compress?: boolean };

function zipFile(files: ZipSpec[]): yazl.ZipFile {
  const zip = new yazl.ZipFile();
  for (const f of files) {
    if (f.dir) zip.addEmptyDirectory(f.name, { mtime: MTIME });
    else zip.addBuffer(Buffer.from(f.data ?? ''), f.name, { mtime: MTIME, compress: f.compress ?? true });
  }
  zip.end();
  return zip;
}

/** An archive as a packaging tool writes it. */
export async function buildZip(files: ZipSpec[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zipFile(files).outputStream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The same, streamed to a file (for archives too big to build in memory comfortably). */
export async function writeZip(file: string, files: ZipSpec[]): Promise<void> {
  await pipeline(zipFile(files).outputStream, createWriteStream(file));
}

/** One stored entry under any name, the bytes laid out by hand: yazl refuses to write `../` names. */
export function rawZip(name: string, data: Buffer): Buffer {
  const n = Buffer.from(name, 'utf8');
  const crc = zlib.crc32(data) >>> 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x800, 6);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x800, 8);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const cdOffset = local.length + n.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}

/** The static ZIP of the web channel (P6). */
export function staticZip(appJs = 'window.cms = { version: 1 };\n'): Promise<Buffer> {
  return buildZip([
    { name: 'static/', dir: true },
    { name: 'static/index.html', data: '<!doctype html><title>CMS Net</title><script src="js/app.js"></script>\n' },
    { name: 'static/css/site.css', data: 'body { font-family: sans-serif; }\n'.repeat(20) },
    { name: 'static/js/app.js', data: appJs },
    { name: 'static/img/logo.png', data: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), compress: false },
  ]);
}

const WEB_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">\n' +
  '  <servlet><servlet-name>claims</servlet-name><servlet-class>gov.cms.ClaimServlet</servlet-class></servlet>\n</web-app>\n';

/** The dynamic WAR of the web channel; v2 changes the servlet, adds a jar and drops the JSP. */
export function war(version: 1 | 2): Promise<Buffer> {
  const files: ZipSpec[] = [
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\nCreated-By: Apache Maven\r\n' },
    { name: 'WEB-INF/web.xml', data: WEB_XML },
    { name: 'WEB-INF/lib/cms-core.jar', data: Buffer.from(`PK fake jar cms-core ${'x'.repeat(300)}`), compress: false },
    { name: 'WEB-INF/lib/commons-lang3-3.14.0.jar', data: Buffer.from(`PK fake jar commons ${'y'.repeat(300)}`), compress: false },
    { name: 'WEB-INF/classes/gov/cms/ClaimServlet.class', data: Buffer.from(`cafebabe servlet v${version}`) },
  ];
  if (version === 1) files.push({ name: 'index.jsp', data: '<%@ page contentType="text/html" %><h1>CMS Net</h1>\n' });
  else
    files.push({
      name: 'WEB-INF/lib/jackson-databind-2.17.jar',
      data: Buffer.from(`PK fake jar jackson ${'z'.repeat(300)}`),
      compress: false,
    });
  return buildZip(files);
}

// ---------------------------------------------------------------- app and store

export type PackagesApp = { app: FastifyInstance; store: FileArtifactStore; root: string; close(): Promise<void> };

/** The real app with a store of its own, every response checked against its schema. */
export async function packagesApp(deps: ServiceDeps, opts: { maxUploadBytes?: number } = {}): Promise<PackagesApp> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'relman-artifacts-test-'));
  const store = new FileArtifactStore(root);
  const app = await buildApp({ deps, logLevel: 'silent', validateResponses: true, artifacts: store, maxUploadBytes: opts.maxUploadBytes });
  return {
    app,
    store,
    root,
    async close() {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Every file in an artifact store, as paths relative to `sha256/` and `tmp/`. */
export function storeFiles(root: string): { sha256: string[]; tmp: string[] } {
  return { sha256: filesUnder(path.join(root, 'sha256')), tmp: filesUnder(path.join(root, 'tmp')) };
}

/**
 * The store's files once the frees it runs in the background are done: when an
 * upload's bytes were already stored, the replaced copy keeps a second name in
 * `tmp/` until it is removed, just after the answer. Waits at most `waitMs`.
 */
export async function settledStoreFiles(root: string, waitMs = 5000): Promise<{ sha256: string[]; tmp: string[] }> {
  const until = Date.now() + waitMs;
  let files = storeFiles(root);
  while (files.tmp.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    files = storeFiles(root);
  }
  return files;
}

/** Where the store keeps a blob, relative to `sha256/`. */
export const blobPath = (sha: string): string => path.join(sha.slice(0, 2), sha.slice(2, 4), sha);

export const packagesUrl = (release: string, rest = ''): string => `/api/v1/releases/${release}/packages${rest}`;

/** Where a package file is uploaded to (PUT, raw bytes). */
export const uploadUrl = (release: string, channel: string, fileName: string): string =>
  packagesUrl(release, `/${channel}/files/${fileName}`);

/** PUT of raw bytes, as a client uploads a package file. */
export function upload(call: Call, release: string, channel: string, fileName: string, bytes: Buffer): Promise<LightMyRequestResponse> {
  return call('PUT', uploadUrl(release, channel, fileName), bytes, OCTET);
}

// ---------------------------------------------------------------- what was recorded

/** Package versions that carry a file (label-only versions are left out). */
export async function fileVersions(
  deps: ServiceDeps,
): Promise<{ channel: string; version: number; sha256: string; kind: string | null }[]> {
  const rows = await deps.database.kysely
    .selectFrom('release_packages')
    .select(['channel', 'version', 'sha256', 'kind'])
    .where('sha256', 'is not', null)
    .orderBy('created_at')
    .orderBy('version')
    .execute();
  return rows.map((r) => ({ channel: r.channel, version: r.version, sha256: r.sha256 ?? '', kind: r.kind }));
}

export async function uploadEvents(deps: ServiceDeps): Promise<{ seq: number; after: any }[]> {
  const rows = await deps.database.kysely
    .selectFrom('audit_events')
    .select(['seq', 'after_json'])
    .where('action', '=', 'package.upload')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), after: r.after_json === null ? null : JSON.parse(r.after_json) }));
}

// ---------------------------------------------------------------- streamed uploads over a socket

export type StreamedUpload = {
  /** Writes one chunk, waiting for the socket to drain. */
  send(chunk: Buffer): Promise<void>;
  end(): void;
  /** The answer, or the error the request failed with (the server died). */
  outcome: Promise<{ status: number; body: string } | { error: Error }>;
};

/** A PUT with a chunked body the test writes piece by piece, through a real socket (closed after the answer). */
export function streamUpload(base: string, urlPath: string, token: string): StreamedUpload {
  const req = http.request(new URL(urlPath, base), {
    method: 'PUT',
    headers: { ...OCTET, authorization: `Bearer ${token}` },
    agent: false,
  });
  const outcome = new Promise<{ status: number; body: string } | { error: Error }>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error }));
    });
    req.on('error', (error) => resolve({ error }));
  });
  return {
    send: (chunk) =>
      new Promise((resolve, reject) => {
        if (req.destroyed) return reject(new Error('the request is closed'));
        if (req.write(chunk)) return resolve();
        const done = () => {
          req.off('close', done);
          req.off('drain', done);
          if (req.destroyed) reject(new Error('the request is closed'));
          else resolve();
        };
        req.once('drain', done);
        req.once('close', done);
      }),
    end: () => req.end(),
    outcome,
  };
}

/**
 * A GET through a real socket that is closed after the answer (no keep-alive),
 * so closing the server never waits for an idle connection to time out.
 */
export function httpGet(
  base: string,
  urlPath: string,
  token: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(urlPath, base), { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Streams a buffer in small chunks, yielding to the event loop between them. */
export async function streamAll(up: StreamedUpload, bytes: Buffer, chunkSize = 997): Promise<void> {
  for (let off = 0; off < bytes.length; off += chunkSize) {
    await up.send(bytes.subarray(off, off + chunkSize));
    await new Promise((r) => setImmediate(r));
  }
  up.end();
}

/** A body that never ends unless told: shows whether a refusal comes before the bytes are read. */
export function endlessBody(first: Buffer): { stream: Readable; pulled(): number; stop(): void } {
  let pulled = 0;
  let stopped = false;
  const stream = new Readable({
    read() {
      if (stopped) return void this.push(null);
      if (pulled === 0) {
        pulled += first.length;
        this.push(first);
      }
    },
  });
  return { stream, pulled: () => pulled, stop: () => ((stopped = true), stream.push(null)) };
}
