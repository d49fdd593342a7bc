/**
 * The whole scheduled path of the default template, in the browser, one
 * signed-in person per role: create → items → packages → AT go-ahead → a
 * failed test triaged as data, retested → gates → CMC approval → deployment
 * steps → verification → sign-off. Nothing is set up behind the browser's back.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';
import { staticZip, war } from '../support/packages.js';

const SHARED = path.join(process.env.RELMAN_SHARED_FIXTURES ?? '/work/shared/fixtures', 'cache-exports', 'sc.plugin.PRJ.v1.xml');
const OWN = path.resolve(import.meta.dirname, '..', 'fixtures', 'cache-exports', 'CFIS014.v1.xml');
/** A real Studio export where the machine has one, else the project's own. */
const EXPORT = existsSync(SHARED) ? SHARED : OWN;

/** The Saturday four weeks or so ahead: the default template's change cycles fall on Saturdays. */
function nextSaturday(): string {
  const d = new Date(Date.now() + 28 * 86_400_000);
  d.setUTCDate(d.getUTCDate() + ((6 - d.getUTCDay() + 7) % 7));
  return d.toISOString().slice(0, 10);
}

async function section(page: Page, name: string, release: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Release sections' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name: release }).waitFor();
}

/** Waits for a dialog to close; when the server refused, fails with what the dialog says. */
async function closes(dialog: Locator): Promise<void> {
  const alert = dialog.getByRole('alert');
  await Promise.race([dialog.waitFor({ state: 'hidden' }), alert.waitFor()]);
  if (await dialog.isVisible()) throw new Error(`refused: ${await alert.innerText()}`);
}

/** Takes a transition from the "What can happen now" list, with a comment when asked. */
async function take(page: Page, release: string, transition: string, comment?: string): Promise<void> {
  await section(page, 'Road to production', release);
  const now = page.getByRole('region', { name: 'What can happen now' });
  await now.getByRole('button', { name: transition, exact: true }).click();
  const dialog = page.getByRole('dialog');
  if (comment !== undefined) await dialog.getByLabel('Comment').fill(comment);
  await dialog.getByRole('button', { name: 'Take transition' }).click();
  await closes(dialog);
}

async function approve(page: Page, release: string, step: string, attest = false): Promise<void> {
  await section(page, 'Approvals and reports', release);
  const card = page.getByRole('region', { name: step });
  await card.getByRole('button', { name: 'Approve', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Approve: ${step}` });
  if (attest)
    for (const box of await dialog
      .getByRole('group', { name: /I confirm that/ })
      .getByRole('checkbox')
      .all())
      await box.check();
  await dialog.getByRole('button', { name: 'Confirm approval' }).click();
  await closes(dialog);
}

async function recordStep(page: Page, release: string, step: string, channel: string): Promise<void> {
  await section(page, 'Steps and notices', release);
  await page.getByRole('button', { name: `Record "${step}" for ${channel}` }).click();
  const dialog = page.getByRole('dialog', { name: `Record: ${step}` });
  await dialog.getByRole('button', { name: 'Record step' }).click();
  await closes(dialog);
}

async function upload(page: Page, channel: string, name: string, buffer: Buffer, mimeType: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: `Choose a file to upload to ${channel}` }).click();
  await (await chooser).setFiles({ name, mimeType, buffer });
  await page
    .getByRole('status')
    .filter({ hasText: `Uploaded ${name}` })
    .waitFor();
}

async function stateIs(page: Page, state: string): Promise<void> {
  await page.getByLabel(`State: ${state}`).waitFor();
}

describeBrowser('a scheduled release from creation to sign-off, in the browser', () => {
  const site = sitePerFile();

  it('is taken to production and signed off by the people of each role', async () => {
    const s = site();
    const as = async (username: string, roles: string[]) => (await s.signedIn(username, roles)).page;
    const terry = await as('terry-lead', ['technical-lead']);
    const dana = await as('dana-dev', ['developer']);
    const bill = await as('bill-db', ['database-lead']);
    const wendy = await as('wendy-web', ['web-lead']);
    const carol = await as('carol-cmc', ['cmc']);
    const sam = await as('sam-analyst', ['systems-analyst']);
    const dora = await as('dora-deploy', ['deployment']);

    // The technical lead creates the release and its work item.
    await terry.goto('/releases');
    await terry.getByRole('button', { name: 'New release' }).click();
    const form = terry.getByRole('dialog', { name: 'New release' });
    await form.getByLabel('Type').selectOption('scheduled');
    await form.getByLabel(/^Planned date/).fill(nextSaturday());
    for (const box of await form.getByRole('checkbox').all()) await box.check();
    await form.getByLabel('Title').fill('Patient search and claims fixes');
    await form.getByRole('button', { name: 'Create release' }).click();
    await terry.getByRole('heading', { level: 1, name: /^CFIS\d{3}$/ }).waitFor();
    const release = (await terry.getByRole('heading', { level: 1 }).textContent()) ?? '';
    const goTo = (page: Page, rest = '') => page.goto(`/releases/${release}${rest}`);

    await section(terry, 'Work items', release);
    await terry.getByLabel(/^Help-desk reference/).fill('HD-1001');
    await terry.getByLabel(/^Title/).fill('Patient search is slow');
    await terry.getByRole('button', { name: 'Create and attach' }).click();
    await terry
      .getByRole('table', { name: `Work items of ${release}` })
      .getByText('Patient search is slow')
      .waitFor();

    // The developer starts packaging; the leads upload the database export, the static ZIP and the WAR.
    await goTo(dana);
    await take(dana, release, 'Start packaging');
    await stateIs(dana, 'packaging');
    await goTo(bill, '/packages');
    await upload(bill, 'database', 'sc.plugin.xml', readFileSync(EXPORT), 'text/xml');
    await goTo(wendy, '/packages');
    await upload(wendy, 'web', 'static.zip', await staticZip(), 'application/zip');
    await upload(wendy, 'web', 'cms.war', await war(1), 'application/java-archive');
    await expectAccessible(wendy, 'the packages section with versions');

    await goTo(dana);
    await recordStep(dana, release, 'Rollout package verified and tested by the development team', 'Database (Cache/IRIS)');
    await recordStep(dana, release, 'Rollout package verified and tested by the development team', 'Web (WebSphere)');
    await take(dana, release, 'Package verified');
    await stateIs(dana, 'package-verified');

    // The CMC gives the go-ahead; the lead installs in acceptance test.
    await goTo(carol);
    await approve(carol, release, 'Go-ahead to install in acceptance test');
    await goTo(terry);
    await take(terry, release, 'Install in acceptance test');
    await stateIs(terry, 'in-at');

    // The analyst's first test fails on data; the retest passes.
    await goTo(sam, '/tests');
    const choose = async (field: string, option: RegExp) => {
      await sam.getByRole('combobox', { name: field }).click();
      await sam.getByRole('option', { name: option }).click();
    };
    await choose('Work item', /^IR-1/);
    await choose('Environment', /Acceptance Test/);
    await sam.getByLabel('Failed').check();
    await choose('Cause of the failure', /^Data/);
    await sam.getByRole('button', { name: 'Record test' }).click();
    await sam.getByRole('status').filter({ hasText: 'IR-1: failed recorded' }).waitFor();
    // The form keeps the item and the environment for the retest.
    await sam.getByLabel('Passed').check();
    await sam.getByRole('button', { name: 'Record test' }).click();
    await sam.getByRole('status').filter({ hasText: 'IR-1: passed recorded' }).waitFor();
    await expect
      .poll(() =>
        sam
          .getByRole('table', { name: `Test attempts of ${release}, newest first` })
          .getByRole('row')
          .count(),
      )
      .toBe(3);

    // Gates: the CMC signs acceptance testing off and completes it; the lead notifies the systems.
    await goTo(carol);
    await approve(carol, release, 'Acceptance test sign-off');
    await take(carol, release, 'Acceptance testing complete');
    await stateIs(carol, 'at-signed-off');
    await goTo(terry, '/steps');
    for (const system of ['CATS', 'MEDS', 'Fiscal intermediary']) {
      await terry.getByRole('button', { name: 'Record a notice' }).click();
      const dialog = terry.getByRole('dialog', { name: 'Record a notice to an external system' });
      await dialog.getByRole('combobox', { name: 'System' }).click();
      await terry.getByRole('option', { name: system, exact: true }).click();
      await dialog.getByRole('textbox', { name: /Who was told/ }).fill(`Told the ${system} desk by phone`);
      await dialog.getByRole('button', { name: 'Record notice' }).click();
      await dialog.waitFor({ state: 'hidden' });
    }

    // The CMC approves the production install; the road shows what is left.
    await goTo(carol);
    await approve(carol, release, 'Approval of the production install');
    await take(carol, release, 'Approve for production');
    await stateIs(carol, 'approved-for-production');
    await expectAccessible(carol, 'the road to production of an approved release');
    await screenshot(carol, 'release-road-approved');

    // The checklist tasks required before the deployment: the backup and the web transfer.
    await goTo(carol, '/checklist');
    for (const task of ['Back up the databases', 'Transfer web packages to the production drop location']) {
      await carol.getByRole('button', { name: `Complete “${task}”` }).click();
      const dialog = carol.getByRole('dialog');
      await dialog.getByLabel(/^What was done/).fill(`${task}: done`);
      await dialog.getByRole('button', { name: 'Complete' }).click();
      await closes(dialog);
    }

    // Deployment: the deployment team installs the web packages, the database lead the release file.
    await goTo(dora);
    await take(dora, release, 'Start the production deployment');
    await recordStep(dora, release, 'Packages deployed to production', 'Web (WebSphere)');
    await recordStep(dora, release, 'Deployment confirmed', 'Web (WebSphere)');
    await goTo(bill);
    await recordStep(bill, release, 'Packages deployed to production', 'Database (Cache/IRIS)');
    await recordStep(bill, release, 'Deployment confirmed', 'Database (Cache/IRIS)');
    await goTo(dora);
    await take(dora, release, 'Deployment confirmed');
    await stateIs(dora, 'deployed');

    // Verification by the analysts.
    await goTo(sam);
    await recordStep(sam, release, 'Application verified after the deployment', 'Database (Cache/IRIS)');
    await recordStep(sam, release, 'Application verified after the deployment', 'Web (WebSphere)');
    await take(sam, release, 'Verified in production');
    await stateIs(sam, 'verified-in-production');

    // Sign-off: every checklist task done, the CMC attests and signs off.
    await goTo(carol, '/checklist');
    const completeButtons = carol.getByRole('button', { name: /^Complete “/ });
    await completeButtons.first().waitFor();
    while ((await completeButtons.count()) > 0) {
      const next = completeButtons.first();
      const label = (await next.getAttribute('aria-label')) ?? '';
      await next.click();
      const dialog = carol.getByRole('dialog');
      await dialog.getByLabel(/^What was done/).fill('done');
      await dialog.getByRole('button', { name: 'Complete' }).click();
      await closes(dialog);
      await carol.getByRole('button', { name: label, exact: true }).waitFor({ state: 'detached' });
    }
    await approve(carol, release, 'Sign-off of the release', true);
    await take(carol, release, 'Sign the release off');
    await stateIs(carol, 'signed-off');
    await screenshot(carol, 'release-signed-off');
    // Some thirty writes by seven people, each through the page: minutes on a loaded machine, not seconds.
  }, 300_000);
});
