import { describe, expect, it } from 'vitest';
import { evaluateGate, gateById, type GateResult } from '../../src/domain/lifecycle/gates.js';
import type { ReleaseSnapshot } from '../../src/domain/lifecycle/snapshot.js';
import type { ProcessTemplate } from '../../src/domain/template/schema.js';
import {
  approve,
  attempt,
  defaultTemplate,
  FULL_REPORT,
  item,
  notifyAll,
  recordPackage,
  recordStep,
  release,
  verifyPackages,
  withItems,
  writeReport,
} from './lifecycle-fixtures.js';

const t = defaultTemplate();
const DB = 'Database (Cache/IRIS)';
const WEB = 'Web (WebSphere)';
const VERIFY = 'Rollout package verified and tested by the development team';

function gate(id: string, s: ReleaseSnapshot, template: ProcessTemplate = t): GateResult {
  const g = gateById(template, id);
  if (!g) throw new Error(`no gate ${id}`);
  return evaluateGate(template, g, s);
}

type Case = { gate: string; build: () => ReleaseSnapshot; reasons: string[]; evidence?: string[]; exceptions?: string[] };

const failing: Case[] = [
  { gate: 'has-items', build: () => release('scheduled', 'draft'), reasons: ['the release carries no work item'] },
  {
    gate: 'package-verified',
    build: () => {
      const s = release('scheduled', 'packaging');
      recordPackage(s, 'web');
      return s;
    },
    reasons: [
      `${VERIFY}: no package has been recorded for the ${DB} channel`,
      `${VERIFY} is missing for the ${WEB} channel (package v1) — record it with \`relman step record CFIS001 verify-package --channel web\``,
    ],
  },
  {
    gate: 'at-go-ahead',
    build: () => release('scheduled', 'package-verified'),
    reasons: ['Go-ahead to install in acceptance test by the Change Management Coordinator is missing'],
  },
  {
    gate: 'items-passed-at',
    build: () => {
      const s = withItems(release('scheduled', 'in-at'), item(1), item(2, 'SMCR'), item(3, 'DR'));
      attempt(s, 'item-1', 'acceptance-test', 'failed', 'fix');
      attempt(s, 'item-2', 'development', 'passed');
      attempt(s, 'item-3', 'acceptance-test', 'failed', 'data');
      attempt(s, 'item-3', 'acceptance-test', 'passed');
      return s;
    },
    reasons: [
      'IR-1 has not passed testing in Acceptance Test (AT): its latest attempt failed (the fix itself)',
      'SMCR-2 has not passed testing in Acceptance Test (AT): it has not been tested',
    ],
    evidence: ['DR-3 passed in Acceptance Test (AT)'],
  },
  { gate: 'items-passed-at', build: () => release('scheduled', 'in-at'), reasons: ['the release carries no work item to test'] },
  {
    gate: 'items-passed-test',
    build: () => withItems(release('emergency', 'package-verified'), item(1, 'DR'), item(2, 'DR')),
    reasons: [
      'DR-1 has not passed testing in any of Development, Acceptance Test (AT)',
      'DR-2 has not passed testing in any of Development, Acceptance Test (AT)',
    ],
  },
  {
    gate: 'package-covers-items',
    build: () => {
      // P5: the release file lacks an element an item declares; the web file is complete.
      const s = withItems(release('scheduled', 'packaging'), {
        ...item(1),
        elements: [
          { type: 'class', name: 'CMS.Patient' },
          { type: 'routine', name: 'CMSUTIL.MAC' },
          { type: 'web-file', name: 'js/app.js' },
        ],
      });
      s.contents = {
        database: { version: 2, keys: ['class:CMS.Patient', 'class:CMS.Visit'] },
        web: { version: 1, keys: ['web-file:js/app.js'] },
      };
      return s;
    },
    reasons: ['IR-1 declares routine CMSUTIL.MAC, which is not in the Database (Cache/IRIS) package v2'],
    evidence: ['Web (WebSphere) package v1 holds every declared element'],
  },
  {
    gate: 'items-passed-any-test',
    build: () => {
      // Expedited (P13): one test environment is enough for every item, but each item needs one.
      const s = withItems(release('expedited', 'package-verified'), item(1, 'IR'), item(2, 'SMCR'));
      attempt(s, 'item-1', 'development', 'passed');
      attempt(s, 'item-2', 'development', 'failed', 'fix');
      return s;
    },
    reasons: ['SMCR-2 has not passed testing in any of Development, Acceptance Test (AT)'],
    evidence: ['IR-1 passed in Development'],
  },
  {
    gate: 'items-passed-test',
    build: () => {
      // One IR among the data repairs: no exception, every item needs every environment.
      const s = withItems(release('emergency', 'package-verified'), item(1, 'DR'), item(2, 'IR'));
      attempt(s, 'item-1', 'development', 'passed');
      attempt(s, 'item-2', 'development', 'passed');
      attempt(s, 'item-2', 'acceptance-test', 'failed', 'configuration');
      return s;
    },
    reasons: [
      'DR-1 has not passed testing in Acceptance Test (AT): it has not been tested',
      'IR-2 has not passed testing in Acceptance Test (AT): its latest attempt failed (configuration)',
    ],
    evidence: ['DR-1 passed in Development', 'IR-2 passed in Development'],
  },
  {
    gate: 'at-signed-off',
    build: () => {
      const s = release('scheduled', 'in-at');
      approve(s, 'at-signoff', 'carol.cmc', { voided: true });
      approve(s, 'at-signoff', 'carl.cmc', { decision: 'rejected', comment: 'IR-1 fails' });
      approve(s, 'at-go-ahead', 'carol.cmc');
      return s;
    },
    reasons: ['Acceptance test sign-off by the Change Management Coordinator is missing'],
  },
  {
    gate: 'systems-notified',
    build: () => {
      const s = release('scheduled', 'at-signed-off');
      s.notifications.push({
        system: 'meds',
        by: 'tina.lead',
        at: '2025-02-01T10:00:00.000Z',
        note: 'Jo at the desk',
        means: 'phone',
        status: 'notified',
        addresses: [],
        accepted: null,
      });
      return s;
    },
    reasons: ['CATS has not been notified of the release', 'Fiscal intermediary has not been notified of the release'],
    evidence: ['MEDS notified by phone: Jo at the desk'],
  },
  {
    gate: 'no-open-at-issues',
    build: () => {
      const s = release('scheduled', 'in-at');
      s.issues.push(
        { number: 1, category: 'at-issue', title: 'Login fails', status: 'open' },
        { number: 2, category: 'at-issue', title: 'Typo', status: 'resolved' },
        { number: 3, category: 'at-issue', title: 'Slow report', status: 'wont-fix' },
        { number: 4, category: 'project-issue', title: 'Budget', status: 'open' },
      );
      return s;
    },
    reasons: ['Issue reported during acceptance testing #1 "Login fails" is unresolved'],
  },
  {
    gate: 'no-pending-project-issues',
    build: () => {
      const s = release('scheduled', 'at-signed-off');
      s.issues.push({ number: 4, category: 'project-issue', title: 'Budget', status: 'open' });
      s.issues.push({ number: 5, category: 'at-issue', title: 'Login fails', status: 'open' });
      return s;
    },
    reasons: ['Pending project issue concerning the release #4 "Budget" is unresolved'],
  },
  {
    gate: 'production-approved',
    build: () => release('scheduled', 'at-signed-off'),
    reasons: ['Approval of the production install by the Change Management Coordinator is missing'],
  },
  {
    gate: 'emergency-report',
    build: () => release('emergency', 'package-verified'),
    reasons: ['the Emergency Release Report has not been written'],
  },
  {
    gate: 'emergency-report',
    build: () => {
      const s = release('emergency', 'package-verified');
      writeReport(s, { ...FULL_REPORT, 'test-results': '  ', 'sources-affected': '' }, []);
      return s;
    },
    reasons: [
      'Emergency Release Report: "Test results" is missing',
      'Emergency Release Report: "Sources affected" is missing',
      'Emergency Release Report: no help-desk reference to IR/DR records',
    ],
  },
  {
    // Items can leave the release, or change, after the report was written.
    gate: 'emergency-report',
    build: () => {
      const s = withItems(release('emergency', 'package-verified'), item(1), item(2, 'SMCR'));
      writeReport(s, FULL_REPORT, ['HD-1001', 'HD-1002', 'HD-9999']);
      s.items.splice(0, 1);
      return s;
    },
    reasons: [
      'Emergency Release Report: HD-1001 is not the help-desk reference of any work item on CFIS001',
      'Emergency Release Report: HD-1002 belongs to SMCR-2, which is not of kind IR or DR',
      'Emergency Release Report: HD-9999 is not the help-desk reference of any work item on CFIS001',
    ],
  },
  {
    gate: 'emergency-approved',
    build: () => release('emergency', 'package-verified'),
    reasons: ['Approval of the emergency release by the Change Management Coordinator is missing'],
  },
  {
    gate: 'deployed',
    build: () => {
      const s = release('scheduled', 'deploying');
      recordStep(s, 'deploy', 'database', null, 'dora.dba');
      recordStep(s, 'deploy', 'web', null, 'eb.deploy');
      recordStep(s, 'confirm-deployment', 'web', null, 'eb.deploy');
      return s;
    },
    reasons: [
      `Deployment confirmed is missing for the ${DB} channel — record it with \`relman step record CFIS001 confirm-deployment --channel database\``,
    ],
    evidence: [`Packages deployed to production (${DB})`, `Packages deployed to production (${WEB})`, `Deployment confirmed (${WEB})`],
  },
  {
    gate: 'application-verified',
    build: () => release('scheduled', 'deployed', ['web']),
    reasons: [
      `Application verified after the deployment is missing for the ${WEB} channel — record it with \`relman step record CFIS001 verify-application --channel web\``,
    ],
  },
  {
    gate: 'signed-off',
    build: () => release('scheduled', 'verified-in-production'),
    reasons: ['Sign-off of the release by the Change Management Coordinator is missing'],
  },
  {
    // P7, P8: a database package v3 uploaded after acceptance testing of v2 was never tested.
    gate: 'packages-tested-at',
    build: () => {
      const s = withItems(release('scheduled', 'at-signed-off'), item(1), item(2, 'SMCR'));
      recordPackage(s, 'database');
      recordPackage(s, 'database');
      recordPackage(s, 'web');
      attempt(s, 'item-1', 'acceptance-test', 'passed');
      attempt(s, 'item-2', 'acceptance-test', 'passed');
      recordPackage(s, 'database');
      return s;
    },
    reasons: [`${DB} package v3 was not tested in Acceptance Test (AT); the tested version is v2`],
    evidence: [`${WEB} package v1 passed testing in Acceptance Test (AT) (2 item(s))`],
  },
  {
    gate: 'packages-tested',
    build: () => {
      const s = withItems(release('emergency', 'package-verified', ['database']), item(1), item(2));
      recordPackage(s, 'database');
      attempt(s, 'item-1', 'development', 'passed');
      attempt(s, 'item-2', 'development', 'passed');
      recordPackage(s, 'database');
      attempt(s, 'item-1', 'acceptance-test', 'passed');
      return s;
    },
    reasons: [
      `${DB} package v2 was not tested in Development; the tested version is v1`,
      `${DB} package v2 was not tested in Acceptance Test (AT) for IR-2`,
    ],
  },
  {
    gate: 'packages-tested-any',
    build: () => {
      const s = withItems(release('expedited', 'package-verified', ['web']), item(1));
      recordPackage(s, 'web');
      attempt(s, 'item-1', 'development', 'failed', 'setup');
      return s;
    },
    reasons: [`${WEB} package v1 was not tested in any of Development, Acceptance Test (AT)`],
  },
];

const passing: Case[] = [
  {
    gate: 'has-items',
    build: () => withItems(release('scheduled', 'draft'), item(1), item(2, 'DR')),
    reasons: [],
    evidence: ['2 work item(s): IR-1, DR-2'],
  },
  {
    gate: 'package-verified',
    build: () => {
      const s = release('scheduled', 'packaging');
      verifyPackages(s);
      return s;
    },
    reasons: [],
    evidence: [`${VERIFY} (${DB}, package v1)`, `${VERIFY} (${WEB}, package v1)`],
  },
  {
    gate: 'at-signed-off',
    build: () => {
      const s = release('scheduled', 'in-at');
      approve(s, 'at-signoff', 'carol.cmc', { comment: 'all items passed' });
      return s;
    },
    reasons: [],
    evidence: ['Acceptance test sign-off: approved — all items passed'],
  },
  {
    gate: 'items-passed-test',
    build: () => {
      const s = withItems(release('emergency', 'package-verified'), item(1, 'DR'), item(2, 'DR'));
      attempt(s, 'item-1', 'development', 'passed');
      attempt(s, 'item-2', 'acceptance-test', 'failed', 'setup');
      attempt(s, 'item-2', 'acceptance-test', 'passed');
      return s;
    },
    reasons: [],
    evidence: ['DR-1 passed in Development', 'DR-2 passed in Acceptance Test (AT)'],
    exceptions: ['single-environment testing: every item is a DR, so one of Development, Acceptance Test (AT) sufficed'],
  },
  {
    gate: 'items-passed-any-test',
    build: () => {
      // No exception is recorded: passing in one environment is the rule here, not an exception.
      const s = withItems(release('expedited', 'package-verified'), item(1, 'IR'), item(2, 'SMCR'));
      attempt(s, 'item-1', 'development', 'passed');
      attempt(s, 'item-2', 'acceptance-test', 'passed');
      return s;
    },
    reasons: [],
    evidence: ['IR-1 passed in Development', 'SMCR-2 passed in Acceptance Test (AT)'],
  },
  {
    gate: 'systems-notified',
    build: () => {
      const s = release('scheduled', 'at-signed-off');
      notifyAll(t, s);
      return s;
    },
    reasons: [],
    evidence: [
      'CATS notified by phone: told the interface desk',
      'MEDS notified by phone: told the interface desk',
      'Fiscal intermediary notified by phone: told the interface desk',
    ],
  },
  {
    gate: 'systems-notified',
    build: () => {
      const s = release('scheduled', 'at-signed-off');
      const mail = { by: 'tina.lead', at: '2025-02-01T10:00:00.000Z', note: '', means: 'email', messageId: '<m1@relman.invalid>' };
      s.notifications.push(
        {
          ...mail,
          system: 'cats',
          status: 'notified',
          addresses: ['a@cats.example', 'b@cats.example'],
          accepted: ['a@cats.example'],
          outcome: 'the mail server refused b@cats.example',
          settledAt: '2025-02-01T10:01:00.000Z',
        },
        { ...mail, system: 'meds', status: 'pending', addresses: ['desk@meds.example'], accepted: null },
        {
          ...mail,
          system: 'fiscal-intermediary',
          status: 'failed',
          addresses: ['fi@fi.example'],
          accepted: [],
          outcome: 'the mail server refused fi@fi.example',
        },
      );
      return s;
    },
    reasons: [
      'MEDS not notified yet: e-mail <m1@relman.invalid> to desk@meds.example is awaiting delivery',
      'Fiscal intermediary not notified: e-mail <m1@relman.invalid> to fi@fi.example was not delivered (the mail server refused fi@fi.example)',
    ],
    evidence: [
      'CATS notified: e-mail <m1@relman.invalid> accepted for a@cats.example at 2025-02-01T10:01:00.000Z; the mail server refused b@cats.example',
    ],
  },
  {
    gate: 'emergency-report',
    build: () => {
      const s = withItems(release('emergency', 'package-verified'), item(42), item(77, 'DR'), item(5, 'SMCR'));
      writeReport(s, FULL_REPORT, ['HD-1042', 'HD-1077']);
      return s;
    },
    reasons: [],
    evidence: ['Emergency Release Report (HD-1042, HD-1077)'],
  },
  { gate: 'no-open-at-issues', build: () => release('scheduled', 'in-at'), reasons: [], evidence: [] },
  {
    gate: 'packages-tested-at',
    build: () => {
      const s = withItems(release('scheduled', 'at-signed-off', ['database']), item(1));
      recordPackage(s, 'database');
      attempt(s, 'item-1', 'acceptance-test', 'passed');
      return s;
    },
    reasons: [],
    evidence: [`${DB} package v1 passed testing in Acceptance Test (AT) (1 item(s))`],
  },
  {
    gate: 'packages-tested-any',
    build: () => {
      const s = withItems(release('expedited', 'package-verified', ['web']), item(1), item(2, 'SMCR'));
      recordPackage(s, 'web');
      attempt(s, 'item-1', 'development', 'passed');
      attempt(s, 'item-2', 'acceptance-test', 'passed');
      return s;
    },
    reasons: [],
    evidence: [`${WEB} package v1 passed testing in any of Development, Acceptance Test (AT) (2 item(s))`],
  },
];

describe('evaluateGate', () => {
  it('has a failing case for every gate of the default template', () => {
    expect(new Set(failing.map((c) => c.gate))).toEqual(new Set(t.gates.map((g) => g.id)));
  });

  const cases = [...failing.map((c) => ({ outcome: 'fails', ...c })), ...passing.map((c) => ({ outcome: 'passes', ...c }))];
  it.each(cases)('$gate $outcome: $reasons', (c) => {
    const r = gate(c.gate, c.build());
    expect(r.reasons).toEqual(c.reasons);
    expect(r.pass).toBe(c.reasons.length === 0);
    expect(r.exceptions).toEqual(c.exceptions ?? []);
    if (c.evidence) expect(r.evidence.map((e) => e.what)).toEqual(c.evidence);
    for (const e of r.evidence) expect(e.by).not.toBe('');
  });

  it('records who gave the evidence and when', () => {
    const s = release('scheduled', 'in-at');
    const a = approve(s, 'at-signoff', 'carol.cmc');
    expect(gate('at-signed-off', s).evidence).toEqual([{ what: 'Acceptance test sign-off: approved', by: 'carol.cmc', at: a.at }]);
    recordPackage(s, 'database');
    recordStep(s, 'verify-package', 'database', 1, 'dora.dba');
    const step = s.steps[0];
    expect(gate('package-verified', { ...s, channels: ['database'] }).evidence).toEqual([
      { what: `${VERIFY} (${DB}, package v1)`, by: 'dora.dba', at: step?.at },
    ]);
  });

  it('voids a package-scoped step when a newer package version is recorded', () => {
    const s = release('scheduled', 'package-verified');
    verifyPackages(s);
    expect(gate('package-verified', s).pass).toBe(true);
    recordPackage(s, 'web');
    expect(gate('package-verified', s).reasons).toEqual([
      `${VERIFY} is missing for the ${WEB} channel (package v2) — record it with \`relman step record CFIS001 verify-package --channel web\``,
    ]);
    recordStep(s, 'verify-package', 'web', 2);
    expect(gate('package-verified', s).pass).toBe(true);
  });

  it('only looks at the channels the release carries and that the step names', () => {
    const s = release('scheduled', 'deploying', ['database']);
    recordStep(s, 'deploy', 'database', null);
    recordStep(s, 'confirm-deployment', 'database', null);
    expect(gate('deployed', s).pass).toBe(true);
    const custom = structuredClone(t);
    delete custom.steps.find((x) => x.id === 'verify-application')?.roles['web'];
    expect(gate('application-verified', release('scheduled', 'deployed', ['web']), custom).pass).toBe(true);
  });

  it('does not count voided approvals, and counts each approver once', () => {
    const custom = structuredClone(t);
    const step = custom.approvals.find((a) => a.id === 'production-approval');
    if (!step) throw new Error('no production-approval');
    step.required = 2;
    step.roles = ['cmc', 'technical-lead'];
    const s = release('scheduled', 'at-signed-off');
    approve(s, 'production-approval', 'carol.cmc');
    approve(s, 'production-approval', 'carol.cmc');
    approve(s, 'production-approval', 'carl.cmc', { voided: true });
    expect(gate('production-approved', s, custom).reasons).toEqual([
      'Approval of the production install needs 2 approvals by the Change Management Coordinator or the Technical Lead; it has 1',
    ]);
    approve(s, 'production-approval', 'carl.cmc');
    expect(gate('production-approved', s, custom).pass).toBe(true);
  });

  it('uses the latest attempt per item and environment', () => {
    const s = withItems(release('scheduled', 'in-at'), item(1));
    attempt(s, 'item-1', 'acceptance-test', 'passed');
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'data');
    expect(gate('items-passed-at', s).reasons).toEqual([
      'IR-1 has not passed testing in Acceptance Test (AT): its latest attempt failed (data)',
    ]);
  });
});
