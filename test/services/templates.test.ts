import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, TemplateInvalidError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { listTemplates, publishTemplate, templateHistory, templateInForce } from '../../src/services/templates.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { DEFAULT_YAML, lastAuditSeq, manualClock, rejectsWith, rowCount, templateYaml } from '../support/service-fixtures.js';

/** A second version: Sunday change cycles and a fifth priority. */
const V2_YAML = templateYaml((doc) => {
  delete doc['revision'];
  doc['calendar'].changeCycleDays = ['saturday', 'sunday'];
  doc['priorities'].push({ id: 'trivial', name: 'Trivial', order: 5 });
});

describe.each(dialects)('process templates ($name)', ({ name }) => {
  let h: Harness;
  let deps: ServiceDeps;
  const clock = manualClock('2030-03-01T10:00:00.000Z');

  beforeEach(async () => {
    clock.set('2030-03-01T10:00:00.000Z');
    h = await harness(name, clock.clock);
    deps = h.deps;
  });
  afterEach(async () => h.close());

  /** Asserts that nothing was written: still only version 1, no new audit event. */
  async function expectUnchanged(seqBefore: number): Promise<void> {
    expect(await rowCount(deps, 'template_versions')).toBe(1);
    expect(await lastAuditSeq(deps)).toBe(seqBefore);
    const inForce = await templateInForce(deps, 'cms-net');
    expect(inForce.version).toBe(1);
    expect(inForce.yaml).toBe(DEFAULT_YAML);
  }

  it('keeps a history with the changes and changed sections of each version', async () => {
    clock.advance(3_600_000);
    const v2 = await publishTemplate(deps, SYSTEM_ACTOR, {
      yaml: V2_YAML,
      changes: '  Sunday change cycles; trivial priority  ',
      preparedBy: 'Pat Preparer',
      reviewedBy: 'Rita Reviewer',
    });
    expect(v2).toEqual({
      key: 'cms-net',
      version: 2,
      name: 'CMS Net release management plan',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      changes: 'Sunday change cycles; trivial priority',
      sectionsChanged: ['calendar', 'priorities'],
      preparedBy: 'Pat Preparer',
      reviewedBy: 'Rita Reviewer',
      publishedBy: 'system',
      publishedAt: '2030-03-01T11:00:00.000Z',
      dryRun: false,
    });

    const history = await templateHistory(deps, 'cms-net');
    expect(history.map((v) => v.version)).toEqual([2, 1]);
    const [, v1] = history;
    expect(v1?.changes).toBe('Initial version, transcribed from the release management plan.');
    expect(v1?.publishedAt).toBe('2030-03-01T10:00:00.000Z');
    // The first version "changes" every section it has (revision excluded).
    expect(v1?.sectionsChanged).toContain('naming');
    expect(v1?.sectionsChanged).toContain('roles');
    expect(v1?.sectionsChanged).not.toContain('revision');
    expect(v1?.sha256).not.toBe(v2.sha256);

    const inForce = await templateInForce(deps, 'cms-net');
    expect(inForce.version).toBe(2);
    expect(inForce.template.priorities.map((p) => p.id)).toEqual(['critical', 'high', 'medium', 'low', 'trivial']);
    expect(inForce.yaml).toBe(V2_YAML);
    const old = await templateInForce(deps, 'cms-net', 1);
    expect(old.yaml).toBe(DEFAULT_YAML);
    expect(old.template.calendar.changeCycleDays).toEqual(['saturday']);
    expect((await listTemplates(deps)).map((t) => `${t.key}@${t.version}`)).toEqual(['cms-net@2']);
    await rejectsWith(templateInForce(deps, 'cms-net', 3), NotFoundError);
    await rejectsWith(templateHistory(deps, 'unknown'), NotFoundError);
  });

  it('a second version must say what it changes', async () => {
    const seq = await lastAuditSeq(deps);
    const err = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML }), TemplateInvalidError);
    expect(err.problems).toEqual([{ path: 'revision.changes', message: 'describe what this version changes (document control)' }]);
    await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, changes: '   ' }), TemplateInvalidError);
    await expectUnchanged(seq);

    // The document's own revision block counts as the description.
    const withRevision = templateYaml((doc) => {
      doc['revision'] = { changes: 'Sunday cycles', preparedBy: 'Pat' };
      doc['calendar'].changeCycleDays = ['sunday'];
    });
    const v2 = await publishTemplate(deps, SYSTEM_ACTOR, { yaml: withRevision });
    expect(v2).toMatchObject({ version: 2, changes: 'Sunday cycles', preparedBy: 'Pat', sectionsChanged: ['calendar'] });
  });

  it('publishing an identical document again is a conflict', async () => {
    const seq = await lastAuditSeq(deps);
    const err = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: DEFAULT_YAML, changes: 'again' }), ConflictError);
    expect(err.code).toBe('template-unchanged');
    expect(err.message).toContain('identical to version 1');
    const dry = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: DEFAULT_YAML, dryRun: true }), ConflictError);
    expect(dry.code).toBe('template-unchanged');
    await expectUnchanged(seq);
  });

  it('refuses a bad template with every problem listed and keeps the version in force', async () => {
    const seq = await lastAuditSeq(deps);
    const bad = templateYaml((doc) => {
      doc['permissions']['release.create'] = ['cmc', 'release-wizard'];
      doc['channels'].push({ id: 'web', name: 'Web again' });
      doc['environments'][2].production = false;
      doc['releaseTypes'][0].initialState = 'closed';
      doc['naming'].pattern = 'zFvv';
      doc['calendar'].timeZone = 'Mars/Olympus';
    });
    const err = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: bad, changes: 'broken' }), TemplateInvalidError);
    const paths = err.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'permissions["release.create"][1]',
        'channels[2].id',
        'environments',
        'releaseTypes[0].initialState',
        'naming.pattern',
        'calendar.timeZone',
      ]),
    );
    expect(err.problems.length).toBeGreaterThanOrEqual(6);
    expect(err.problems.find((p) => p.path === 'permissions["release.create"][1]')?.message).toContain('unknown role "release-wizard"');
    expect(err.message).toBe(`the process template has ${err.problems.length} problems`);
    await expectUnchanged(seq);

    const syntax = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: 'key: [unclosed', changes: 'x' }), TemplateInvalidError);
    expect(syntax.problems[0]?.message).toMatch(/^line 1, column \d+:/);
    await expectUnchanged(seq);
  });

  it('refuses a version whose naming no longer fits an application running under it', async () => {
    const seq = await lastAuditSeq(deps);
    const wider = templateYaml((doc) => {
      doc['naming'].pattern = 'zzFvvnnn';
      doc['naming'].defaults = { system: 'CC', contractor: 'IS' };
    });
    const err = await rejectsWith(
      publishTemplate(deps, SYSTEM_ACTOR, { yaml: wider, changes: 'two-letter systems' }),
      TemplateInvalidError,
    );
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]?.path).toBe('params.system');
    expect(err.problems[0]?.message).toContain('application "cms-net"');
    await expectUnchanged(seq);
  });

  it('a dry run validates and reports without writing', async () => {
    const seq = await lastAuditSeq(deps);
    const dry = await publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, changes: 'Sunday cycles', dryRun: true });
    expect(dry).toMatchObject({
      key: 'cms-net',
      version: 2,
      dryRun: true,
      changes: 'Sunday cycles',
      sectionsChanged: ['calendar', 'priorities'],
    });
    await expectUnchanged(seq);
    expect((await templateHistory(deps, 'cms-net')).map((v) => v.version)).toEqual([1]);

    const missingChanges = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, dryRun: true }), TemplateInvalidError);
    expect(missingChanges.problems.map((p) => p.path)).toEqual(['revision.changes']);
    await expectUnchanged(seq);

    // The real publish afterwards gets the number the dry run announced.
    expect((await publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, changes: 'Sunday cycles' })).version).toBe(2);
  });

  it('only an administrator publishes', async () => {
    const seq = await lastAuditSeq(deps);
    const users: Actor[] = [];
    for (const roles of [['cmc'], ['developer', 'technical-lead'], ['viewer']]) users.push((await userWith(deps, roles)).actor);
    const afterUsers = await lastAuditSeq(deps);
    expect(afterUsers).toBeGreaterThan(seq);
    for (const actor of users) {
      const err = await rejectsWith(publishTemplate(deps, actor, { yaml: V2_YAML, changes: 'mine' }), ForbiddenError);
      expect(err.action).toBe('template.publish');
      expect(err.allowedRoles).toEqual(['admin']);
      await rejectsWith(publishTemplate(deps, actor, { yaml: V2_YAML, changes: 'mine', dryRun: true }), ForbiddenError);
    }
    await expectUnchanged(afterUsers);
    const admin = (await userWith(deps, ['admin'], 'ada')).actor;
    expect((await publishTemplate(deps, admin, { yaml: V2_YAML, changes: 'by ada' })).publishedBy).toBe('ada');
  });
});
