import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { type Harness } from '../support/harness.js';
import { expectJson, expectProblem } from '../support/http.js';
import {
  approve,
  move,
  packageAndVerify,
  person,
  recordTest,
  refused,
  rel,
  releaseWithItem,
  statuses,
  transition,
  V,
  type Crew,
  type Person,
} from '../support/lifecycle-http.js';

const REPORT = 'emergency-release-report';
const FIVE_PARTS = {
  summary: 'Removes duplicated claim lines',
  'analysis-and-impact': 'Only claims entered on 3 March are affected',
  'test-results': 'Repaired in development; totals match',
  'sources-affected': 'Global ^CLAIMS',
  'release-specifications': 'Run the repair routine once',
};
const SINGLE_ENV = 'single-environment testing: every item is a DR, so one of Development, Acceptance Test (AT) sufficed';

describe.each(dialects)('emergency, expedited and concurrent lifecycles over HTTP on $name', ({ name: dialect }) => {
  let h: Harness, app: FastifyInstance, crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ h, app, crew } = b));

  const auditCount = async (action: string, release: string) =>
    expectJson(await crew.viewer('GET', `${V}/audit?action=${action}&subjectId=${encodeURIComponent(`cms-net/${release}`)}`), 200).items
      .length as number;

  it('emergency: the report with five parts and help-desk references, the CMC’s approval; a DR passes in one environment', async () => {
    const { name, item } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'emergency', channels: ['database'] },
      { kind: 'DR', helpdeskRef: 'HD-DR-7', title: 'Repair duplicated claim lines' },
    );
    await packageAndVerify(crew, name, ['database']);
    expectJson(await recordTest(crew.dev, name, { item, environment: 'development', result: 'passed' }), 201);
    expect((await refused(crew.cmcA, name, 'approve-for-production')).unmet).toEqual([
      'the Emergency Release Report has not been written',
      'Approval of the emergency release by the Change Management Coordinator is missing',
    ]);

    const path = rel(name, `/reports/${REPORT}`);
    const { 'release-specifications': _left, ...fourParts } = FIVE_PARTS;
    expect(expectJson(await crew.dev('PUT', path, { parts: fourParts }), 200)).toMatchObject({ report: REPORT, helpdeskRefs: [] });
    expect((await refused(crew.cmcA, name, 'approve-for-production')).unmet.slice(0, 2)).toEqual([
      'Emergency Release Report: "Release specifications" is missing',
      'Emergency Release Report: no help-desk reference to IR/DR records',
    ]);
    expectProblem(await crew.viewer('PUT', path, { parts: FIVE_PARTS }), 403, 'forbidden');
    expectProblem(await crew.analyst('PUT', path, { parts: FIVE_PARTS }), 403, 'forbidden');
    const unknown = expectProblem(await crew.lead('PUT', path, { parts: { ...FIVE_PARTS, gossip: 'x' } }), 422, 'validation');
    expect(unknown.errors?.map((e) => e.path)).toEqual(['parts.gossip']);
    expectProblem(await crew.lead('PUT', rel(name, '/reports/no-such-report'), { parts: {} }), 404, 'not-found');
    const stranger = expectProblem(
      await crew.lead('PUT', path, { parts: FIVE_PARTS, helpdeskRefs: ['HD-DR-7', 'HD-IR-12'] }),
      422,
      'validation',
    );
    expect(stranger.errors?.map((e) => [e.path, e.message])).toEqual([
      ['helpdeskRefs[1]', `HD-IR-12 is not the help-desk reference of any work item on ${name}`],
    ]);
    const report = expectJson(await crew.lead('PUT', path, { parts: FIVE_PARTS, helpdeskRefs: ['HD-DR-7'] }), 200);
    expect(report).toMatchObject({ parts: FIVE_PARTS, helpdeskRefs: ['HD-DR-7'], writtenBy: 'lead-lee' });
    expect(await auditCount('report.write', name)).toBe(2);

    // The creator (the technical lead) requested it; any coordinator may approve.
    expectJson(await approve(crew.cmcA, name, 'emergency-approval'), 201);
    const done = await move(crew.cmcA, name, 'approve-for-production');
    expect(done).toMatchObject({ from: 'package-verified', to: 'approved-for-production' });
    expect(done.evidence.exceptions).toEqual([SINGLE_ENV]);
    const tested = done.evidence.gates.find((g: { id: string }) => g.id === 'items-passed-test');
    expect(tested).toMatchObject({ pass: true, exceptions: [SINGLE_ENV], evidence: [expect.objectContaining({ by: 'dev-dee' })] });
    expect(done.evidence.gates.find((g: { id: string }) => g.id === 'emergency-report').evidence).toEqual([
      { what: 'Emergency Release Report (HD-DR-7)', by: 'lead-lee', at: expect.any(String) },
    ]);
    const history = expectJson(await crew.viewer('GET', rel(name, '/history')), 200);
    expect(history.at(-1).evidence.exceptions).toEqual([SINGLE_ENV]);
  });

  it('emergency: an incident report still has to pass in both test environments', async () => {
    const { name, item } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'emergency', channels: ['web'] },
      { kind: 'IR', helpdeskRef: 'HD-IR-13', title: 'Login page crashes' },
    );
    await packageAndVerify(crew, name, ['web']);
    expectJson(await recordTest(crew.dev, name, { item, environment: 'development', result: 'passed' }), 201);
    const unmet = (await refused(crew.cmcA, name, 'approve-for-production')).unmet;
    expect(unmet[0]).toBe(`${item} has not passed testing in Acceptance Test (AT): it has not been tested`);
  });

  it('expedited: no installation in AT; complete-testing is its transition', async () => {
    const { name, item } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'expedited', channels: ['web'] },
      { kind: 'SMCR', helpdeskRef: 'HD-S-3', title: 'Add a column to the claims list' },
    );
    await packageAndVerify(crew, name, ['web']);
    const unknown = expectProblem(await transition(crew.lead, name, 'install-in-at'), 422, 'validation');
    expect(unknown.detail).toContain('is not a transition of the Expedited release');
    expect(unknown.errors?.map((e) => e.path)).toEqual(['transition']);
    const view = expectJson(await crew.lead('GET', rel(name, '/gates')), 200);
    expect(view.transitions.map((t: { id: string }) => t.id)).toEqual(['back-to-packaging', 'complete-testing', 'cancel']);
    expect((await refused(crew.lead, name, 'complete-testing')).unmet).toEqual([
      `${item} has not passed testing in any of Development, Acceptance Test (AT)`,
      'Web (WebSphere) package v1 was not tested in any of Development, Acceptance Test (AT)',
      'Acceptance test sign-off by the Change Management Coordinator is missing',
    ]);
    // No regression testing (P13): one test environment is enough.
    expectJson(await recordTest(crew.analyst, name, { item, environment: 'development', result: 'passed' }), 201);
    expectJson(await approve(crew.cmcA, name, 'at-signoff'), 201);
    expect(await move(crew.lead, name, 'complete-testing')).toMatchObject({ from: 'package-verified', to: 'at-signed-off' });
    // A comment-only transition without its comment lists that too.
    expect((await refused(crew.lead, name, 'back-to-packaging')).unmet).toEqual([
      '"Back to packaging (corrective action)" needs a comment saying why',
    ]);
  });

  it('20 coordinators approve one step at once: exactly one approval counts', async () => {
    const { name } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['web'] },
      { kind: 'IR', helpdeskRef: 'HD-C-1', title: 'race' },
    );
    const cmcs: Person[] = [];
    for (let i = 0; i < 20; i++) cmcs.push(await person(app, h.deps, ['cmc'], `cmc-race-${i}`));
    const answers = await Promise.all(cmcs.map((c) => approve(c, name, 'at-go-ahead')));
    expect(statuses(answers)).toEqual([201, ...Array<number>(19).fill(409)]);
    for (const res of answers.filter((r) => r.statusCode === 409)) expectProblem(res, 409, 'approval-refused');
    const step = expectJson(await crew.viewer('GET', rel(name, '/approvals')), 200)[0];
    expect(step.approvedBy).toHaveLength(1);
    expect(step.decisions).toHaveLength(1);
    expect(await auditCount('approval.approve', name)).toBe(1);
  });

  it('20 identical transitions at once: exactly one is performed, the others are refused', async () => {
    const { name } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['web'] },
      { kind: 'IR', helpdeskRef: 'HD-C-2', title: 'race' },
    );
    const before = expectJson(await crew.viewer('GET', `${V}/releases/${name}`), 200).version as number;
    const answers = await Promise.all(Array.from({ length: 20 }, () => transition(crew.dev, name, 'start-packaging')));
    expect(statuses(answers)).toEqual([201, ...Array<number>(19).fill(409)]);
    for (const res of answers.filter((r) => r.statusCode === 409)) {
      expect(expectProblem(res, 409, 'gates-not-satisfied').unmet).toEqual([
        'the release is Packaging; "Start packaging" starts from Draft',
      ]);
    }
    const after = expectJson(await crew.viewer('GET', `${V}/releases/${name}`), 200);
    expect(after.state).toBe('packaging');
    // Only the performed transition wrote: the refused ones rolled back their version bump.
    expect(after.version).toBe(before + 1);
    expect(expectJson(await crew.viewer('GET', rel(name, '/history')), 200)).toHaveLength(1);
    expect(await auditCount('release.transition', name)).toBe(1);

    // A stale version is refused before anything else is looked at.
    const stale = expectProblem(
      await crew.dev('POST', rel(name, '/transitions'), { transition: 'cancel', comment: 'x', version: before }),
      409,
      'stale-version',
    );
    expect(stale).toMatchObject({ expectedVersion: before, currentVersion: before + 1 });
  });
});
