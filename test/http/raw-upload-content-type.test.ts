import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson } from '../support/http.js';
import { head, portOf, rawConnect } from '../support/raw-http.js';

const V = '/api/v1';
/** 600 MB announced: reading it as JSON would take the process down. */
const HUGE = 600 * 1024 * 1024;

describe.each(dialects)('raw upload routes take only application/octet-stream ($name)', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let root: string;
  let viewer: string;
  let developer: string;
  let release: string;
  let task: string;

  beforeAll(async () => {
    h = await harness(name);
    root = mkdtempSync(path.join(os.tmpdir(), 'relman-raw-upload-'));
    app = await buildApp({ deps: h.deps, logLevel: 'silent', artifacts: new FileArtifactStore(root) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    viewer = (await userWith(h.deps, ['viewer'], 'raw-viewer')).token;
    developer = (await userWith(h.deps, ['developer'], 'raw-dev')).token;
    const dev = caller(app, developer);
    release = expectJson(await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] }), 201)
      .name as string;
    task = (expectJson(await dev('GET', `${V}/releases/${release}/checklist`), 200).tasks as { task: string }[])[0]!.task;
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const routes = () => [
    `${V}/releases/${release}/packages/web/files/site.zip`,
    `${V}/releases/${release}/checklist/${task}/evidence/proof.png`,
  ];

  it('answers a huge JSON body 415 from its headers alone, before a byte of it is sent, and closes the connection', async () => {
    for (const url of routes()) {
      for (const token of [viewer, developer]) {
        const c = rawConnect(
          portOf(app),
          head(`PUT ${url} HTTP/1.1`, {
            host: 'relman.test',
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': HUGE,
          }),
        );
        // Not one byte of the body has been written: the answer can only come from the headers.
        const a = await c.answer;
        expect(a.status, url).toBe(415);
        expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(a.headers.connection).toBe('close');
        const p = JSON.parse(a.body) as { type: string; detail: string; accept: string };
        expect(p.type).toBe('urn:relman:problem:unsupported-media-type');
        expect(p.accept).toBe('application/octet-stream');
        expect(p.detail).toContain('application/octet-stream');
        // The server does not read on: the connection is closed, whatever the client still sends.
        await c.closed;
        expect(await c.write(Buffer.alloc(64 * 1024, 0x20))).toBe(false);
      }
    }
  });

  it('refuses every other type, chunked or without a type, the same way', async () => {
    const variants: Record<string, string | number>[] = [
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      { 'content-type': 'text/plain', 'content-length': HUGE },
      { 'content-type': 'multipart/form-data; boundary=x', 'content-length': HUGE },
      { 'content-length': HUGE },
    ];
    for (const headers of variants) {
      const c = rawConnect(
        portOf(app),
        head(`PUT ${routes()[0]!} HTTP/1.1`, { host: 'relman.test', authorization: `Bearer ${developer}`, ...headers }),
      );
      expect((await c.answer).status, JSON.stringify(headers)).toBe(415);
      await c.closed;
    }
  });

  it('keeps the normal 1 MiB limit for JSON on the upload routes: a larger one is refused without being read', async () => {
    // Even with the right type, JSON is never parsed there; and a JSON route keeps its limit.
    const c = rawConnect(
      portOf(app),
      head(`POST ${V}/releases HTTP/1.1`, {
        host: 'relman.test',
        authorization: `Bearer ${developer}`,
        'content-type': 'application/json',
        'content-length': HUGE,
      }),
    );
    const a = await c.answer;
    expect(a.status).toBe(413);
    expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
    await c.closed;
  });
});
