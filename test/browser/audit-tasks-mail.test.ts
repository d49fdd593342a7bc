import { readFileSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { openChecklistTasks } from '../../src/services/checklist/tasks.js';
import { sendReleaseMail } from '../../src/services/mail/send.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describeBrowser('my tasks, the mail outbox and the audit trail', () => {
  let soon = '';
  let later = '';
  let mailId = '';
  const site = sitePerFile(async (s) => {
    const tina = await s.person('tina', ['technical-lead']);
    // Created first, due later: the list must still put the other release's overdue task first.
    later = (await s.fx.release(tina.actor, { plannedDate: inDays(40) })).name;
    soon = (await s.fx.release(tina.actor, { plannedDate: inDays(3) })).name;
    mailId = (await sendReleaseMail(s.deps, SYSTEM_ACTOR, { name: later }, { template: 'deployment-notice', to: ['ops@example.org'] })).id;
    // (It stands for the later release's first task, which waits for its delivery.) The delivery run gave up on it: what the outbox shows after the last retry failed.
    await s.deps.database.kysely
      .updateTable('mail_outbox')
      .set({ status: 'failed', attempts: 5, last_error: '550 5.1.1 mailbox unavailable' })
      .where('id', '=', mailId)
      .execute();
  });
  const opened = (dialog: Locator) =>
    expect.poll(() => dialog.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).opacity)).toBe('1');

  it('lists my open tasks across releases, overdue first, and completes one with a note', async () => {
    const s = site();
    const { page } = await s.signedIn('tina', ['technical-lead'], { path: '/tasks' });
    await page.getByRole('heading', { level: 1, name: 'My tasks' }).waitFor();
    const table = page.getByRole('table', { name: 'My open checklist tasks, overdue first' });
    await table.waitFor();
    const rows = table.getByRole('row');
    const first = rows.nth(1);
    expect(await first.textContent()).toContain(soon);
    expect(await first.textContent()).toMatch(/Overdue.*overdue by 11 days/);
    expect(await rows.filter({ hasText: later }).count()).toBeGreaterThan(0);
    expect(await rows.filter({ hasText: later }).first().textContent()).toMatch(/due in \d+ days/);
    await expect.poll(() => first.getByRole('link', { name: soon }).getAttribute('href')).toBe(`/releases/${soon}/checklist`);
    await expectAccessible(page, 'my tasks');
    await screenshot(page, 'my-tasks');

    const overdueTask = (await openChecklistTasks(s.deps, (await s.person('tina', [])).actor, { mine: true, overdue: true }))[0];
    if (!overdueTask) throw new Error('the release due in 3 days has an overdue task');
    // The sign-off came by e-mail: a mail of this release stands as the evidence.
    // (The release notes stand for another task than this one, which the open page keeps.)
    const signOff = await sendReleaseMail(s.deps, SYSTEM_ACTOR, { name: soon }, { template: 'release-notes', to: ['ops@example.org'] });
    await first.getByRole('button', { name: `Complete “${overdueTask.title}”` }).click();
    const dialog = page.getByRole('dialog', { name: `Complete: ${overdueTask.title}` });
    await dialog.getByLabel('What was done').fill('Deployment team told at the Monday meeting');
    await opened(dialog);
    await dialog.getByRole('combobox', { name: 'Evidence mail' }).click();
    // Only this release's mails are offered, and not the one given up on.
    const options = page.getByRole('option');
    await expect.poll(() => options.allTextContents()).toEqual([`${signOff.subject} (not sent yet)`]);
    await options.first().click();
    await expectAccessible(page, 'completing a task from my tasks');
    await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => rows.filter({ hasText: soon }).filter({ hasText: overdueTask.title }).count()).toBe(0);
    const still = await openChecklistTasks(s.deps, (await s.person('tina', [])).actor, { mine: true, release: soon });
    expect(still.map((t) => t.task)).not.toContain(overdueTask.task);
    const res = await fetch(`${s.url}/api/v1/releases/${soon}/checklist`, {
      headers: { authorization: `Bearer ${(await s.person('tina', [])).token}` },
    });
    const done = (
      (await res.json()) as { tasks: { task: string; evidence: { mailId?: string; mailSubject?: string } | null }[] }
    ).tasks.find((t) => t.task === overdueTask.task);
    expect(done?.evidence).toMatchObject({ mailId: signOff.id, mailSubject: signOff.subject });
  });

  it('shows a mail that was given up with its error; retry makes it pending again', async () => {
    const s = site();
    const { page } = await s.signedIn('tina', ['technical-lead'], { path: '/mail' });
    await page.getByRole('heading', { level: 1, name: 'Mail outbox' }).waitFor();
    const table = page.getByRole('table', { name: 'Mails, newest first' });
    const row = table.getByRole('row').filter({ hasText: '550 5.1.1 mailbox unavailable' });
    await row.waitFor();
    expect(await row.textContent()).toContain('failed, given up');
    expect(await row.textContent()).toContain('ops@example.org');
    expect(await row.getByRole('link', { name: later }).getAttribute('href')).toBe(`/releases/${later}/mail`);
    await expectAccessible(page, 'the mail outbox');
    await screenshot(page, 'mail-outbox');

    const subject = (await row.getByRole('button', { name: /^Read the mail/ }).textContent()) ?? '';
    await row.getByRole('button', { name: /^Read the mail/ }).click();
    const dialog = page.getByRole('dialog', { name: subject });
    await dialog.getByText(/Template deployment-notice/).waitFor();
    await opened(dialog);
    await expectAccessible(page, 'a mail opened from the outbox');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    await row.getByRole('button', { name: `Retry the mail “${subject}”` }).click();
    await expect
      .poll(() =>
        table
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: later }) })
          .textContent(),
      )
      .toMatch(/pending, next try/);
    const saved = await s.deps.database.kysely.selectFrom('mail_outbox').selectAll().where('id', '=', mailId).executeTakeFirstOrThrow();
    expect(saved.status).toBe('pending');

    // A viewer sees the outbox but no retry.
    const viewer = await s.signedIn('vera', ['viewer'], { path: '/mail?status=pending' });
    await viewer.page.getByRole('table', { name: 'Mails, newest first' }).waitFor();
    expect(await viewer.page.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
  });

  it('an auditor filters by actor, verifies the chain, exports CSV, and sees the first altered event', async () => {
    const s = site();
    const { page } = await s.signedIn('aldo', ['viewer'], { path: '/audit' });
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await page.getByRole('textbox', { name: 'Actor' }).fill('tina');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('actor')).toBe('tina');
    const events = page.getByRole('button', { name: /^#\d+ / });
    // The unfiltered list shows until the filtered one replaces it: wait for that.
    const onlyTina = async () => {
      const all = await events.allTextContents();
      return all.length > 0 && all.every((t) => t.includes('by tina'));
    };
    await expect.poll(onlyTina).toBe(true);
    const shown = await events.allTextContents();
    expect(shown.some((t) => t.includes('checklist.complete'))).toBe(true);
    await events.first().click();
    await page.getByText('Before', { exact: true }).first().waitFor();

    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByRole('status').filter({ hasText: 'The chain holds' }).waitFor();
    await expectAccessible(page, 'the audit trail, filtered and verified');
    await screenshot(page, 'audit');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('seq,at,actor,action,subjectType,subjectId,before,after');
    expect(lines.filter((l) => /^\d+,/.test(l)).every((l) => l.split(',')[2] === 'tina')).toBe(true);
    expect(lines.some((l) => l.includes(',tina,checklist.complete,'))).toBe(true);

    const db = s.deps.database.kysely;
    const target = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('actor', '=', 'tina')
      .where('action', '=', 'checklist.complete')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('audit_events')
      .set({ after_json: (target.after_json ?? '{}').replace('Monday', 'Tuesday') })
      .where('seq', '=', target.seq)
      .execute();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const broken = page.getByRole('alert').filter({ hasText: `The chain is broken at event #${target.seq}` });
    await broken.waitFor();
    expect(await broken.textContent()).toContain('checklist.complete');
    expect(await broken.textContent()).toContain('altered');
    await expectAccessible(page, 'a broken audit chain');
  });
});
