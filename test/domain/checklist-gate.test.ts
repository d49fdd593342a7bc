import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../src/domain/lifecycle/gates.js';
import type { Gate } from '../../src/domain/template/lifecycle-schema.js';
import { parseTemplateYaml } from '../../src/domain/template/parse.js';
import { templateYaml } from '../support/service-fixtures.js';
import { defaultTemplate, release } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const gate: Gate = { id: 'notes-sent', name: 'Release notes sent', check: { checklistDone: 'send-release-notes' } };
const TITLE = 'Send release notes to the deployment team';

describe('checklistDone gate', () => {
  it('fails while the task is open or was never generated, in plain words', () => {
    const s = release('scheduled', 'approved-for-production');
    expect(evaluateGate(t, gate, s)).toMatchObject({ pass: false, reasons: [`Checklist task '${TITLE}' is not done`], evidence: [] });
    s.checklist = [{ task: 'send-release-notes', title: TITLE, status: 'open', note: null, by: null, at: null }];
    expect(evaluateGate(t, gate, s).reasons).toEqual([`Checklist task '${TITLE}' is not done`]);
  });

  it('holds when the task is done or not applicable, with who and when', () => {
    const s = release('scheduled', 'approved-for-production');
    s.checklist = [
      { task: 'send-release-notes', title: TITLE, status: 'done', note: 'mailed', by: 'terry', at: '2030-03-08T10:00:00.000Z' },
    ];
    expect(evaluateGate(t, gate, s)).toMatchObject({
      pass: true,
      reasons: [],
      evidence: [{ what: `Checklist task '${TITLE}' done: mailed`, by: 'terry', at: '2030-03-08T10:00:00.000Z' }],
    });
    s.checklist = [{ task: 'send-release-notes', title: TITLE, status: 'skipped', note: 'no notes this time', by: 'carol', at: 'x' }];
    expect(evaluateGate(t, gate, s)).toMatchObject({
      pass: true,
      evidence: [{ what: `Checklist task '${TITLE}' marked not applicable: no notes this time`, by: 'carol' }],
    });
  });

  it('is refused by template validation when the task does not exist', () => {
    const bad = parseTemplateYaml(
      templateYaml((doc) => {
        doc.gates.push({ id: 'notes-sent', name: 'Release notes sent', check: { checklistDone: 'send-the-notes' } });
      }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.problems.map((p) => [p.path.replace(/\d+/, 'N'), p.message.replace(/ \(line \d+\)$/, '')])).toEqual([
        ['gates[N].check.checklistDone', 'unknown checklist task "send-the-notes"'],
      ]);
    const good = parseTemplateYaml(
      templateYaml((doc) => {
        doc.gates.push({ id: 'notes-sent', name: 'Release notes sent', check: { checklistDone: 'send-release-notes' } });
      }),
    );
    expect(good.ok).toBe(true);
  });
});
