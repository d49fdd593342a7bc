import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createRelease } from '../../src/services/releases.js';
import { describeBrowser, PASSWORD, sitePerFile } from '../support/browser.js';

const EXPORT = path.resolve(import.meta.dirname, '..', 'fixtures', 'cache-exports', 'CFIS014.v1.xml');

describeBrowser('the links in relman’s e-mails, opened in a browser', () => {
  let name = '';
  let body = '';
  const site = sitePerFile(async (s) => {
    const r = await createRelease(s.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-12-05', channels: ['database', 'web'] });
    name = r.name;
    const lead = await s.person('lena-lead', ['technical-lead', 'developer']);
    const auth = { authorization: `Bearer ${lead.token}` };
    const up = await fetch(`${s.url}/api/v1/releases/${name}/packages/database/files/${name}.xml`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: readFileSync(EXPORT),
    });
    expect(up.status, await up.clone().text()).toBe(201);
    const sent = await fetch(`${s.url}/api/v1/releases/${name}/mail`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ template: 'deployment-notice', to: ['ops@example.org'] }),
    });
    expect(sent.status, await sent.clone().text()).toBe(201);
    const mail = (await sent.json()) as { id: string };
    const read = await fetch(`${s.url}/api/v1/mail/${mail.id}`, { headers: auth });
    body = ((await read.json()) as { body: string }).body;
  });

  it('downloads a package file after signing in, when the link was opened signed out', async () => {
    const s = site();
    const link = /get it:\s+(\S+)/.exec(body)?.[1];
    expect(link, body).toMatch(/\/api\/v1\/releases\/.+\/packages\/database\/1\/file$/);
    const local = new URL(link!);
    await s.person('dee-deploy', ['deployment']);
    const context = await s.browser.newContext({ baseURL: s.url, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(local.pathname);
    await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe(local.pathname);
    await page.getByLabel('Username').fill('dee-deploy');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const file = await download;
    const saved = await file.path();
    expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(
      createHash('sha256').update(readFileSync(EXPORT)).digest('hex'),
    );
    await context.close();
  });

  it('opens the release page from the mail’s release link, through sign-in', async () => {
    const s = site();
    const context = await s.browser.newContext({ baseURL: s.url });
    const page = await context.newPage();
    // The release address the mail templates offer ({{release.url}}) is the page, not the API.
    await page.goto(`/releases/${name}`);
    await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    await page.getByLabel('Username').fill('dee-deploy');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/releases/${name}`);
    await context.close();
  });
});
