import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';

const V = '/api/v1';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe.each(dialects)('release and work item routes on $name', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let lead: Call;
  let dev: Call;
  let now = new Date('2026-03-01T09:00:00.000Z');
  const tick = (ms = 1000) => (now = new Date(now.getTime() + ms));

  beforeAll(async () => {
    h = await harness(name, () => now);
    app = await httpApp(h.deps);
    lead = caller(app, (await userWith(h.deps, ['technical-lead'], 'lead')).token);
    dev = caller(app, (await userWith(h.deps, ['developer'], 'dev')).token);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const newRelease = async (body: Record<string, unknown>) => {
    tick();
    return expectJson(await dev('POST', `${V}/releases`, body), 201);
  };

  it('creates releases named from the template pattern, as JSON', async () => {
    const res = await dev('POST', `${V}/releases`, {
      type: 'scheduled',
      plannedDate: '2026-03-07',
      channels: ['database', 'web'],
      title: 'March cycle',
    });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(expectJson(res, 201)).toEqual({
      name: 'CFIS001',
      application: 'cms-net',
      type: 'scheduled',
      state: 'draft',
      title: 'March cycle',
      description: '',
      plannedDate: '2026-03-07',
      channels: ['database', 'web'],
      cycle: null,
      blackoutOverride: null,
      template: { key: 'cms-net', version: 1 },
      createdBy: 'dev',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 1,
    });
    expect((await newRelease({ type: 'emergency', plannedDate: '2026-03-10', channels: ['database'] })).name).toBe('CFIS002');
    expect((await newRelease({ type: 'expedited', plannedDate: '2026-04-04', channels: ['web'] })).name).toBe('CFIS003');
    expect((await newRelease({ type: 'scheduled', plannedDate: '2026-05-02', channels: ['web'] })).name).toBe('CFIS004');
    const bad = expectProblem(
      await dev('POST', `${V}/releases`, { type: 'weekly', plannedDate: '2026-03-07', channels: ['web', 'tape', 'web'] }),
      422,
      'validation',
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(['type', 'channels[1]', 'channels[2]']);
    expectProblem(
      await dev('POST', `${V}/releases`, { app: 'nope', type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] }),
      404,
    );
    // A refused create uses up no number: the next name is CFIS005.
    expect((await newRelease({ type: 'scheduled', plannedDate: '2026-06-06', channels: ['web'] })).name).toBe('CFIS005');
  });

  it('lists releases with filters and pagination', async () => {
    const names = async (query: string) => {
      const page = expectJson(await dev('GET', `${V}/releases${query}`), 200);
      return { names: page.items.map((r: { name: string }) => r.name), total: page.total, limit: page.limit, offset: page.offset };
    };
    expect(await names('')).toEqual({ names: ['CFIS001', 'CFIS002', 'CFIS003', 'CFIS004', 'CFIS005'], total: 5, limit: 50, offset: 0 });
    expect((await names('?type=emergency,expedited')).names).toEqual(['CFIS002', 'CFIS003']);
    expect((await names('?state=draft')).total).toBe(5);
    expect((await names('?state=closed')).names).toEqual([]);
    expect((await names('?from=2026-03-08&to=2026-05-02')).names).toEqual(['CFIS002', 'CFIS003', 'CFIS004']);
    expect(await names('?limit=2&offset=2')).toEqual({ names: ['CFIS003', 'CFIS004'], total: 5, limit: 2, offset: 2 });
    expect(await names('?limit=2&offset=4')).toEqual({ names: ['CFIS005'], total: 5, limit: 2, offset: 4 });
    expect((await names('?app=cms-net&type=scheduled&limit=1')).total).toBe(3);
  });

  it('shows and patches a release; a stale version is a 409 stale-version problem', async () => {
    const shown = expectJson(await dev('GET', `${V}/releases/CFIS001`), 200);
    expect(shown).toMatchObject({ name: 'CFIS001', version: 1, items: [] });
    expectProblem(await dev('GET', `${V}/releases/CFIS999`), 404, 'not-found');
    tick();
    const patched = expectJson(
      await dev('PATCH', `${V}/releases/CFIS001`, { title: 'March', plannedDate: '2026-03-14', channels: ['web'], version: 1 }),
      200,
    );
    expect(patched).toMatchObject({
      title: 'March',
      plannedDate: '2026-03-14',
      channels: ['web'],
      version: 2,
      updatedAt: now.toISOString(),
    });
    expect(patched.createdAt).not.toBe(patched.updatedAt);
    const stale = expectProblem(await dev('PATCH', `${V}/releases/CFIS001`, { title: 'Lost update', version: 1 }), 409, 'stale-version');
    expect(stale).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
    expect(expectJson(await dev('GET', `${V}/releases/CFIS001`), 200).title).toBe('March');
    expect(expectJson(await dev('PATCH', `${V}/releases/CFIS001`, { description: 'no version: last write wins' }), 200).version).toBe(3);
    expectProblem(await dev('PATCH', `${V}/releases/CFIS001`, { channels: ['ftp'] }), 422, 'validation');
    expectProblem(await dev('PATCH', `${V}/releases/CFIS999`, { title: 'x' }), 404, 'not-found');
  });

  it('creates, lists, shows and patches work items', async () => {
    tick();
    const created = expectJson(
      await dev('POST', `${V}/items`, {
        kind: 'IR',
        helpdeskRef: 'HD-4711',
        title: 'Claims screen crashes',
        owner: 'dev',
        priority: 'high',
        elements: [{ type: 'class', name: 'Claims.Screen' }],
      }),
      201,
    );
    expect(created).toEqual({
      key: 'IR-1',
      number: 1,
      application: 'cms-net',
      kind: 'IR',
      helpdeskRef: 'HD-4711',
      title: 'Claims screen crashes',
      description: '',
      owner: 'dev',
      priority: 'high',
      elements: [{ type: 'class', name: 'Claims.Screen' }],
      release: null,
      createdBy: 'dev',
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      version: 1,
    });
    expect(expectJson(await dev('POST', `${V}/items`, { kind: 'DR', helpdeskRef: 'HD-9', title: 'Fix member data' }), 201)).toMatchObject({
      key: 'DR-1',
      priority: 'medium',
      owner: null,
    });
    expect(expectJson(await dev('POST', `${V}/items`, { kind: 'SMCR', helpdeskRef: 'HD-10', title: 'New report' }), 201).key).toBe(
      'SMCR-1',
    );
    const bad = expectProblem(
      await dev('POST', `${V}/items`, {
        kind: 'XX',
        helpdeskRef: 'h',
        title: 't',
        owner: 'ghost',
        elements: [{ type: 'tape', name: 'a' }],
      }),
      422,
      'validation',
    );
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(['elements[0].type', 'kind', 'owner']);

    const keys = async (q: string) => expectJson(await dev('GET', `${V}/items${q}`), 200).items.map((i: { key: string }) => i.key);
    expect(await keys('')).toEqual(['IR-1', 'DR-1', 'SMCR-1']);
    expect(await keys('?kind=DR,SMCR')).toEqual(['DR-1', 'SMCR-1']);
    expect(await keys('?q=claims')).toEqual(['IR-1']);
    expect(await keys('?q=HD-9')).toEqual(['DR-1']);
    expect(await keys('?owner=dev&priority=high')).toEqual(['IR-1']);
    expect(await keys('?release=none')).toEqual(['IR-1', 'DR-1', 'SMCR-1']);
    expect(expectJson(await dev('GET', `${V}/items?limit=1&offset=1`), 200)).toMatchObject({
      items: [{ key: 'DR-1' }],
      total: 3,
      limit: 1,
      offset: 1,
    });
    expectProblem(await dev('GET', `${V}/items?release=CFIS999`), 404, 'not-found');

    expect(expectJson(await dev('GET', `${V}/items/IR-1`), 200)).toEqual({ ...created, tests: [] });
    // Each kind is numbered on its own: a number alone is ambiguous here.
    expect(expectProblem(await dev('GET', `${V}/items/1`), 422, 'validation').errors?.map((e) => e.message)).toEqual([
      '"1" is the number of IR-1, DR-1, SMCR-1; give the kind, e.g. IR-1',
    ]);
    expect(expectJson(await dev('GET', `${V}/items/ir-1`), 200).key).toBe('IR-1');
    expectProblem(await dev('GET', `${V}/items/DR-2`), 404, 'not-found');
    expectProblem(await dev('GET', `${V}/items/IR-99`), 404, 'not-found');
    expectProblem(await dev('GET', `${V}/items/not-a-key`), 422, 'validation');

    const patched = expectJson(
      await dev('PATCH', `${V}/items/IR-1`, { title: 'Claims screen crashes on save', owner: null, version: 1 }),
      200,
    );
    expect(patched).toMatchObject({ title: 'Claims screen crashes on save', owner: null, version: 2 });
    const stale = expectProblem(await dev('PATCH', `${V}/items/IR-1`, { title: 'old', version: 1 }), 409, 'stale-version');
    expect(stale).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
    expectProblem(await dev('PATCH', `${V}/items/IR-1`, { priority: 'urgent' }), 422, 'validation');
  });

  it('attaches, moves and detaches items, with a 409 for each wrong move', async () => {
    const put = (call: Call, key: string, body: Record<string, unknown>) => call('PUT', `${V}/items/${key}/release`, body);
    expectProblem(await put(dev, 'IR-1', { release: 'CFIS001' }), 403, 'forbidden');
    const attached = expectJson(await put(lead, 'IR-1', { release: 'CFIS001', version: 2 }), 200);
    expect(attached).toMatchObject({ key: 'IR-1', release: 'CFIS001', version: 3 });
    expect(expectJson(await dev('GET', `${V}/releases/CFIS001`), 200).items.map((i: { key: string }) => i.key)).toEqual(['IR-1']);
    expect(expectJson(await dev('GET', `${V}/items?release=CFIS001`), 200).items).toHaveLength(1);

    expectProblem(await put(lead, 'IR-1', { release: 'CFIS001' }), 409, 'already-assigned');
    const notMoved = expectProblem(await put(lead, 'IR-1', { release: 'CFIS002' }), 409, 'already-assigned');
    expect(notMoved.detail).toMatch(/move/);
    expectProblem(await put(lead, 'IR-1', { release: 'CFIS002', move: true, version: 1 }), 409, 'stale-version');
    expect(expectJson(await put(lead, 'IR-1', { release: 'CFIS002', move: true }), 200)).toMatchObject({ release: 'CFIS002', version: 4 });
    expect(expectJson(await dev('GET', `${V}/releases/CFIS001`), 200).items).toEqual([]);

    expect(expectJson(await put(lead, 'IR-1', { release: null }), 200)).toMatchObject({ release: null });
    expectProblem(await put(lead, 'IR-1', { release: null }), 409, 'not-assigned');
    expectProblem(await put(lead, 'IR-1', { release: 'CFIS999' }), 404, 'not-found');
    expectProblem(await put(lead, 'IR-99', { release: 'CFIS001' }), 404, 'not-found');

    // A release in a terminal state takes no items, and gives none back.
    expectJson(await put(lead, 'DR-1', { release: 'CFIS003' }), 200);
    await h.deps.database.kysely.updateTable('releases').set({ state: 'closed' }).where('name', '=', 'CFIS003').execute();
    expectProblem(await put(lead, 'SMCR-1', { release: 'CFIS003' }), 409, 'release-closed');
    expectProblem(await put(lead, 'DR-1', { release: null }), 409, 'release-closed');
    expectProblem(await put(lead, 'DR-1', { release: 'CFIS004', move: true }), 409, 'release-closed');
    expectProblem(await dev('PATCH', `${V}/releases/CFIS003`, { title: 'x' }), 409, 'release-closed');
  });

  it('lists audit events with filters and afterSeq paging', async () => {
    const all = expectJson(await lead('GET', `${V}/audit?limit=1000`), 200);
    expect(all.nextAfterSeq).toBeNull();
    expect(all.items[0]).toEqual({
      seq: 1,
      id: expect.any(String),
      at: expect.stringMatching(ISO),
      actor: 'system',
      action: 'template.publish',
      subjectType: 'template',
      subjectId: 'cms-net@1',
      before: null,
      after: expect.objectContaining({ key: 'cms-net', version: 1 }),
      requestId: null,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const seqs = all.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));

    const creates = expectJson(await lead('GET', `${V}/audit?action=release.create`), 200).items;
    expect(creates.map((e: { subjectId: string }) => e.subjectId)).toEqual(
      ['CFIS001', 'CFIS002', 'CFIS003', 'CFIS004', 'CFIS005'].map((n) => `cms-net/${n}`),
    );
    expect(creates.every((e: { actor: string }) => e.actor === 'dev')).toBe(true);
    const ir1 = expectJson(await lead('GET', `${V}/audit?subjectType=item&subjectId=cms-net/IR-1`), 200).items;
    expect(ir1.map((e: { action: string }) => e.action)).toEqual(['item.create', 'item.update', 'item.attach', 'item.move', 'item.detach']);
    expect(expectJson(await lead('GET', `${V}/audit?actor=lead&action=item.attach`), 200).items).toHaveLength(2);

    // The clock started at 09:00 and ticked a second per release created.
    const second = creates[1].at as string;
    const window = expectJson(
      await lead('GET', `${V}/audit?action=release.create&from=${second}&to=${creates[3].at as string}`),
      200,
    ).items;
    expect(window.map((e: { subjectId: string }) => e.subjectId)).toEqual(['cms-net/CFIS002', 'cms-net/CFIS003']);
    expect(expectJson(await lead('GET', `${V}/audit?from=2026-03-02`), 200).items).toEqual([]);
    expect(expectJson(await lead('GET', `${V}/audit?action=release.create&from=2026-03-01T10:00:00%2B01:00`), 200).items).toHaveLength(5);

    const paged: number[] = [];
    let after: number | null = 0;
    let pages = 0;
    while (after !== null) {
      const page: { items: { seq: number }[]; nextAfterSeq: number | null } = expectJson(
        await lead('GET', `${V}/audit?limit=7&afterSeq=${after}`),
        200,
      );
      expect(page.items.length).toBeLessThanOrEqual(7);
      paged.push(...page.items.map((e) => e.seq));
      after = page.nextAfterSeq;
      if (after !== null) expect(after).toBe(page.items.at(-1)?.seq);
      pages++;
    }
    expect(paged).toEqual(seqs);
    expect(pages).toBe(Math.ceil(seqs.length / 7));
  });
});
