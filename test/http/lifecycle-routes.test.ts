import { describe, expect, it } from 'vitest';
import { listApprovals } from '../../src/services/lifecycle/approvals.js';
import { releaseEvidence } from '../../src/services/lifecycle/evidence-read.js';
import { releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { type Harness } from '../support/harness.js';
import { expectJson, expectProblem } from '../support/http.js';
import {
  approve,
  ISO,
  move,
  recordPackage,
  recordStep,
  recordTest,
  refused,
  rel,
  releaseWithItem,
  transition,
  V,
  type Crew,
} from '../support/lifecycle-http.js';

const DB = 'Database (Cache/IRIS)';
const WEB = 'Web (WebSphere)';
const VERIFY = 'Rollout package verified and tested by the development team';
const AT_SIGNOFF_MISSING = 'Acceptance test sign-off by the Change Management Coordinator is missing';
const PRODUCTION_APPROVAL_MISSING = 'Approval of the production install by the Change Management Coordinator is missing';
const NOT_NOTIFIED = ['CATS', 'MEDS', 'Fiscal intermediary'].map((s) => `${s} has not been notified of the release`);
const AT_ISSUE = 'Totals wrong on the claims page';
const PROJECT_ISSUE = 'Claims interface contract not yet signed';

describe.each(dialects)('the scheduled release lifecycle over HTTP on $name', ({ name: dialect }) => {
  let h: Harness, crew: Crew;
  let name: string;
  let item: string;

  httpCrewPerFile(dialect, (b) => ({ h, crew } = b));

  const gatesOf = async (transitionId: string) => {
    const view = expectJson(await crew.viewer('GET', rel(name, '/gates')), 200);
    const option = view.transitions.find((t: { id: string }) => t.id === transitionId);
    expect(option, `${transitionId} from ${view.state}`).toBeDefined();
    return option as { unmet: string[]; gates: { id: string; pass: boolean; evidence: unknown[] }[]; allowedForYou: boolean };
  };

  it('creates the release and its item, packages every channel and verifies the packages', async () => {
    // The coordinator creates the release: by default the requester of every approval, who may then not give it.
    ({ name, item } = await releaseWithItem(
      crew.cmcA,
      crew.cmcA,
      { type: 'scheduled', channels: ['database', 'web'] },
      { kind: 'IR', helpdeskRef: 'HD-100', title: 'Claims totals are wrong' },
    ));
    const draft = expectJson(await crew.viewer('GET', rel(name, '/gates')), 200);
    expect(draft).toMatchObject({ release: name, state: 'draft', stateName: 'Draft', terminal: false });
    expect(draft.transitions.map((t: { id: string }) => t.id)).toEqual(['start-packaging', 'cancel']);
    expect(draft.transitions[0]).toEqual({
      id: 'start-packaging',
      name: 'Start packaging',
      to: 'packaging',
      roles: ['technical-lead', 'developer'],
      allowedForYou: false,
      requireComment: false,
      gates: [
        {
          id: 'has-items',
          name: 'The release carries at least one work item',
          pass: true,
          reasons: [],
          evidence: [{ what: `1 work item(s): ${item}`, by: '-', at: '-' }],
          exceptions: [],
        },
      ],
      unmet: [],
    });
    expectProblem(await transition(crew.viewer, name, 'start-packaging'), 403, 'forbidden');
    const started = await move(crew.dev, name, 'start-packaging');
    expect(started).toMatchObject({ from: 'draft', to: 'packaging', comment: '', evidence: { exceptions: [] } });
    expect(started.evidence.gates).toEqual([expect.objectContaining({ id: 'has-items', pass: true, reasons: [] })]);

    expect((await refused(crew.dev, name, 'mark-package-verified')).unmet).toEqual([
      `${VERIFY}: no package has been recorded for the ${DB} channel`,
      `${VERIFY}: no package has been recorded for the ${WEB} channel`,
    ]);
    expectProblem(await recordPackage(crew.viewer, name, 'web', 'nope'), 403, 'forbidden');
    expectProblem(await recordPackage(crew.deployer, name, 'web', 'nope'), 403, 'forbidden');
    expectProblem(await recordPackage(crew.dbLead, name, 'tape', 'nope'), 422, 'validation');
    expectProblem(await crew.dbLead('POST', rel(name, '/packages'), { channel: 'web', label: 'x', extra: 1 }), 400, 'validation');
    const db1 = expectJson(await recordPackage(crew.dbLead, name, 'database', 'CFIS-release-v1.xml'), 201);
    expect(db1).toEqual({
      channel: 'database',
      version: 1,
      label: 'CFIS-release-v1.xml',
      createdBy: 'db-dan',
      createdAt: expect.stringMatching(ISO),
      voidedApprovals: 0,
      file: null,
    });
    expectJson(await recordPackage(crew.webLead, name, 'web', 'cms-static.zip + cms.war'), 201);
    expectProblem(await recordStep(crew.deployer, name, 'verify-package', 'web'), 403, 'forbidden');
    expect(expectJson(await recordStep(crew.dbLead, name, 'verify-package', 'database'), 201)).toMatchObject({
      step: 'verify-package',
      channel: 'database',
      packageVersion: 1,
      recordedBy: 'db-dan',
    });
    expectJson(await recordStep(crew.webLead, name, 'verify-package', 'web'), 201);
    const verified = await move(crew.dev, name, 'mark-package-verified');
    const gate = verified.evidence.gates.find((g: { id: string }) => g.id === 'package-verified');
    expect(gate.evidence).toEqual([
      { what: `${VERIFY} (${DB}, package v1)`, by: 'db-dan', at: expect.stringMatching(ISO) },
      { what: `${VERIFY} (${WEB}, package v1)`, by: 'web-wes', at: expect.stringMatching(ISO) },
    ]);
  });

  it('the CMC’s go-ahead: the requester may not approve; then the package is installed in AT', async () => {
    expect((await refused(crew.lead, name, 'install-in-at')).unmet).toEqual([
      'Go-ahead to install in acceptance test by the Change Management Coordinator is missing',
    ]);
    const own = expectProblem(await approve(crew.cmcA, name, 'at-go-ahead'), 409, 'approval-refused');
    expect(own.detail).toContain(`separation of duties: cmc-ann created ${name} and may not decide`);
    expectProblem(await approve(crew.dev, name, 'at-go-ahead'), 403, 'forbidden');
    expectProblem(await approve(crew.cmcB, name, 'no-such-step'), 422, 'validation');
    const silent = expectProblem(await approve(crew.cmcB, name, 'at-go-ahead', { decision: 'reject' }), 409, 'approval-refused');
    expect(silent.detail).toContain('a rejection needs a comment saying why');
    const given = expectJson(await approve(crew.cmcB, name, 'at-go-ahead', { comment: 'go' }), 201);
    expect(given).toMatchObject({ step: 'at-go-ahead', decision: 'approved', decidedBy: 'cmc-bob', voided: false, voidReason: null });
    const steps = expectJson(await crew.viewer('GET', rel(name, '/approvals')), 200);
    expect(steps.map((s: { step: string }) => s.step)).toEqual(['at-go-ahead', 'at-signoff', 'production-approval', 'final-signoff']);
    expect(steps[0]).toMatchObject({ approvedBy: ['cmc-bob'], satisfied: true, requester: 'cmc-ann', required: 1, roles: ['cmc'] });
    expect(await move(crew.lead, name, 'install-in-at')).toMatchObject({ from: 'package-verified', to: 'in-at' });
  });

  it('AT: a failure caused by the fix waits for a new package version, which voids the approvals', async () => {
    const failed = { item, environment: 'acceptance-test', result: 'failed', cause: 'fix', notes: 'totals still wrong' };
    expect(expectJson(await recordTest(crew.analyst, name, failed), 201)).toMatchObject({
      item,
      result: 'failed',
      cause: 'fix',
      packages: { database: 1, web: 1 },
      recordedBy: 'sa-sam',
    });
    const noCause = expectProblem(await recordTest(crew.analyst, name, { ...failed, cause: undefined }), 422, 'validation');
    // Every problem at once: no cause, and the item is still waiting for a new package.
    expect(noCause.errors?.map((e) => e.path)).toEqual(['cause', 'item']);
    const retest = { item, environment: 'acceptance-test', result: 'passed' };
    const tooEarly = expectProblem(await recordTest(crew.analyst, name, retest), 422, 'validation');
    expect(tooEarly.errors).toEqual([{ path: 'item', message: expect.stringContaining('goes back to the developer') }]);

    // A new version would void the go-ahead the release was installed in AT on: it goes back to packaging first.
    const inAt = expectProblem(await recordPackage(crew.dev, name, 'database', 'CFIS-release-v2.xml'), 409, 'state-evidence-voided');
    expect(inAt.detail).toBe(
      `release ${name} is In acceptance test, which a new ${DB} package version would void: ` +
        `${VERIFY} is missing for the ${DB} channel (package v2) — record it with \`relman step record ${name} verify-package --channel database\`; ` +
        'Go-ahead to install in acceptance test by the Change Management Coordinator is missing; take it back first (back-to-packaging)',
    );
    await move(crew.dev, name, 'back-to-packaging', 'the totals fix is incomplete');
    expect(expectJson(await recordPackage(crew.dev, name, 'database', 'CFIS-release-v2.xml'), 201)).toMatchObject({
      version: 2,
      voidedApprovals: 1,
    });
    const goAhead = expectJson(await crew.viewer('GET', rel(name, '/approvals')), 200)[0];
    expect(goAhead).toMatchObject({ approvedBy: [], satisfied: false });
    expect(goAhead.decisions).toEqual([
      expect.objectContaining({
        decidedBy: 'cmc-bob',
        voided: true,
        voidedAt: expect.stringMatching(ISO),
        voidReason: 'new database package v2',
      }),
    ]);
    expectJson(await crew.dev('POST', rel(name, '/steps'), { step: 'verify-package', channel: 'database', note: 'v2 checked' }), 201);
    await move(crew.dev, name, 'mark-package-verified');
    expectJson(await approve(crew.cmcB, name, 'at-go-ahead', { comment: 'v2 may go in' }), 201);
    await move(crew.lead, name, 'install-in-at');
    expect(expectJson(await recordTest(crew.analyst, name, retest), 201).packages).toEqual({ database: 2, web: 1 });

    expectJson(await crew.analyst('POST', rel(name, '/issues'), { category: 'at-issue', title: AT_ISSUE }), 201);
    const projectIssue = { category: 'project-issue', title: PROJECT_ISSUE, description: 'Waiting for the vendor' };
    expect(expectJson(await crew.lead('POST', rel(name, '/issues'), projectIssue), 201)).toMatchObject({
      number: 2,
      status: 'open',
      raisedBy: 'lead-lee',
    });
    expectProblem(await crew.viewer('POST', rel(name, '/issues'), projectIssue), 403, 'forbidden');
    expectProblem(await crew.lead('POST', rel(name, '/issues'), { ...projectIssue, category: 'gossip' }), 422, 'validation');

    // Asked for far too early, the production approval lists every unmet condition at once.
    expect((await refused(crew.cmcB, name, 'approve-for-production')).unmet).toEqual([
      'the release is In acceptance test; "Approve for production" starts from Acceptance test signed off',
      AT_SIGNOFF_MISSING,
      ...NOT_NOTIFIED,
      `Issue reported during acceptance testing #1 "${AT_ISSUE}" is unresolved`,
      `Pending project issue concerning the release #2 "${PROJECT_ISSUE}" is unresolved`,
      PRODUCTION_APPROVAL_MISSING,
    ]);
    // GET /gates shows the next transition with the same reasons and the evidence: who, when.
    const option = await gatesOf('complete-at');
    const refusal = await refused(crew.lead, name, 'complete-at');
    expect(option.unmet).toEqual([`Issue reported during acceptance testing #1 "${AT_ISSUE}" is unresolved`, AT_SIGNOFF_MISSING]);
    expect(refusal.unmet).toEqual(option.unmet);
    expect(refusal.gates).toEqual(option.gates);
    expect(option.gates[0]).toMatchObject({
      id: 'items-passed-at',
      pass: true,
      evidence: [{ what: `${item} passed in Acceptance Test (AT)`, by: 'sa-sam', at: expect.stringMatching(ISO) }],
    });
  });

  it('issues resolved, AT signed off, systems notified and production approved — with the same reasons in /gates', async () => {
    expectProblem(await crew.analyst('PATCH', rel(name, '/issues/1'), { status: 'resolved' }), 403, 'forbidden');
    expect(
      expectJson(await crew.dev('PATCH', rel(name, '/issues/1'), { status: 'resolved', resolution: 'fixed in v2' }), 200),
    ).toMatchObject({
      number: 1,
      status: 'resolved',
      resolution: 'fixed in v2',
      resolvedBy: 'dev-dee',
      resolvedAt: expect.stringMatching(ISO),
    });
    const noReason = expectProblem(await crew.lead('PATCH', rel(name, '/issues/2'), { status: 'wont-fix' }), 422, 'validation');
    expect(noReason.errors?.map((e) => e.path)).toEqual(['resolution']);
    expectProblem(await crew.lead('PATCH', rel(name, '/issues/9'), { status: 'resolved' }), 404, 'not-found');

    expectProblem(await approve(crew.cmcA, name, 'at-signoff'), 409, 'approval-refused');
    expectJson(await approve(crew.cmcB, name, 'at-signoff'), 201);
    expect(await move(crew.cmcB, name, 'complete-at')).toMatchObject({ from: 'in-at', to: 'at-signed-off' });

    const option = await gatesOf('approve-for-production');
    expect(option.unmet).toEqual([
      ...NOT_NOTIFIED,
      `Pending project issue concerning the release #2 "${PROJECT_ISSUE}" is unresolved`,
      PRODUCTION_APPROVAL_MISSING,
    ]);
    const signedOff = option.gates.find((g) => g.id === 'at-signed-off');
    expect(signedOff).toMatchObject({
      pass: true,
      evidence: [{ what: 'Acceptance test sign-off: approved', by: 'cmc-bob', at: expect.stringMatching(ISO) }],
    });
    const refusal = await refused(crew.cmcA, name, 'approve-for-production');
    expect(refusal.unmet).toEqual(option.unmet);
    expect(refusal.gates).toEqual(option.gates);

    expectJson(await crew.lead('PATCH', rel(name, '/issues/2'), { status: 'wont-fix', resolution: 'not for this release' }), 200);
    const called = { means: 'phone', note: 'called the interface desk' };
    expectProblem(await crew.dev('POST', rel(name, '/notifications'), { system: 'cats', ...called }), 403, 'forbidden');
    expectProblem(await crew.lead('POST', rel(name, '/notifications'), { system: 'pager', ...called }), 422, 'validation');
    // A notice by hand says how it was made, and what was said to whom.
    expectProblem(await crew.lead('POST', rel(name, '/notifications'), { system: 'cats' }), 400, 'validation');
    expectProblem(
      await crew.lead('POST', rel(name, '/notifications'), { system: 'cats', means: 'email', note: 'sent' }),
      400,
      'validation',
    );
    expectProblem(await crew.lead('POST', rel(name, '/notifications'), { system: 'cats', means: 'phone', note: '  ' }), 400, 'validation');
    for (const system of ['cats', 'meds']) expectJson(await crew.lead('POST', rel(name, '/notifications'), { system, ...called }), 201);
    const fi = expectJson(
      await crew.cmcA('POST', rel(name, '/notifications'), {
        system: 'fiscal-intermediary',
        means: 'meeting',
        note: 'weekly interface call',
      }),
      201,
    );
    expect(fi).toMatchObject({
      system: 'fiscal-intermediary',
      means: 'meeting',
      status: 'notified',
      note: 'weekly interface call',
      summary: 'Fiscal intermediary notified in a meeting: weekly interface call',
      recordedBy: 'cmc-ann',
    });
    expect((await gatesOf('approve-for-production')).unmet).toEqual([PRODUCTION_APPROVAL_MISSING]);
    expectJson(await approve(crew.cmcB, name, 'production-approval'), 201);

    const approved = await move(crew.cmcA, name, 'approve-for-production');
    expect(approved.evidence.gates.map((g: { id: string; pass: boolean }) => [g.id, g.pass])).toEqual([
      ['at-signed-off', true],
      ['systems-notified', true],
      ['package-verified', true],
      ['package-covers-items', true],
      ['packages-tested-at', true],
      ['no-open-at-issues', true],
      ['no-pending-project-issues', true],
      ['production-approved', true],
    ]);
    expect(approved.evidence.gates[1].evidence).toEqual([
      { what: 'CATS notified by phone: called the interface desk', by: 'lead-lee', at: expect.stringMatching(ISO) },
      { what: 'MEDS notified by phone: called the interface desk', by: 'lead-lee', at: expect.stringMatching(ISO) },
      { what: 'Fiscal intermediary notified in a meeting: weekly interface call', by: 'cmc-ann', at: expect.stringMatching(ISO) },
    ]);
  });

  it('starts the deployment only once the backup and the web transfer are done or waived by the CMC (P14, P17)', async () => {
    const transfer = "Checklist task 'Transfer web packages to the production drop location'";
    const backup = "Checklist task 'Back up the databases'";
    const blocked = await refused(crew.deployer, name, 'start-deployment');
    expect(blocked.unmet).toEqual([`${transfer} is not done`, `${backup} is not done`]);
    expect(blocked.gates).toEqual([expect.objectContaining({ id: 'checklist:start-deployment', pass: false })]);

    const waive = (who: typeof crew.cmcA, body: Record<string, unknown>) =>
      who('POST', rel(name, '/checklist/transfer-web-packages/waive'), body);
    const reason = 'the drop location is down; the deployment team takes the packages from the build share';
    expectProblem(await waive(crew.lead, { transition: 'start-deployment', reason }), 403, 'forbidden');
    expectProblem(await waive(crew.cmcA, { transition: 'start-deployment', reason: ' ' }), 400, 'validation');
    const notTied = expectProblem(await waive(crew.cmcA, { transition: 'complete-at', reason }), 422, 'validation');
    expect(notTied.errors).toEqual([
      {
        path: 'transition',
        message: '"Transfer web packages to the production drop location" is required before start-deployment, sign-off, not "complete-at"',
      },
    ]);
    const waived = expectJson(await waive(crew.cmcA, { transition: 'start-deployment', reason }), 200);
    expect(waived).toMatchObject({ task: 'transfer-web-packages', status: 'open' });
    const at = waived.waivers[0]?.waivedAt as string;
    expect(waived.waivers).toEqual([
      {
        transition: 'start-deployment',
        transitionName: 'Start the production deployment',
        reason,
        waivedBy: 'cmc-ann',
        waivedAt: expect.stringMatching(ISO),
        text: `waived by cmc-ann at ${at}: ${reason}`,
      },
    ]);
    expectProblem(await waive(crew.cmcA, { transition: 'start-deployment', reason }), 409, 'already-waived');
    expect((await refused(crew.deployer, name, 'start-deployment')).unmet).toEqual([`${backup} is not done`]);
    expectJson(await crew.dbLead('POST', rel(name, '/checklist/back-up-databases/complete'), { note: 'in /backup/CFIS001' }), 200);

    const started = await move(crew.deployer, name, 'start-deployment');
    expect(started.evidence.exceptions).toEqual([
      `checklist task 'Transfer web packages to the production drop location' waived by cmc-ann at ${at}: ${reason}`,
    ]);
    expect(started.evidence.gates[0].evidence).toEqual([
      { what: `${transfer} waived by cmc-ann at ${at}: ${reason}`, by: 'cmc-ann', at },
      { what: `${backup} done: in /backup/CFIS001`, by: 'db-dan', at: expect.stringMatching(ISO) },
    ]);
    const evidence = expectJson(await crew.viewer('GET', rel(name, '/evidence')), 200);
    expect(evidence.checklistWaivers).toEqual([
      expect.objectContaining({
        task: 'transfer-web-packages',
        transition: 'start-deployment',
        text: `waived by cmc-ann at ${at}: ${reason}`,
      }),
    ]);
    // Done after all: late, and shown as such.
    const late = expectJson(
      await crew.webLead('POST', rel(name, '/checklist/transfer-web-packages/complete'), { note: 'sent by SFTP' }),
      200,
    );
    expect(late.lateAfter).toEqual([
      { transition: 'start-deployment', name: 'Start the production deployment', performedAt: started.performedAt },
    ]);
  });

  it('deploys per channel by the responsible roles, verifies, signs off with both attestations, then closes', async () => {
    const denied = expectProblem(await recordStep(crew.dev, name, 'deploy', 'web'), 403, 'forbidden');
    expect(denied.allowedRoles).toEqual(['deployment']);
    expectProblem(await recordStep(crew.deployer, name, 'deploy', 'database'), 403, 'forbidden');
    expectProblem(await recordStep(crew.deployer, name, 'teleport', 'web'), 404, 'not-found');
    expect(expectJson(await recordStep(crew.deployer, name, 'deploy', 'web'), 201)).toMatchObject({ packageVersion: null });
    expect((await refused(crew.deployer, name, 'confirm-deployment')).unmet).toEqual([
      `Packages deployed to production is missing for the ${DB} channel — record it with \`relman step record ${name} deploy --channel database\``,
      `Deployment confirmed is missing for the ${DB} channel — record it with \`relman step record ${name} confirm-deployment --channel database\``,
      `Deployment confirmed is missing for the ${WEB} channel — record it with \`relman step record ${name} confirm-deployment --channel web\``,
    ]);
    expectJson(await recordStep(crew.deployer, name, 'confirm-deployment', 'web'), 201);
    expectJson(await recordStep(crew.dbLead, name, 'deploy', 'database'), 201);
    expectJson(await recordStep(crew.dbLead, name, 'confirm-deployment', 'database'), 201);
    await move(crew.deployer, name, 'confirm-deployment');

    for (const c of ['database', 'web']) expectJson(await recordStep(crew.analyst, name, 'verify-application', c), 201);
    await move(crew.analyst, name, 'verify-in-production');

    const none = expectProblem(await approve(crew.cmcB, name, 'final-signoff'), 409, 'approval-refused');
    expect(none.detail).toContain('(attestation requirements-addressed)');
    expect(none.detail).toContain('(attestation implementation-succeeded)');
    const half = expectProblem(await approve(crew.cmcB, name, 'final-signoff', { attestations: ['requirements-addressed'] }), 409);
    expect(half.detail).not.toContain('requirements-addressed');
    expect(half.detail).toContain('implementation-succeeded');
    const both = ['requirements-addressed', 'implementation-succeeded'];
    expect(expectJson(await approve(crew.cmcB, name, 'final-signoff', { attestations: both }), 201).attestations).toEqual(both);
    // Every checklist task is done before the sign-off (P14).
    expect((await refused(crew.cmcB, name, 'sign-off')).unmet).toEqual(
      [
        'Inform the deployment team about the release and where its packages are',
        'Prepare release notes',
        'Send release notes to the deployment team',
      ].map((t) => `Checklist task '${t}' is not done`),
    );
    for (const task of ['inform-deployment-team', 'prepare-release-notes', 'send-release-notes'])
      expectJson(await crew.lead('POST', rel(name, `/checklist/${task}/complete`), { note: 'done' }), 200);
    expect(await move(crew.cmcB, name, 'sign-off')).toMatchObject({ from: 'verified-in-production', to: 'signed-off' });
    expect(expectJson(await crew.viewer('GET', `${V}/releases/${name}`), 200).state).toBe('signed-off');
    expect(expectJson(await crew.viewer('GET', rel(name, '/gates')), 200)).toMatchObject({ terminal: true, transitions: [] });

    const closed = [
      await crew.analyst('POST', rel(name, '/issues'), { category: 'at-issue', title: 'late' }),
      await transition(crew.cmcB, name, 'roll-back', 'too late'),
      await approve(crew.cmcA, name, 'production-approval'),
      await recordPackage(crew.dev, name, 'web', 'v9'),
      await recordStep(crew.analyst, name, 'verify-application', 'web'),
      await crew.lead('POST', rel(name, '/notifications'), { system: 'cats', means: 'phone', note: 'late call' }),
      await crew.lead('PATCH', rel(name, '/issues/1'), { status: 'open' }),
    ];
    for (const res of closed) expectProblem(res, 409, 'release-closed');
  });

  it('the reads serve everything the services return, and the audit trail has every transition', async () => {
    const history = expectJson(await crew.viewer('GET', rel(name, '/history')), 200);
    expect(history.map((t: { transition: string; performedBy: string }) => `${t.transition} by ${t.performedBy}`)).toEqual([
      'start-packaging by dev-dee',
      'mark-package-verified by dev-dee',
      'install-in-at by lead-lee',
      'back-to-packaging by dev-dee',
      'mark-package-verified by dev-dee',
      'install-in-at by lead-lee',
      'complete-at by cmc-bob',
      'approve-for-production by cmc-ann',
      'start-deployment by ops-olga',
      'confirm-deployment by ops-olga',
      'verify-in-production by sa-sam',
      'sign-off by cmc-bob',
    ]);
    // Nothing a service returns is lost to the response schemas.
    const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    expect(history).toEqual(json(await releaseHistory(h.deps, { name })));
    expect(expectJson(await crew.viewer('GET', rel(name, '/approvals')), 200)).toEqual(json(await listApprovals(h.deps, { name })));
    const evidence = expectJson(await crew.viewer('GET', rel(name, '/evidence')), 200);
    expect(evidence).toEqual(json(await releaseEvidence(h.deps, { name })));
    expect(evidence.packages.map((p: { channel: string; version: number }) => `${p.channel} v${p.version}`)).toEqual([
      'database v1',
      'database v2',
      'web v1',
    ]);
    expect(evidence.tests.map((t: { result: string }) => t.result)).toEqual(['failed', 'passed']);
    expect(evidence.issues.map((i: { status: string }) => i.status)).toEqual(['resolved', 'wont-fix']);
    expect(evidence.notifications).toHaveLength(3);
    expect(evidence.steps).toHaveLength(9);
    expect(evidence.checklistWaivers).toHaveLength(1);

    const audit = expectJson(
      await crew.viewer('GET', `${V}/audit?action=release.transition&subjectId=${encodeURIComponent(`cms-net/${name}`)}`),
      200,
    );
    expect(audit.items.map((e: { after: { transition: string } }) => e.after.transition)).toEqual(
      history.map((t: { transition: string }) => t.transition),
    );
    expectProblem(await crew.viewer('GET', rel('CFIS999', '/gates')), 404, 'not-found');
  });
});
