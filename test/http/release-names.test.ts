import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';

const V = '/api/v1';

describe.each(dialects)('release names, list filters and help-desk references on $name', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let dev: Call;
  let lead: Call;
  let admin: Call;
  let now = new Date('2026-03-01T09:00:00.000Z');
  const tick = (ms = 1000) => (now = new Date(now.getTime() + ms));

  beforeAll(async () => {
    h = await harness(name, () => now);
    app = await httpApp(h.deps);
    dev = caller(app, (await userWith(h.deps, ['developer'], 'dev')).token);
    lead = caller(app, (await userWith(h.deps, ['technical-lead'], 'lead')).token);
    admin = caller(app, (await userWith(h.deps, ['admin'], 'auditor')).token);
    for (let i = 0; i < 2; i++) {
      tick();
      expectJson(await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2026-03-12', channels: ['database'] }), 201);
    }
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('finds a release by its name in any case, on every route that takes one', async () => {
    expect(expectJson(await dev('GET', `${V}/releases/cfis002`), 200)).toMatchObject({ name: 'CFIS002' });
    expect(expectJson(await dev('GET', `${V}/releases/Cfis001`), 200)).toMatchObject({ name: 'CFIS001' });
    expect(expectJson(await dev('GET', `${V}/releases/cfis002/gates`), 200)).toMatchObject({ release: 'CFIS002' });
    expect(expectJson(await dev('GET', `${V}/releases/cfis002/checklist`), 200)).toMatchObject({ release: 'CFIS002' });
    expect(expectJson(await dev('GET', `${V}/releases/cfis002/packages`), 200)).toEqual(expect.any(Object));
    expectProblem(await dev('GET', `${V}/releases/cfis009`), 404, 'not-found');

    // A write through a lower-case name is filed under the release's own name.
    tick();
    expect(expectJson(await dev('PATCH', `${V}/releases/cfis002`, { title: 'Renamed' }), 200)).toMatchObject({
      name: 'CFIS002',
      title: 'Renamed',
    });
    const item = expectJson(await dev('POST', `${V}/items`, { kind: 'IR', helpdeskRef: 'HD-1', title: 'Totals' }), 201);
    expect(expectJson(await lead('PUT', `${V}/items/${item.key}/release`, { release: 'cfis002' }), 200)).toMatchObject({
      release: 'CFIS002',
    });
    const listed = expectJson(await dev('GET', `${V}/items?release=cfis002`), 200);
    expect(listed.items.map((i: { key: string }) => i.key)).toEqual([item.key]);
    const events = expectJson(await admin('GET', `${V}/audit?action=release.update`), 200);
    expect(events.items.map((e: { subjectId: string }) => e.subjectId)).toEqual(['cms-net/CFIS002']);
  });

  it('takes a release name, in any case, as the audit subject', async () => {
    const byName = expectJson(await admin('GET', `${V}/audit?subjectId=cfis002`), 200);
    expect(byName.items.length).toBeGreaterThan(0);
    expect(new Set(byName.items.map((e: { subjectId: string }) => e.subjectId))).toEqual(new Set(['cms-net/CFIS002']));
    expect(byName.items.map((e: { action: string }) => e.action)).toContain('release.create');
    const byId = expectJson(await admin('GET', `${V}/audit?subjectId=cms-net/cfis002`), 200);
    expect(byId.items).toEqual(byName.items);
    // Subjects that are not releases are matched as given.
    const user = expectJson(await admin('GET', `${V}/audit?subjectId=dev`), 200);
    expect(user.items.map((e: { action: string }) => e.action)).toContain('user.create');
  });

  it('refuses an unknown state or type in a release list filter, naming the valid values', async () => {
    const states = expectProblem(await dev('GET', `${V}/releases?state=drafts`), 400, 'validation');
    expect(states.errors).toEqual([
      { in: 'querystring', path: 'state', message: expect.stringContaining('unknown state "drafts"; one of: draft,') },
    ]);
    const types = expectProblem(await dev('GET', `${V}/releases?type=weekly,scheduled`), 400, 'validation');
    expect(types.errors).toEqual([
      { in: 'querystring', path: 'type', message: 'unknown release type "weekly"; one of: scheduled, emergency, expedited' },
    ]);
    expect(expectJson(await dev('GET', `${V}/releases?state=draft&type=scheduled`), 200).total).toBe(2);
  });

  it('holds work items and reports to one rule for help-desk references', async () => {
    for (const helpdeskRef of ['   ', 'IR-1\nIR-2', 'x'.repeat(101)]) {
      const p = expectProblem(await dev('POST', `${V}/items`, { kind: 'IR', helpdeskRef, title: 'Bad ref' }), 400, 'validation');
      expect(p.errors?.[0]?.path).toBe('helpdeskRef');
    }
    const trimmed = expectJson(await dev('POST', `${V}/items`, { kind: 'IR', helpdeskRef: '  HD-7 ', title: 'Trimmed' }), 201);
    expect(trimmed.helpdeskRef).toBe('HD-7');
  });
});
