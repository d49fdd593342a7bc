import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { expectJson, expectProblem } from '../support/http.js';
import { ISO, move, rel, releaseWithItem, type Crew } from '../support/lifecycle-http.js';

type Changes = { version: number; lastChange: { seq: number; at: string; actor: string; action: string; summary: string } | null };

describe.each(dialects)('polling a release for changes on $name', ({ name: dialect }) => {
  let crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ crew } = b));

  it('answers the version and who changed what last; `since` a seen change or time answers null until someone changes it', async () => {
    const { name } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['database'] },
      { kind: 'IR', helpdeskRef: 'HD-POLL', title: 'Poll' },
    );
    const changes = async (query = '') => expectJson<Changes>(await crew.viewer('GET', rel(name, `/changes${query}`)), 200);
    const first = await changes();
    expect(first).toEqual({
      version: expect.any(Number),
      lastChange: {
        seq: expect.any(Number),
        at: expect.stringMatching(ISO),
        actor: 'lead-lee',
        action: 'release.create',
        summary: 'created the release',
      },
    });
    const seen = first.lastChange!;
    expect(await changes(`?since=${seen.seq}`)).toEqual({ version: first.version, lastChange: null });
    expect((await changes(`?since=${encodeURIComponent(seen.at)}`)).lastChange).toBeNull();

    await move(crew.dev, name, 'start-packaging');
    const after = await changes(`?since=${seen.seq}`);
    expect(after.version).toBeGreaterThan(first.version);
    expect(after.lastChange).toMatchObject({
      actor: 'dev-dee',
      action: 'release.transition',
      summary: 'start-packaging: draft → packaging',
    });
    expect(after.lastChange!.seq).toBeGreaterThan(seen.seq);
    // A time with an offset means the same instant.
    const offset = seen.at.replace('Z', '+00:00');
    expect((await changes(`?since=${encodeURIComponent(offset)}`)).lastChange?.action).toBe('release.transition');

    expectProblem(await crew.viewer('GET', rel(name, '/changes?since=yesterday')), 400, 'validation');
    expectProblem(await crew.viewer('GET', rel('NOPE-1', '/changes')), 404, 'not-found');
  });
});
