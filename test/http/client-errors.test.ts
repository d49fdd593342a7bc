import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, httpApp, type Harness } from '../support/harness.js';
import { head, portOf, rawConnect, rawExchange, type RawAnswer } from '../support/raw-http.js';

type Problem = { type: string; title: string; status: number; detail: string; requestId: string };

function expectRawProblem(a: RawAnswer, status: number, code: string): Problem {
  expect(a.status, a.body).toBe(status);
  expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = JSON.parse(a.body) as Problem;
  expect(p).toMatchObject({ type: `urn:relman:problem:${code}`, status, title: expect.any(String), detail: expect.any(String) });
  expect(p.requestId).toBe(a.headers['x-request-id']);
  expect(a.headers['x-content-type-options']).toBe('nosniff');
  return p;
}

describe('requests Node cannot parse are answered as problems', () => {
  let h: Harness;
  let app: FastifyInstance;
  beforeAll(async () => {
    h = await harness('sqlite');
    app = await httpApp(h.deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const malformed: [string, string, RegExp][] = [
    [
      'conflicting Content-Length headers',
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef',
      /Content-Length/,
    ],
    [
      'Content-Length and Transfer-Encoding together',
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      /Content-Length|Transfer-Encoding/,
    ],
    [
      'a bad chunk size',
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n',
      /chunk/,
    ],
    ['an unknown method', 'FOO /api/v1/releases HTTP/1.1\r\nHost: x\r\n\r\n', /method/],
    ['a NUL byte in the path', 'GET /api/v1/rel\u0000eases HTTP/1.1\r\nHost: x\r\n\r\n', /URL|HTTP/],
    ['a space in the path', 'GET /api/v1/re leases HTTP/1.1\r\nHost: x\r\n\r\n', /HTTP|URL/],
  ];

  it.each(malformed)('%s: 400 problem+json, and the connection is closed', async (_what, request, detail) => {
    const c = rawConnect(portOf(app), request);
    const a = await c.answer;
    expect(expectRawProblem(a, 400, 'bad-request').detail).toMatch(detail);
    expect(a.headers.connection).toBe('close');
    await c.closed;
  });

  it('answers a malformed request after a good one on the same connection as a problem too', async () => {
    const c = rawConnect(portOf(app), head('GET /healthz HTTP/1.1', { host: 'x' }));
    expect((await c.answer).status).toBe(200);
    await c.write('FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.closed;
    const second = c.received().slice(c.received().indexOf('HTTP/1.1', 10));
    expect(second).toMatch(/^HTTP\/1\.1 400 /);
    expect(second).toMatch(/content-type: application\/problem\+json/i);
  });

  it('answers oversized headers with 431 as a problem', async () => {
    const a = await rawExchange(portOf(app), head('GET /api/v1/releases HTTP/1.1', { host: 'x', 'x-padding': 'p'.repeat(20_000) }));
    expectRawProblem(a, 431, 'headers-too-large');
  });

  it('answers methods HTTP knows but no route takes with a 404 problem', async () => {
    for (const method of ['PROPFIND', 'PURGE', 'PATCH', 'TRACE']) {
      const a = await rawExchange(portOf(app), head(`${method} /healthz HTTP/1.1`, { host: 'x', connection: 'close' }));
      expect(expectRawProblem(a, 404, 'not-found').detail).toContain(method);
    }
  });
});
