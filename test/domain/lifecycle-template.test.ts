import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { parseTemplateYaml, type TemplateParseResult } from '../../src/domain/template/parse.js';
import { DEFAULT_YAML, defaultTemplate } from './lifecycle-fixtures.js';

type Doc = Record<string, any>;

const copy = <T>(x: T): T => structuredClone(x);

/** The default template as plain data; JSON copying undoes the YAML aliases so one change touches one place. */
function raw(): Doc {
  return JSON.parse(JSON.stringify(parseYaml(DEFAULT_YAML))) as Doc;
}

function variant(change: (doc: Doc) => void): TemplateParseResult {
  const doc = raw();
  change(doc);
  return parseTemplateYaml(stringify(doc));
}

/** `path: message` for every problem, without the line suffix. */
function problems(result: TemplateParseResult): string[] {
  expect(result.ok).toBe(false);
  if (result.ok) return [];
  for (const p of result.problems) expect(p.message).toMatch(/\(line \d+\)$/);
  return result.problems.map((p) => `${p.path}: ${p.message.replace(/ \(line \d+\)$/, '')}`);
}

const byId = (list: { id: string }[], id: string): number => {
  const i = list.findIndex((x) => x.id === id);
  if (i < 0) throw new Error(`no ${id}`);
  return i;
};

describe('the default template lifecycle', () => {
  const t = defaultTemplate();

  it('validates, and every release type has a workflow', () => {
    expect(parseTemplateYaml(DEFAULT_YAML).ok).toBe(true);
    expect(t.releaseTypes.map((r) => [r.id, r.workflow])).toEqual([
      ['scheduled', 'scheduled'],
      ['emergency', 'emergency'],
      ['expedited', 'expedited'],
    ]);
    expect(t.workflows.map((w) => w.id)).toEqual(['scheduled', 'emergency', 'expedited']);
  });

  it('guards the production install with the five P11 gates', () => {
    for (const w of ['scheduled', 'expedited']) {
      const tr = t.workflows.find((x) => x.id === w)?.transitions.find((x) => x.id === 'approve-for-production');
      expect(tr?.gates).toEqual(
        expect.arrayContaining(['at-signed-off', 'systems-notified', 'package-verified', 'no-open-at-issues', 'no-pending-project-issues']),
      );
    }
    const emergency = t.workflows.find((x) => x.id === 'emergency')?.transitions.find((x) => x.id === 'approve-for-production');
    expect(emergency?.gates).toEqual(expect.arrayContaining(['package-verified', 'emergency-report', 'emergency-approved']));
  });

  it('applies the schema defaults to the lifecycle sections', () => {
    const signoff = t.approvals.find((a) => a.id === 'final-signoff');
    expect(signoff).toMatchObject({ required: 1, allowRequester: false, voidOn: [] });
    expect(signoff?.attestations.map((a) => a.id)).toEqual(['requirements-addressed', 'implementation-succeeded']);
    expect(t.approvals.find((a) => a.id === 'at-signoff')?.voidOn).toEqual(['package', 'items']);
    expect(t.steps.find((s) => s.id === 'verify-package')?.scope).toBe('package');
    expect(t.steps.find((s) => s.id === 'deploy')?.scope).toBe('release');
    expect(t.failureCauses.filter((c) => c.needsNewPackage).map((c) => c.id)).toEqual(['fix']);
    expect(t.reports[0]?.parts).toHaveLength(5);
  });
});

describe('lifecycle references', () => {
  const d = raw();
  const gate = (id: string) => `gates[${byId(d.gates, id)}]`;
  // Duplicates come first so that the all-at-once variant copies entries before the other cases break them.
  const cases: { what: string; change: (doc: Doc) => void; expected: string[] }[] = [
    {
      what: 'duplicate ids in every lifecycle list',
      change: (doc) => {
        doc.gates.push({ ...copy(doc.gates[0]), name: 'again' });
        doc.approvals.push(copy(doc.approvals[1]));
        doc.steps.push(copy(doc.steps[2]));
        doc.issueCategories.push(copy(doc.issueCategories[0]));
        doc.failureCauses.push(copy(doc.failureCauses[3]));
        doc.reports.push(copy(doc.reports[0]));
        doc.workflows.push(copy(doc.workflows[2]));
        doc.workflows[0].transitions.push(copy(doc.workflows[0].transitions[0]));
        doc.approvals[4].attestations.push(copy(doc.approvals[4].attestations[0]));
        doc.reports[0].parts.push(copy(doc.reports[0].parts[4]));
      },
      expected: [
        'gates[20].id: duplicate id "has-items"',
        'approvals[5].id: duplicate id "at-signoff"',
        'steps[4].id: duplicate id "confirm-deployment"',
        'issueCategories[2].id: duplicate id "at-issue"',
        'failureCauses[4].id: duplicate id "data"',
        'reports[1].id: duplicate id "emergency-release-report"',
        'workflows[3].id: duplicate id "expedited"',
        'workflows[0].transitions[13].id: duplicate id "start-packaging"',
        'approvals[4].attestations[2].id: duplicate id "requirements-addressed"',
        'reports[0].parts[5].id: duplicate id "release-specifications"',
      ],
    },
    {
      what: 'unknown states in from and to',
      change: (doc) => {
        doc.workflows[0].transitions[0].from = ['draft', 'nowhere'];
        doc.workflows[1].transitions[1].to = 'limbo';
      },
      expected: ['workflows[0].transitions[0].from[1]: unknown state "nowhere"', 'workflows[1].transitions[1].to: unknown state "limbo"'],
    },
    {
      what: 'a terminal state as from',
      change: (doc) => doc.workflows[2].transitions[2].from.push('signed-off'),
      expected: ['workflows[2].transitions[2].from[2]: state "signed-off" is terminal: nothing leaves it'],
    },
    {
      what: 'an unknown gate in a transition',
      change: (doc) => doc.workflows[0].transitions[3].gates.push('no-such-gate'),
      expected: ['workflows[0].transitions[3].gates[2]: unknown gate "no-such-gate"'],
    },
    {
      what: 'unknown approval, step, environment, kind, category and report in gate checks',
      change: (doc) => {
        doc.gates[byId(doc.gates, 'at-go-ahead')].check = { approval: 'no-approval' };
        doc.gates[byId(doc.gates, 'deployed')].check = { steps: ['deploy', 'no-step'] };
        doc.gates[byId(doc.gates, 'items-passed-test')].check = {
          itemsPassed: { environments: ['development', 'staging'], singleEnvironmentKinds: ['DR', 'XR'] },
        };
        doc.gates[byId(doc.gates, 'no-open-at-issues')].check = { noOpenIssues: 'bug' };
        doc.gates[byId(doc.gates, 'emergency-report')].check = { report: 'no-report' };
      },
      expected: [
        `${gate('at-go-ahead')}.check.approval: unknown approval step "no-approval"`,
        `${gate('deployed')}.check.steps[1]: unknown step "no-step"`,
        `${gate('items-passed-test')}.check.itemsPassed.environments[1]: unknown environment "staging"`,
        `${gate('items-passed-test')}.check.itemsPassed.singleEnvironmentKinds[1]: unknown work item kind "XR"`,
        `${gate('no-open-at-issues')}.check.noOpenIssues: unknown issue category "bug"`,
        `${gate('emergency-report')}.check.report: unknown report "no-report"`,
      ],
    },
    {
      what: 'unknown roles and the viewer in transitions, approvals, steps and reports',
      change: (doc) => {
        doc.workflows[1].transitions[0].roles = ['technical-lead', 'ghost', 'viewer'];
        doc.approvals[0].roles = ['cmc', 'viewer'];
        doc.approvals[1].roles.push('phantom');
        doc.steps[1].roles.web = ['deployment', 'viewer'];
        doc.steps[2].roles.database = ['database-lead', 'nobody'];
        doc.reports[0].roles = ['cmc', 'ghost', 'viewer'];
      },
      expected: [
        'workflows[1].transitions[0].roles[1]: unknown role "ghost"',
        'workflows[1].transitions[0].roles[2]: the viewer role reads only and cannot be given a step',
        'approvals[0].roles[1]: the viewer role reads only and cannot be given a step',
        'approvals[1].roles[1]: unknown role "phantom"',
        'steps[1].roles.web[1]: the viewer role reads only and cannot be given a step',
        'steps[2].roles.database[1]: unknown role "nobody"',
        'reports[0].roles[1]: unknown role "ghost"',
        'reports[0].roles[2]: the viewer role reads only and cannot be given a step',
      ],
    },
    {
      what: 'unknown channels in step roles, states in onReject, kinds in help-desk refs',
      change: (doc) => {
        doc.steps[0].roles.tape = ['developer'];
        doc.steps[3].roles['mainframe-batch'] = ['systems-analyst'];
        doc.approvals[2].onReject.to = 'nowhere';
        doc.reports[0].helpdeskRefs.kinds = ['IR', 'XX'];
      },
      expected: [
        'steps[0].roles.tape: unknown channel "tape"',
        'steps[3].roles["mainframe-batch"]: unknown channel "mainframe-batch"',
        'approvals[2].onReject.to: unknown state "nowhere"',
        'reports[0].helpdeskRefs.kinds[1]: unknown work item kind "XX"',
      ],
    },
    {
      what: 'a release type with an unknown workflow',
      change: (doc) => (doc.releaseTypes[2].workflow = 'fast-track'),
      expected: ['releaseTypes[2].workflow: unknown workflow "fast-track"'],
    },
  ];

  it.each(cases)('reports $what', ({ change, expected }) => {
    expect(problems(variant(change)).sort()).toEqual([...expected].sort());
  });

  it('reports every bad reference at once, each with its path', () => {
    const all = problems(
      variant((doc) => {
        for (const c of cases) c.change(doc);
      }),
    );
    expect(all.sort()).toEqual(cases.flatMap((c) => c.expected).sort());
  });

  it('still checks the other sections when one lifecycle section has a broken shape', () => {
    const found = problems(
      variant((doc) => {
        doc.gates[0].check = { everything: true };
        doc.approvals[0].roles = ['ghost'];
        doc.workflows[0].transitions[0].gates = ['has-items', 'missing'];
      }),
    );
    expect(found).toContain('approvals[0].roles[0]: unknown role "ghost"');
    expect(found).toContain('workflows[0].transitions[0].gates[1]: unknown gate "missing"');
    expect(found.some((p) => p.startsWith('gates[0].check'))).toBe(true);
  });

  it('refuses unknown keys and malformed checks in the lifecycle sections', () => {
    const found = problems(
      variant((doc) => {
        doc.workflows[0].transitions[0].guard = 'x';
        doc.steps[0].scope = 'forever';
        doc.approvals[0].voidOn = ['weather'];
        doc.failureCauses[0].needsNewPackage = 'yes';
      }),
    );
    // Release types still find their workflow although the workflows section does not parse.
    expect(found.map((p) => p.split(': ')[0]).sort()).toEqual(
      ['workflows[0].transitions[0].guard', 'steps[0].scope', 'approvals[0].voidOn[0]', 'failureCauses[0].needsNewPackage'].sort(),
    );
  });
});
