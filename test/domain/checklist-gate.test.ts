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

  it('does not hold while the mail that completes the task awaits delivery', () => {
    const s = release('scheduled', 'approved-for-production');
    s.checklist = [{ task: 'send-release-notes', title: TITLE, status: 'sent', note: 'notes attached', by: null, at: null }];
    expect(evaluateGate(t, gate, s)).toMatchObject({
      pass: false,
      reasons: [`Checklist task '${TITLE}' is not done: its mail was sent and awaits delivery`],
      evidence: [],
    });
  });

  it('holds for a task of channels the release does not carry, saying so', () => {
    const backup: Gate = { id: 'backed-up', name: 'Databases backed up', check: { checklistDone: 'back-up-databases' } };
    const web = release('scheduled', 'approved-for-production');
    web.channels = ['web'];
    expect(evaluateGate(t, backup, web)).toMatchObject({
      pass: true,
      evidence: [{ what: "Checklist task 'Back up the databases' does not apply: the release carries none of Database (Cache/IRIS)" }],
    });
    const both = release('scheduled', 'approved-for-production');
    both.channels = ['database', 'web'];
    expect(evaluateGate(t, backup, both)).toMatchObject({ pass: false, reasons: ["Checklist task 'Back up the databases' is not done"] });
  });

  it('refuses checklist channels the template does not define', () => {
    const bad = parseTemplateYaml(
      templateYaml((doc) => {
        doc.checklist[0].channels = ['database', 'mainframe'];
      }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.problems.map((p) => [p.path, p.message.replace(/ \(line \d+\)$/, '')])).toEqual([
        ['checklist[0].channels[1]', 'unknown channel "mainframe"'],
      ]);
    expect(t.checklist.find((x) => x.id === 'back-up-databases')?.channels).toEqual(['database']);
    expect(t.checklist.find((x) => x.id === 'transfer-web-packages')?.channels).toEqual(['web']);
  });
});
