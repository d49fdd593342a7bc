import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError, ValidationError } from '../../src/domain/errors.js';
import { SequenceExhaustedError } from '../../src/domain/naming.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import { createApplication } from '../../src/services/applications.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { createRelease, getRelease, listReleases, updateRelease } from '../../src/services/releases.js';
import { publishTemplate } from '../../src/services/templates.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import {
  counterValue,
  expectedNames,
  manualClock,
  rejectsWith,
  releaseCounterScope,
  releaseInput,
  REVIEWED,
  rowCount,
  templateYaml,
} from '../support/service-fixtures.js';

describe.each(dialects)('releases ($name)', ({ name }) => {
  let h: Harness;
  let deps: ServiceDeps;
  let dev: Actor;
  const clock = manualClock('2030-01-07T09:00:00.000Z');

  beforeEach(async () => {
    clock.set('2030-01-07T09:00:00.000Z');
    h = await harness(name, clock.clock);
    deps = h.deps;
    dev = (await userWith(deps, ['developer'], 'dana')).actor;
  });
  afterEach(async () => h.close());

  const create = (over: Parameters<typeof releaseInput>[0] = {}, actor: Actor = dev) => createRelease(deps, actor, releaseInput(over));

  it('names releases CFIS001, CFIS002, … from the default template', async () => {
    const first = await create({ title: 'January cycle', description: 'IR fixes', channels: ['database', 'web'] });
    expect(first).toEqual({
      name: 'CFIS001',
      application: 'cms-net',
      type: 'scheduled',
      state: 'draft',
      title: 'January cycle',
      description: 'IR fixes',
      plannedDate: '2030-02-02',
      channels: ['database', 'web'],
      cycle: null,
      blackoutOverride: null,
      template: { key: 'cms-net', version: 1 },
      createdBy: 'dana',
      createdAt: '2030-01-07T09:00:00.000Z',
      updatedAt: '2030-01-07T09:00:00.000Z',
      version: 1,
    });
    const names = [first.name];
    for (let i = 0; i < 3; i++) names.push((await create({ type: 'emergency' })).name);
    expect(names).toEqual(['CFIS001', 'CFIS002', 'CFIS003', 'CFIS004']);

    const detail = await getRelease(deps, { name: 'CFIS001' });
    expect(detail).toEqual({ ...first, items: [] });
    await rejectsWith(getRelease(deps, { name: 'CFIS999' }), NotFoundError);
    const rows = await deps.database.kysely.selectFrom('releases').select(['name', 'sequence']).orderBy('sequence').execute();
    expect(rows).toEqual(names.map((n, i) => ({ name: n, sequence: i + 1 })));
  });

  it('a refused create does not consume a number', async () => {
    expect((await create()).name).toBe('CFIS001');

    const invalid = await rejectsWith(
      create({ type: 'weekly', plannedDate: '2030-02-30', channels: ['database', 'mainframe', 'database'] }),
      ValidationError,
    );
    expect(invalid.problems.map((p) => p.path)).toEqual(['type', 'plannedDate', 'channels[1]', 'channels[2]']);
    expect(invalid.problems[0]?.message).toContain('unknown release type "weekly"');
    expect(invalid.problems[2]?.message).toContain('unknown channel "mainframe"');
    expect(invalid.problems[3]?.message).toContain('listed twice');

    const none = await rejectsWith(create({ channels: [] }), ValidationError);
    expect(none.problems).toEqual([{ path: 'channels', message: 'a release carries at least one channel' }]);

    const viewer = (await userWith(deps, ['viewer'])).actor;
    const forbidden = await rejectsWith(create({}, viewer), ForbiddenError);
    expect(forbidden.action).toBe('release.create');
    expect(forbidden.allowedRoles).toEqual(['cmc', 'technical-lead', 'developer', 'admin']);
    const deployer = (await userWith(deps, ['deployment'])).actor;
    await rejectsWith(create({}, deployer), ForbiddenError);
    await rejectsWith(create({ app: 'no-such-app' }), NotFoundError);

    expect((await create()).name).toBe('CFIS002');
    expect(await counterValue(deps, await releaseCounterScope(deps, 'cms-net'))).toBe(2);
    expect(await rowCount(deps, 'releases')).toBe(2);
  });

  it('running out of numbers is a clear error and neither skips nor burns a number', async () => {
    const scope = await releaseCounterScope(deps, 'cms-net');
    await deps.database.kysely.updateTable('counters').set({ value: 998 }).where('scope', '=', scope).execute();
    expect((await create()).name).toBe('CFIS999');
    expect(await counterValue(deps, scope)).toBe(999);

    for (let attempt = 0; attempt < 2; attempt++) {
      const err = await rejectsWith(create(), SequenceExhaustedError);
      expect(err.sequence).toBe(1000);
      expect(err.maxSequence).toBe(999);
      expect(err.message).toContain('highest possible number is 999');
      expect(await counterValue(deps, scope)).toBe(999);
    }
    expect(await rowCount(deps, 'releases')).toBe(1);
  });

  it('exhausting the sequence leaves the counter where it was', async () => {
    const scope = await releaseCounterScope(deps, 'cms-net');
    await deps.database.kysely.updateTable('counters').set({ value: 999 }).where('scope', '=', scope).execute();
    await rejectsWith(create(), SequenceExhaustedError);
    expect(await counterValue(deps, scope)).toBe(999);
    expect(await rowCount(deps, 'releases')).toBe(0);
  });

  it('lists releases by state, type and planned-date range, with paging and a total', async () => {
    const plan: [string, string][] = [
      ['scheduled', '2030-01-05'],
      ['emergency', '2030-01-09'],
      ['scheduled', '2030-01-12'],
      ['expedited', '2030-01-19'],
      ['scheduled', '2030-01-26'],
    ];
    for (const [type, plannedDate] of plan) await create({ type, plannedDate });
    // There is no transition use case yet, so one release is cancelled directly.
    await deps.database.kysely.updateTable('releases').set({ state: 'cancelled' }).where('name', '=', 'CFIS003').execute();

    const page = { limit: 50, offset: 0 };
    const names = async (f: Partial<Parameters<typeof listReleases>[1]>) => {
      const res = await listReleases(deps, { ...page, ...f });
      return { names: res.items.map((r) => r.name), total: res.total };
    };
    expect(await names({})).toEqual({ names: expectedNames('CFIS', 1, 5), total: 5 });
    expect(await names({ types: ['scheduled'] })).toEqual({ names: ['CFIS001', 'CFIS003', 'CFIS005'], total: 3 });
    expect(await names({ types: ['emergency', 'expedited'] })).toEqual({ names: ['CFIS002', 'CFIS004'], total: 2 });
    expect(await names({ states: ['cancelled'] })).toEqual({ names: ['CFIS003'], total: 1 });
    expect(await names({ states: ['draft'], types: ['scheduled'] })).toEqual({ names: ['CFIS001', 'CFIS005'], total: 2 });
    // Both ends of the range are inclusive.
    expect(await names({ from: '2030-01-09', to: '2030-01-19' })).toEqual({ names: ['CFIS002', 'CFIS003', 'CFIS004'], total: 3 });
    expect(await names({ from: '2030-01-20' })).toEqual({ names: ['CFIS005'], total: 1 });
    expect(await names({ to: '2030-01-08' })).toEqual({ names: ['CFIS001'], total: 1 });
    expect(await names({ from: '2031-01-01' })).toEqual({ names: [], total: 0 });

    const paged = await listReleases(deps, { limit: 2, offset: 2 });
    expect(paged.items.map((r) => r.name)).toEqual(['CFIS003', 'CFIS004']);
    expect(paged).toMatchObject({ total: 5, limit: 2, offset: 2 });
    const last = await listReleases(deps, { types: ['scheduled'], limit: 2, offset: 2 });
    expect(last.items.map((r) => r.name)).toEqual(['CFIS005']);
    expect(last.total).toBe(3);
  });

  it('updates with the version the caller read and refuses a stale one', async () => {
    await create({ title: 'first' });
    clock.advance(60_000);
    const updated = await updateRelease(
      deps,
      dev,
      { name: 'CFIS001' },
      {
        title: 'second',
        plannedDate: '2030-02-09',
        channels: ['web'],
        expectedVersion: 1,
      },
    );
    expect(updated).toMatchObject({
      title: 'second',
      plannedDate: '2030-02-09',
      channels: ['web'],
      version: 2,
      createdAt: '2030-01-07T09:00:00.000Z',
      updatedAt: '2030-01-07T09:01:00.000Z',
    });

    const stale = await rejectsWith(
      updateRelease(deps, dev, { name: 'CFIS001' }, { title: 'lost', expectedVersion: 1 }),
      StaleVersionError,
    );
    expect(stale).toMatchObject({ entity: 'release', id: 'CFIS001', expected: 1, actual: 2 });
    const invalid = await rejectsWith(updateRelease(deps, dev, { name: 'CFIS001' }, { channels: ['tape'] }), ValidationError);
    expect(invalid.problems.map((p) => p.path)).toEqual(['channels[0]']);
    const viewer = (await userWith(deps, ['viewer'])).actor;
    await rejectsWith(updateRelease(deps, viewer, { name: 'CFIS001' }, { title: 'nope' }), ForbiddenError);
    await rejectsWith(updateRelease(deps, dev, { name: 'CFIS404' }, { title: 'nope' }), NotFoundError);
    expect(await getRelease(deps, { name: 'CFIS001' })).toMatchObject({ title: 'second', version: 2 });

    // Without expectedVersion the write is unconditional and bumps the version.
    expect((await updateRelease(deps, dev, { name: 'CFIS001' }, { description: 'd' })).version).toBe(3);

    await deps.database.kysely.updateTable('releases').set({ state: 'closed' }).where('name', '=', 'CFIS001').execute();
    const closed = await rejectsWith(updateRelease(deps, dev, { name: 'CFIS001' }, { title: 'late' }), ConflictError);
    expect(closed.code).toBe('release-closed');
  });

  it('a release keeps the template version it was created under', async () => {
    await create({ channels: ['web'] });
    const v2 = templateYaml((doc) => {
      doc['channels'] = [
        { id: 'database', name: 'Database (Cache/IRIS)' },
        { id: 'reports', name: 'Reports server' },
      ];
      doc['elementTypes'] = (doc['elementTypes'] as { channel: string }[]).filter((e) => e.channel !== 'web');
      for (const step of doc['steps'] as { roles: Record<string, string[]> }[]) delete step.roles['web'];
      // The checklist's web task goes with the channel.
      doc['checklist'] = (doc['checklist'] as { channels?: string[] }[]).filter((t) => !(t.channels ?? []).includes('web'));
      // So do the deployment steps of the web channel.
      for (const plan of doc['deployments'] as { steps: { channel?: string }[] }[])
        plan.steps = plan.steps.filter((s) => s.channel !== 'web');
    });
    const published = await publishTemplate(deps, SYSTEM_ACTOR, { yaml: v2, changes: 'Web channel retired; reports added', ...REVIEWED });
    expect(published.version).toBe(2);
    expect(published.sectionsChanged).toEqual(['channels', 'checklist', 'deployments', 'elementTypes', 'steps']);

    const second = await create({ channels: ['reports'] });
    expect(second.template).toEqual({ key: 'cms-net', version: 2 });
    const refused = await rejectsWith(create({ channels: ['web'] }), ValidationError);
    expect(refused.problems.map((p) => p.path)).toEqual(['channels[0]']);

    const first = await getRelease(deps, { name: 'CFIS001' });
    expect(first.template).toEqual({ key: 'cms-net', version: 1 });
    // Updates are checked against the pinned version, not the one in force.
    expect((await updateRelease(deps, dev, { name: 'CFIS001' }, { channels: ['database', 'web'] })).channels).toEqual(['database', 'web']);
    await rejectsWith(updateRelease(deps, dev, { name: 'CFIS001' }, { channels: ['reports'] }), ValidationError);
    await rejectsWith(updateRelease(deps, dev, { name: 'CFIS002' }, { channels: ['web'] }), ValidationError);

    const listed = await listReleases(deps, { limit: 10, offset: 0 });
    expect(listed.items.map((r) => [r.name, r.template.version])).toEqual([
      ['CFIS001', 1],
      ['CFIS002', 2],
    ]);
    const pinned = await deps.database.kysely
      .selectFrom('releases')
      .innerJoin('template_versions', 'template_versions.id', 'releases.template_version_id')
      .select(['releases.name', 'template_versions.version'])
      .orderBy('releases.name')
      .execute();
    expect(pinned).toEqual([
      { name: 'CFIS001', version: 1 },
      { name: 'CFIS002', version: 2 },
    ]);
  });

  it('each application has its own sequence', async () => {
    const dfis = await createApplication(deps, SYSTEM_ACTOR, {
      key: 'dfis',
      name: 'Second system',
      templateKey: 'cms-net',
      namingParameters: { system: 'D' },
    });
    expect(dfis).toMatchObject({
      namingParameters: { system: 'D', contractor: 'IS' },
      nextReleaseNameExample: 'DFIS001',
      isDefault: false,
    });

    const otherYaml = templateYaml((doc) => {
      doc['key'] = 'other-process';
      doc['naming'] = { pattern: 'REL-nnnn', tokens: { n: { sequence: true } } };
    });
    await publishTemplate(deps, SYSTEM_ACTOR, { yaml: otherYaml });
    await createApplication(deps, SYSTEM_ACTOR, { key: 'other', name: 'Other', templateKey: 'other-process' });

    const made: string[] = [];
    for (const app of [undefined, 'dfis', 'cms-net', 'other', 'dfis', 'other', undefined]) made.push((await create({ app })).name);
    expect(made).toEqual(['CFIS001', 'DFIS001', 'CFIS002', 'REL-0001', 'DFIS002', 'REL-0002', 'CFIS003']);

    const dList = await listReleases(deps, { app: 'dfis', limit: 10, offset: 0 });
    expect(dList.items.map((r) => [r.name, r.application])).toEqual([
      ['DFIS001', 'dfis'],
      ['DFIS002', 'dfis'],
    ]);
    expect((await listReleases(deps, { app: 'other', limit: 10, offset: 0 })).items.map((r) => r.template)).toEqual([
      { key: 'other-process', version: 1 },
      { key: 'other-process', version: 1 },
    ]);
    await rejectsWith(getRelease(deps, { app: 'dfis', name: 'CFIS001' }), NotFoundError);
    expect(await counterValue(deps, await releaseCounterScope(deps, 'dfis'))).toBe(2);
    expect(await counterValue(deps, await releaseCounterScope(deps, 'cms-net'))).toBe(3);
  });
});
