import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';
import { ROOT } from '../support/cli-process.js';
import { makeCrew, startFlow } from '../support/lifecycle-flow.js';
import { sha256, staticZip, war } from '../support/packages.js';
import type { ManualClock } from '../support/service-fixtures.js';

const V1 = readFileSync(path.join(ROOT, 'test', 'fixtures', 'cache-exports', 'CFIS014.v1.xml'));
// The next export changes one method (CMS.Visit's Close) and nothing else.
const CLOSE_BEFORE = '\tset ..Status = "closed"\n';
const V2 = Buffer.from(V1.toString('utf8').replace(CLOSE_BEFORE, '\tset ..Status = "closed", ..ClosedAt = $horolog\n'));
const XXE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Export [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
  '<Export generator="Cache" version="25"><Class name="CMS.Leak"><Description>&xxe;</Description></Class></Export>\n';

const XML = 'text/xml';

describeBrowser('the packages of a release in the browser', () => {
  let release = '';
  const site = sitePerFile(async (s) => {
    const lead = await s.person('tess', ['technical-lead']);
    release = (await s.fx.release(lead.actor, { channels: ['database', 'web'] })).name;
  });
  const packagesPath = () => `/releases/${release}/packages`;

  async function choose(page: Page, channel: string, name: string, buffer: Buffer, mimeType = 'application/octet-stream') {
    await page.getByLabel(`Package file for the ${channel} channel`).setInputFiles({ name, mimeType, buffer });
  }

  it('uploads a Caché export with a progress bar, shows its checksum, download and classes', async () => {
    expect(V2.equals(V1)).toBe(false);
    const { context, page } = await site().signedIn('dina', ['developer', 'database-lead'], { path: packagesPath() });
    await page.getByRole('heading', { level: 2, name: 'Packages' }).waitFor();
    await page.getByRole('heading', { level: 3, name: 'database channel' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Choose a file to upload to database' }).isEnabled()).toBe(true);
    await expectAccessible(page, 'the packages of a release with no version');

    // A slow link, so the upload's progress is there to see.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4096 });
    await choose(page, 'database', 'CFIS014.xml', V1, XML);
    await page.getByRole('progressbar', { name: 'Upload of CFIS014.xml' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /Uploading CFIS014\.xml/ })
      .waitFor();
    await page.getByRole('status').filter({ hasText: 'Uploaded CFIS014.xml as version 1.' }).waitFor({ timeout: 20_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const versions = page.getByRole('table', { name: 'Package versions of the database channel' });
    await versions.getByRole('rowheader', { name: 'v1' }).waitFor();
    expect(await page.getByLabel('SHA-256 of v1', { exact: true }).textContent()).toBe(sha256(V1));
    const href = await versions.getByRole('link', { name: /Download v1/ }).getAttribute('href');
    const download = await context.request.get(href ?? '');
    expect(download.status()).toBe(200);
    expect(sha256(await download.body())).toBe(sha256(V1));

    const classes = page.getByRole('table', { name: 'Classes in database v1' });
    for (const c of ['CMS.Patient', 'CMS.Visit', 'CMS.Legacy.Import', '%ZCMS.Utils'])
      await classes.getByRole('rowheader', { name: c }).waitFor();
    await page.getByLabel('Filter elements by name').fill('visit');
    await expect.poll(() => classes.getByRole('rowheader').allTextContents()).toEqual(['CMS.Visit']);
    await page.getByRole('tab', { name: /Routines/ }).click();
    await page.getByRole('table', { name: 'Routines in database v1' }).waitFor();
    await page.getByLabel('Filter elements by name').fill('');
    await page.getByRole('tab', { name: /Projects/ }).click();
    await page.getByRole('table', { name: 'Projects in database v1' }).getByRole('rowheader', { name: 'CFIS014' }).waitFor();
    await expectAccessible(page, 'a release file’s contents');

    await page.getByRole('tab', { name: 'Coverage by work item' }).click();
    await page.getByText('No work item is on the release.').waitFor();
    await page.getByRole('list', { name: 'Elements no work item declares' }).getByText('class:CMS.Patient').waitFor();
    await expectAccessible(page, 'coverage');
  });

  it('refuses a hostile export with a clear message, and records nothing', async () => {
    const { page } = await site().signedIn('dina', ['developer', 'database-lead'], { path: packagesPath() });
    await page.getByRole('table', { name: 'Package versions of the database channel' }).getByRole('rowheader', { name: 'v1' }).waitFor();
    await choose(page, 'database', 'evil.xml', Buffer.from(XXE), XML);
    const alert = page.getByRole('alert').filter({ hasText: 'evil.xml was refused' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/dtd/i);
    await expectAccessible(page, 'a refused upload');
    expect(
      await page.getByRole('table', { name: 'Package versions of the database channel' }).getByRole('rowheader').allTextContents(),
    ).toEqual(['v1']);
  });

  it('shows what changed between two versions, and the changed method’s code side by side', async () => {
    const { page } = await site().signedIn('dina', ['developer', 'database-lead'], { path: packagesPath() });
    await page.getByRole('table', { name: 'Package versions of the database channel' }).getByRole('rowheader', { name: 'v1' }).waitFor();
    await choose(page, 'database', 'CFIS014.xml', V2, XML);
    await page.getByRole('status').filter({ hasText: 'Uploaded CFIS014.xml as version 2.' }).waitFor();
    await page.getByRole('heading', { level: 4, name: 'Version 2: CFIS014.xml' }).waitFor();

    await page.getByRole('tab', { name: 'Changes' }).click();
    await page.getByRole('status').filter({ hasText: '0 added, 0 removed, 1 changed' }).waitFor();
    const changed = page.getByRole('table', { name: 'Changed elements' });
    expect(await changed.getByRole('rowheader').allTextContents()).toEqual(['class:CMS.Visit']);
    await expectAccessible(page, 'the changes between two versions');
    await screenshot(page, 'release-packages');

    await changed.getByRole('button', { name: 'Show code change of class:CMS.Visit' }).click();
    const dialog = page.getByRole('dialog', { name: 'What changed in class:CMS.Visit' });
    await dialog.waitFor();
    const members = dialog.getByRole('list', { name: /Members that changed/ });
    await members.getByText('method Close').waitFor();
    expect(await members.getByRole('listitem').allTextContents()).toEqual(['changed method Close']);
    const code = dialog.getByRole('table', { name: /Code of class:CMS\.Visit: .* v1 beside .* v2/ });
    const added = code.getByRole('cell', { name: /Added line:.*ClosedAt = \$horolog/ });
    await added.waitFor();
    await code.getByRole('cell', { name: /Removed line:\s+set \.\.Status = "closed"$/ }).waitFor();
    await dialog
      .getByText(/unchanged lines/)
      .first()
      .waitFor();
    await expectAccessible(page, 'the code change of a class');
    await screenshot(page, 'code-diff', { fullPage: false });

    // The whole text, unchanged lines included.
    await dialog.getByLabel('Show the whole text, not only the changes').check();
    await code
      .getByRole('cell', { name: /^Class CMS\.Visit$/ })
      .first()
      .waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('uploads the web channel’s static ZIP and WAR and lists what they hold', async () => {
    const { page } = await site().signedIn('walt', ['developer', 'web-lead'], { path: packagesPath() });
    await page.getByRole('heading', { level: 3, name: 'web channel' }).waitFor();
    const zip = await staticZip();
    // From the keyboard: the labelled button opens the file chooser.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose a file to upload to web' }).focus();
    await page.keyboard.press('Enter');
    await (await chooser).setFiles({ name: 'static.zip', mimeType: 'application/zip', buffer: zip });
    await page.getByRole('status').filter({ hasText: 'Uploaded static.zip as version 1.' }).waitFor();
    const warBytes = await war(1);
    await choose(page, 'web', 'cms.war', warBytes);
    await page.getByRole('status').filter({ hasText: 'Uploaded cms.war as version 2.' }).waitFor();

    const web = page.getByRole('region', { name: 'web channel' });
    await web.getByRole('heading', { level: 4, name: 'Version 2: cms.war' }).waitFor();
    expect(await web.getByLabel('SHA-256 of v1', { exact: true }).textContent()).toBe(sha256(zip));
    expect(await web.getByLabel('SHA-256 of v2', { exact: true }).textContent()).toBe(sha256(warBytes));
    await web.getByText('present').waitFor();
    await web.getByRole('list', { name: 'Jars bundled in web v2' }).getByText('cms-core.jar').waitFor();
    await web.getByRole('table', { name: 'Entries of web v2' }).getByRole('rowheader', { name: 'WEB-INF/web.xml' }).waitFor();

    await web.getByRole('button', { name: 'Show v1' }).click();
    await web.getByRole('table', { name: 'Entries of web v1' }).getByRole('rowheader', { name: 'static/js/app.js' }).waitFor();
    await expectAccessible(page, 'the web channel’s archives');
  });

  it('refuses a new version that would void the release’s package verification, and says how to go back', async () => {
    const s = site();
    // The site's clock ticks by itself: the flow's hand-moved clock has nothing to move.
    const clock = { advance: () => undefined } as unknown as ManualClock;
    const flow = await startFlow(s.deps, clock, await makeCrew(s.deps), { channels: ['database'] });
    await flow.toPackageVerified();
    const { page } = await s.signedIn('dina', ['developer', 'database-lead'], { path: `/releases/${flow.name}/packages` });
    await page.getByRole('table', { name: 'Package versions of the database channel' }).getByRole('rowheader', { name: 'v1' }).waitFor();
    await choose(page, 'database', 'CFIS014.xml', V1, XML);
    const alert = page.getByRole('alert').filter({ hasText: 'would void what the release’s state rests on' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/back-to-packaging/);
    await page.getByRole('link', { name: 'Road to production' }).last().waitFor();
    await expectAccessible(page, 'an upload refused for the release’s state');
    expect(
      await page.getByRole('table', { name: 'Package versions of the database channel' }).getByRole('rowheader').allTextContents(),
    ).toEqual(['v1']);
  });

  it('shows a viewer the packages with no way to upload', async () => {
    const { page } = await site().signedIn('vic', ['viewer'], { path: packagesPath() });
    await page.getByRole('table', { name: 'Package versions of the database channel' }).getByRole('rowheader', { name: 'v2' }).waitFor();
    await page.getByRole('table', { name: 'Classes in database v2' }).waitFor();
    expect(await page.getByRole('button', { name: /Choose a file to upload/ }).count()).toBe(0);
    expect(await page.getByLabel(/Package file for/).count()).toBe(0);
    await expectAccessible(page, 'the packages as a viewer');
  });
});
