import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DeploymentExecutor } from '../../src/services/deployments/executor.js';
import { ackStep, showRun } from '../../src/services/deployments/runs.js';
import { setTarget } from '../../src/services/deployments/targets.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile, type Site } from '../support/browser.js';
import { makeCrew, startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { sha256, staticZip, uploadUrl, war, OCTET } from '../support/packages.js';
import type { ManualClock } from '../support/service-fixtures.js';
import { sshdMissing, startSshd, type Sshd } from '../support/sshd.js';

const missingSshd = sshdMissing();
if (missingSshd && process.env.RELMAN_REQUIRE_SSHD === '1') throw new Error(`SFTP tests cannot run: ${missingSshd}`);

const TRANSFER = 'Transfer the ZIP and the WAR to the production drop location';
const INSTALL = 'Deploy the web packages to the application servers and confirm';

/** The row of a run's steps table that a step heads. */
const stepRow = (page: Page, step: string) =>
  page
    .getByRole('table', { name: /^Steps of run 1 to Production$/ })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(step) }) });

/** A step's state as its badge says it in words (the cell may also say which attempt it is). */
const stepState = async (page: Page, step: string) =>
  /^(waiting|running|done|failed|skipped|interrupted)/.exec(
    ((await stepRow(page, step).getByRole('cell').first().textContent()) ?? '').trim(),
  )?.[1];

/** A web-only release ready for production: the ZIP and the WAR uploaded over HTTP, then the lifecycle by its people. */
async function webReleaseApproved(s: Site, crew: Crew, zip: Buffer, warBytes: Buffer): Promise<Flow> {
  // The site's clock ticks by itself: the flow's hand-moved clock has nothing to move.
  const clock = { advance: () => undefined } as unknown as ManualClock;
  const flow = await startFlow(s.deps, clock, crew, { channels: ['web'] });
  const uploader = await s.person('walt', ['developer', 'web-lead']);
  for (const [file, bytes] of [
    ['static.zip', zip],
    ['cms.war', warBytes],
  ] as const) {
    const res = await s.app.inject({
      method: 'PUT',
      url: uploadUrl(flow.name, 'web', file),
      payload: bytes,
      headers: { ...OCTET, authorization: `Bearer ${uploader.token}` },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  await flow.transition(crew.dev, 'start-packaging');
  await flow.step('verify-package', 'web', crew.dev);
  await flow.transition(crew.dev, 'mark-package-verified');
  await flow.approve('at-go-ahead');
  await flow.transition(crew.lead, 'install-in-at');
  for (const item of flow.items) await flow.test(item, 'acceptance-test', 'passed');
  await flow.approve('at-signoff');
  await flow.transition(crew.cmc, 'complete-at');
  await flow.notifyAll();
  await flow.approve('production-approval');
  await flow.transition(crew.cmc, 'approve-for-production');
  return flow;
}

const suite = missingSshd ? (name: string, body: () => void) => describe.skip(`${name} — skipped: ${missingSshd}`, body) : describeBrowser;

suite('deployment runs and environments in the browser', () => {
  let sshd: Sshd | undefined;
  let executor: DeploymentExecutor | undefined;
  const site = sitePerFile(
    async (s) => {
      sshd = await startSshd();
      const admin = await s.person('root', ['admin']);
      await setTarget(
        s.deps,
        admin.actor,
        { environment: 'production', channel: 'web' },
        {
          sftp: {
            host: '127.0.0.1',
            port: sshd.port,
            username: sshd.username,
            // Not made yet: the first transfer fails, and is retried once it is there.
            directory: `${sshd.dropDir}/releases`,
            hostKeyFingerprint: sshd.hostKeyFingerprint,
          },
          secret: { privateKey: sshd.privateKey },
        },
      );
      executor = new DeploymentExecutor(s.deps, { artifacts: s.artifacts, tickMs: 200, transferRetries: 0 });
      executor.start();
    },
    'sqlite',
    { secretKey: Buffer.alloc(32, 7) },
  );
  // Hooks run in reverse: the executor stops before the server and the database close.
  afterAll(async () => {
    await executor?.stop();
    await sshd?.stop();
  });

  it('a production run transfers the web packages by SFTP, the deployment team confirms the manual step, and the environment shows it installed', async () => {
    const s = site();
    const crew = await makeCrew(s.deps);
    const zip = await staticZip();
    const warBytes = await war(1);
    const flow = await webReleaseApproved(s, crew, zip, warBytes);
    const deploymentsPath = `/releases/${flow.name}/deployments`;

    // The web lead starts it; the template plans acceptance test too, which is refused with what is missing.
    const { page } = await s.signedIn('wendy', ['web-lead'], { path: deploymentsPath });
    await page.getByRole('heading', { level: 2, name: 'Deployments' }).waitFor();
    await page.getByText('No deployment run yet.').waitFor();
    await page
      .getByLabel(/^Environment/)
      .first()
      .click();
    await page.getByRole('option', { name: 'Acceptance Test (AT)' }).click();
    await page.getByRole('button', { name: 'Start deployment' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'The deployment did not start' });
    await refused.waitFor();
    expect(await refused.innerText()).toMatch(/starts only when it is Package verified or In acceptance test/);
    await expectAccessible(page, 'a refused start of a deployment');

    await page
      .getByLabel(/^Environment/)
      .first()
      .click();
    await page.getByRole('option', { name: 'Production' }).click();
    await refused.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Start deployment' }).click();
    await page.getByRole('button', { name: 'Run 1 to Production', exact: false }).waitFor();

    // The transfer runs by itself; the drop directory is missing, so it fails, saying why, and the web lead may retry or skip it.
    await expect.poll(() => stepState(page, TRANSFER), { timeout: 30_000 }).toBe('failed');
    await page.getByRole('button', { name: 'Run 1 to Production: failed' }).waitFor();
    await stepRow(page, TRANSFER)
      .getByText(/no such file or directory/)
      .waitFor();
    await stepRow(page, TRANSFER)
      .getByRole('button', { name: `Skip: ${TRANSFER}` })
      .waitFor();
    await expectAccessible(page, 'a run with a failed step');
    await screenshot(page, 'deployments-transfer-failed');
    mkdirSync(path.join(sshd!.dropDir, 'releases'));
    await stepRow(page, TRANSFER)
      .getByRole('button', { name: `Retry: ${TRANSFER}` })
      .click();
    const retry = page.getByRole('dialog', { name: `Retry: ${TRANSFER}` });
    await retry.getByLabel(/^Comment/).fill('made the releases directory on the drop server');
    await retry.getByRole('button', { name: 'Retry' }).click();
    await retry.waitFor({ state: 'detached' });

    // Now its files are checked on the server, shown with their SHA-256.
    await expect.poll(() => stepState(page, TRANSFER), { timeout: 30_000 }).toBe('done');
    const transfer = stepRow(page, TRANSFER);
    const verified = transfer.getByRole('list', { name: `Files verified by ${TRANSFER}` });
    await verified.getByText('static.zip').waitFor();
    expect(await transfer.getByLabel('SHA-256 of static.zip').textContent()).toBe(sha256(zip));
    expect(await transfer.getByLabel('SHA-256 of cms.war').textContent()).toBe(sha256(warBytes));
    expect(await verified.innerText()).toMatch(/verified by remote-sha256sum/);
    await expect.poll(() => stepState(page, INSTALL), { timeout: 15_000 }).toBe('running');
    const log = page.getByRole('log', { name: 'Log of run 1' });
    await expect.poll(() => log.innerText(), { timeout: 15_000 }).toContain(`cms.war: verified`);
    expect(await log.innerText()).toContain('run 1 to Production started by wendy');
    expect(await log.innerText()).toMatch(/to be retried, asked by wendy: made the releases directory/);
    expect(await stepRow(page, TRANSFER).getByRole('cell').first().innerText()).toMatch(/attempt 2/);
    // The manual step is the deployment team's: the web lead has nothing to do with it.
    expect(await stepRow(page, INSTALL).getByRole('button').count()).toBe(0);
    await expectAccessible(page, 'the deployments section with a run under way');
    await screenshot(page, 'deployments-run');

    // The deployment team sees the instructions and the files, and confirms with a note.
    const deployer = await s.signedIn('dexter', ['deployment'], { path: deploymentsPath });
    const install = stepRow(deployer.page, INSTALL);
    await install.getByText(/following the deployment checklist/).waitFor();
    await install.getByText('waiting for Deployment team (CIO E-Business)').waitFor();
    // The checklist tasks it is read with: the release notes, still open here.
    await install
      .getByRole('list', { name: `Read with ${INSTALL}` })
      .getByText(/Prepare release notes: open/)
      .waitFor();
    const download = install.getByRole('link', { name: 'Download cms.war' });
    expect(await download.getAttribute('href')).toBe(`/api/v1/releases/${flow.name}/packages/web/2/file`);
    const fetched = await deployer.context.request.get(`/api/v1/releases/${flow.name}/packages/web/2/file`);
    expect(sha256(await fetched.body())).toBe(sha256(warBytes));
    await install.getByRole('button', { name: `Mark failed: ${INSTALL}` }).click();
    const failDialog = deployer.page.getByRole('dialog', { name: `Mark failed: ${INSTALL}` });
    expect(await failDialog.getByLabel(/What went wrong/).getAttribute('required')).not.toBeNull();
    await failDialog.getByRole('button', { name: 'Cancel' }).click();
    await failDialog.waitFor({ state: 'detached' });

    await install.getByRole('button', { name: `Mark done: ${INSTALL}` }).click();
    const dialog = deployer.page.getByRole('dialog', { name: `Mark done: ${INSTALL}` });
    await dialog.getByLabel(/^Note/).fill('Deployed to app01 and app02, smoke test passed');
    await expectAccessible(deployer.page, 'the mark done dialog');
    await screenshot(deployer.page, 'deployments-mark-done', { fullPage: false });
    await dialog.getByRole('button', { name: 'Mark done' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => stepState(deployer.page, INSTALL)).toBe('done');
    await install.getByText('Deployed to app01 and app02, smoke test passed').waitFor();
    expect(await install.getByRole('cell').nth(1).innerText()).toContain('dexter');

    // The web lead's open page follows: the step is done, by the deployer.
    await expect.poll(() => stepState(page, INSTALL), { timeout: 15_000 }).toBe('done');
    expect(await stepRow(page, INSTALL).getByRole('cell').nth(1).innerText()).toContain('dexter');

    // The bytes at the drop location are the uploaded ones.
    const drop = path.join(sshd!.dropDir, 'releases');
    expect(sha256(readFileSync(path.join(drop, 'static.zip')))).toBe(sha256(zip));
    expect(sha256(readFileSync(path.join(drop, 'cms.war')))).toBe(sha256(warBytes));

    // The systems analyst verifies the application; the run is done.
    const ref = { name: flow.name, run: 1 };
    await expect
      .poll(async () => (await showRun(s.deps, crew.analyst, ref)).steps.find((x) => x.step === 'verify-application')?.state, {
        timeout: 15_000,
      })
      .toBe('running');
    await ackStep(s.deps, crew.analyst, { ...ref, step: 'verify-application', outcome: 'done', note: 'claims screens checked' });
    await page.getByRole('button', { name: 'Run 1 to Production: succeeded' }).waitFor({ timeout: 15_000 });
    expect(await log.innerText()).toContain('marked done by dexter');

    // What is installed in production now, and how it got there.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Environments' }).click();
    await page.getByRole('heading', { level: 1, name: 'Environments' }).waitFor();
    const installed = page.getByRole('table', { name: 'Installed in Production' }).getByRole('row').filter({ hasText: flow.name });
    await installed.waitFor();
    expect(await installed.getByRole('rowheader').innerText()).toBe('web');
    const cells = await installed.getByRole('cell').allInnerTexts();
    expect(cells.slice(0, 3)).toEqual([flow.name, 'v2', 'static.zip, cms.war']);
    expect(cells[4]).toMatch(/^Run 1 by wendy$/);
    await page.getByText('Nothing installed by relman yet.').first().waitFor();
    const history = page.getByRole('table', { name: 'Deployment runs to Production' }).getByRole('row').filter({ hasText: flow.name });
    const past = await history.getByRole('cell').allInnerTexts();
    expect(past.slice(0, 2).map((t) => t.toLowerCase())).toEqual(['run 1', 'succeeded']);
    expect(past[3]).toBe('2030-02-02');
    await expectAccessible(page, 'the environments page');
    await screenshot(page, 'environments');

    await installed.getByRole('link', { name: flow.name }).click();
    await page.getByRole('heading', { level: 1, name: flow.name }).waitFor();
  }, 180_000);
});
