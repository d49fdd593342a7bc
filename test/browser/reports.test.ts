import { expect, it } from 'vitest';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';
import { makeCrew } from '../support/lifecycle-flow.js';
import { seedReportHistory } from '../support/report-history.js';
import { manualClock } from '../support/service-fixtures.js';

describeBrowser('the reports page', () => {
  let names: { a: string; b: string; c: string };
  const site = sitePerFile(async (s) => {
    // The history is written on its own hand-moved clock (in 2030) so its figures are known.
    const clock = manualClock();
    const deps = { ...s.deps, clock: clock.clock };
    names = await seedReportHistory(deps, clock, await makeCrew(deps));
  });

  it('shows the delivery figures and the triage of the period in the address, with charts and the releases behind each figure', async () => {
    const { page } = await site().signedIn('rita', ['viewer'], { path: '/reports?from=2030-01-07&to=2030-01-20' });
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Reports' }).isVisible()).toBe(true);
    const figures = page.getByRole('table', { name: 'Delivery figures' });
    await figures.waitFor();
    const row = (name: string) => figures.getByRole('row', { name: new RegExp(`^${name}`) });
    expect(await row('Deployments to production').textContent()).toContain('2');
    expect(await row('Lead time, median').textContent()).toContain('36.0 h');
    expect(await row('Lead time, 90th percentile').textContent()).toContain('48.0 h');
    expect(await row('Change failure rate').textContent()).toContain('50 % (1 of 2)');
    expect(await row('Time to restore, median').textContent()).toContain('4.0 h');
    // Each figure links to its releases.
    await expect.poll(() => row('Change failure rate').getByRole('link').allTextContents()).toEqual([names.b]);
    expect(await row('Deployments to production').getByRole('link').allTextContents()).toEqual([names.a, names.b]);

    const weeks = page.getByRole('table', { name: 'Deployments per week' });
    expect(await weeks.getByRole('row').allTextContents()).toEqual([
      'Week ofDeploymentsReleases',
      `2030-01-071${names.a}`,
      `2030-01-141${names.b}`,
    ]);

    const triage = page.getByRole('table', { name: 'Test failures by cause per release' });
    const cells = async (release: string) =>
      triage
        .getByRole('row', { name: new RegExp(`^${release}`) })
        .getByRole('cell')
        .allTextContents();
    // Attempts, fix, setup, configuration, data, failures, retested, awaiting, needed.
    expect(await cells(names.a)).toEqual([names.a, '3', '0', '1', '0', '0', '1', '1', '0', '1']);
    expect(await cells(names.c)).toEqual([names.c, '1', '0', '0', '1', '0', '1', '0', '1', '1']);
    await expect.poll(() => page.getByRole('img', { name: /Test failures by cause per release/ }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('img', { name: /Deployments to production per week/ }).isVisible()).toBe(true);
    await expectAccessible(page, 'reports');
    await screenshot(page, 'reports', { fullPage: true });

    // A link leads to the release.
    await row('Change failure rate').getByRole('link', { name: names.b }).click();
    await page.waitForURL(new RegExp(`/releases/${names.b}`));
  });

  it('changes the period from the picker, into the address', async () => {
    const { page } = await site().signedIn('rita', ['viewer'], { path: '/reports?from=2030-01-07&to=2030-01-20' });
    await page.getByRole('table', { name: 'Delivery figures' }).waitFor();
    await page.getByLabel('From').fill('2030-01-14');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/from=2030-01-14/);
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe('From 2030-01-14 to 2030-01-20, dates as in America/New_York');
    const figures = page.getByRole('table', { name: 'Delivery figures' });
    await expect
      .poll(() =>
        figures
          .getByRole('row', { name: /^Deployments to production/ })
          .getByRole('link')
          .allTextContents(),
      )
      .toEqual([names.b]);
    await expectAccessible(page, 'reports for one week');
  });
});
