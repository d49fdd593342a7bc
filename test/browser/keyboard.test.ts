import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { describeBrowser, PASSWORD, sitePerFile } from '../support/browser.js';

/** The focused element's label or text, as the browser has it. */
async function focusedName(page: Page): Promise<string> {
  const name: unknown = await page.evaluate(
    "(() => { const el = document.activeElement; return el ? (el.getAttribute('aria-label') ?? el.innerText ?? '').trim() : ''; })()",
  );
  return String(name);
}

/** Presses Tab until the focused element's text or label is `name` (at most `max` presses). */
async function tabTo(page: Page, name: string | RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await focusedName(page);
    if (typeof name === 'string' ? focused === name : name.test(focused)) return;
  }
  throw new Error(`no focusable element named ${String(name)} within ${max} presses of Tab`);
}

describeBrowser('the web interface with the keyboard alone', () => {
  let name = '';
  const site = sitePerFile(async (s) => {
    const r = await createRelease(s.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-12-05', channels: ['database'] });
    name = r.name;
    const item = await createWorkItem(s.deps, SYSTEM_ACTOR, { kind: 'IR', helpdeskRef: 'HD-77', title: 'Keyboard item' });
    await assignWorkItem(s.deps, SYSTEM_ACTOR, { key: item.key }, { release: name });
    await s.person('kim-dev', ['developer']);
  });

  it('signs in, finds a release and takes a transition without a mouse', async () => {
    const s = site();
    const context = await s.browser.newContext({ baseURL: s.url });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    // The username field has the focus on arrival.
    await page.keyboard.type('kim-dev');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();

    // The first Tab reaches the skip link, which moves the focus to the page's content.
    await page.keyboard.press('Tab');
    expect(await focusedName(page)).toBe('Skip to content');

    await tabTo(page, 'Releases');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Releases' }).waitFor();
    await tabTo(page, name);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name }).waitFor();

    await tabTo(page, 'Start packaging');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await tabTo(page, 'Take transition');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByLabel('State: packaging').waitFor();

    // Escape closes a dialog opened from the keyboard, and the focus returns to the page.
    await tabTo(page, /Back to packaging|Package verified/);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await context.close();
  });
});
