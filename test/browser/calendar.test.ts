import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createApplication } from '../../src/services/applications.js';
import { addBlackout } from '../../src/services/calendar/blackouts.js';
import { createCycle } from '../../src/services/calendar/cycles.js';
import { publishTemplate } from '../../src/services/templates.js';
import { updateUser } from '../../src/services/users.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';
import { templateYaml } from '../support/service-fixtures.js';

type Task = { task: string; due: string | null; status: string };

const PLANNING_BUTTONS = [/^Plan a cycle$/, /^Set a blackout$/, /^Move /, /^Cancel /, /^Remove the blackout/];

describeBrowser('the calendar in the browser', () => {
  const site = sitePerFile();
  /** A dialog done opening (Mantine fades it in): checked for accessibility as people see it. */
  const opened = (dialog: Locator) =>
    expect.poll(() => dialog.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).opacity)).toBe('1');
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 2, name }).waitFor();
  /** Opens a Select and gives the names of the options it offers. */
  const optionsOf = async (page: Page, within: Locator, label: string) => {
    await within.getByRole('combobox', { name: label }).click();
    await page.getByRole('option').first().waitFor();
    return (await page.getByRole('option').allInnerTexts()).map((o) => o.trim());
  };
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
    // Channel and environment are chosen from the template's, every one being the first choice.
    expect(await black.getByRole('combobox', { name: 'Channel' }).inputValue()).toBe('Every channel');
    expect(await black.getByRole('combobox', { name: 'Environment' }).inputValue()).toBe('Every environment');
    expect(await optionsOf(page, black, 'Channel')).toEqual(['Every channel', 'Database (Cache/IRIS)', 'Web (WebSphere)']);
    await page.getByRole('option', { name: 'Database (Cache/IRIS)' }).click();
    expect(await optionsOf(page, black, 'Environment')).toEqual(['Every environment', 'Development', 'Acceptance Test (AT)', 'Production']);
    await page.keyboard.press('Escape');
    await black.getByLabel('Reason').fill('Database server upgrade');
    await black.getByRole('button', { name: 'Set blackout' }).click();
    await black.waitFor({ state: 'detached' });
    await page.getByText('2027-02-24 to 2027-02-25, channel database (blocks): Database server upgrade').waitFor();
    const set = (await asOwner('GET', '/blackouts?from=2027-02-24&to=2027-02-24')).items as {
      channel: string | null;
      environment: string | null;
    }[];
    expect(set.map((b) => [b.channel, b.environment])).toEqual([['database', null]]);

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

  it('shows the application chosen, with its template’s channels, and moves its cycle onto a blackout only with an override reason', async () => {
    const s = site();
    // A second application, under a template with a channel the default one lacks.
    const yaml = templateYaml((doc) => {
      doc['key'] = 'payroll-process';
      doc['name'] = 'Payroll process';
      delete doc['defaultApplication'];
      (doc['channels'] as unknown[]).push({ id: 'reports', name: 'Reports server' });
    });
    await publishTemplate(s.deps, SYSTEM_ACTOR, { yaml });
    await createApplication(s.deps, SYSTEM_ACTOR, {
      key: 'payroll',
      name: 'Payroll',
      templateKey: 'payroll-process',
      namingParameters: { system: 'P' },
    });
    const carol = await s.person('carol', ['cmc']);
    await createCycle(s.deps, carol.actor, { date: '2027-04-10', oneOff: true, title: 'CMS April cycle' });
    await createCycle(s.deps, carol.actor, { app: 'payroll', date: '2027-04-17', oneOff: true, title: 'Payroll April cycle' });
    const asCarol = apiAs(carol.token);
    const payrollCycles = async () =>
      ((await asCarol('GET', '/cycles?app=payroll&from=2027-04-01&to=2027-04-30')).items as { date: string; title: string }[]).map(
        (c) => `${c.date} ${c.title}`,
      );

    const { page } = await s.signedIn('carol', ['cmc'], { path: '/calendar?view=month&month=2027-04' });
    await heading(page, 'April 2027');
    // No app= in the URL: the default application.
    await page.getByText('2027-04-10: CMS April cycle (planned').waitFor();
    expect(await page.getByText('Payroll April cycle').count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Application' }).inputValue()).toBe('CMS Net');
    expect(await optionsOf(page, page.locator('body'), 'Application')).toEqual(['CMS Net', 'Payroll']);
    await page.getByRole('option', { name: 'Payroll' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('app')).toBe('payroll');
    expect(new URL(page.url()).searchParams.get('month')).toBe('2027-04');
    await page.getByText('2027-04-17: Payroll April cycle (planned').waitFor();
    await page.getByRole('cell', { name: 'Saturday, April 17, 2027' }).filter({ hasText: 'Cycle: Payroll April cycle' }).waitFor();
    expect(await page.getByText('CMS April cycle').count()).toBe(0);
    await expectAccessible(page, 'the calendar of a chosen application');
    // Going through the months keeps the application.
    await page.getByRole('button', { name: 'Next month' }).click();
    await heading(page, 'May 2027');
    expect(new URL(page.url()).searchParams.get('app')).toBe('payroll');
    await page.getByRole('button', { name: 'Previous month' }).click();
    await heading(page, 'April 2027');
    await page.getByText('2027-04-17: Payroll April cycle (planned').waitFor();

    // The blackout dialog offers the chosen application's channels.
    await page.getByRole('button', { name: 'Set a blackout' }).click();
    const black = page.getByRole('dialog', { name: 'Set a blackout' });
    await opened(black);
    expect(await optionsOf(page, black, 'Channel')).toEqual([
      'Every channel',
      'Database (Cache/IRIS)',
      'Web (WebSphere)',
      'Reports server',
    ]);
    await page.getByRole('option', { name: 'Reports server' }).click();
    await optionsOf(page, black, 'Environment');
    await page.getByRole('option', { name: 'Production' }).click();
    await black.getByLabel('From').fill('2027-04-24');
    await black.getByLabel('Reason').fill('Payroll reports freeze');
    await expectAccessible(page, 'the blackout dialog with its choices');
    await black.getByRole('button', { name: 'Set blackout' }).click();
    await black.waitFor({ state: 'detached' });
    await page.getByText('2027-04-24, channel reports, environment production (blocks): Payroll reports freeze').waitFor();
    const payrollBlackouts = (await asCarol('GET', '/blackouts?app=payroll&from=2027-04-24&to=2027-04-24')).items as {
      channel: string | null;
      environment: string | null;
      reason: string;
    }[];
    expect(payrollBlackouts.map((b) => [b.channel, b.environment, b.reason])).toEqual([
      ['reports', 'production', 'Payroll reports freeze'],
    ]);
    expect((await asCarol('GET', '/blackouts?from=2027-04-24&to=2027-04-24')).items).toEqual([]);

    // A blackout on the whole of the 21st: moving the cycle there needs an override reason.
    await addBlackout(s.deps, carol.actor, { app: 'payroll', from: '2027-04-21', reason: 'Payroll run' });
    const moveOnto = async (p: Page) => {
      await p.getByRole('button', { name: 'Move Payroll April cycle' }).click();
      const move = p.getByRole('dialog', { name: 'Move Payroll April cycle' });
      await opened(move);
      expect(await move.getByLabel('Blackout override reason').count()).toBe(0);
      await move.getByLabel('New date').fill('2027-04-21');
      await move.getByText(/Needs a blackout override: 2027-04-21 is in the blackout/).waitFor();
      await move.getByLabel(/^Reason/).fill('The payroll team is away on the 17th');
      return move;
    };

    // Someone who manages the calendar but may not override a blackout is told so.
    const admin = (await s.signedIn('adam', ['admin'], { path: '/calendar?view=month&month=2027-04&app=payroll' })).page;
    await heading(admin, 'April 2027');
    const refused = await moveOnto(admin);
    await refused.getByLabel('Blackout override reason').fill('Payroll must run');
    await refused.getByRole('button', { name: 'Confirm move' }).click();
    await refused
      .getByRole('alert')
      .filter({ hasText: 'The cycle was not moved' })
      .filter({ hasText: /blackout\.override/ })
      .waitFor();
    expect(await payrollCycles()).toEqual(['2027-04-17 Payroll April cycle']);

    await page.reload();
    await heading(page, 'April 2027');
    const move = await moveOnto(page);
    const override = move.getByLabel('Blackout override reason');
    await override.waitFor();
    await expectAccessible(page, 'the move dialog onto a blackout');
    // Without an override reason the move is not sent.
    await move.getByRole('button', { name: 'Confirm move' }).click();
    expect(await override.evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
    expect(await move.isVisible()).toBe(true);
    expect(await payrollCycles()).toEqual(['2027-04-17 Payroll April cycle']);
    await override.fill('Payroll must run before the month ends');
    await move.getByRole('button', { name: 'Confirm move' }).click();
    await move.waitFor({ state: 'detached' });
    await page.getByText('2027-04-21: Payroll April cycle (planned; The payroll team is away on the 17th)').waitFor();
    expect(await payrollCycles()).toEqual(['2027-04-21 Payroll April cycle']);
    expect(new URL(page.url()).searchParams.get('app')).toBe('payroll');
    // The default application's cycle did not move.
    expect(((await asCarol('GET', '/cycles?from=2027-04-01&to=2027-04-30')).items as { date: string }[]).map((c) => c.date)).toEqual([
      '2027-04-10',
    ]);
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
