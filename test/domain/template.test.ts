import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { requestMailOf } from '../../src/domain/lifecycle/approvals.js';
import { compileNaming } from '../../src/domain/naming.js';
import { MAX_TEMPLATE_BYTES, parseTemplateYaml, validateTemplate, type TemplateParseResult } from '../../src/domain/template/parse.js';
import type { ProcessTemplate } from '../../src/domain/template/schema.js';
import { changedSections } from '../../src/domain/template/sections.js';

const DEFAULT_YAML = readFileSync(new URL('../../templates/cms-net.yaml', import.meta.url), 'utf8');

function raw(): Record<string, unknown> {
  return parseYaml(DEFAULT_YAML) as Record<string, unknown>;
}

function defaultTemplate(): ProcessTemplate {
  const result = parseTemplateYaml(DEFAULT_YAML);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.template;
}

function problemsOf(result: TemplateParseResult): { path: string; message: string }[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems;
}

function pathsOf(result: TemplateParseResult): string[] {
  return problemsOf(result).map((p) => p.path);
}

function mutate(change: (doc: Record<string, any>) => void): TemplateParseResult {
  const doc = raw() as Record<string, any>;
  change(doc);
  return validateTemplate(doc);
}

describe('default template (templates/cms-net.yaml)', () => {
  const template = defaultTemplate();

  it('encodes the release process of the spec', () => {
    expect(template.key).toBe('cms-net');
    const roles = template.roles.map((r) => r.id);
    for (const id of [
      'cmc',
      'technical-lead',
      'developer',
      'web-lead',
      'database-lead',
      'deployment',
      'systems-analyst',
      'infrastructure',
      'viewer',
      'admin',
    ]) {
      expect(roles).toContain(id);
    }
    expect(template.channels.map((c) => c.id)).toEqual(['database', 'web']);
    expect(template.environments.filter((e) => e.production).map((e) => e.id)).toEqual(['production']);
    expect(template.releaseTypes.map((t) => t.id)).toEqual(['scheduled', 'emergency', 'expedited']);
    expect(template.workItemKinds.map((k) => k.id)).toEqual(['IR', 'SMCR', 'DR']);
    expect(template.priorities.map((p) => p.id)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(template.externalSystems.map((s) => s.id)).toEqual(['cats', 'meds', 'fiscal-intermediary']);
    expect(template.calendar).toEqual({
      changeCycleDays: ['saturday'],
      timeZone: 'America/New_York',
      reminderTime: '08:00',
      blackoutOverride: { releaseTypes: ['emergency'] },
    });
    expect(template.checklist.map((t) => [t.id, t.mail])).toContainEqual(['inform-deployment-team', 'deployment-notice']);
    expect(template.approvals.find((a) => a.id === 'final-signoff')?.notify).toEqual(['signoff-confirmation']);
    const states = new Map(template.states.map((s) => [s.id, s.terminal]));
    expect(states.get('draft')).toBe(false);
    expect(states.get('cancelled')).toBe(true);
    expect(states.get('closed')).toBe(true);
    expect(template.contacts).toMatchObject({ resources: [], escalation: [], escalationDelayHours: 24 });
    expect(template.contacts.groups.map((g) => g.id)).toEqual(['deployment-team']);
  });

  it('has the five reconciliation tasks of P14', () => {
    expect(template.checklist.map((t) => [t.due, t.responsible])).toEqual([
      [{ offsetDays: -14 }, ['technical-lead']],
      [{ milestone: 'uat-start' }, ['developer']],
      [{ offsetDays: -1 }, ['technical-lead']],
      [{ offsetDays: -1 }, ['web-lead']],
      [{ offsetDays: 0 }, ['database-lead']],
    ]);
  });

  it('names releases CFIS001 … CFIS999', () => {
    const naming = compileNaming(template.naming);
    expect(naming.format(1)).toBe('CFIS001');
    expect(naming.format(999)).toBe('CFIS999');
  });

  it('validates the same way from an already-parsed object', () => {
    const result = validateTemplate(raw());
    expect(result).toEqual({ ok: true, template });
  });
});

describe('YAML problems', () => {
  it('reports syntax errors with line numbers', () => {
    const problems = problemsOf(parseTemplateYaml('key: x\nroles: [a, b\nname: y\n'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.message).toMatch(/line 3, column 1/);
  });

  it('reports duplicate keys', () => {
    const problems = problemsOf(parseTemplateYaml(`${DEFAULT_YAML}\nkey: again\n`));
    expect(problems.some((p) => /unique/i.test(p.message))).toBe(true);
  });

  it('refuses alias bombs', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    expect(problemsOf(parseTemplateYaml(bomb))[0]?.message).toMatch(/alias/i);
  });

  it('refuses documents larger than 1 MiB', () => {
    const big = `${DEFAULT_YAML}\n# ${'x'.repeat(MAX_TEMPLATE_BYTES)}\n`;
    expect(problemsOf(parseTemplateYaml(big))[0]?.message).toMatch(/larger/);
    const multiByte = `# ${'é'.repeat(MAX_TEMPLATE_BYTES / 2)}\n`;
    expect(problemsOf(parseTemplateYaml(multiByte))[0]?.message).toMatch(/larger/);
  });

  it('refuses multiple documents and unresolved tags', () => {
    expect(problemsOf(parseTemplateYaml(`${DEFAULT_YAML}\n---\nkey: b\n`)).length).toBeGreaterThan(0);
    const tagged = DEFAULT_YAML.replace('key: cms-net', 'key: !!js/function cms-net');
    expect(problemsOf(parseTemplateYaml(tagged))[0]?.message).toMatch(/tag/i);
  });

  it('points schema problems at their line', () => {
    const text = DEFAULT_YAML.replace('  - id: web-lead\n', '  - id: Web_Lead\n');
    const line = text.split('\n').findIndex((l) => l.includes('Web_Lead')) + 1;
    const problem = problemsOf(parseTemplateYaml(text)).find((p) => p.path === 'roles[3].id');
    expect(problem?.message).toContain(`(line ${line})`);
  });
});

describe('schema and cross-reference problems', () => {
  it('collects every problem at once', () => {
    const result = mutate((doc) => {
      doc.roles[7].id = 'Bad Id';
      doc.roles[0].extra = true;
      doc.channels.push({ id: 'web', name: 'Web again' });
      doc.elementTypes[0].channel = 'tape';
      doc.releaseTypes[1].initialState = 'nowhere';
      doc.environments[0].production = true;
      doc.environments[1].order = 1;
      doc.priorities[3].order = 1;
      doc.checklist[0].responsible = ['ghost'];
      doc.contacts.escalation = [
        { order: 1, role: 'cmc', person: 'A' },
        { order: 1, role: 'phantom', person: 'B' },
      ];
      doc.permissions['item.assign'] = ['cmc', 'viewer', 'nobody'];
      doc.calendar.timeZone = 'Mars/Olympus_Mons';
      doc.naming.pattern = 'zFvvnnnz';
      doc.unexpected = 1;
    });
    expect(pathsOf(result).sort()).toEqual(
      [
        'roles[7].id',
        'roles[0].extra',
        'channels[2].id',
        'elementTypes[0].channel',
        'releaseTypes[1].initialState',
        'environments',
        'environments[1].order',
        'priorities[3].order',
        'checklist[0].responsible[0]',
        'contacts.escalation[1].order',
        'contacts.escalation[1].role',
        'permissions["item.assign"][1]',
        'permissions["item.assign"][2]',
        // roles[7] is infrastructure, which may raise issues (the only other place it is referenced).
        'permissions["issue.raise"][7]',
        'calendar.timeZone',
        'naming.pattern',
        'unexpected',
      ].sort(),
    );
  });

  it('checks the mail an approval step sends on a request, and uses approval-request by default', () => {
    const template = defaultTemplate();
    const messages = problemsOf(
      mutate((doc) => {
        doc.approvals[0].notifyOnRequest = 'no-such-mail';
        doc.mailTemplates.push({ id: 'ask', name: 'Ask', subject: '{{approval.nmae}}', body: '{{approval.command}}' });
      }),
    ).map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual([
      'approvals[0].notifyOnRequest: unknown mail template "no-such-mail"',
      `mailTemplates[${template.mailTemplates.length}].subject: unknown placeholder {{approval.nmae}}`,
    ]);
    expect(template.approvals.map((a) => requestMailOf(template, a))).toEqual(template.approvals.map(() => 'approval-request'));
    const own = { ...template.approvals[0], notifyOnRequest: 'signoff-confirmation' } as ProcessTemplate['approvals'][number];
    expect(requestMailOf(template, own)).toBe('signoff-confirmation');
    expect(requestMailOf({ ...template, mailTemplates: [] }, template.approvals[0] as ProcessTemplate['approvals'][number])).toBeNull();
  });

  it('requires the admin and viewer roles', () => {
    const result = mutate((doc) => {
      doc.roles = doc.roles.filter((r: { id: string }) => r.id !== 'admin' && r.id !== 'viewer');
      for (const action of Object.keys(doc.permissions)) {
        doc.permissions[action] = doc.permissions[action].filter((r: string) => r !== 'admin');
      }
    });
    const messages = problemsOf(result).map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(['roles: a role with id "admin" is required', 'roles: a role with id "viewer" is required']);
  });

  it('requires every action in permissions and refuses unknown actions', () => {
    const result = mutate((doc) => {
      delete doc.permissions['item.update'];
      doc.permissions['release.delete'] = ['admin'];
    });
    expect(pathsOf(result).sort()).toEqual(['permissions["item.update"]', 'permissions["release.delete"]']);
  });

  it('requires exactly one production environment', () => {
    const none = mutate((doc) => {
      doc.environments[2].production = false;
    });
    expect(problemsOf(none)[0]).toEqual({
      path: 'environments',
      message: 'exactly one environment must have production: true (found 0)',
    });
  });

  it('reports naming problems from the pattern rules', () => {
    const result = mutate((doc) => {
      doc.naming.defaults.contractor = 'ISX';
      doc.naming.tokens.q = { parameter: 'unused' };
    });
    expect(pathsOf(result).sort()).toEqual(['naming.defaults.contractor', 'naming.tokens.q']);
  });

  it('explains the closest alternative of a union', () => {
    const result = mutate((doc) => {
      doc.checklist[1].due = { milestone: 'uat-start', offsetDays: 'soon' };
      doc.naming.tokens.n = { sequence: false };
    });
    expect(pathsOf(result).sort()).toEqual(['checklist[1].due.offsetDays', 'naming.tokens.n.sequence']);
  });

  it('reports keys that records would silently drop', () => {
    const text = DEFAULT_YAML.replace('    system: C\n', '    system: C\n    __proto__: X\n');
    expect(pathsOf(parseTemplateYaml(text))).toContain('naming.defaults.__proto__');
  });

  it('refuses non-objects and empty documents', () => {
    for (const value of [null, undefined, 42, 'text', [], [raw()]]) {
      expect(validateTemplate(value).ok).toBe(false);
    }
    expect(parseTemplateYaml('').ok).toBe(false);
  });
});

describe('never throws', () => {
  it('for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const result = parseTemplateYaml(text);
        expect(result.ok ? [] : result.problems).toBeInstanceOf(Array);
      }),
      { numRuns: 500 },
    );
  });

  it('for arbitrary YAML-looking text', () => {
    const piece = fc.constantFrom(
      'key: ',
      '- ',
      '  ',
      '\n',
      '[',
      ']',
      '{',
      '}',
      ':',
      '&a ',
      '*a',
      '!!',
      '<<: ',
      'roles',
      'naming',
      '"',
      "'",
      '#',
      '---',
      '|',
      '>',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 5 })), { maxLength: 60 }), (pieces) => {
        const result = parseTemplateYaml(pieces.join(''));
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('for arbitrary values, and for the default template with one part replaced', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(validateTemplate(value).ok).toBe(false);
      }),
    );
    const doc = raw();
    const keys = Object.keys(doc);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const changed = { ...doc, [key]: value };
        const fromObject = validateTemplate(changed);
        const fromText = parseTemplateYaml(stringify(changed));
        expect(fromText.ok).toBe(fromObject.ok);
        if (!fromObject.ok && !fromText.ok) {
          expect(fromText.problems.map((p) => p.path)).toEqual(fromObject.problems.map((p) => p.path));
        }
      }),
    );
  });
});

describe('changedSections', () => {
  const base = defaultTemplate();

  it('lists every section except revision for a first version', () => {
    const sections = changedSections(null, base);
    expect(sections).not.toContain('revision');
    expect(sections).toContain('roles');
    expect(sections).toEqual([...sections].sort());
    expect(sections).toHaveLength(Object.keys(base).length - 1);
  });

  it('lists only the sections whose content differs', () => {
    const next: ProcessTemplate = structuredClone(base);
    next.revision = { changes: 'Saturday and Sunday cycles' };
    next.calendar.changeCycleDays.push('sunday');
    next.roles[0]!.description = 'changed';
    expect(changedSections(base, next)).toEqual(['calendar', 'roles']);
    expect(changedSections(base, structuredClone(base))).toEqual([]);
  });

  it('notices sections that appear or disappear', () => {
    const { description: _dropped, ...rest } = base;
    expect(changedSections(base, rest)).toEqual(['description']);
    expect(changedSections(rest, base)).toEqual(['description']);
  });

  it('is empty exactly when the templates are equal apart from revision', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), (key, value) => {
        const next = { ...base, [key]: value };
        const changed = changedSections(base, next);
        const same = JSON.stringify(value) === JSON.stringify((base as Record<string, unknown>)[key]);
        expect(changed).toEqual(key === 'revision' || same ? [] : [key]);
      }),
    );
  });
});
