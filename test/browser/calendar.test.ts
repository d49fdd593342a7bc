import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { addBlackout } from '../../src/services/calendar/blackouts.js';
import { createCycle } from '../../src/services/calendar/cycles.js';
import { updateUser } from '../../src/services/users.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';

type Task = { task: string; due: string | null; status: string };

const PLANNING_BUTTONS = [/^Plan a cycle$/, /^Set a blackout$/, /^Move /, /^Cancel /, /^Remove the blackout/];

describeBrowser('the calendar in the browser', () => {
  const site = sitePerFile();
  /** A dialog done opening (Mantine fades it in): checked for accessibility as people see it. */
  const opened = (dialog: Locator) =>
    expect.poll(() => dialog.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).opacity)).toBe('1');
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 2, name }).waitFor();
  const apiAs = (token: string) => async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${site().url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return (await res.json()) as Record<string, unknown>;
  };

  it('lets the CMC plan a cycle and a blackout, and move the cycle after seeing what moves with it', async () => {
    const s = site();
    const owner = await s.person('olga', ['technical-lead']);
    await updateUser(s.deps, SYSTEM_ACTOR, 'olga', { email: 'olga@example.org' });
    const asOwner = apiAs(owner.token);
    const { page } = await s.signedIn('carol', ['cmc'], { path: '/calendar?view=month&month=2027-02' });
    await heading(page, 'February 2027');
    await expectAccessible(page, 'the calendar month view');

    await page.getByRole('button', { name: 'Plan a cycle' }).click();
    const plan = page.getByRole('dialog', { name: 'Plan a change cycle' });
    await opened(plan);
    await expectAccessible(page, 'the plan-a-cycle dialog');
    await plan.getByLabel(/^Date/).fill('2027-02-13');
    await plan.getByLabel('Title').fill('February cycle');
    await plan.getByLabel(/one-off date/).check();
    await plan.getByRole('button', { name: 'Plan cycle' }).click();
    await plan.waitFor({ state: 'detached' });
    await page.getByText('2027-02-13: February cycle (planned').waitFor();
    await page
      .getByRole('cell', { name: /Saturday, February 13, 2027|13 February 2027/ })
      .filter({ hasText: 'Cycle: February cycle' })
      .waitFor();

    await page.getByRole('button', { name: 'Set a blackout' }).click();
    const black = page.getByRole('dialog', { name: 'Set a blackout' });
    await opened(black);
    await expectAccessible(page, 'the blackout dialog');
    await black.getByLabel('From').fill('2027-02-24');
    await black.getByLabel('To (inclusive)').fill('2027-02-25');
    await black.getByLabel('Channel').fill('database');
    await black.getByLabel('Reason').fill('Database server upgrade');
    await black.getByRole('button', { name: 'Set blackout' }).click();
    await black.waitFor({ state: 'detached' });
    await page.getByText('2027-02-24 to 2027-02-25, channel database (blocks): Database server upgrade').waitFor();

    // A release booked into the cycle by its owner, with checklist tasks due before release day.
    const release = (
      await asOwner('POST', '/releases', { type: 'scheduled', plannedDate: '2027-02-13', channels: ['web'], cycle: '2027-02-13' })
    ).name as string;
    const openTasks = async () =>
      ((await asOwner('GET', `/releases/${release}/checklist`)).tasks as Task[]).filter((t) => t.status === 'open');
    const before = await openTasks();
    expect(before.length).toBeGreaterThan(0);
    await page.reload();
    await page.getByRole('link', { name: release }).first().waitFor();

    await page.getByRole('button', { name: 'Move February cycle' }).click();
    const move = page.getByRole('dialog', { name: 'Move February cycle' });
    await opened(move);
    await move.getByLabel('New date').fill('2027-02-20');
    const dues = move.getByRole('table', { name: `Checklist due dates of ${release}` });
    await dues.waitFor();
    await move.getByRole('link', { name: release }).waitFor();
    await move.getByText('Told by mail: olga@example.org').waitFor();
    // Every open task is shown with its date now and its date after the move.
    const rows = await dues.getByRole('row').allInnerTexts();
    const shown = rows.slice(1).map((r) => r.split('\t').map((c) => c.trim()));
    expect(shown.map((r) => r[1])).toEqual(before.map((t) => t.due ?? 'no date'));
    expect(shown.some((r) => r[1] !== r[2])).toBe(true);
    await expectAccessible(page, 'the move dialog with its preview');
    await screenshot(page, 'calendar-move');
    await move.getByLabel('Reason').fill('Staff away on the 13th');
    await move.getByRole('button', { name: 'Confirm move' }).click();
    await move.waitFor({ state: 'detached' });
    await page.getByText('2027-02-20: February cycle (planned; Staff away on the 13th)').waitFor();

    expect((await asOwner('GET', `/releases/${release}`)).plannedDate).toBe('2027-02-20');
    expect((await openTasks()).map((t) => t.due ?? 'no date')).toEqual(shown.map((r) => r[2]));
    const cmc = await s.person('carol', ['cmc']);
    const outbox = (await apiAs(cmc.token)('GET', `/mail?release=${release}`)).items as { template: string; to: string[] }[];
    expect(outbox.filter((m) => m.template === 'cycle-moved').map((m) => m.to)).toEqual([['olga@example.org']]);

    await screenshot(page, 'calendar');
    await page.goto('/calendar?view=week&week=2027-02-15');
    await heading(page, 'Week of Monday, February 15, 2027');
    await page.getByRole('region', { name: 'Saturday, February 20, 2027' }).filter({ hasText: 'Cycle: February cycle' }).waitFor();
    await expectAccessible(page, 'the calendar week view');
    await page.getByRole('button', { name: 'Next week' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('week')).toBe('2027-02-22');
    await page.getByRole('region', { name: 'Wednesday, February 24, 2027' }).filter({ hasText: 'Blackout' }).waitFor();

    // The feed URL: made with one click, copied, rotated.
    await page.getByRole('button', { name: 'Create my feed URL' }).click();
    const url = page.getByRole('textbox', { name: 'My feed URL' });
    await expect.poll(() => url.inputValue()).toContain('/calendar.ics?token=');
    const first = await url.inputValue();
    await page.getByRole('button', { name: 'Copy URL' }).waitFor();
    await page.getByRole('button', { name: 'Rotate my feed URL' }).click();
    await expect.poll(() => url.inputValue()).not.toBe(first);
    expect((await fetch(first)).status).toBe(404);
  });

  it('shows a viewer the calendar with no planning controls', async () => {
    const s = site();
    const cmc = (await s.person('carol', ['cmc'])).actor;
    await createCycle(s.deps, cmc, { date: '2027-03-13', oneOff: true, title: 'March cycle' });
    await addBlackout(s.deps, cmc, { from: '2027-03-17', reason: 'Year-end closing' });
    const { page } = await s.signedIn('vera', ['viewer'], { path: '/calendar?view=month&month=2027-03' });
    await heading(page, 'March 2027');
    await page.getByRole('cell', { name: 'Saturday, March 13, 2027' }).filter({ hasText: 'Cycle: March cycle' }).waitFor();
    await page.getByRole('cell', { name: 'Wednesday, March 17, 2027' }).filter({ hasText: 'Year-end closing' }).waitFor();
    for (const name of PLANNING_BUTTONS) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await expectAccessible(page, 'the calendar as a viewer');
  });
});
