import { describe, expect, it } from 'vitest';
import { todayIn } from '../../src/domain/calendar.js';
import { addDays } from '../../src/domain/dates.js';
import { cliCrew, json, ok } from '../support/cli-crew.js';
import { dialects } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-usability-cli';

/** The first Saturday at least `weeks` weeks after today in New York (the server runs on the real clock). */
function saturdayIn(weeks: number): string {
  let d = addDays(todayIn('America/New_York', new Date()), weeks * 7);
  while (new Date(`${d}T00:00:00Z`).getUTCDay() !== 6) d = addDays(d, 1);
  return d;
}

describe.each(dialects)('relman as a new user meets it, against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'usability-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [
      ['lead1', 'technical-lead'],
      ['dev1', 'developer'],
      ['cmc1', 'cmc'],
    ],
  });
  const as = crew.as;
  const created = (date: string, channels = 'database') => [
    'release',
    'create',
    '--type',
    'scheduled',
    '--date',
    date,
    '--channels',
    channels,
  ];

  it('takes release names in any case, a release name as audit subject; refuses unknown filters and a bad --ref', async () => {
    const date = addDays(saturdayIn(40), -3);
    expect(json(await as('lead1', [...created(date), '--json'])).name).toBe('CFIS001');
    expect(json(await as('lead1', [...created(date), '--json'])).name).toBe('CFIS002');

    expect(json(await as('dev1', ['release', 'show', 'cfis002', '--json']))).toMatchObject({ name: 'CFIS002', plannedDate: date });
    expect(ok(await as('lead1', ['release', 'update', 'cfis002', '--title', 'Renamed']))).toMatch(/^updated release CFIS002$/m);
    const audit = json(await as('dev1', ['audit', 'list', '--subject', 'cfis002', '--json']));
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['release.create', 'release.update']));
    expect(new Set(audit.items.map((e: { subjectId: string }) => e.subjectId))).toEqual(new Set(['cms-net/CFIS002']));

    const drafts = await as('dev1', ['release', 'list', '--state', 'drafts']);
    expect(drafts.code).toBe(7);
    expect(drafts.stdout).toBe('');
    expect(drafts.stderr).toContain('unknown state "drafts"; one of: draft, packaging,');
    const weekly = await as('dev1', ['release', 'list', '--type', 'weekly']);
    expect(weekly.code).toBe(7);
    expect(weekly.stderr).toContain('unknown release type "weekly"; one of: scheduled, emergency, expedited');

    // What the API refuses, the CLI refuses before sending (usage, exit 2), naming --ref.
    const blank = await as('lead1', ['item', 'create', '--kind', 'IR', '--ref', '  ', '--title', 'Totals']);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain('--ref "  ": a help-desk reference must not be empty');
    const twoLines = await as('lead1', ['item', 'create', '--kind', 'IR', '--ref', 'IR-1\nIR-2', '--title', 'Totals']);
    expect(twoLines.code).toBe(2);
    expect(twoLines.stderr).toContain('no control characters');
    const long = await as('lead1', ['report', 'write', 'CFIS001', 'emergency-release-report', '--ref', 'x'.repeat(101)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('at most 100 characters');
    expect(json(await as('dev1', ['item', 'list', '--json'])).total).toBe(0);
    const trimmed = json(await as('lead1', ['item', 'create', '--kind', 'IR', '--ref', ' HD-7 ', '--title', 'Totals', '--json']));
    expect(trimmed.helpdeskRef).toBe('HD-7');
  }, 120_000);

  it('names the fix: the ids that exist, the CLI’s options, and no name for a release never created', async () => {
    const step = await as('lead1', ['step', 'record', 'CFIS001', 'verify', '--channel', 'database']);
    expect(step.code).toBe(5);
    expect(step.stderr).toContain('step "verify" does not exist; one of: verify-package, deploy, confirm-deployment, verify-application');
    const report = await as('lead1', ['report', 'write', 'CFIS001', 'err', '--part', 'summary=x']);
    expect(report.code).toBe(5);
    expect(report.stderr).toContain('report "err" does not exist; one of: emergency-release-report');

    const badDate = await as('lead1', created('2031-02-30'));
    expect(badDate.code).toBe(7);
    expect(badDate.stderr).toMatch(/^ {2}- --date: /m);
    expect(badDate.stderr).not.toContain('plannedDate');

    ok(await as('lead1', ['issue', 'raise', 'CFIS001', '--category', 'project-issue', '--title', 'Vendor patch late']));
    const noReason = await as('lead1', ['issue', 'resolve', 'CFIS001', '1', '--wont-fix']);
    expect(noReason.code).toBe(7);
    expect(noReason.stderr).toContain("  - --reason: closing an issue as won't fix needs a reason");

    const freeze = addDays(saturdayIn(44), 2);
    ok(await as('cmc1', ['blackout', 'add', freeze, '--reason', 'Year-end freeze']));
    const blocked = await as('lead1', created(freeze));
    expect(blocked.code).toBe(6);
    expect(blocked.stderr).toContain(`a new release cannot be planned on ${freeze}: blackout`);
    expect(blocked.stderr).not.toContain('CFIS003');
    expect(json(await as('lead1', [...created(addDays(freeze, 1)), '--json'])).name).toBe('CFIS003');
  }, 120_000);

  it('with --json a refusal is the problem document on stdout; people read elements and templates as text', async () => {
    const refused = await as('lead1', ['release', 'transition', 'CFIS001', 'start-packaging', '--json']);
    expect(refused.code).toBe(6);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      type: 'urn:relman:problem:gates-not-satisfied',
      status: 409,
      unmet: ['the release carries no work item'],
    });
    const missing = await as('lead1', ['release', 'show', 'CFIS404', '--json']);
    expect(missing.code).toBe(5);
    expect(JSON.parse(missing.stdout)).toMatchObject({ type: 'urn:relman:problem:not-found', status: 404 });

    ok(await as('lead1', ['item', 'create', '--kind', 'IR', '--ref', 'HD-8', '--title', 'Split', '--element', 'class:CMS.Totals']));
    const item = ok(await as('lead1', ['item', 'show', 'IR-2']));
    expect(item).toMatch(/^elements\s+class:CMS\.Totals$/m);
    expect(item).not.toContain('{');
    const release = ok(await as('lead1', ['release', 'show', 'CFIS001']));
    expect(release).toMatch(/^template\s+cms-net v1$/m);
    expect(release).not.toContain('{');
  }, 120_000);

  it('lists conflicts by date; `calendar feed` keeps an existing feed and only --rotate replaces it', async () => {
    const sat = saturdayIn(50);
    const early = addDays(sat, -10);
    ok(await as('cmc1', ['cycle', 'create', sat]));
    const a = json(await as('lead1', [...created(sat, 'web'), '--cycle', sat, '--json']));
    const b = json(await as('lead1', [...created(sat, 'web'), '--cycle', sat, '--json']));
    const c = json(await as('lead1', [...created(early), '--json']));
    ok(await as('cmc1', ['blackout', 'add', early, '--reason', 'Audit week']));
    const conflicts = json(await as('dev1', ['calendar', 'conflicts', '--from', early, '--to', sat, '--json']));
    expect(conflicts.items.map((x: { date: string; kind: string; releases: string[] }) => [x.date, x.kind, x.releases])).toEqual([
      [early, 'release-blackout', [c.name]],
      [sat, 'channel', [a.name, b.name]],
    ]);
    const human = ok(await as('dev1', ['calendar', 'conflicts', '--from', early, '--to', sat])).split('\n');
    expect(human[1]).toMatch(new RegExp(`^${early}\\s+release-blackout`));
    expect(human[2]).toMatch(new RegExp(`^${sat}\\s+channel`));

    const url = ok(await as('dev1', ['calendar', 'feed'])).trim();
    expect(url).toMatch(/\/api\/v1\/calendar\.ics\?token=rmc_[A-Za-z0-9_-]+$/);
    const again = ok(await as('dev1', ['calendar', 'feed']));
    expect(again).toContain('you have a calendar feed URL, created ');
    expect(again).toContain('relman calendar feed --rotate');
    expect(again).not.toContain('rmc_');
    expect((await fetch(url)).status).toBe(200);
    expect(json(await as('dev1', ['calendar', 'feed', '--json']))).toMatchObject({ exists: true, createdAt: expect.any(String) });
    const rotated = ok(await as('dev1', ['calendar', 'feed', '--rotate'])).trim();
    expect(rotated).not.toBe(url);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(rotated)).status).toBe(200);
  }, 120_000);
});
