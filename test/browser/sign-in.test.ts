import { expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../support/harness.js';
import { describeBrowser, expectAccessible, PASSWORD, screenshot, sitePerFile } from '../support/browser.js';

describeBrowser('signing in and out in the browser', () => {
  const site = sitePerFile();

  it('serves the application at / with a policy that allows no inline script, and sends a signed-out visitor to sign in', async () => {
    const s = site();
    const res = await fetch(`${s.url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(html).toContain(`content="${nonce}"`);
    // Each answer has its own nonce.
    const again = await fetch(`${s.url}/`, { headers: { accept: 'text/html' } });
    expect(again.headers.get('content-security-policy')).not.toBe(csp);

    // Hashed assets are cached for a year and sent compressed.
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${s.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${s.url}/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${s.url}/assets/nothing-here.js`)).status).toBe(404);
    // The API keeps answering JSON problems; a page path asked for as JSON is not the application.
    const api404 = await fetch(`${s.url}/api/v1/nothing`, { headers: { accept: 'text/html' } });
    expect(api404.status).toBe(404);
    expect(api404.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${s.url}/releases/X`, { headers: { accept: 'application/json' } })).status).toBe(404);
  });

  it('signs the first administrator in and out, with no policy violation on the way', async () => {
    const s = site();
    const context = await s.browser.newContext({ baseURL: s.url });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    await page.goto('/');
    await expect.poll(() => page.url()).toContain('/sign-in');
    await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    await expectAccessible(page, 'the sign-in page');
    await screenshot(page, 'sign-in');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel(/^Password/).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not signed in' }).waitFor();

    await page.getByLabel(/^Password/).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    // The session is gone on the server too.
    expect((await context.request.get('/api/v1/session')).status()).toBe(401);
    expect(refused).toEqual([]);
    await context.close();
  });

  it('takes a signed-out visitor to sign in and then back to the page they asked for', async () => {
    const s = site();
    await s.person('dana', ['developer']);
    const context = await s.browser.newContext({ baseURL: s.url });
    const page = await context.newPage();
    await page.goto('/items?kind=IR');
    await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/items?kind=IR');
    await page.getByLabel('Username').fill('dana');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).search).toBe('/items?kind=IR');
    await context.close();
  });

  it('never sends a user to another site after signing in', async () => {
    const s = site();
    await s.person('erin', ['developer']);
    const context = await s.browser.newContext({ baseURL: s.url });
    const page = await context.newPage();
    await page.goto('/sign-in?next=//evil.example/x');
    await page.getByLabel('Username').fill('erin');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    expect(new URL(page.url()).origin).toBe(s.url);
    await context.close();
  });

  it('returns to sign-in when the session expires, and then to the page the user was on', async () => {
    const s = site();
    const { context, page } = await s.signedIn('fay', ['developer'], { path: '/account' });
    await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
    // The session ends on the server (as when it expires); the page learns it on its next call.
    await s.deps.database.kysely.deleteFrom('sessions').execute();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill('a much longer passphrase 42');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
    await page.getByLabel('Username').fill('fay');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
    await context.close();
  });

  it('changes one’s own password, showing the policy’s refusal next to the field', async () => {
    const s = site();
    const { context, page } = await s.signedIn('gus', ['developer'], { path: '/account' });
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Password not changed' }).waitFor();
    await expectAccessible(page, 'the account page with an error');

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill('gus has a far better passphrase now');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
    // A new sign-in (no cookie of this browser) takes the new password.
    const res = await fetch(`${s.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'gus', password: 'gus has a far better passphrase now' }),
    });
    expect(res.status).toBe(200);
    await context.close();
  });
});
