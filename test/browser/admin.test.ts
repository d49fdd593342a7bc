import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, expectAccessible, PASSWORD, screenshot, sitePerFile } from '../support/browser.js';

async function pickOption(page: Page, label: string, option: RegExp, within: Page | Locator = page): Promise<void> {
  await within
    .getByLabel(new RegExp(`^${label}( \\*)?$`))
    .first()
    .click();
  await page.getByRole('option', { name: option }).click();
}

/** The text an input is described by: its description and the problem shown next to it. */
async function describedBy(page: Page, label: string, within: Page | Locator = page): Promise<string> {
  const ids = ((await within.getByLabel(label).getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

async function signInThroughPage(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describeBrowser('administration in the browser', () => {
  const site = sitePerFile();

  it('an administrator creates a user with two roles, who then signs in and holds the actions of both; disabled, they cannot sign in', async () => {
    const s = site();
    const { page } = await s.signedIn('root', ['admin'], { path: '/admin/users' });
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByRole('table', { name: 'Users' }).getByRole('button', { name: 'Disable root' }).waitFor();
    await expectAccessible(page, 'the users page');

    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username').fill('casey');
    await form.getByLabel('Display name').fill('Casey Lead');
    await form.getByLabel('E-mail').fill('casey@example.org');
    await pickOption(page, 'Roles', /Technical Lead/);
    await pickOption(page, 'Roles', /Change Management Coordinator/);
    await page.keyboard.press('Escape');
    // The password policy answers next to the field.
    await form.getByLabel('Initial password').fill('short');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByRole('alert').filter({ hasText: 'User not created' }).waitFor();
    await expect.poll(() => describedBy(page, 'Initial password')).toContain('at least 12 characters');
    await expectAccessible(page, 'the user form with a problem');

    await form.getByLabel('Initial password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByRole('status').filter({ hasText: 'User casey created' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'casey@example.org' });
    await row.getByText('technical-lead').waitFor();
    await row.getByText('cmc').waitFor();
    await screenshot(page, 'admin-users');

    // A username taken is said at the username field.
    await form.getByLabel('Username').fill('casey');
    await form.getByLabel('Initial password').fill(PASSWORD);
    await pickOption(page, 'Roles', /\(developer\)/);
    await page.keyboard.press('Escape');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form
      .getByText(/already exists/)
      .first()
      .waitFor();
    await expect.poll(() => describedBy(page, 'Username')).toContain('already exists');

    const casey = await s.browser.newContext({ baseURL: s.url, viewport: { width: 1280, height: 900 } });
    const cp = await casey.newPage();
    await signInThroughPage(cp, 'casey', PASSWORD);
    await cp.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    const perms = (await (await casey.request.get('/api/v1/session/permissions')).json()) as { actions: string[]; admin: boolean };
    // package.record is the technical lead's alone, contacts.manage and checklist.waive the CMC's.
    expect(perms.actions).toEqual(expect.arrayContaining(['package.record', 'release.create', 'contacts.manage', 'checklist.waive']));
    expect(perms.admin).toBe(false);
    await cp.goto('/releases');
    await cp.getByRole('button', { name: 'New release' }).waitFor();
    await cp.goto('/admin/contacts');
    await cp.getByRole('form', { name: 'Add to escalation list' }).waitFor();
    await cp.goto('/admin/users');
    await cp.getByRole('alert').filter({ hasText: 'Administrators only' }).waitFor();
    await expectAccessible(cp, 'the users page to someone not an administrator');
    await casey.close();

    await row.getByRole('button', { name: 'Disable casey' }).click();
    await row.getByText('Disabled').waitFor();
    const again = await s.browser.newContext({ baseURL: s.url });
    const ap = await again.newPage();
    await signInThroughPage(ap, 'casey', PASSWORD);
    await ap.getByRole('alert').waitFor();
    expect((await again.request.get('/api/v1/session')).status()).toBe(401);
    await again.close();

    // Roles are given and taken, and a new password set, from the row.
    await row.getByRole('button', { name: 'Enable casey' }).click();
    await row.getByRole('button', { name: 'Disable casey' }).waitFor();
    await row.getByRole('button', { name: 'Reset password of casey' }).click();
    const dialog = page.getByRole('dialog', { name: 'New password for casey' });
    await dialog.getByRole('textbox', { name: 'New password' }).fill('another long passphrase here');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const third = await s.browser.newContext({ baseURL: s.url });
    expect(
      (await third.request.post('/api/v1/session', { data: { username: 'casey', password: 'another long passphrase here' } })).status(),
    ).toBe(200);
    await third.close();

    const rolesDialog = page.getByRole('dialog', { name: 'Roles of casey' });
    await row.getByRole('button', { name: 'Change roles of casey' }).click();
    await pickOption(page, 'Roles', /\(developer\)/, rolesDialog);
    await page.keyboard.press('Escape');
    await rolesDialog.getByRole('button', { name: 'Save roles' }).click();
    await rolesDialog.waitFor({ state: 'hidden' });
    await row.getByText('developer', { exact: true }).waitFor();
  });

  it('shows a new API token once with a copy button, and revokes it', async () => {
    const s = site();
    const { page, context } = await s.signedIn('terry', ['developer'], { path: '/admin/tokens' });
    await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
    await expectAccessible(page, 'the tokens page');
    await page.getByLabel('Token name').fill('ci-pipeline');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'Copy your new token now' });
    await shown.waitFor();
    await shown.getByRole('button', { name: 'Copy token' }).waitFor();
    const secret = (await page.getByLabel('New API token').innerText()).trim();
    expect(secret.length).toBeGreaterThan(20);
    await expectAccessible(page, 'a token shown once');
    const headers = { authorization: `Bearer ${secret}` };
    expect((await fetch(`${s.url}/api/v1/session/permissions`, { headers })).status).toBe(200);

    await shown.getByRole('button', { name: 'Done, hide it' }).click();
    await expect.poll(() => page.getByText(secret).count()).toBe(0);
    const row = page.getByRole('table', { name: 'Your API tokens' }).getByRole('row').filter({ hasText: 'ci-pipeline' });
    await row.getByRole('button', { name: 'Revoke ci-pipeline' }).click();
    await row.getByText(/Revoked/).waitFor();
    expect((await fetch(`${s.url}/api/v1/session/permissions`, { headers })).status).toBe(401);
    await context.close();

    // An administrator sees and revokes anyone's.
    await s.person('una', ['developer']);
    await s.person('vera', ['viewer']);
    const admin = await s.signedIn('root2', ['admin'], { path: '/admin/tokens' });
    await admin.page.getByRole('heading', { level: 2, name: 'Everyone’s tokens' }).waitFor();
    // Every user's tokens in one list, with their owners.
    const everyone = admin.page.getByRole('table', { name: 'Everyone’s API tokens' });
    await everyone.getByRole('button', { name: 'Revoke cli of una' }).waitFor();
    await everyone.getByRole('button', { name: 'Revoke cli of vera' }).waitFor();
    const ownerOf = (name: string) => everyone.getByRole('row').filter({ has: admin.page.getByRole('cell', { name, exact: true }) });
    await ownerOf('terry')
      .getByText(/Revoked/)
      .waitFor();
    await expectAccessible(admin.page, 'everyone’s tokens in one list');
    await ownerOf('vera').getByRole('button', { name: 'Revoke cli of vera' }).click();
    await ownerOf('vera')
      .getByText(/Revoked/)
      .waitFor();
    await ownerOf('una').getByText('Active').waitFor();
    type Listed = { user: string; name: string; revokedAt: string | null };
    const listed = (await (await admin.context.request.get('/api/v1/tokens?all=true')).json()) as { items: Listed[] };
    expect(listed.items.filter((t) => t.user === 'vera')).toEqual([
      expect.objectContaining({ name: 'cli', revokedAt: expect.any(String) }),
    ]);
    expect(listed.items.filter((t) => t.user === 'una')).toEqual([expect.objectContaining({ name: 'cli', revokedAt: null })]);

    await pickOption(admin.page, 'User', /\(una\)/);
    await admin.page.getByRole('table', { name: 'API tokens of una' }).waitFor();
    await expectAccessible(admin.page, 'everyone’s tokens');
    const onlyUna = admin.page.getByRole('table', { name: 'API tokens of una' });
    await onlyUna.getByRole('button', { name: 'Revoke cli of una' }).waitFor();
    expect(await onlyUna.getByRole('cell', { name: 'vera', exact: true }).count()).toBe(0);
  });

  it('the CMC edits the escalation list and a viewer reads it', async () => {
    const s = site();
    const { page } = await s.signedIn('cora', ['cmc'], { path: '/admin/contacts' });
    await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
    const form = page.getByRole('form', { name: 'Add to escalation list' });
    const add = async (role: RegExp, person: string, phone: string) => {
      await form.getByRole('combobox', { name: 'Role' }).click();
      await page.getByRole('option', { name: role }).click();
      await form.getByLabel('Person').fill(person);
      await form.getByLabel('Phone').fill(phone);
      await form.getByRole('button', { name: 'Add to escalation list' }).click();
      await page.getByRole('table', { name: 'Escalation list' }).getByRole('cell', { name: person, exact: true }).waitFor();
    };
    await add(/Technical Lead/, 'Pat First', '555-0101');
    await add(/Change Management Coordinator/, 'Sam Second', '555-0102');
    await expectAccessible(page, 'the contacts page for the CMC');

    const table = page.getByRole('table', { name: 'Escalation list' });
    const people = () => table.getByRole('row').allInnerTexts();
    expect((await people()).slice(1).map((r) => r.includes('Pat First'))).toEqual([true, false]);
    await table.getByRole('button', { name: 'Move Sam Second up' }).click();
    await expect.poll(async () => (await people())[1]?.includes('Sam Second')).toBe(true);
    await screenshot(page, 'admin-contacts', { fullPage: true });

    // A distribution group is added, then its address changed in the edit dialog.
    const groupForm = page.getByRole('form', { name: 'Add a distribution group' });
    await groupForm.getByLabel('Key').fill('deploy-team');
    await groupForm.getByLabel('Group name').fill('Deployment team');
    await groupForm.getByLabel('Group e-mail').fill('deploy@example.org');
    await groupForm.getByRole('button', { name: 'Add group' }).click();
    const groups = page.getByRole('table', { name: 'Distribution groups' });
    await groups.getByRole('cell', { name: 'deploy@example.org', exact: true }).waitFor();
    await groups.getByRole('button', { name: 'Edit the group deploy-team' }).click();
    const editGroup = page.getByRole('dialog', { name: 'Edit the group deploy-team' });
    expect(await editGroup.getByLabel(/^Group name/).inputValue()).toBe('Deployment team');
    expect(await editGroup.getByLabel(/^Group e-mail/).inputValue()).toBe('deploy@example.org');
    await expectAccessible(page, 'the edit group dialog');
    await editGroup.getByLabel(/^Group e-mail/).fill('not an address');
    await editGroup.getByRole('button', { name: 'Save group' }).click();
    await editGroup.getByRole('alert').filter({ hasText: 'Group not changed' }).waitFor();
    await expect.poll(() => describedBy(page, 'Group e-mail', editGroup)).toMatch(/email/i);
    await expectAccessible(page, 'the edit group dialog with a problem');
    await editGroup.getByLabel(/^Group e-mail/).fill('deployers@example.org');
    await editGroup.getByLabel('Description').fill('Deploys every release');
    await editGroup.getByRole('button', { name: 'Save group' }).click();
    await editGroup.waitFor({ state: 'hidden' });
    await groups.getByRole('cell', { name: 'deployers@example.org', exact: true }).waitFor();
    const saved = (await (await page.request.get('/api/v1/groups')).json()) as {
      key: string;
      email: string;
      name: string;
      description: string;
    }[];
    expect(saved.find((g) => g.key === 'deploy-team')).toMatchObject({
      name: 'Deployment team',
      email: 'deployers@example.org',
      description: 'Deploys every release',
    });

    const viewer = await s.signedIn('vic', ['viewer'], { path: '/admin/contacts' });
    const vt = viewer.page.getByRole('table', { name: 'Escalation list' });
    await vt.getByRole('cell', { name: 'Sam Second', exact: true }).waitFor();
    const rows = await vt.getByRole('row').allInnerTexts();
    expect(rows[1]).toContain('Sam Second');
    expect(rows[2]).toContain('Pat First');
    expect(await viewer.page.getByRole('button', { name: /Edit|Remove|Move|Add/ }).count()).toBe(0);
    expect(await viewer.page.getByRole('form').count()).toBe(0);
    await expectAccessible(viewer.page, 'the contacts page read-only');
  });

  it('lists applications with their naming and lets an administrator create one', async () => {
    const s = site();
    const { page } = await s.signedIn('root3', ['admin'], { path: '/admin/applications' });
    await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
    const table = page.getByRole('table', { name: 'Applications' });
    await table.getByRole('row').nth(1).waitFor();
    await expectAccessible(page, 'the applications page');
    const form = page.getByRole('form', { name: 'Create an application' });
    await form.getByLabel('Key').fill('payments');
    await form.getByLabel('Application name').fill('Payments');
    await form.getByRole('combobox', { name: 'Process template' }).click();
    await page.getByRole('option').first().click();
    await form.getByRole('button', { name: 'Create application' }).click();
    await form.getByRole('status').filter({ hasText: 'Application payments created' }).waitFor();
    await table.getByRole('cell', { name: 'Payments', exact: true }).waitFor();
    await expectAccessible(page, 'the applications page after creating one');
  });
});
