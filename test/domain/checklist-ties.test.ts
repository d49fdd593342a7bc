import { describe, expect, it } from 'vitest';
import { checkTransition } from '../../src/domain/lifecycle/transitions.js';
import type { SnapshotChecklistTask } from '../../src/domain/lifecycle/snapshot.js';
import { parseTemplateYaml } from '../../src/domain/template/parse.js';
import { templateYaml } from '../support/service-fixtures.js';
import { defaultTemplate, release } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const BACKUP = 'Back up the databases';
const TRANSFER = 'Transfer web packages to the production drop location';
const task = (id: string, title: string, status: SnapshotChecklistTask['status'] = 'open'): SnapshotChecklistTask => ({
  task: id,
  title,
  status,
  note: status === 'open' ? null : 'ok',
  by: status === 'open' ? null : 'bill',
  at: status === 'open' ? null : '2030-02-02T07:00:00.000Z',
});

describe('checklist tasks tied to transitions (requiredBefore)', () => {
  it('the default template ties the backup and the web transfer to start-deployment, and every task to sign-off', () => {
    const before = Object.fromEntries(t.checklist.map((c) => [c.id, c.requiredBefore]));
    expect(before).toEqual({
      'inform-deployment-team': ['sign-off'],
      'prepare-release-notes': ['sign-off'],
      'send-release-notes': ['sign-off'],
      'transfer-web-packages': ['start-deployment', 'sign-off'],
      'back-up-databases': ['start-deployment', 'sign-off'],
    });
  });

  it('an open tied task is an unmet condition, named by its title; done, not applicable or waived tasks hold', () => {
    const s = release('scheduled', 'approved-for-production');
    s.checklist = [task('transfer-web-packages', TRANSFER), task('back-up-databases', BACKUP)];
    const refused = checkTransition(t, s, ['deployment'], 'start-deployment', '');
    expect(refused.kind === 'refused' && refused.unmet).toEqual([
      `Checklist task '${TRANSFER}' is not done`,
      `Checklist task '${BACKUP}' is not done`,
    ]);
    s.checklist = [
      {
        ...task('transfer-web-packages', TRANSFER),
        waivers: [{ transition: 'start-deployment', reason: 'by hand', by: 'carol', at: 'T1' }],
      },
      task('back-up-databases', BACKUP, 'done'),
    ];
    const ok = checkTransition(t, s, ['deployment'], 'start-deployment', '');
    expect(ok.kind).toBe('ok');
    if (ok.kind !== 'ok') return;
    expect(ok.exceptions).toEqual([`checklist task '${TRANSFER}' waived by carol at T1: by hand`]);
    expect(ok.gates.at(-1)?.evidence).toEqual([
      { what: `Checklist task '${TRANSFER}' waived by carol at T1: by hand`, by: 'carol', at: 'T1' },
      { what: `Checklist task '${BACKUP}' done: ok`, by: 'bill', at: '2030-02-02T07:00:00.000Z' },
    ]);
    // A waiver is for one transition: the sign-off still waits for the transfer.
    s.state = 'verified-in-production';
    const signOff = checkTransition(t, s, ['cmc'], 'sign-off', '');
    expect(signOff.kind === 'refused' && signOff.unmet).toEqual([
      'Sign-off of the release by the Change Management Coordinator is missing',
      `Checklist task '${TRANSFER}' is not done`,
    ]);
  });

  it('only the tasks the release has count (a release without the backup task is not held up by it)', () => {
    const s = release('scheduled', 'approved-for-production', ['web']);
    s.checklist = [task('transfer-web-packages', TRANSFER, 'done')];
    expect(checkTransition(t, s, ['deployment'], 'start-deployment', '').kind).toBe('ok');
  });

  it('template validation names an unknown transition, with the ones there are', () => {
    const bad = parseTemplateYaml(
      templateYaml((doc) => {
        doc.checklist[4].requiredBefore = ['start-deployment', 'deploy-now'];
      }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems).toHaveLength(1);
      expect(bad.problems[0]?.path).toBe('checklist[4].requiredBefore[1]');
      expect(bad.problems[0]?.message).toMatch(
        /^unknown transition "deploy-now"; one of: start-packaging, mark-package-verified, .*sign-off/,
      );
    }
  });
});
