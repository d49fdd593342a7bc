import { describe, expect, it } from 'vitest';
import { ForbiddenError, ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { decideApproval } from '../../src/services/lifecycle/approvals.js';
import { writeReport } from '../../src/services/lifecycle/evidence.js';
import { performTransition, releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { assignWorkItem } from '../../src/services/work-items.js';
import { publishTemplate } from '../../src/services/templates.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { AT, DB, FULL_REPORT, MSG, WEB, startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { auditEvents, lastAuditSeq, type ManualClock, rejectsWith, REVIEWED, templateYaml } from '../support/service-fixtures.js';

type Gates = { gates: { id: string; evidence: { what: string; by: string }[] }[]; exceptions: string[] };

describe.each(dialects)('emergency and expedited releases ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew;
  crewPerTest(name, (b) => ({ deps, clock, crew } = b));

  const emergency = (kinds: string[]) => startFlow(deps, clock, crew, { type: 'emergency', channels: ['database'], kinds });
  async function testedIn(f: Flow, environments: string[]): Promise<void> {
    for (const i of f.items) for (const env of environments) await f.test(i, env, 'passed');
  }

  describe('emergency (P12)', () => {
    it('is approved for production only with the complete Emergency Release Report and the emergency approval', async () => {
      const f = await emergency(['IR', 'DR']);
      await f.toPackageVerified();
      await testedIn(f, ['development', 'acceptance-test']);
      expect(await f.unmet('approve-for-production')).toEqual([
        'the Emergency Release Report has not been written',
        MSG.emergencyApprovalMissing,
      ]);

      const forbidden = await rejectsWith(
        writeReport(deps, crew.analyst, { name: f.name }, 'emergency-release-report', { parts: FULL_REPORT }),
        ForbiddenError,
      );
      expect(forbidden.allowedRoles).toEqual(['technical-lead', 'developer', 'cmc']);
      const unknownPart = await rejectsWith(
        writeReport(deps, crew.lead, { name: f.name }, 'emergency-release-report', { parts: { budget: 'x' } }),
        ValidationError,
      );
      expect(unknownPart.problems.map((p) => p.path)).toEqual(['parts.budget']);

      await f.report({ summary: FULL_REPORT.summary, 'analysis-and-impact': FULL_REPORT['analysis-and-impact'], 'test-results': ' ' }, []);
      expect(await f.unmet('approve-for-production')).toEqual([
        'Emergency Release Report: "Test results" is missing',
        'Emergency Release Report: "Sources affected" is missing',
        'Emergency Release Report: "Release specifications" is missing',
        'Emergency Release Report: no help-desk reference to IR/DR records',
        MSG.emergencyApprovalMissing,
      ]);

      // Only a coordinator gives the emergency approval.
      const dev = await rejectsWith(
        decideApproval(deps, crew.dev, { name: f.name }, { step: 'emergency-approval', decision: 'approve' }),
        ForbiddenError,
      );
      expect(dev.allowedRoles).toEqual(['cmc']);
      await f.report(FULL_REPORT, ['HD-IR', 'HD-DR'], crew.dev);
      expect(await f.unmet('approve-for-production')).toEqual([MSG.emergencyApprovalMissing]);
      await f.approve('emergency-approval', crew.cmc2);
      const seq = await lastAuditSeq(deps);
      await f.transition(crew.cmc, 'approve-for-production');

      const done = (await releaseHistory(deps, { name: f.name })).at(-1);
      expect(done).toMatchObject({ transition: 'approve-for-production', from: 'package-verified', to: 'approved-for-production' });
      const evidence = done?.evidence as Gates;
      expect(evidence.exceptions).toEqual([]);
      const gate = (id: string) => evidence.gates.find((g) => g.id === id)?.evidence.map((e) => [e.what, e.by]);
      expect(gate('emergency-report')).toEqual([['Emergency Release Report (HD-IR, HD-DR)', 'dana']]);
      expect(gate('emergency-approved')).toEqual([['Approval of the emergency release: approved', 'chris']]);
      expect((await auditEvents(deps, seq)).map((e) => e.action)).toEqual(['release.transition']);
      // The report was rewritten; the audit keeps both versions.
      const reports = (await auditEvents(deps)).filter((e) => e.action === 'report.write');
      expect(reports.map((e) => [e.actor, e.before?.writtenBy ?? null, e.after.helpdeskRefs])).toEqual([
        ['terry', null, []],
        ['dana', 'terry', ['HD-IR', 'HD-DR']],
      ]);

      await f.deployAndSignOff();
      expect((await getRelease(deps, { name: f.name })).state).toBe('signed-off');
    });

    it('cites only help-desk references of IR and DR items on the release, when written and at the gate', async () => {
      const f = await emergency(['IR', 'SMCR', 'DR']);
      const [ir, smcr] = f.items;
      await f.toPackageVerified();
      await testedIn(f, ['development', 'acceptance-test']);
      const refused = await rejectsWith(f.report(FULL_REPORT, ['HD-IR', 'HD-SMCR', 'HD-9999']), ValidationError);
      expect(refused.problems).toEqual([
        { path: 'helpdeskRefs[1]', message: `HD-SMCR belongs to ${smcr}, which is not of kind IR or DR` },
        { path: 'helpdeskRefs[2]', message: `HD-9999 is not the help-desk reference of any work item on ${f.name}` },
      ]);
      expect((await auditEvents(deps)).filter((e) => e.action === 'report.write')).toEqual([]);

      await f.report(FULL_REPORT, ['HD-IR', 'HD-DR']);
      // The IR leaves the release after the report was written: its reference no longer qualifies.
      await assignWorkItem(deps, crew.lead, { key: ir! }, { release: null });
      await f.approve('emergency-approval');
      expect(await f.unmet('approve-for-production')).toEqual([
        `Emergency Release Report: HD-IR is not the help-desk reference of any work item on ${f.name}`,
      ]);
    });

    async function readyButTesting(f: Flow): Promise<void> {
      await f.toPackageVerified();
      await f.report(FULL_REPORT, ['HD-DR']);
      await f.approve('emergency-approval');
    }

    it('a release of data repairs only may pass testing in one environment; the evidence records the exception', async () => {
      const f = await emergency(['DR', 'DR']);
      await readyButTesting(f);
      expect(await f.unmet('approve-for-production')).toEqual([
        'DR-1 has not passed testing in any of Development, Acceptance Test (AT)',
        'DR-2 has not passed testing in any of Development, Acceptance Test (AT)',
        MSG.notTested(DB, 1, 'any of Development, Acceptance Test (AT)'),
      ]);
      await f.test('DR-1', 'development', 'passed');
      await f.test('DR-2', 'acceptance-test', 'passed');
      const seq = await lastAuditSeq(deps);
      await f.transition(crew.cmc, 'approve-for-production');
      const done = (await releaseHistory(deps, { name: f.name })).at(-1);
      const evidence = done?.evidence as Gates;
      expect(evidence.exceptions).toEqual([MSG.singleEnvException]);
      expect(evidence.gates.find((g) => g.id === 'items-passed-test')?.evidence.map((e) => e.what)).toEqual([
        'DR-1 passed in Development',
        'DR-2 passed in Acceptance Test (AT)',
      ]);
      const [event] = await auditEvents(deps, seq);
      expect(event?.after).toEqual({
        state: 'approved-for-production',
        transition: 'approve-for-production',
        comment: '',
        exceptions: [MSG.singleEnvException],
      });
    });

    it('a release mixing an IR with a DR must pass in both environments', async () => {
      const f = await emergency(['IR', 'DR']);
      await readyButTesting(f);
      await testedIn(f, ['development']);
      expect(await f.unmet('approve-for-production')).toEqual([
        MSG.notPassed('IR-1', AT),
        MSG.notPassed('DR-1', AT),
        MSG.notTested(DB, 1, AT),
      ]);
      await f.test('DR-1', 'acceptance-test', 'passed');
      expect(await f.unmet('approve-for-production')).toEqual([MSG.notPassed('IR-1', AT), `${MSG.notTested(DB, 1, AT)} for IR-1`]);
      await f.test('IR-1', 'acceptance-test', 'passed');
      await f.transition(crew.cmc, 'approve-for-production');
      expect(((await releaseHistory(deps, { name: f.name })).at(-1)?.evidence as Gates).exceptions).toEqual([]);
    });

    it('has no acceptance-test states in its workflow', async () => {
      const f = await emergency(['IR']);
      await f.toPackageVerified();
      const err = await rejectsWith(performTransition(deps, crew.lead, { name: f.name }, { transition: 'install-in-at' }), ValidationError);
      expect(err.message).toBe(
        '"install-in-at" is not a transition of the Emergency release (P12) workflow; from Package verified: back-to-packaging, approve-for-production, cancel',
      );
    });
  });

  describe('expedited (P13)', () => {
    const expedited = () => startFlow(deps, clock, crew, { type: 'expedited', channels: ['web'], kinds: ['IR'] });

    it('has no install-in-at: testing is completed from package-verified', async () => {
      const f = await expedited();
      await f.toPackageVerified();
      const err = await rejectsWith(performTransition(deps, crew.lead, { name: f.name }, { transition: 'install-in-at' }), ValidationError);
      expect(err.message).toBe(
        '"install-in-at" is not a transition of the Expedited release (P13): no regression testing step workflow; ' +
          'from Package verified: back-to-packaging, complete-testing, cancel',
      );
      await f.approve('at-signoff');
      expect(await f.unmet('complete-testing')).toEqual([
        'IR-1 has not passed testing in any of Development, Acceptance Test (AT)',
        MSG.notTested(WEB, 1, 'any of Development, Acceptance Test (AT)'),
      ]);
      // No regression testing (P13): passing in development alone is enough.
      await f.test('IR-1', 'development', 'passed');
      await f.transition(crew.lead, 'complete-testing');
      await f.notifyAll();
      await f.approve('production-approval');
      await f.transition(crew.cmc, 'approve-for-production');
      await f.deployAndSignOff();
      expect((await releaseHistory(deps, { name: f.name })).map((t) => t.transition)).toEqual([
        'start-packaging',
        'mark-package-verified',
        'complete-testing',
        'approve-for-production',
        'start-deployment',
        'confirm-deployment',
        'verify-in-production',
        'sign-off',
      ]);
    });

    it('a later template version can demand development testing specifically, and new releases follow it', async () => {
      const devOnly = templateYaml((doc) => {
        doc['gates'].push({
          id: 'items-passed-dev',
          name: 'Every work item passed testing in development',
          check: { itemsPassed: { environments: ['development'] } },
        });
        const workflow = (doc['workflows'] as { id: string; transitions: { id: string; gates: string[] }[] }[]).find(
          (w) => w.id === 'expedited',
        );
        const tr = workflow?.transitions.find((t) => t.id === 'complete-testing');
        if (!tr) throw new Error('no complete-testing');
        tr.gates = tr.gates.map((g) => (g === 'items-passed-any-test' ? 'items-passed-dev' : g));
      });
      await publishTemplate(deps, SYSTEM_ACTOR, {
        yaml: devOnly,
        changes: 'Expedited releases are tested in development only',
        ...REVIEWED,
      });
      const f = await expedited();
      await f.toPackageVerified();
      await f.approve('at-signoff');
      expect(await f.unmet('complete-testing')).toEqual([
        'IR-1 has not passed testing in Development: it has not been tested',
        MSG.notTested(WEB, 1, 'any of Development, Acceptance Test (AT)'),
      ]);
      await f.test('IR-1', 'development', 'passed');
      await f.transition(crew.cmc, 'complete-testing');
      const done = (await releaseHistory(deps, { name: f.name })).at(-1);
      expect(done).toMatchObject({ transition: 'complete-testing', from: 'package-verified', to: 'at-signed-off' });
      expect((done?.evidence as Gates).gates.map((g) => g.id)).toEqual([
        'items-passed-dev',
        'packages-tested-any',
        'no-open-at-issues',
        'at-signed-off',
      ]);
    });
  });
});
