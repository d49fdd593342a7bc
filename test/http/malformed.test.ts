import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { appPerFile } from '../support/factories.js';
import { bearer, expectJson, expectProblem, PROBLEM_TYPE, type ProblemBody } from '../support/http.js';

const V = '/api/v1';
const JSON_CT = { 'content-type': 'application/json' };
const RELEASE = { type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] };

describe.each(dialects)('malformed input on $name', ({ name }) => {
  let app: FastifyInstance, auth: Record<string, string>;

  appPerFile(name, async (b) => {
    app = b.app;
    auth = bearer((await b.fx.user({ roles: ['admin'], name: 'malformed-admin' })).token);
    // Targets for the PATCH and PUT routes.
    expectJson(await send({ method: 'POST', url: `${V}/releases`, payload: RELEASE }), 201);
    expectJson(await send({ method: 'POST', url: `${V}/items`, payload: { kind: 'IR', helpdeskRef: 'HD-1', title: 'target' } }), 201);
  });

  function send(opts: InjectOptions): Promise<LightMyRequestResponse> {
    return app.inject({ ...opts, headers: { ...auth, ...(opts.headers ?? {}) } });
  }

  /** A problem with every required member, its request id matching the header; never a 5xx. */
  function refused(res: LightMyRequestResponse, status: number, code?: string): ProblemBody {
    const body = expectProblem(res, status, code);
    expect(res.statusCode).toBeLessThan(500);
    expect(body.requestId).toBe(res.headers['x-request-id']);
    for (const e of body.errors ?? [])
      expect(e).toEqual({
        ...(e.in === undefined ? {} : { in: expect.any(String) }),
        path: expect.any(String),
        message: expect.any(String),
      });
    return body;
  }
  const paths = (p: ProblemBody) => (p.errors ?? []).map((e) => `${e.in ?? ''}:${e.path}`);
  const post = (url: string, payload: string, headers: Record<string, string> = JSON_CT) => send({ method: 'POST', url, payload, headers });

  it('refuses bodies that are not JSON objects', async () => {
    refused(await post(`${V}/releases`, '{"type": "scheduled",'), 400, 'bad-request');
    refused(await post(`${V}/releases`, '{bad json}'), 400, 'bad-request');
    refused(await post(`${V}/releases`, ''), 400, 'bad-request');
    expect(paths(refused(await send({ method: 'POST', url: `${V}/releases` }), 400, 'validation'))).toEqual(['body:(root)']);
    for (const raw of ['[]', 'null', '42', '"text"', 'true']) {
      expect(paths(refused(await post(`${V}/releases`, raw), 400, 'validation')), raw).toEqual(['body:(root)']);
    }
    refused(await post(`${V}/releases`, '{"__proto__": {"admin": true}, "type": "scheduled"}'), 400);
    refused(await post(`${V}/releases`, `{"title": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 400);
  });

  it('answers a wrong content type with 415 and an oversized body with 413', async () => {
    refused(await post(`${V}/releases`, JSON.stringify(RELEASE), { 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
    refused(await post(`${V}/items`, 'kind=IR', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');
    refused(await post(`${V}/releases`, '<release/>', { 'content-type': 'application/xml' }), 415, 'unsupported-media-type');
    const huge = JSON.stringify({ ...RELEASE, description: 'x'.repeat(1024 * 1024) });
    refused(await post(`${V}/releases`, huge), 413, 'too-large');
    refused(await post(`${V}/templates`, JSON.stringify({ yaml: 'y'.repeat(1024 * 1024 + 10) })), 413, 'too-large');
  });

  it('lists every field problem with its path: unknown fields, wrong types, impossible dates, long strings', async () => {
    const unknown = refused(await post(`${V}/releases`, JSON.stringify({ ...RELEASE, state: 'closed' })), 400, 'validation');
    expect(unknown.detail).toMatch(/state/);
    expect(
      refused(await post(`${V}/items`, JSON.stringify({ kind: 'IR', helpdeskRef: 'h', title: 't', release: 'CFIS001' })), 400).detail,
    ).toMatch(/release/);
    const wrong = refused(
      await post(`${V}/releases`, JSON.stringify({ type: 5, plannedDate: true, channels: 'web', title: [] })),
      400,
      'validation',
    );
    expect(paths(wrong).sort()).toEqual(['body:channels', 'body:plannedDate', 'body:title', 'body:type']);
    const nested = refused(
      await post(
        `${V}/items`,
        JSON.stringify({ kind: 'IR', helpdeskRef: 'h', title: 't', elements: [{ type: 'class', name: 'A' }, { type: 1 }] }),
      ),
      400,
    );
    expect(paths(nested)).toEqual(['body:elements[1].type', 'body:elements[1].name']);
    for (const date of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-3-7', '07/03/2026', '2026-03-07T00:00:00Z']) {
      const p = refused(await post(`${V}/releases`, JSON.stringify({ ...RELEASE, plannedDate: date })), 400, 'validation');
      expect([...new Set(paths(p))], date).toEqual(['body:plannedDate']);
    }
    expect(
      paths(refused(await send({ method: 'PATCH', url: `${V}/releases/CFIS001`, payload: { plannedDate: '2026-02-30' } }), 400)),
    ).toEqual(['body:plannedDate']);
    expect(paths(refused(await send({ method: 'PATCH', url: `${V}/releases/CFIS001`, payload: { version: 0 } }), 400))).toEqual([
      'body:version',
    ]);
    expect(paths(refused(await send({ method: 'PATCH', url: `${V}/items/IR-1`, payload: { version: 1.5 } }), 400))).toEqual([
      'body:version',
    ]);
    expect(paths(refused(await post(`${V}/releases`, JSON.stringify({ ...RELEASE, title: 't'.repeat(201) })), 400))).toEqual([
      'body:title',
    ]);
    expect(paths(refused(await post(`${V}/items`, JSON.stringify({ kind: 'IR', helpdeskRef: 'h'.repeat(101), title: 't' })), 400))).toEqual(
      ['body:helpdeskRef'],
    );
    expect(
      paths(refused(await post(`${V}/users`, JSON.stringify({ username: 'u'.repeat(65), roles: ['viewer'], email: 'nope' })), 400)).sort(),
    ).toEqual(['body:email', 'body:username']);
    expect(paths(refused(await send({ method: 'PUT', url: `${V}/items/IR-1/release`, payload: {} }), 400))).toEqual(['body:release']);
  });

  it('refuses absurd query strings', async () => {
    const queries = [
      'limit=0',
      'limit=501',
      'limit=1e400',
      'limit=abc',
      'limit=-5',
      'limit=2.5',
      'offset=-1',
      'offset=99999999999',
      'from=2026-02-30',
      'to=yesterday',
      'bogus=1',
    ];
    for (const q of queries) {
      const p = refused(await send({ method: 'GET', url: `${V}/releases?${q}` }), 400, 'validation');
      expect(
        p.errors?.every((e) => e.in === 'querystring'),
        q,
      ).toBe(true);
    }
    for (const q of ['afterSeq=-1', 'limit=1001', 'from=2026-02-30', 'to=2026-03-01T25:00:00Z', 'from=not-a-date']) {
      refused(await send({ method: 'GET', url: `${V}/audit?${q}` }), 400, 'validation');
    }
    refused(await send({ method: 'GET', url: `${V}/templates/cms-net?version=0` }), 400, 'validation');
    refused(await send({ method: 'GET', url: `${V}/tokens?user=${'x'.repeat(65)}` }), 400, 'validation');
    expect(expectJson(await send({ method: 'GET', url: `${V}/releases?limit=500&offset=1000000` }), 200).items).toEqual([]);
  });

  it('treats hostile path parameters as data: dot segments, NUL, very long, unicode, bad escapes', async () => {
    expect(refused(await send({ method: 'GET', url: `${V}/releases/..%2F..%2Fetc%2Fpasswd` }), 404, 'not-found').id).toBe(
      '../../etc/passwd',
    );
    refused(await send({ method: 'GET', url: `${V}/releases/../../../etc/passwd` }), 404, 'not-found');
    refused(await send({ method: 'GET', url: `${V}/users/..%2Fadmin` }), 400, 'validation');
    refused(await send({ method: 'GET', url: `${V}/items/..%2F1` }), 422, 'validation');
    refused(await send({ method: 'GET', url: `${V}/items/..` }), 404, 'not-found');
    expect(paths(refused(await send({ method: 'GET', url: `${V}/releases/%00` }), 400, 'validation'))).toEqual(['params:name']);
    expect(paths(refused(await send({ method: 'GET', url: `${V}/items?q=a%00b` }), 400, 'validation'))).toEqual(['querystring:q']);
    const nul = refused(
      await post(
        `${V}/items`,
        JSON.stringify({ kind: 'IR', helpdeskRef: 'a\u0000', title: 't', elements: [{ type: 'class', name: '\u0000' }] }),
      ),
      400,
    );
    expect(paths(nul).sort()).toEqual(['body:elements[0].name', 'body:helpdeskRef']);
    refused(await send({ method: 'PATCH', url: `${V}/releases/CFIS001`, payload: { title: 'x\u0000y' } }), 400, 'validation');
    refused(await send({ method: 'GET', url: `${V}/users/a%00b` }), 400, 'validation');
    refused(await send({ method: 'GET', url: `${V}/releases/${'A'.repeat(100)}` }), 400, 'validation');
    refused(await send({ method: 'GET', url: `${V}/releases/${'A'.repeat(5000)}` }), 414);
    refused(await send({ method: 'GET', url: `${V}/items/${'9'.repeat(30)}` }), 422, 'validation');
    refused(await send({ method: 'GET', url: `${V}/releases/%E0%A4%A` }), 400, 'bad-request');
    refused(await send({ method: 'GET', url: `${V}/releases/%ZZ` }), 400, 'bad-request');
    const uni = 'Ünïcødé-😀-שלום';
    expect(refused(await send({ method: 'GET', url: `${V}/releases/${encodeURIComponent(uni)}` }), 404, 'not-found').id).toBe(uni);
    refused(await send({ method: 'GET', url: `${V}/users/${encodeURIComponent(uni)}` }), 400, 'validation');
    refused(await send({ method: 'DELETE', url: `${V}/tokens/not-a-uuid` }), 400, 'validation');
  });

  it('stores unicode text as given', async () => {
    const title = 'Prüfung 😀 — עברית \u202e ﷽ \ud83d\ude00';
    const created = expectJson(await send({ method: 'POST', url: `${V}/releases`, payload: { ...RELEASE, title } }), 201);
    expect(expectJson(await send({ method: 'GET', url: `${V}/releases/${created.name as string}` }), 200).title).toBe(title);
  });

  it('answers unknown routes and methods with a 404 problem', async () => {
    for (const [method, url] of [
      ['GET', `${V}/nope`],
      ['GET', '/'],
      ['GET', '/api/v2/releases'],
      ['DELETE', `${V}/releases`],
      ['POST', `${V}/audit`],
    ] as const) {
      refused(await send({ method, url }), 404, 'not-found');
    }
    refused(await app.inject({ method: 'GET', url: `${V}/nope` }), 404, 'not-found');
  });

  // Characters that have broken JSON APIs before (NUL, lone surrogates, bidi and BOM marks, escapes) mixed with any code point.
  const char = fc.oneof(
    fc.constantFrom('\u0000', '\ud800', '\udc00', '\u202e', '\ufeff', 'é', '😀', '"', '\\', '%', '/', '.', ' '),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.string({ minLength: 1, maxLength: 1 }),
  );
  const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: char });
  const field = (valid: fc.Arbitrary<unknown>) => fc.oneof(valid, anyJson);
  const str = fc.string({ unit: char, maxLength: 80 });
  const nearRelease = fc.record(
    {
      app: field(fc.constantFrom('cms-net', 'nope', '')),
      type: field(fc.constantFrom('scheduled', 'emergency', 'weekly')),
      plannedDate: field(fc.constantFrom('2026-03-07', '2026-02-30', '2026-3-7')),
      channels: field(fc.constantFrom(['web'], ['database', 'web'], [], ['web', 'web'], ['tape'])),
      title: field(str),
      description: field(str),
      version: field(fc.integer({ min: -2, max: 1e6 })),
      extra: anyJson,
    },
    { requiredKeys: [] },
  );
  const nearItem = fc.record(
    {
      kind: field(fc.constantFrom('IR', 'DR', 'SMCR', 'XX')),
      helpdeskRef: field(str),
      title: field(str),
      owner: field(fc.constantFrom(null, 'malformed-admin', 'ghost')),
      priority: field(fc.constantFrom('low', 'urgent')),
      elements: field(
        fc.array(fc.record({ type: field(fc.constantFrom('class', 'web-file', 'tape')), name: field(str) }), { maxLength: 4 }),
      ),
      release: field(fc.constantFrom(null, 'CFIS001', 'CFIS999')),
      move: anyJson,
      version: field(fc.integer({ min: -2, max: 1e6 })),
    },
    { requiredKeys: [] },
  );
  const targets: [string, string, fc.Arbitrary<unknown>][] = [
    ['POST', `${V}/releases`, fc.oneof(anyJson, nearRelease)],
    ['POST', `${V}/items`, fc.oneof(anyJson, nearItem)],
    ['PATCH', `${V}/releases/CFIS001`, fc.oneof(anyJson, nearRelease)],
    ['PATCH', `${V}/items/IR-1`, fc.oneof(anyJson, nearItem)],
    ['PUT', `${V}/items/IR-1/release`, fc.oneof(anyJson, nearItem)],
  ];

  it.each(targets)('never fails with a 5xx on arbitrary JSON: %s %s', async (method, url, body) => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const res = await send({ method, url, payload: JSON.stringify(value) ?? 'null', headers: JSON_CT });
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.headers['content-type']).toMatch(PROBLEM_TYPE);
          expect(res.json()).toMatchObject({
            type: expect.any(String),
            title: expect.any(String),
            status: res.statusCode,
            detail: expect.any(String),
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never fails with a 5xx on arbitrary body text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: char, maxLength: 200 }), fc.json({ maxDepth: 2, stringUnit: char })),
        fc.constantFrom(...targets.map(([m, u]) => [m, u] as const)),
        async (raw, [method, url]) => {
          const res = await send({ method, url, payload: raw, headers: JSON_CT });
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(PROBLEM_TYPE);
        },
      ),
      { numRuns: 200 },
    );
  });
});
