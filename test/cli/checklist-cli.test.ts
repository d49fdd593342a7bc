import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/dates.js';
import { cliCrew, json, ok } from '../support/cli-crew.js';
import { dialects } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-checklist-cli';

/** A Saturday (the default template's change-cycle day) 8 to 14 days from today: its first task is overdue, the rest are not. */
function plannedSaturday(): string {
  const today = new Date().toISOString().slice(0, 10);
  for (let d = 8; d < 15; d++) {
    const date = addDays(today, d);
    if (new Date(`${date}T12:00:00Z`).getUTCDay() === 6) return date;
  }
  throw new Error('unreachable');
}

describe.each(dialects)('relman checklist commands against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'checklist-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [
      ['lead1', 'technical-lead'],
      ['dev1', 'developer'],
      ['cmc1', 'cmc'],
      ['view1', 'viewer'],
    ],
    // The tables below are read as they stand: no background reminder may change a row between two reads.
    env: () => ({ RELMAN_JOBS: 'off' }),
  });
  const as = crew.as;

  it('shows, completes, skips and reopens tasks, lists mine and sets a milestone', async () => {
    const planned = plannedSaturday();
    const release = json(
      await as('lead1', ['release', 'create', '--type', 'scheduled', '--date', planned, '--channels', 'database,web', '--json']),
    );
    const name = String(release.name);

    const human = ok(await as('view1', ['checklist', 'show', name]));
    const lines = human.trimEnd().split('\n');
    expect(lines[0]).toBe(`${name}: release day ${planned} (America/New_York)`);
    expect(lines[1]).toBe('milestones:');
    expect(lines[2]).toBe(`  uat-start  ${addDays(planned, -7)} (from the template)  User acceptance testing starts`);
    expect(lines[4]).toMatch(/^TASK\s+DUE\s+OVERDUE\s+RESPONSIBLE\s+STATUS\s+BEFORE\s+REMINDERS\s+TITLE$/);
    expect(lines[5]).toMatch(
      new RegExp(
        `^inform-deployment-team\\s+${addDays(planned, -14)}\\s+OVERDUE\\s+technical-lead \\(lead1\\)\\s+open\\s+sign-off\\s+Inform`,
      ),
    );
    expect(lines[6]).toMatch(new RegExp(`^prepare-release-notes\\s+${addDays(planned, -7)}\\s+developer \\(dev1\\)\\s+open`));
    expect(lines[8]).toMatch(/^transfer-web-packages\s+\S+\s+web-lead \(nobody\)\s+open/);

    const shown = json(await as('view1', ['checklist', 'show', name, '--json']));
    expect(shown.tasks.map((t: { task: string; overdue: boolean }) => [t.task, t.overdue])).toEqual([
      ['inform-deployment-team', true],
      ['prepare-release-notes', false],
      ['send-release-notes', false],
      ['transfer-web-packages', false],
      ['back-up-databases', false],
    ]);

    expect(
      ok(
        await as('dev1', [
          'checklist',
          'complete',
          name,
          'prepare-release-notes',
          '--note',
          'on the wiki',
          '--link',
          'https://wiki.example.org/n',
        ]),
      ),
    ).toBe(`${name}: task prepare-release-notes "Prepare release notes" done — on the wiki\n`);
    expect(ok(await as('lead1', ['checklist', 'skip', name, 'transfer-web-packages', '--reason', 'no web channel']))).toBe(
      `${name}: task transfer-web-packages "Transfer web packages to the production drop location" marked not applicable — no web channel\n`,
    );
    expect(ok(await as('dev1', ['checklist', 'reopen', name, 'prepare-release-notes', '--reason', 'notes changed']))).toBe(
      `${name}: task prepare-release-notes "Prepare release notes" is open again — notes changed\n`,
    );

    const log = path.join(crew.tmp, 'backup.log');
    writeFileSync(log, 'pg_dump finished\n');
    const sha = createHash('sha256').update('pg_dump finished\n').digest('hex');
    expect(ok(await as('lead1', ['checklist', 'evidence', name, 'back-up-databases', log]))).toBe(
      `${name}: task back-up-databases has backup.log (17 bytes, sha256 ${sha}) as evidence\n`,
    );

    const refused = await as('dev1', ['checklist', 'complete', name, 'send-release-notes', '--note', 'x']);
    expect(refused.code).toBe(4);
    expect((await as('dev1', ['checklist', 'complete', name, 'nope', '--note', 'x'])).code).toBe(5);
    expect((await as('dev1', ['checklist', 'complete', name, 'prepare-release-notes', '--note', ''])).code).toBe(7);
    expect((await as('lead1', ['checklist', 'reopen', name, 'send-release-notes', '--reason', 'x'])).code).toBe(6);
    expect((await as('lead1', ['milestone', 'set', name, 'uat-start', 'tomorrow'])).code).toBe(2);

    const mine = json(await as('lead1', ['checklist', 'mine', '--json']));
    expect(mine.map((t: { task: string }) => t.task)).toEqual(['inform-deployment-team', 'send-release-notes']);
    const overdue = ok(await as('lead1', ['checklist', 'mine', '--overdue']));
    expect(overdue.split('\n')[0]).toMatch(/^RELEASE\s+TASK\s+DUE/);
    expect(overdue.trimEnd().split('\n').slice(1)).toHaveLength(1);
    expect(overdue).toContain('inform-deployment-team');
    expect(ok(await as('view1', ['checklist', 'mine']))).toBe('(none)\n');

    // P14, P17: the backup holds up the deployment; only the CMC may waive it, for one transition, with a reason.
    expect(
      (await as('lead1', ['checklist', 'waive', name, 'back-up-databases', '--transition', 'start-deployment', '--reason', 'x'])).code,
    ).toBe(4);
    const waived = ok(
      await as('cmc1', ['checklist', 'waive', name, 'back-up-databases', '--transition', 'start-deployment', '--reason', 'taken at night']),
    );
    expect(waived).toMatch(
      new RegExp(
        `^${name}: task back-up-databases "Back up the databases" before start-deployment: waived by cmc1 at \\S+Z: taken at night\n$`,
      ),
    );
    const withWaiver = ok(await as('view1', ['checklist', 'show', name]));
    expect(withWaiver).toMatch(/\n {2}back-up-databases before start-deployment: waived by cmc1 at \S+: taken at night\n$/);

    const moved = ok(await as('lead1', ['milestone', 'set', name, 'uat-start', addDays(planned, -3)]));
    expect(moved).toBe(
      `${name}: User acceptance testing starts on ${addDays(planned, -3)}\n  prepare-release-notes now due ${addDays(planned, -3)}\n`,
    );
  });
});
