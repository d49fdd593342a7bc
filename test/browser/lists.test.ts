import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { addBlackout } from '../../src/services/calendar/blackouts.js';
import { createCycle } from '../../src/services/calendar/cycles.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';
import { expectJson } from '../support/http.js';
import { makeCrew, packageAndVerify, recordTest, V } from '../support/lifecycle-http.js';

type Made = { past: string; future: string; verified: string; testedItem: string };

/** The names in the first column of a table. */
async function firstColumn(page: Page, table: string): Promise<string[]> {
  const rows = page.getByRole('table', { name: table }).locator('tbody tr');
  return (await rows.locator('td:first-child a').allTextContents()).map((s) => s.trim());
}

async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
  await page.keyboard.press('Escape');
}

describeBrowser('the start page, the releases list and work items in the browser', () => {
  let made: Made;
  const site = sitePerFile(async (s) => {
    const ivy = await s.person('ivy', ['developer']);
    // Planned a few weeks ago: its release notes (due a week before release day) are overdue.
    const past = await s.fx.release(ivy.actor, { plannedDate: '2026-11-28', channels: ['database'], title: 'Past its notes' });
    const future = await s.fx.release(ivy.actor, { plannedDate: '2027-03-06', channels: ['web'], title: 'Web next spring' });
    // The coordinator plans two change cycles; the one on its planned date books the spring release.
    const carla = await s.person('carla', ['cmc']);
    await createCycle(s.deps, carla.actor, { date: '2027-01-16', title: 'January cycle' });
    await createCycle(s.deps, carla.actor, { date: '2027-03-06', title: 'Spring cycle' });
    const ref = await createWorkItem(s.deps, ivy.actor, { kind: 'IR', helpdeskRef: 'HD-4242', title: 'Button misplaced' });
    const leo = await s.person('leo', ['technical-lead']);
    await assignWorkItem(s.deps, leo.actor, { key: ref.key }, { release: future.name });
    await createWorkItem(s.deps, ivy.actor, { kind: 'DR', helpdeskRef: 'HD-77', title: 'Repair the totals' });

    const crew = await makeCrew(s.app, s.deps);
    const verified = expectJson(
      await crew.lead('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2027-06-05', channels: ['database'] }),
      201,
    ).name as string;
    const item = expectJson(await crew.lead('POST', `${V}/items`, { kind: 'IR', helpdeskRef: 'HD-TESTED', title: 'Tested twice' }), 201)
      .key as string;
    expectJson(await crew.lead('PUT', `${V}/items/${item}/release`, { release: past.name }), 200);
    expectJson(await crew.lead('PUT', `${V}/items/${item}/release`, { release: verified, move: true }), 200);
    await packageAndVerify(crew, verified, ['database']);
    expectJson(await recordTest(crew.dev, verified, { item, environment: 'development', result: 'passed' }), 201);
    made = { past: past.name, future: future.name, verified, testedItem: item };
  });

  it('shows my work: releases in flight by state, my overdue task first, each linking to its page', async () => {
    const { page } = await site().signedIn('ivy', ['developer']);
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    await page.getByRole('heading', { name: 'Draft (2)' }).waitFor();
    expect((await firstColumn(page, 'Releases in state Draft')).sort()).toEqual([made.past, made.future].sort());
    expect(await firstColumn(page, 'Releases in state Package verified')).toEqual([made.verified]);

    const tasks = page.getByRole('list', { name: 'My checklist tasks' }).getByRole('listitem');
    await tasks.first().waitFor();
    const first = await tasks.first().textContent();
    expect(first).toContain('Overdue');
    expect(first).toContain(`${made.past}: Prepare release notes`);
    expect(await tasks.nth(1).textContent()).not.toContain('Overdue');
    await tasks.first().getByRole('link').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/releases/${made.past}/checklist`);

    await page.goto('/');
    const spring = page.getByRole('list', { name: 'Next change cycles' }).getByRole('listitem').filter({ hasText: '2027-03-06' });
    await spring.getByRole('link', { name: new RegExp(made.future) }).waitFor();
    await page.getByRole('heading', { name: 'Recent changes to my releases' }).waitFor();
    const changes = page.getByRole('list', { name: 'Recent changes to my releases' });
    await changes.getByRole('link', { name: made.future }).first().waitFor();
    await expectAccessible(page, 'my work');
    await screenshot(page, 'my-work');
  });

  it('filters releases by state, channel and a help-desk reference, kept in the address across a reload', async () => {
    const { page } = await site().signedIn('ivy', ['developer'], { path: '/releases' });
    await page.getByRole('heading', { level: 1, name: 'Releases' }).waitFor();
    await page.getByRole('table', { name: 'Releases' }).waitFor();
    expect((await firstColumn(page, 'Releases')).sort()).toEqual([made.past, made.future, made.verified].sort());
    await expectAccessible(page, 'the releases list');
    await screenshot(page, 'releases');

    await choose(page, 'State', 'Draft');
    await expect.poll(() => firstColumn(page, 'Releases').then((n) => n.sort())).toEqual([made.past, made.future].sort());
    await choose(page, 'Channel', 'Web (WebSphere)');
    await expect.poll(() => firstColumn(page, 'Releases')).toEqual([made.future]);
    await page.getByLabel('Name or help-desk reference').fill('hd-4242');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('hd-4242');
    const url = new URL(page.url());
    expect(url.searchParams.get('state')).toBe('draft');
    expect(url.searchParams.get('channel')).toBe('web');
    expect(await firstColumn(page, 'Releases')).toEqual([made.future]);

    // A search that finds nothing says so.
    await page.getByLabel('Name or help-desk reference').fill('HD-NOWHERE');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: 'No release matches.' }).waitFor();

    // The shared link shows the same filtered list after a reload.
    await page.goto(`/releases?state=draft&channel=web&q=hd-4242`);
    await page.getByRole('table', { name: 'Releases' }).waitFor();
    expect(await firstColumn(page, 'Releases')).toEqual([made.future]);
    expect(await page.getByLabel('Name or help-desk reference').inputValue()).toBe('hd-4242');
    await page.reload();
    await page.getByRole('table', { name: 'Releases' }).waitFor();
    expect(await firstColumn(page, 'Releases')).toEqual([made.future]);
    await expectAccessible(page, 'the filtered releases list');
  });

  it('creates a release from the browser, showing a refused field next to it, and lands on its page', async () => {
    const { page } = await site().signedIn('ivy', ['developer'], { path: '/releases' });
    await page.getByRole('button', { name: 'New release' }).click();
    const dialog = page.getByRole('dialog', { name: 'New release' });
    await dialog.getByLabel('Planned date').fill('2027-01-09');
    await dialog.getByLabel('Title').fill('Made in the browser');
    // No channel: the server refuses, and says so at the channels.
    await dialog.getByRole('button', { name: 'Create release' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'The release was not created' }).waitFor();
    // The field's own message, beside the checkboxes (the alert above lists it prefixed by the field).
    const channels = dialog.getByRole('group', { name: 'Channels' });
    const message = dialog.getByText('Too small: expected array to have >=1 items', { exact: true });
    await message.waitFor();
    const describedBy = (await channels.getAttribute('aria-describedby')) ?? '';
    expect(describedBy.split(' ')).toContain(await message.getAttribute('id'));
    await expectAccessible(page, 'the new-release form with a refused field');

    await dialog.getByLabel('Database (Cache/IRIS)').check();
    // Booked into a change cycle: the planned date becomes the cycle's.
    await dialog.getByLabel('Change cycle').selectOption('2027-01-16');
    expect(await dialog.getByLabel('Planned date').inputValue()).toBe('2027-01-16');
    await dialog.getByRole('button', { name: 'Create release' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/releases\/[A-Z]+\d+$/);
    const name = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByText('Made in the browser').first().waitFor();
    const ivy = await site().person('ivy', ['developer']);
    const release = expectJson(
      await site().app.inject({ url: `${V}/releases/${name}`, headers: { authorization: `Bearer ${ivy.token}` } }),
      200,
    );
    expect(release).toMatchObject({ title: 'Made in the browser', plannedDate: '2027-01-16', channels: ['database'], createdBy: 'ivy' });
    expect(release.cycle).toMatchObject({ date: '2027-01-16' });
  });

  it('refuses a release on a blackout with its reason, and lets a coordinator plan an emergency there with a reason', async () => {
    const s = site();
    const carla = await s.person('carla', ['cmc']);
    await addBlackout(s.deps, carla.actor, { from: '2027-04-01', to: '2027-04-03', reason: 'Fiscal year closing' });
    const { page } = await s.signedIn('carla', ['cmc'], { path: '/releases' });
    await page.getByRole('button', { name: 'New release' }).click();
    const dialog = page.getByRole('dialog', { name: 'New release' });
    await dialog.getByLabel('Planned date').fill('2027-04-02');
    await dialog.getByLabel('Web (WebSphere)').check();
    await dialog.getByRole('button', { name: 'Create release' }).click();
    const refusal = dialog.getByRole('alert').filter({ hasText: 'The planned date is in a blackout' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Fiscal year closing');
    expect(await refusal.textContent()).toContain('Choose another date');
    // A scheduled release may not override: no reason is asked for.
    expect(await dialog.getByLabel('Blackout override reason').count()).toBe(0);

    // An emergency may: the form asks for the reason at once.
    await dialog.getByLabel('Type').selectOption('emergency');
    await dialog.getByLabel('Blackout override reason').waitFor();
    await expectAccessible(page, 'the new-release form refused on a blackout');
    await dialog.getByLabel('Blackout override reason').fill('Outage fix cannot wait for April');
    await dialog.getByRole('button', { name: 'Create on the blackout' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/releases\/[A-Z]+\d+$/);
    const name = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
    const release = expectJson(
      await s.app.inject({ url: `${V}/releases/${name}`, headers: { authorization: `Bearer ${carla.token}` } }),
      200,
    );
    expect(release).toMatchObject({ type: 'emergency', plannedDate: '2027-04-02' });
    expect(release.blackoutOverride).toMatchObject({ reason: 'Outage fix cannot wait for April', by: 'carla' });
  });

  it('creates a work item, lists items by kind from the address, and shows an item’s releases and tests', async () => {
    const { page } = await site().signedIn('ivy', ['developer'], { path: '/items?kind=DR' });
    await page.getByRole('heading', { level: 1, name: 'Work items' }).waitFor();
    await page.getByRole('table', { name: 'Work items' }).waitFor();
    expect(await page.getByRole('table', { name: 'Work items' }).getByRole('row').count()).toBe(2);
    await page.getByRole('table', { name: 'Work items' }).getByText('Repair the totals').waitFor();
    // Items in no release: the one attached to the spring release is not among them.
    await page.goto('/items?release=none');
    await page.getByRole('table', { name: 'Work items' }).waitFor();
    expect(await page.getByLabel('Release').inputValue()).toBe('none');
    const unassigned = await page.getByRole('table', { name: 'Work items' }).locator('tbody tr').allTextContents();
    expect(unassigned.some((t) => t.includes('Repair the totals'))).toBe(true);
    expect(unassigned.some((t) => t.includes('HD-4242'))).toBe(false);
    await page.getByLabel('Release').selectOption('');
    await expect.poll(() => new URL(page.url()).searchParams.get('release')).toBeNull();
    await page.getByRole('table', { name: 'Work items' }).getByText('HD-4242').waitFor();
    await expectAccessible(page, 'the work items list');

    await page.getByRole('button', { name: 'New work item' }).click();
    const dialog = page.getByRole('dialog', { name: 'New work item' });
    await dialog.getByLabel('Kind').selectOption('SMCR');
    await dialog.getByLabel('Title').fill('Add a report column');
    await dialog.getByLabel('Help-desk reference').fill('HD-9001');
    await dialog.getByRole('button', { name: 'Add element' }).click();
    await dialog.getByLabel('Element 1 type').selectOption('class');
    await dialog.getByLabel('Element 1 name').fill('CFIS.Report.Totals');
    await expectAccessible(page, 'the new work item form');
    await dialog.getByRole('button', { name: 'Create work item' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/items\/SMCR-\d+$/);
    await page.getByRole('heading', { level: 1, name: /SMCR-\d+: Add a report column/ }).waitFor();
    await page.getByRole('table', { name: 'Elements' }).getByText('CFIS.Report.Totals').waitFor();
    await page.getByText('It has not been in a release.').waitFor();

    await page.goto(`/items/${made.testedItem}`);
    const releases = page.getByRole('table', { name: 'Releases it was in' });
    await releases.waitFor();
    expect(await firstColumn(page, 'Releases it was in')).toEqual([made.past, made.verified]);
    expect(await releases.locator('tbody tr').nth(1).textContent()).toContain('still in it');
    const tests = page.getByRole('table', { name: 'Tests in Development' });
    expect(await tests.locator('tbody tr').first().textContent()).toContain('passed');
    await expectAccessible(page, 'a work item page');
    await screenshot(page, 'item');
  });

  it('shows a coordinator the approval waiting for their role, linking to the release’s approvals', async () => {
    const { page } = await site().signedIn('carla', ['cmc']);
    const waiting = page.getByRole('list', { name: 'Approvals waiting for me' }).getByRole('listitem');
    await waiting.first().waitFor();
    const texts = await waiting.allTextContents();
    expect(texts.some((t) => t.includes(`${made.verified}: Go-ahead to install in acceptance test`))).toBe(true);
    await waiting.filter({ hasText: made.verified }).getByRole('link').first().click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/releases/${made.verified}/approvals`);
  });

  it('shows a viewer no control to create a release or a work item', async () => {
    const { page } = await site().signedIn('vera', ['viewer'], { path: '/releases' });
    // Known to be read only: the permissions have arrived, so a missing button is not one still loading.
    await page.getByText('(read only)').waitFor();
    await page.getByRole('table', { name: 'Releases' }).waitFor();
    expect(await page.getByRole('button', { name: 'New release' }).count()).toBe(0);
    await page.goto('/items');
    await page.getByRole('table', { name: 'Work items' }).waitFor();
    expect(await page.getByRole('button', { name: 'New work item' }).count()).toBe(0);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Releases in flight' }).waitFor();
    await expectAccessible(page, 'my work of a viewer');
  });
});
