import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, TemplateInvalidError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { listTemplates, publishTemplate, templateHistory, templateInForce } from '../../src/services/templates.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { DEFAULT_YAML, lastAuditSeq, manualClock, rejectsWith, REVIEWED, rowCount, templateYaml } from '../support/service-fixtures.js';

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
      notices: [],
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

  it('a second version needs its own record: what it changes, who prepared it, who reviewed it', async () => {
    const seq = await lastAuditSeq(deps);
    const err = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML }), TemplateInvalidError);
    expect(err.problems).toEqual([
      { path: 'revision.changes', message: 'describe what this version changes (document control)' },
      { path: 'revision.preparedBy', message: 'name the person who prepared this version' },
      { path: 'revision.reviewedBy', message: 'name the person who reviewed this version' },
    ]);
    await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, changes: '   ', ...REVIEWED }), TemplateInvalidError);
    const selfReviewed = await rejectsWith(
      publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, changes: 'Sunday cycles', preparedBy: 'Pat', reviewedBy: ' pat ' }),
      TemplateInvalidError,
    );
    expect(selfReviewed.problems).toEqual([{ path: 'revision.reviewedBy', message: 'pat prepared this version; someone else reviews it' }]);
    await expectUnchanged(seq);

    // The document's own revision block is the record.
    const withRevision = templateYaml((doc) => {
      doc['revision'] = { changes: 'Sunday cycles', preparedBy: 'Pat', reviewedBy: 'Rita' };
      doc['calendar'].changeCycleDays = ['sunday'];
    });
    const v2 = await publishTemplate(deps, SYSTEM_ACTOR, { yaml: withRevision });
    expect(v2).toMatchObject({
      version: 2,
      changes: 'Sunday cycles',
      preparedBy: 'Pat',
      reviewedBy: 'Rita',
      sectionsChanged: ['calendar'],
    });
  });

  it('refuses an edited copy of a published version that still carries an earlier version’s record', async () => {
    const seq = await lastAuditSeq(deps);
    // What `template show --yaml` gives, edited, with its revision block untouched.
    const edited = (await templateInForce(deps, 'cms-net')).yaml.replace('changeCycleDays: [saturday]', 'changeCycleDays: [friday]');
    expect(edited).not.toBe(DEFAULT_YAML);
    const reused = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: edited, ...REVIEWED }), TemplateInvalidError);
    expect(reused.problems).toEqual([
      {
        path: 'revision.changes',
        message:
          '"Initial version, transcribed from the release management plan." is what version 1 changed; describe what this version changes',
      },
    ]);
    await expectUnchanged(seq);

    await publishTemplate(deps, SYSTEM_ACTOR, { yaml: edited, changes: 'Friday cycles', ...REVIEWED });
    // Version 2's record came from the request; its YAML still says version 1's words, and version 2's own words are taken too.
    const again = (await templateInForce(deps, 'cms-net')).yaml.replace('changeCycleDays: [friday]', 'changeCycleDays: [sunday]');
    for (const changes of [undefined, 'friday  CYCLES']) {
      const err = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: again, changes, ...REVIEWED }), TemplateInvalidError);
      expect(err.problems.map((p) => p.message)).toEqual([
        changes
          ? '"friday  CYCLES" is what version 2 changed; describe what this version changes'
          : '"Initial version, transcribed from the release management plan." is what version 1 changed; describe what this version changes',
      ]);
    }
    expect((await publishTemplate(deps, SYSTEM_ACTOR, { yaml: again, changes: 'Sunday cycles', ...REVIEWED })).version).toBe(3);
  });

  it('says that edited contacts seed new applications only', async () => {
    const groups = templateYaml((doc) => {
      doc['contacts'].groups[0].email = 'deploy@cms.example.org';
    });
    const dry = await publishTemplate(deps, SYSTEM_ACTOR, { yaml: groups, changes: 'Deployment group address', ...REVIEWED, dryRun: true });
    expect(dry.sectionsChanged).toEqual(['contacts']);
    const notice =
      "contacts: this version's resource list, escalation list and distribution groups seed applications created from now on; " +
      'the applications already running (cms-net) keep their own — change those with relman contact and relman group';
    expect(dry.notices).toEqual([notice]);
    expect((await publishTemplate(deps, SYSTEM_ACTOR, { yaml: groups, changes: 'Deployment group address', ...REVIEWED })).notices).toEqual(
      [notice],
    );
    // A version that leaves the contacts alone says nothing about them.
    const sundays = templateYaml((doc) => {
      doc['contacts'].groups[0].email = 'deploy@cms.example.org';
      doc['calendar'].changeCycleDays = ['sunday'];
    });
    expect((await publishTemplate(deps, SYSTEM_ACTOR, { yaml: sundays, changes: 'Sunday cycles', ...REVIEWED })).notices).toEqual([]);
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
    const err = await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: bad, changes: 'broken', ...REVIEWED }), TemplateInvalidError);
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
      publishTemplate(deps, SYSTEM_ACTOR, { yaml: wider, changes: 'two-letter systems', ...REVIEWED }),
      TemplateInvalidError,
    );
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]?.path).toBe('params.system');
    expect(err.problems[0]?.message).toContain('application "cms-net"');
    await expectUnchanged(seq);
  });

  it('a dry run validates and reports without writing', async () => {
    const seq = await lastAuditSeq(deps);
    const dry = await publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, changes: 'Sunday cycles', ...REVIEWED, dryRun: true });
    expect(dry).toMatchObject({
      key: 'cms-net',
      version: 2,
      dryRun: true,
      changes: 'Sunday cycles',
      sectionsChanged: ['calendar', 'priorities'],
    });
    await expectUnchanged(seq);
    expect((await templateHistory(deps, 'cms-net')).map((v) => v.version)).toEqual([1]);

    const missingChanges = await rejectsWith(
      publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, ...REVIEWED, dryRun: true }),
      TemplateInvalidError,
    );
    expect(missingChanges.problems.map((p) => p.path)).toEqual(['revision.changes']);
    await expectUnchanged(seq);

    // The real publish afterwards gets the number the dry run announced.
    expect((await publishTemplate(deps, SYSTEM_ACTOR, { yaml: V2_YAML, changes: 'Sunday cycles', ...REVIEWED })).version).toBe(2);
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
    expect((await publishTemplate(deps, admin, { yaml: V2_YAML, changes: 'by ada', ...REVIEWED })).publishedBy).toBe('ada');
  });
});
