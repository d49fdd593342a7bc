import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { todayIn } from '../../src/domain/calendar.js';
import { addDays } from '../../src/domain/dates.js';
import { cliCrew, json, ok } from '../support/cli-crew.js';
import { dialects } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-calendar-cli';

/** The first Saturday at least `weeks` weeks after today in New York (the server runs on the real clock). */
function saturdayIn(weeks: number): string {
  let d = addDays(todayIn('America/New_York', new Date()), weeks * 7);
  while (new Date(`${d}T00:00:00Z`).getUTCDay() !== 6) d = addDays(d, 1);
  return d;
}

describe.each(dialects)('relman calendar commands against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'calendar-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [
      ['cmc1', 'cmc'],
      ['lead1', 'technical-lead'],
    ],
  });
  const as = crew.as;

  it('plans, books, moves and cancels cycles; blackouts refuse releases; the feed URL works until revoked', async () => {
    const sat = saturdayIn(30);
    const next = addDays(sat, 7);
    const sunday = addDays(sat, 1);

    expect(ok(await as('cmc1', ['cycle', 'create', sat]))).toContain(`planned the change cycle of ${sat}`);
    const refused = await as('cmc1', ['cycle', 'create', sunday]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain('is a sunday');
    expect(json(await as('cmc1', ['cycle', 'create', sunday, '--one-off', '--json']))).toMatchObject({
      date: sunday,
      designatedDay: false,
    });
    expect((await as('lead1', ['cycle', 'create', next])).code).toBe(4);

    const r = json(
      await as('lead1', ['release', 'create', '--type', 'scheduled', '--date', addDays(sat, -3), '--channels', 'database', '--json']),
    );
    expect(ok(await as('lead1', ['release', 'book', r.name, '--cycle', sat]))).toBe(`booked ${r.name} into the change cycle of ${sat}\n`);
    const listed = json(await as('lead1', ['cycle', 'list', '--from', sat, '--to', sat, '--json']));
    expect(listed.items[0].releases.map((x: { name: string }) => x.name)).toEqual([r.name]);
    const human = ok(await as('lead1', ['cycle', 'list', '--from', sat, '--to', sunday]));
    expect(human.split('\n')[0]).toMatch(/^DATE\s+WEEKDAY\s+STATUS\s+TITLE\s+RELEASES\s+NOTE$/);
    expect(human).toContain(r.name);

    expect((await as('lead1', ['cycle', 'move', sat, '--to', next, '--reason', 'x'])).code).toBe(4);
    expect(ok(await as('cmc1', ['cycle', 'move', sat, '--to', next, '--reason', 'team offsite']))).toContain(
      `moved the change cycle of ${sat} to ${next}`,
    );
    expect(json(await as('lead1', ['release', 'show', r.name, '--json'])).plannedDate).toBe(next);

    const from = addDays(next, 14);
    const b = json(await as('cmc1', ['blackout', 'add', from, addDays(from, 3), '--reason', 'Data-centre move', '--json']));
    expect(b).toMatchObject({ from, to: addDays(from, 3), effect: 'blocks' });
    expect(ok(await as('lead1', ['blackout', 'list']))).toContain('Data-centre move');
    const blocked = await as('lead1', ['release', 'create', '--type', 'scheduled', '--date', addDays(from, 1), '--channels', 'web']);
    expect(blocked.code).toBe(6);
    expect(blocked.stderr).toContain('Data-centre move');
    const web = await as('cmc1', ['blackout', 'add', next, '--channel', 'web', '--reason', 'CDN switch']);
    expect(web.code).toBe(0);
    const conflicts = json(await as('lead1', ['calendar', 'conflicts', '--from', sat, '--to', addDays(from, 30), '--json']));
    // The web window does not concern the database release, but the cycle itself is on it.
    expect(conflicts.items).toEqual([expect.objectContaining({ kind: 'cycle-blackout', date: next, releases: [r.name] })]);
    expect(ok(await as('lead1', ['calendar', 'conflicts', '--from', sat, '--to', addDays(from, 30)]))).toContain('1 conflict(s)');

    const url = ok(await as('lead1', ['calendar', 'feed'])).trim();
    expect(url).toMatch(new RegExp(`^${crew.server.url.replace(/\./g, '\\.')}/api/v1/calendar\\.ics\\?token=rmc_`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const cal = new ICAL.Component(ICAL.parse(await res.text()) as unknown[]);
    const summaries = cal.getAllSubcomponents('vevent').map((e) => String(e.getFirstPropertyValue('summary')));
    expect(summaries).toEqual(
      expect.arrayContaining([`Change cycle ${next} (${r.name})`, 'Blackout: Data-centre move', `${r.name} (draft)`]),
    );
    expect(ok(await as('lead1', ['calendar', 'revoke-feed']))).toBe('calendar feed revoked\n');
    expect((await fetch(url)).status).toBe(404);

    expect(ok(await as('cmc1', ['blackout', 'remove', b.id]))).toBe(`removed blackout ${b.id}\n`);
    expect((await as('cmc1', ['blackout', 'remove', b.id])).code).toBe(5);
    expect(ok(await as('cmc1', ['cycle', 'cancel', next, '--reason', 'nothing to ship']))).toBe(`cancelled the change cycle of ${next}\n`);
    expect((await as('cmc1', ['cycle', 'cancel', next, '--reason', 'again'])).code).toBe(6);
    // About thirty CLI processes in a row: generous on a busy machine.
  }, 240_000);

  it('a new cycle books the releases already planned on its date; release show names the cycle and any blackout override', async () => {
    const sat = saturdayIn(40);
    const create = (who: string, date: string, type = 'scheduled', extra: string[] = []) =>
      as(who, ['release', 'create', '--type', type, '--date', date, '--channels', 'database', ...extra, '--json']);
    const a = json(await create('lead1', sat));
    const b = json(await create('lead1', sat));
    expect(ok(await as('lead1', ['release', 'show', a.name]))).toMatch(/^cycle: {4}\(not booked\)$/m);
    const created = ok(await as('cmc1', ['cycle', 'create', sat]));
    expect(created).toContain(`planned the change cycle of ${sat}\nbooked 2 release(s): ${a.name}, ${b.name}\n`);
    expect(ok(await as('lead1', ['release', 'show', a.name]))).toMatch(new RegExp(`^cycle: {4}${sat} \\(Change cycle ${sat}\\)$`, 'm'));
    expect(json(await as('lead1', ['release', 'show', b.name, '--json'])).cycle).toEqual({
      date: sat,
      title: `Change cycle ${sat}`,
      status: 'planned',
    });

    // --no-book leaves them as they are.
    const later = addDays(sat, 7);
    const c = json(await create('lead1', later));
    const unbooked = json(await as('cmc1', ['cycle', 'create', later, '--no-book', '--json']));
    expect(unbooked).toMatchObject({ date: later, booked: [], releases: [] });
    expect(json(await as('lead1', ['release', 'show', c.name, '--json'])).cycle).toBeNull();

    // An emergency on a blackout: who overrode which window, when and why, on the release.
    const day = addDays(sat, 3);
    await as('cmc1', ['blackout', 'add', day, '--reason', 'Year-end freeze']);
    const e = json(await create('cmc1', day, 'emergency', ['--blackout-override-reason', 'claims are paid twice']));
    const shown = ok(await as('lead1', ['release', 'show', e.name]));
    expect(shown).toMatch(
      new RegExp(`^blackout: blackout ${day}: Year-end freeze overridden by cmc1 at \\S+Z: claims are paid twice$`, 'm'),
    );
    expect(ok(await as('lead1', ['release', 'evidence', e.name]))).toMatch(
      new RegExp(`^blackout override: blackout ${day}: Year-end freeze overridden by cmc1 at \\S+Z: claims are paid twice$`, 'm'),
    );
  }, 240_000);
});
