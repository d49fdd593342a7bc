import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/services/users.js';
import { createToken } from '../../src/services/auth.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { manualClock } from '../support/service-fixtures.js';

const V = '/api/v1';
type Task = { task: string; due: string | null; status: string };
type Preview = {
  from: string;
  to: string;
  blackout: string | null;
  releases: { name: string; plannedDate: string; tasks: { task: string; from: string | null; to: string | null }[]; told: string[] }[];
};

describe.each(dialects)('previewing a cycle move ($name)', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let cmc: Call;
  let owner: Call;
  let viewer: Call;
  const clock = manualClock('2026-10-22T14:00:00.000Z');

  beforeAll(async () => {
    h = await harness(name, clock.clock);
    app = await httpApp(h.deps);
    cmc = caller(app, (await userWith(h.deps, ['cmc'], 'carla')).token);
    viewer = caller(app, (await userWith(h.deps, ['viewer'], 'vic')).token);
    await addUser(h.deps, SYSTEM_ACTOR, {
      username: 'olga',
      roles: ['developer'],
      email: 'olga@example.org',
      password: 'correct horse battery staple',
    });
    owner = caller(app, (await createToken(h.deps, SYSTEM_ACTOR, { user: 'olga' })).token);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('shows the releases, their new due dates and who is told, and the move then does the same', async () => {
    expectJson(await cmc('POST', `${V}/cycles`, { date: '2027-02-06' }), 201);
    const release = expectJson(
      await owner('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2027-02-06', channels: ['web'], cycle: '2027-02-06' }),
      201,
    ).name as string;
    const tasksOf = async () =>
      (expectJson(await owner('GET', `${V}/releases/${release}/checklist`), 200).tasks as Task[]).filter((t) => t.status === 'open');
    const before = await tasksOf();
    expect(before.length).toBeGreaterThan(0);

    expectProblem(await viewer('GET', `${V}/cycles/2027-02-06/move-preview?to=2027-02-20`), 403, 'forbidden');
    expectProblem(await cmc('GET', `${V}/cycles/2027-02-06/move-preview?to=2027-02-06`), 422, 'validation');
    const preview = expectJson<Preview>(await cmc('GET', `${V}/cycles/2027-02-06/move-preview?to=2027-02-20`), 200);
    expect(preview).toMatchObject({ from: '2027-02-06', to: '2027-02-20', blackout: null });
    expect(preview.releases).toHaveLength(1);
    const r = preview.releases[0]!;
    expect(r).toMatchObject({ name: release, plannedDate: '2027-02-06', told: ['olga@example.org'] });
    expect(r.tasks.map((t) => [t.task, t.from])).toEqual(before.map((t) => [t.task, t.due]));
    expect(r.tasks.some((t) => t.from !== t.to)).toBe(true);

    // Nothing was written.
    expect((await tasksOf()).map((t) => t.due)).toEqual(before.map((t) => t.due));
    expectJson(await cmc('POST', `${V}/cycles/2027-02-06/move`, { to: '2027-02-20', reason: 'staff away' }), 200);
    const after = await tasksOf();
    expect(after.map((t) => [t.task, t.due])).toEqual(r.tasks.map((t) => [t.task, t.to]));
  });
});
