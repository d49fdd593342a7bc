import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';

const KEY_BODY = randomBytes(96).toString('base64');
const PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`;
const FINGERPRINT = `SHA256:${randomBytes(32).toString('base64').slice(0, 43)}`;

type TargetJson = { sftp: { port: number } | null; secret: { kind: string; setBy: string; setAt: string } | null; version: number };

async function pickOption(page: Page, within: Locator, label: string, option: RegExp): Promise<void> {
  await within
    .getByLabel(new RegExp(`^${label}( \\*)?$`))
    .first()
    .click();
  await page.getByRole('option', { name: option }).click();
}

/** The text an input is described by: its description and the problem shown next to it. */
async function describedBy(page: Page, within: Locator, label: string): Promise<string> {
  const ids = ((await within.getByLabel(label).getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

describeBrowser('deployment targets in the browser', () => {
  const site = sitePerFile(undefined, 'sqlite', { secretKey: randomBytes(32) });

  it('an administrator creates a target with a private key, edits it keeping the secret, meets a field problem and removes it', async () => {
    const s = site();
    const { page, context } = await s.signedIn('root', ['admin'], { path: '/admin/targets' });
    await page.getByRole('heading', { level: 1, name: 'Deployment targets' }).waitFor();
    await page.getByText('No deployment targets yet.').waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Deployment targets' }).waitFor();
    await expectAccessible(page, 'the deployment targets page');

    await page.getByRole('button', { name: 'New target' }).click();
    const dialog = page.getByRole('dialog', { name: 'New deployment target' });
    await dialog.waitFor();
    await pickOption(page, dialog, 'Environment', /^Production$/);
    await pickOption(page, dialog, 'Channel', /^Web/);
    await dialog.getByLabel(/^SFTP host/).fill('drop.example.org');
    await dialog.getByLabel(/^SFTP port/).fill('2222');
    await dialog.getByLabel(/^SFTP user/).fill('deploy');
    await dialog.getByLabel(/^Directory/).fill('/srv/relman/drop');
    await dialog.getByLabel(/^Host key fingerprint/).fill(FINGERPRINT);
    // Command steps that are not JSON are refused before anything is sent.
    await dialog.getByLabel(/^Command steps/).fill('[{"name": "unpack",');
    await dialog.getByRole('radio', { name: 'Private key', exact: true }).check();
    await dialog.getByLabel(/^SFTP private key/).fill(PRIVATE_KEY);
    await expectAccessible(page, 'the new target dialog');
    await dialog.getByRole('button', { name: 'Save target' }).click();
    await expect.poll(() => describedBy(page, dialog, 'Command steps (JSON)')).toContain('not valid JSON');
    expect(await (await context.request.get('/api/v1/targets')).json()).toEqual([]);

    await dialog.getByLabel(/^Command steps/).fill('[{"name": "unpack", "argv": ["tar", "-xzf", "package.tgz"], "timeoutSeconds": 600}]');
    await dialog.getByRole('button', { name: 'Save target' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Deployment targets' }).getByRole('row').filter({ hasText: 'production' });
    await row.getByText('deploy@drop.example.org:2222').waitFor();
    await row.getByText(/private key, set by root/).waitFor();
    await row.getByRole('cell', { name: '1', exact: true }).waitFor();
    expect(await page.content()).not.toContain(KEY_BODY);
    await screenshot(page, 'admin-targets');

    const api = async (): Promise<TargetJson> => (await (await context.request.get('/api/v1/targets/production/web')).json()) as TargetJson;
    const created = await api();
    expect(created.secret).toMatchObject({ kind: 'private-key', setBy: 'root' });

    // Edit the port, keeping the secret: the dialog never shows it.
    await row.getByRole('button', { name: 'Edit production web' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the target production / web' });
    await edit.waitFor();
    expect(await page.content()).not.toContain(KEY_BODY);
    await expect.poll(() => edit.getByRole('radio', { name: 'Keep the stored secret' }).isChecked()).toBe(true);
    await edit.getByLabel(/^SFTP port/).fill('2200');
    await edit.getByRole('button', { name: 'Save target' }).click();
    await edit.waitFor({ state: 'detached' });
    await row.getByText('deploy@drop.example.org:2200').waitFor();
    const edited = await api();
    expect(edited.sftp?.port).toBe(2200);
    expect(edited.secret).toEqual(created.secret);

    // A bad fingerprint is said at its field; the typed password is not kept.
    await row.getByRole('button', { name: 'Edit production web' }).click();
    await edit.waitFor();
    await edit.getByLabel(/^Host key fingerprint/).fill('MD5:aa:bb');
    await edit.getByRole('radio', { name: 'Password', exact: true }).check();
    await edit.getByLabel(/^SFTP password/).fill('not-kept-secret-123');
    await edit.getByRole('button', { name: 'Save target' }).click();
    await edit.getByRole('alert').filter({ hasText: 'Target not saved' }).waitFor();
    await expect.poll(() => describedBy(page, edit, 'Host key fingerprint')).toContain('expected the server’s host key fingerprint');
    await expect.poll(() => edit.getByLabel(/^SFTP password/).inputValue()).toBe('');
    await expectAccessible(page, 'the edit dialog with a problem');
    expect((await api()).secret).toEqual(created.secret);
    await edit.getByRole('button', { name: 'Dismiss the dialog' }).click();
    await edit.waitFor({ state: 'detached' });

    await row.getByRole('button', { name: 'Remove production web' }).click();
    const confirm = page.getByRole('dialog', { name: /Remove the target production \/ web/ });
    await confirm.getByRole('button', { name: 'Remove target' }).click();
    await page.getByText('No deployment targets yet.').waitFor();
    expect((await context.request.get('/api/v1/targets/production/web')).status()).toBe(404);
  });

  it('someone who is not an administrator is refused and has no navigation entry', async () => {
    const s = site();
    const { page } = await s.signedIn('dev', ['developer'], { path: '/admin/targets' });
    await page.getByRole('heading', { level: 1, name: 'Deployment targets' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Administrators only' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Applications' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Deployment targets' }).count()).toBe(0);
    expect(await page.getByRole('table', { name: 'Deployment targets' }).count()).toBe(0);
  });
});
