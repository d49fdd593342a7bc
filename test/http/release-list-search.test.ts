import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { expectJson, expectProblem } from '../support/http.js';
import { releaseWithItem, V, type Crew } from '../support/lifecycle-http.js';

describe.each(dialects)('the release list by channel and search on $name', ({ name: dialect }) => {
  let crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ crew } = b));
  const names = async (query: string) => {
    const page = expectJson(await crew.viewer('GET', `${V}/releases${query}`), 200);
    return { names: page.items.map((r: { name: string }) => r.name) as string[], total: page.total as number };
  };
  let both: string, db: string, web: string;

  it('filters by the channels a release carries, any of them', async () => {
    ({ name: both } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['database', 'web'] },
      { kind: 'IR', helpdeskRef: 'HD-Claims-4711', title: 'Claims' },
    ));
    ({ name: db } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['database'] },
      { kind: 'DR', helpdeskRef: 'INC_100%', title: 'Repair' },
    ));
    web = expectJson(await crew.lead('POST', `${V}/releases`, { plannedDate: '2026-03-14', type: 'scheduled', channels: ['web'] }), 201)
      .name as string;
    expect(await names('?channel=web')).toEqual({ names: [both, web], total: 2 });
    expect((await names('?channel=database')).names).toEqual([both, db]);
    expect((await names('?channel=database,web')).names).toEqual([both, db, web]);
    expect((await names('?channel=web&limit=1&offset=1')).names).toEqual([web]);
    const unknown = expectProblem(await crew.viewer('GET', `${V}/releases?channel=tape`), 400, 'validation');
    expect(unknown.errors?.map((e) => e.path)).toEqual(['channel']);
  });

  it('finds releases by part of the name or of a work item’s help-desk reference, in any case', async () => {
    expect((await names(`?q=${both.toLowerCase()}`)).names).toEqual([both]);
    expect((await names('?q=claims-47')).names).toEqual([both]);
    expect((await names('?q=HD-CLAIMS-4711')).names).toEqual([both]);
    // LIKE wildcards in the search are literal characters.
    expect((await names(`?q=${encodeURIComponent('inc_100%')}`)).names).toEqual([db]);
    expect((await names('?q=inc%25')).names).toEqual([]);
    expect((await names(`?q=${encodeURIComponent('_')}`)).names).toEqual([db]);
    expect((await names('?q=nothing-like-it')).total).toBe(0);
    expect((await names('?q=HD-&channel=web')).names).toEqual([both]);
    expect((await names('?q=HD-&channel=database&state=draft&type=scheduled')).names).toEqual([both]);
  });
});
