import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson } from '../support/http.js';
import { buildZip } from '../support/packages.js';
import { head, portOf, rawConnect, type RawAnswer } from '../support/raw-http.js';

const V = '/api/v1';
const TIMEOUTS = { headersMs: 400, bodyMs: 300, uploadStallMs: 1000, idleMs: 300 };

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectTimedOut(a: RawAnswer): { type: string; detail: string } {
  expect(a.status, a.body).toBe(408);
  expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(a.headers.connection).toBe('close');
  const p = JSON.parse(a.body) as { type: string; detail: string };
  expect(p.type).toBe('urn:relman:problem:request-timeout');
  return p;
}

describe.each(dialects)('request timeouts over a real socket ($name)', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let root: string;
  let developer: string;
  let release: string;
  const staging = () => readdirSync(path.join(root, 'tmp'));

  beforeAll(async () => {
    h = await harness(name);
    root = mkdtempSync(path.join(os.tmpdir(), 'relman-timeouts-'));
    app = await buildApp({ deps: h.deps, logLevel: 'silent', artifacts: new FileArtifactStore(root), timeouts: TIMEOUTS });
    await app.listen({ host: '127.0.0.1', port: 0 });
    developer = (await userWith(h.deps, ['developer'], 'timeout-dev')).token;
    release = expectJson(
      await caller(app, developer)('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] }),
      201,
    ).name as string;
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers a sign-in that sends 6 of its 100 bytes with 408 and closes its connection', async () => {
    const c = rawConnect(
      portOf(app),
      head('POST /api/v1/session HTTP/1.1', { host: 'relman.test', 'content-type': 'application/json', 'content-length': 100 }) + '{"user',
    );
    expect(expectTimedOut(await c.answer).detail).toContain(`${TIMEOUTS.bodyMs} ms`);
    await c.closed;
  });

  it('keeps running when the time of a body it refused unread runs out (413 before a byte was read)', async () => {
    const c = rawConnect(
      portOf(app),
      head('POST /api/v1/session HTTP/1.1', { host: 'relman.test', 'content-type': 'application/json', 'content-length': 50_000_000 }),
    );
    expect((await c.answer).status).toBe(413);
    // The body's timer fires while nobody reads it; that must end neither the process nor later requests.
    const uncaught: unknown[] = [];
    const note = (e: unknown) => void uncaught.push(e);
    process.on('uncaughtException', note);
    await pause(TIMEOUTS.bodyMs * 3);
    process.off('uncaughtException', note);
    expect(uncaught).toEqual([]);
    const later = rawConnect(portOf(app), head('GET /healthz HTTP/1.1', { host: 'relman.test', connection: 'close' }));
    expect((await later.answer).status).toBe(200);
    c.destroy();
  });

  it('answers headers that never end with a 408 problem and closes the connection; a silent connection is closed too', async () => {
    const partial = rawConnect(portOf(app), 'GET /api/v1/releases HTTP/1.1\r\nHost: relman.test\r\n');
    expectTimedOut(await partial.answer);
    await partial.closed;
    const silent = rawConnect(portOf(app));
    await silent.closed;
  });

  it('closes an idle keep-alive connection after its answer', async () => {
    const c = rawConnect(portOf(app), head('GET /healthz HTTP/1.1', { host: 'relman.test' }));
    const a = await c.answer;
    expect(a.status).toBe(200);
    expect(a.headers.connection).toBe('keep-alive');
    await c.closed;
  });

  it('cuts off a stalled upload with 408 and removes its staging file', async () => {
    const c = rawConnect(
      portOf(app),
      head(`PUT ${V}/releases/${release}/packages/web/files/site.zip HTTP/1.1`, {
        host: 'relman.test',
        authorization: `Bearer ${developer}`,
        'content-type': 'application/octet-stream',
        'content-length': 4 * 1024 * 1024,
      }),
    );
    await c.write(randomBytes(64 * 1024));
    // The upload is being staged …
    let seen: string[] = [];
    while (seen.length === 0) {
      seen = (() => {
        try {
          return staging();
        } catch {
          return [];
        }
      })();
      await pause(5);
    }
    // … and then no byte comes any more.
    expect(expectTimedOut(await c.answer).detail).toContain('upload stopped');
    await c.closed;
    expect(staging()).toEqual([]);
    expect(expectJson(await caller(app, developer)('GET', `${V}/releases/${release}/packages`), 200).items).toEqual([]);
  });

  it('lets an upload that keeps moving take longer than an ordinary request may', async () => {
    const zip = await buildZip([{ name: 'static/blob.bin', data: randomBytes(192 * 1024), compress: false }]);
    const c = rawConnect(
      portOf(app),
      head(`PUT ${V}/releases/${release}/packages/web/files/slow.zip HTTP/1.1`, {
        host: 'relman.test',
        authorization: `Bearer ${developer}`,
        'content-type': 'application/octet-stream',
        'content-length': zip.length,
        connection: 'close',
      }),
    );
    // Well past the body timeout of an ordinary request in all, but never a stall.
    const pieces = 24;
    const size = Math.ceil(zip.length / pieces);
    for (let off = 0; off < zip.length; off += size) {
      await pause(TIMEOUTS.bodyMs / 6);
      expect(await c.write(zip.subarray(off, off + size))).toBe(true);
    }
    const a = await c.answer;
    expect(a.status, a.body).toBe(201);
    expect(staging()).toEqual([]);
  });
});
