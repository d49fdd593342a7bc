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
});
