import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';

const V = '/api/v1';

/** Splits CSV text (RFC 4180, quoted cells may hold commas, quotes and line breaks) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe.each(dialects)('audit verify and CSV export on $name', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let viewer: Call;
  let devName: string;

  beforeAll(async () => {
    h = await harness(name);
    app = await httpApp(h.deps);
    viewer = caller(app, (await userWith(h.deps, ['viewer'], 'audit-reader')).token);
    const dev = await userWith(h.deps, ['developer'], 'audit-dev');
    devName = dev.username;
    await createWorkItem(h.deps, dev.actor, { kind: 'IR', helpdeskRef: 'HD-77', title: 'Fix "quotes", commas\nand lines' });
    await createWorkItem(h.deps, dev.actor, { kind: 'IR', helpdeskRef: 'HD-78', title: 'second' });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('exports the filtered events as CSV with a header row, payloads as JSON, cells escaped', async () => {
    const res = await viewer('GET', `${V}/audit.csv?actor=${devName}&action=item.create`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="audit.csv"');
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(['seq', 'at', 'actor', 'action', 'subjectType', 'subjectId', 'before', 'after']);
    expect(rows).toHaveLength(3);
    const listed = expectJson<{ items: { seq: number; subjectId: string }[] }>(
      await viewer('GET', `${V}/audit?actor=${devName}&action=item.create`),
      200,
    ).items;
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(listed.map((e) => e.seq));
    const first = rows[1] ?? [];
    expect(first.slice(2, 6)).toEqual([devName, 'item.create', 'item', listed[0]?.subjectId]);
    expect(first[6]).toBe('');
    expect(JSON.parse(first[7] ?? '')).toMatchObject({ title: 'Fix "quotes", commas\nand lines' });
  });

  it('exports the whole trail, every event once, in chain order', async () => {
    for (let i = 0; i < 3; i++) await userWith(h.deps, ['viewer']);
    const all = parseCsv((await viewer('GET', `${V}/audit.csv`)).body);
    const head = expectJson<{ ok: true; events: number }>(await viewer('GET', `${V}/audit/verify`), 200);
    expect(all).toHaveLength(head.events + 1);
    expect(all.slice(1).map((r) => Number(r[0]))).toEqual(Array.from({ length: head.events }, (_, i) => i + 1));
  });

  it('refuses a malformed filter', async () => {
    const problem = expectProblem(await viewer('GET', `${V}/audit.csv?from=yesterday`), 400);
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'from', message: expect.stringMatching(/must be a date \(YYYY-MM-DD\)/) }),
    ]);
  });

  it('verifies the chain, then names the first altered event', async () => {
    const good = expectJson<{ ok: boolean; events: number; head: string }>(await viewer('GET', `${V}/audit/verify`), 200);
    expect(good).toEqual({ ok: true, events: expect.any(Number), head: expect.stringMatching(/^[0-9a-f]{64}$/), firstBad: null });
    const db = h.deps.database.kysely;
    const target = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'item.create')
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('audit_events')
      .set({ after_json: (target.after_json ?? '{}').replace('HD-77', 'HD-99') })
      .where('seq', '=', target.seq)
      .execute();
    const bad = expectJson(await viewer('GET', `${V}/audit/verify`), 200);
    expect(bad).toEqual({
      ok: false,
      events: target.seq - 1,
      head: null,
      firstBad: { seq: target.seq, id: target.id, at: target.at, action: 'item.create', reason: expect.stringContaining('altered') },
    });
  });
});
