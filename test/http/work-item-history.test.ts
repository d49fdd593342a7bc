import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { expectJson, expectProblem } from '../support/http.js';
import { ISO, packageAndVerify, recordTest, V, type Crew } from '../support/lifecycle-http.js';

describe.each(dialects)('a work item’s history over HTTP on $name', ({ name: dialect }) => {
  let crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ crew } = b));

  it('lists every release the item was in, with dates, and its test attempts per environment', async () => {
    const newRelease = async () =>
      expectJson(await crew.lead('POST', `${V}/releases`, { plannedDate: '2026-03-14', type: 'scheduled', channels: ['database'] }), 201)
        .name as string;
    const a = await newRelease();
    const b = await newRelease();
    const item = expectJson(await crew.lead('POST', `${V}/items`, { kind: 'IR', helpdeskRef: 'HD-HIST', title: 'Wanders' }), 201)
      .key as string;
    const put = async (release: string | null, move?: boolean) =>
      expectJson(await crew.lead('PUT', `${V}/items/${item}/release`, move ? { release, move } : { release }), 200);
    const history = async () => expectJson(await crew.viewer('GET', `${V}/items/${item}/history`), 200);

    expect(await history()).toEqual({ item, releases: [], tests: [] });
    await put(a);
    await put(b, true);
    await put(null);
    await put(a);
    await put(b, true);
    await packageAndVerify(crew, b, ['database']);
    expectJson(await recordTest(crew.dev, b, { item, environment: 'development', result: 'passed' }), 201);

    const h = await history();
    expect(h.releases.map((r: { release: string; current: boolean }) => [r.release, r.current])).toEqual([
      [a, false],
      [b, false],
      [a, false],
      [b, true],
    ]);
    for (const r of h.releases) expect(r).toMatchObject({ from: expect.stringMatching(ISO) });
    expect(h.releases[0].until).toBe(h.releases[1].from);
    expect(h.releases[3].until).toBeNull();
    expect(h.tests).toEqual([
      { release: b, environment: 'development', result: 'passed', cause: null, by: 'dev-dee', at: expect.stringMatching(ISO) },
    ]);
    expectProblem(await crew.viewer('GET', `${V}/items/IR-9999/history`), 404, 'not-found');
  });

  it('finds items by part of their key as well as title and help-desk reference', async () => {
    const made = expectJson(await crew.lead('POST', `${V}/items`, { kind: 'DR', helpdeskRef: 'HD-KEYSEARCH', title: 'Key search' }), 201);
    const keys = async (q: string) =>
      expectJson(await crew.viewer('GET', `${V}/items?q=${encodeURIComponent(q)}`), 200).items.map((i: { key: string }) => i.key);
    expect(await keys(made.key.toLowerCase())).toEqual([made.key]);
    expect(await keys('keysearch')).toEqual([made.key]);
    expect(await keys('Key search')).toEqual([made.key]);
    expect(await keys('dr-')).toEqual([made.key]);
  });
});
