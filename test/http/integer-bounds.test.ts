import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INT_MAX } from '../../src/http/schemas/common.js';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';

const V = '/api/v1';
const TOO_BIG = String(INT_MAX + 1);

type Schema = { type?: string | string[]; maximum?: number; properties?: Record<string, Schema>; items?: Schema; [k: string]: unknown };

/** Every integer in a JSON schema, with its path and maximum. */
function integersIn(schema: unknown, at: string, out: { at: string; maximum: number | undefined }[]): void {
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Schema;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('integer')) out.push({ at, maximum: s.maximum });
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') {
      for (const [p, sub] of Object.entries(v as Record<string, unknown>)) integersIn(sub, `${at}.${p}`, out);
    } else if (typeof v === 'object') integersIn(v, `${at}/${k}`, out);
  }
}

describe.each(dialects)('integers in requests are bounded to 32 bits ($name)', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let dev: Call;
  let release: string;

  beforeAll(async () => {
    h = await harness(name);
    app = await httpApp(h.deps);
    dev = caller(app, (await userWith(h.deps, ['developer'], 'bounds-dev')).token);
    release = expectJson(await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] }), 201)
      .name as string;
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('answers 400 naming the parameter past 2147483647, and never 500 at the limit', async () => {
    const cases: [string, string][] = [
      [`${V}/audit?afterSeq=`, 'afterSeq'],
      [`${V}/templates/cms-net?version=`, 'version'],
      [`${V}/releases/${release}/packages/web/diff?to=`, 'to'],
      [`${V}/releases/${release}/packages/web/diff?from=`, 'from'],
    ];
    for (const [url, param] of cases) {
      for (const big of [TOO_BIG, '9007199254740993', '1e12']) {
        const p = expectProblem(await dev('GET', `${url}${big}`), 400, 'validation');
        expect([...new Set(p.errors?.map((e) => `${e.in}:${e.path}`))], `${url}${big}`).toEqual([`querystring:${param}`]);
      }
      const atLimit = await dev('GET', `${url}${INT_MAX}`);
      expect(atLimit.statusCode, `${url}${INT_MAX}: ${atLimit.body}`).toBeLessThan(500);
    }
    expect(expectJson(await dev('GET', `${V}/audit?afterSeq=${INT_MAX}`), 200).items).toEqual([]);
    expectProblem(await dev('GET', `${V}/templates/cms-net?version=${INT_MAX}`), 404);
  });

  it('bounds versions in bodies the same way', async () => {
    const p = expectProblem(await dev('PATCH', `${V}/releases/${release}`, { title: 'x', version: INT_MAX + 1 }), 400, 'validation');
    expect(p.errors?.map((e) => e.path)).toEqual(['version']);
    expectProblem(await dev('PATCH', `${V}/releases/${release}`, { title: 'x', version: INT_MAX }), 409, 'stale-version');
    const task = (expectJson(await dev('GET', `${V}/releases/${release}/checklist`), 200).tasks as { task: string }[])[0]!.task;
    expectProblem(
      await dev('POST', `${V}/releases/${release}/checklist/${task}/skip`, { reason: 'n/a', version: INT_MAX + 1 }),
      400,
      'validation',
    );
  });

  it('declares a maximum of at most 2147483647 on every integer a request can carry', async () => {
    const doc = expectJson<{
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: unknown }[]; requestBody?: unknown }>>;
    }>(await dev('GET', `${V}/openapi.json`), 200);
    const found: { at: string; maximum: number | undefined }[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const prm of op.parameters ?? []) integersIn(prm.schema, `${method.toUpperCase()} ${path} ${prm.in}:${prm.name}`, found);
        integersIn(op.requestBody, `${method.toUpperCase()} ${path} body`, found);
      }
    }
    expect(found.length).toBeGreaterThan(10);
    expect(found.filter((f) => f.maximum === undefined || f.maximum > INT_MAX).map((f) => f.at)).toEqual([]);
  });
});
