import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createRelease } from '../../src/services/releases.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';

describeBrowser('a release’s steps and notices in the browser', () => {
  let name = '';
  const site = sitePerFile(async (s) => {
    const r = await createRelease(s.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-12-05', channels: ['database', 'web'] });
    name = r.name;
  });

  it('lets the deployment team record the web deployment, and only that', async () => {
    const { context, page } = await site().signedIn('dora-deploy', ['deployment'], { path: `/releases/${name}/steps` });
    const steps = page.getByRole('table', { name: 'Steps per channel' });
    await steps.waitFor();
    await expectAccessible(page, 'the steps section');
    // Only the web channel's deployment steps are the deployment team's.
    await expect.poll(() => steps.getByRole('button', { name: /^Record "/ }).count()).toBe(2);
    await page.getByRole('button', { name: 'Record "Packages deployed to production" for Web' }).click();
    const dialog = page.getByRole('dialog', { name: 'Record: Packages deployed to production' });
    await dialog.getByLabel('Note (optional)').fill('installed on app01 and app02');
    await expectAccessible(page, 'the record-step dialog');
    await dialog.getByRole('button', { name: 'Record step' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = steps.getByRole('row', { name: /Packages deployed to production Web/ });
    await row.getByText(/by dora-deploy at .*: installed on app01 and app02/).waitFor();
    await screenshot(page, 'release-steps');
    await context.close();
  });

  it('shows the refusal of a package step recorded before any package, as the server words it', async () => {
    const { context, page } = await site().signedIn('dan-db', ['database-lead'], { path: `/releases/${name}/steps` });
    await page
      .getByRole('button', { name: 'Record "Rollout package verified and tested by the development team" for Database (Cache/IRIS)' })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Record step' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/no database package has been recorded/)
      .waitFor();
    await context.close();
  });

  it('records a notice to an external system by phone, and a Viewer sees no control', async () => {
    const { context, page } = await site().signedIn('tess-lead', ['technical-lead'], { path: `/releases/${name}/steps` });
    await page.getByRole('button', { name: 'Record a notice' }).click();
    const dialog = page.getByRole('dialog', { name: 'Record a notice to an external system' });
    await dialog.getByRole('textbox', { name: /Who was told/ }).fill('Told the CATS desk (J. Smith) about CFIS001 on Saturday');
    await dialog.getByRole('button', { name: 'Record notice' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const notices = page.getByRole('table', { name: 'Notices to external systems' });
    await notices.getByText(/CATS notified by phone/).waitFor();

    const viewer = await site().signedIn('vic-viewer', ['viewer'], { path: `/releases/${name}/steps` });
    await viewer.page
      .getByRole('table', { name: 'Notices to external systems' })
      .getByText(/CATS notified by phone/)
      .waitFor();
    expect(
      await viewer.page
        .getByRole('main')
        .getByRole('button', { name: /^Record/ })
        .count(),
    ).toBe(0);
    await viewer.context.close();
    await context.close();
  });
});
