import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { checkStart, expandArguments, planOf, stepsForRelease } from '../../src/domain/deployments/plan.js';
import { emptySnapshot } from '../../src/domain/lifecycle/snapshot.js';
import { parseTemplateYaml, type TemplateParseResult } from '../../src/domain/template/parse.js';
import { DEFAULT_YAML, defaultTemplate } from './lifecycle-fixtures.js';

type Doc = Record<string, any>;

function variant(change: (doc: Doc) => void): TemplateParseResult {
  const doc = JSON.parse(JSON.stringify(parseYaml(DEFAULT_YAML))) as Doc;
  change(doc);
  return parseTemplateYaml(stringify(doc));
}

function problems(result: TemplateParseResult): string[] {
  expect(result.ok).toBe(false);
  if (result.ok) return [];
  return result.problems.map((p) => `${p.path}: ${p.message.replace(/ \(line \d+\)$/, '')}`);
}

const production = (doc: Doc) => doc.deployments.find((p: { environment: string }) => p.environment === 'production');

describe('the deployments section of a process template', () => {
  it('the default template plans acceptance test and production, with the Caché/IRIS load as a disabled example', () => {
    const t = defaultTemplate();
    expect(t.deployments.map((p) => [p.environment, p.steps.map((s) => `${s.id}:${s.kind}${s.enabled ? '' : '(disabled)'}`)])).toEqual([
      ['acceptance-test', ['install-database:manual', 'install-web:manual']],
      [
        'production',
        [
          'transfer-web:transfer',
          'install-web:manual',
          'load-release-file:command(disabled)',
          'install-database:manual',
          'verify-application:manual',
        ],
      ],
    ]);
    const load = planOf(t, 'production')?.steps.find((s) => s.id === 'load-release-file');
    expect(load?.command?.argv.join(' ')).toMatch(
      /^iris session IRIS -U USER ##class\(%SYSTEM.OBJ\).Load\("\$\{RELMAN_PACKAGE_DATABASE_PATH\}","ck"\)$/,
    );
  });

  it('reports every bad reference and shape with its path', () => {
    const found = problems(
      variant((doc) => {
        const prod = production(doc);
        prod.roles.push('ghost');
        prod.states = ['deploying', 'nowhere'];
        prod.gates = ['no-gate'];
        prod.steps[0].channel = undefined; // a transfer needs its channel
        prod.steps[1].completesTask = 'no-task';
        prod.steps[1].mail = 'no-mail';
        prod.steps[1].recordsSteps = ['deploy', 'no-step'];
        prod.steps[1].roles = ['deployment', 'systems-analyst'];
        prod.steps.push({ id: 'cmd', name: 'A command without one', kind: 'command', roles: ['developer'] });
        prod.steps.push({
          id: 'bad',
          name: 'Wrong fields',
          kind: 'transfer',
          channel: 'tape',
          roles: ['web-lead'],
          instructions: 'x',
          recordsSteps: ['deploy'],
        });
        doc.deployments.push({
          environment: 'production',
          roles: ['cmc'],
          states: ['deploying'],
          steps: [{ id: 'x', name: 'X', kind: 'manual', roles: ['cmc'] }],
        });
      }),
    );
    expect(found.sort()).toEqual(
      [
        'deployments[1].roles[4]: unknown role "ghost"',
        'deployments[1].states[1]: unknown state "nowhere"',
        'deployments[1].gates[0]: unknown gate "no-gate"',
        "deployments[1].steps[0].channel: a transfer step works on one channel's target: name the channel",
        'deployments[1].steps[1].completesTask: unknown checklist task "no-task"',
        'deployments[1].steps[1].mail: unknown mail template "no-mail"',
        'deployments[1].steps[1].recordsSteps[0]: role(s) systems-analyst may mark this step done but not record "deploy" for web',
        'deployments[1].steps[1].recordsSteps[1]: unknown step "no-step"',
        'deployments[1].steps[5].command: a command step needs a command (argv, timeoutSeconds)',
        'deployments[1].steps[6].channel: unknown channel "tape"',
        'deployments[1].steps[6].instructions: only a manual step has instructions',
        'deployments[1].steps[6].recordsSteps: only a manual step records lifecycle steps: a person confirms them',
        'deployments[2].environment: environment "production" already has a plan',
      ].sort(),
    );
  });

  it('refuses a command given as a shell line or with a bad variable name', () => {
    const found = problems(
      variant((doc) => {
        const step = production(doc).steps.find((s: { id: string }) => s.id === 'load-release-file');
        step.command.argv = 'iris session IRIS';
        step.command.env = { 'lower-case': 'x' };
      }),
    );
    expect(found.some((p) => p.startsWith('deployments[1].steps[2].command.argv'))).toBe(true);
    expect(found.some((p) => p.includes('deployments[1].steps[2].command.env'))).toBe(true);
  });
});

describe('deployment plan rules', () => {
  const t = defaultTemplate();
  const plan = planOf(t, 'production');
  if (!plan) throw new Error('no production plan');

  it('takes the enabled steps of the channels a release carries and the release-wide ones', () => {
    expect(stepsForRelease(plan, ['database']).map((s) => s.id)).toEqual(['install-database', 'verify-application']);
    expect(stepsForRelease(plan, ['web']).map((s) => s.id)).toEqual(['transfer-web', 'install-web', 'verify-application']);
  });

  it('lets a run start only in the plan’s states, saying where the release is', () => {
    const s = emptySnapshot({ name: 'CFIS001', type: 'scheduled', state: 'in-at', channels: ['web'], createdBy: 'x' });
    const refused = checkStart(t, plan, s);
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.unmet[0]).toMatch(/the release is In acceptance test; .* only when it is Approved for production or Deploying/);
    expect(checkStart(t, plan, { ...s, state: 'approved-for-production' }).ok).toBe(true);
  });

  it('replaces only ${RELMAN_…} names in arguments, with the step’s values, and refuses unknown ones', () => {
    const values = { RELMAN_RELEASE: 'CFIS001', RELMAN_PACKAGE_DATABASE_PATH: '/store/ab/cd/abcd' };
    expect(
      expandArguments(['load', '${RELMAN_PACKAGE_DATABASE_PATH}', '$HOME', '${HOME}', '$(rm -rf /)', 'a ${RELMAN_RELEASE} b'], values),
    ).toEqual(['load', '/store/ab/cd/abcd', '$HOME', '${HOME}', '$(rm -rf /)', 'a CFIS001 b']);
    expect(() => expandArguments(['${RELMAN_PACKAGE_WEB_PATH}'], values)).toThrow(/RELMAN_PACKAGE_WEB_PATH/);
  });
});
