import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { releaseChecklist } from '../../src/services/checklist/tasks.js';
import { sendReleaseMail } from '../../src/services/mail/send.js';
import { assignWorkItem, createWorkItem, getWorkItem } from '../../src/services/work-items.js';
import { startFlow, type Crew } from '../support/lifecycle-flow.js';
import type { ManualClock } from '../support/service-fixtures.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';

/** What the release page's sections are shown with: two releases, items in and out of them, a mail. */
type World = {
  release: string;
  other: string;
  soon: string;
  inAt: { name: string; item: string };
  a: string;
  b: string;
  c: string;
  tasks: { task: string; title: string }[];
};

const WRITE_BUTTONS = [
  /^Attach$/,
  /^Create and attach$/,
  /^Detach /,
  /^Move /,
  /^Record test$/,
  /^Raise issue$/,
  /^Resolve /,
  /^Complete /,
  /^Skip /,
  /^Reopen /,
  /^Waive /,
  /^Send mail$/,
];

describeBrowser('the release page’s sections in the browser', () => {
  let w: World | undefined;
  const site = sitePerFile(async (s) => {
    const lead = (await s.person('terry', ['technical-lead'])).actor;
    const release = (await s.fx.release(lead, { channels: ['database', 'web'], title: 'Claims totals' })).name;
    const other = (await s.fx.release(lead, { plannedDate: '2030-03-02' })).name;
    // Planned in three days: the tasks due two weeks before release day are overdue.
    const soon = (await s.fx.release(lead, { plannedDate: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10) })).name;
    const item = async (helpdeskRef: string, title: string, elements: { type: string; name: string }[] = []) =>
      (await createWorkItem(s.deps, lead, { kind: 'IR', helpdeskRef, title, elements })).key;
    const a = await item('HD-101', 'Totals doubled for split payments', [{ type: 'class', name: 'CMS.Claims.Totals' }]);
    const b = await item('HD-102', 'Fiscal year rollover');
    const c = await item('HD-103', 'Address lines cut short');
    for (const key of [a, b]) await assignWorkItem(s.deps, lead, { key }, { release });
    await sendReleaseMail(s.deps, lead, { name: release }, { template: 'release-notes', note: 'Read before Friday.' });
    const tasks = (await releaseChecklist(s.deps, { name: release })).tasks.map((t) => ({ task: t.task, title: t.title }));
    // A release installed in acceptance test, the way the template's people take it there.
    const actor = async (name: string, roles: string[]) => (await s.person(name, roles)).actor;
    const crew: Crew = {
      lead,
      dev: await actor('dana', ['developer']),
      cmc: await actor('carol', ['cmc']),
      cmc2: await actor('chris', ['cmc']),
      analyst: await actor('sam', ['systems-analyst']),
      deployer: await actor('dora', ['deployment']),
      dbLead: await actor('bill', ['database-lead']),
      viewer: await actor('vera', ['viewer']),
    };
    // The site's clock ticks by itself; the flow's minute steps only order records, which the ticking clock does too.
    const ticking: ManualClock = { clock: s.deps.clock, now: s.deps.clock, set: () => undefined, advance: () => undefined };
    const flow = await startFlow(s.deps, ticking, crew, { kinds: ['IR'] });
    await flow.toInAt();
    const inAt = { name: flow.name, item: flow.items[0] ?? '' };
    w = { release, other, soon, inAt, a, b, c, tasks };
  });
  const world = () => {
    if (!w) throw new Error('made in beforeAll');
    return w;
  };
  const tab = (name: string, path = '') => `/releases/${name}${path ? `/${path}` : ''}`;
  const section = (page: Page, name: string) => page.getByRole('heading', { level: 2, name }).waitFor();
  /** A dialog done opening (Mantine fades it in): checked for accessibility as people see it. */
  const opened = (dialog: Locator) =>
    expect.poll(() => dialog.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).opacity)).toBe('1');
  const pick = async (page: Page, label: string, option: string | RegExp) => {
    await page.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: option }).click();
  };

  it('attaches, creates, detaches and moves work items, showing a refusal with its reason', async () => {
    const s = site();
    const { release, other, a, b, c } = world();
    const { page } = await s.signedIn('terry', ['technical-lead'], { path: tab(release, 'items') });
    await section(page, 'Work items');
    const table = page.getByRole('table', { name: `Work items of ${release}` });
    await table.getByRole('link', { name: a }).waitFor();
    await table.getByText('1 element').click();
    await table.getByText('CMS.Claims.Totals').waitFor();
    await expectAccessible(page, 'the work items section');
    await screenshot(page, 'release-items');

    await page.getByLabel('Work item key').fill(c);
    await page.getByRole('button', { name: 'Attach', exact: true }).click();
    await table.getByRole('link', { name: c }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: `${c} attached to ${release}` })
      .waitFor();

    await page.getByRole('button', { name: `Detach ${a}` }).click();
    await table.getByRole('link', { name: a }).waitFor({ state: 'detached' });
    expect((await getWorkItem(s.deps, { key: a })).release).toBeNull();

    await page.getByRole('button', { name: `Move ${b} to another release` }).click();
    const dialog = page.getByRole('dialog', { name: `Move ${b} to another release` });
    await dialog.getByLabel('Release').fill(other);
    await opened(dialog);
    await expectAccessible(page, 'the move dialog');
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await table.getByRole('link', { name: b }).waitFor({ state: 'detached' });
    expect((await getWorkItem(s.deps, { key: b })).release).toBe(other);

    // B is in the other release now: attaching it here without moving it is refused, saying how.
    await page.getByLabel('Work item key').fill(b);
    await page.getByRole('button', { name: 'Attach', exact: true }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The item was not attached' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(`${b} is already in ${other}; move it`);
    await expectAccessible(page, 'the work items section with a refusal');

    await page.getByLabel('Help-desk reference').fill('HD-104');
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Reprint of remittance advice');
    await page.getByRole('button', { name: 'Create and attach' }).click();
    await table.getByRole('cell', { name: 'Reprint of remittance advice' }).waitFor();
  });

  it('shows why an item cannot leave a release in acceptance test, and the way back', async () => {
    const s = site();
    const { inAt } = world();
    const { page } = await s.signedIn('terry', ['technical-lead'], { path: tab(inAt.name, 'items') });
    await section(page, 'Work items');
    await page.getByRole('button', { name: `Detach ${inAt.item}` }).click();
    const refusal = page.getByRole('alert').filter({ hasText: `${inAt.item} was not detached` });
    await refusal.waitFor();
    const text = (await refusal.textContent()) ?? '';
    expect(text).toContain('a change of its work items would void');
    expect(text).toContain('take it back first');
    expect((await getWorkItem(s.deps, { key: inAt.item })).release).toBe(inAt.name);
    await expectAccessible(page, 'the work items section with a refusal of the process');
  });

  it('records a failed test with its cause and a passing retest, both in the item’s history per environment', async () => {
    const s = site();
    const { release, c } = world();
    const { page } = await s.signedIn('terry', ['technical-lead'], { path: tab(release, 'tests') });
    await section(page, 'Tests');
    await expectAccessible(page, 'the tests and issues section, nothing recorded');

    await pick(page, 'Work item', new RegExp(`^${c} `));
    await pick(page, 'Environment', 'Acceptance Test (AT)');
    await page.getByRole('radio', { name: 'Failed' }).check();
    await pick(page, 'Cause of the failure', 'Data');
    await page.getByLabel('Notes').fill('Test patient had no address');
    await page.getByRole('button', { name: 'Record test' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${c}: failed recorded` })
      .waitFor();

    await page.getByRole('radio', { name: 'Passed' }).check();
    await page.getByRole('button', { name: 'Record test' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${c}: passed recorded` })
      .waitFor();
    const attempts = page.getByRole('table', { name: `Test attempts of ${release}, newest first` });
    await expect.poll(() => attempts.getByRole('row').count()).toBe(3);
    expect(await attempts.getByRole('row').nth(1).textContent()).toContain('passed');
    expect(await attempts.getByRole('row').nth(2).textContent()).toContain('Data');

    await page.getByRole('navigation', { name: 'Release sections' }).getByRole('link', { name: 'Work items' }).click();
    await section(page, 'Work items');
    const history = page.getByText('Acceptance Test (AT): passed (2 attempts)');
    await history.click();
    const list = page.getByRole('list', { name: `Test attempts of ${c} in Acceptance Test (AT)` });
    const entries = list.getByRole('listitem');
    expect(await entries.count()).toBe(2);
    expect(await entries.nth(0).textContent()).toMatch(/^failed \(cause: Data\) by terry, .* — Test patient had no address$/);
    expect(await entries.nth(1).textContent()).toMatch(/^passed by terry/);
  });

  it('raises an issue and resolves it', async () => {
    const s = site();
    const { release } = world();
    const { page } = await s.signedIn('terry', ['technical-lead'], { path: tab(release, 'tests') });
    await section(page, 'Issues');
    await page.getByLabel('Issue title').fill('Report footer shows last year');
    await page.getByLabel('Description').fill('Seen in AT on the remittance report');
    await page.getByRole('button', { name: 'Raise issue' }).click();
    await page.getByRole('status').filter({ hasText: 'Issue #1 raised' }).waitFor();
    const issues = page.getByRole('table', { name: `Issues of ${release}` });
    await issues.getByRole('cell', { name: 'open', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Resolve issue #1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Resolve issue #1' });
    await dialog.getByLabel('Resolution').fill('Footer year fixed in the template');
    await dialog.getByRole('button', { name: 'Resolve', exact: true }).click();
    await issues.getByRole('cell', { name: 'resolved', exact: true }).waitFor();
    expect(await issues.getByRole('row').nth(1).textContent()).toContain('Footer year fixed in the template');
    await expectAccessible(page, 'the tests and issues section');
    await screenshot(page, 'release-tests');
  });

  it('completes checklist tasks with a note and a link, and with an uploaded evidence file one can download', async () => {
    const s = site();
    const { release, tasks } = world();
    const [first, second] = tasks;
    if (!first || !second) throw new Error('the default template gives a release checklist tasks');
    const { context, page } = await s.signedIn('terry', ['technical-lead'], { path: tab(release, 'checklist') });
    await section(page, 'Checklist');
    const table = page.getByRole('table', { name: `Checklist of ${release}` });
    await expectAccessible(page, 'the checklist section');

    await page.getByRole('button', { name: `Complete “${first.title}”` }).click();
    let dialog = page.getByRole('dialog', { name: `Complete: ${first.title}` });
    await dialog.getByLabel('What was done').fill('Backups taken and checked');
    await dialog.getByLabel('Evidence link').fill('https://wiki.example.org/backups/42');
    await opened(dialog);
    await expectAccessible(page, 'the complete-task dialog');
    await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await table.getByRole('link', { name: 'https://wiki.example.org/backups/42' }).waitFor();

    await page.getByRole('button', { name: `Complete “${second.title}”` }).click();
    dialog = page.getByRole('dialog', { name: `Complete: ${second.title}` });
    await dialog.getByLabel('What was done').fill('Signed form attached');
    const chooser = page.waitForEvent('filechooser');
    await dialog.getByRole('button', { name: /Evidence file/ }).click();
    await (await chooser).setFiles({ name: 'signed-form.txt', mimeType: 'text/plain', buffer: Buffer.from('signed by the CMC\n') });
    await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const download = table.getByRole('link', { name: /Download signed-form\.txt/ });
    await download.waitFor();
    const href = await download.getAttribute('href');
    const res = await context.request.get(href ?? '');
    expect(res.status()).toBe(200);
    expect(await res.text()).toBe('signed by the CMC\n');

    const done = await releaseChecklist(s.deps, { name: release });
    const byId = new Map(done.tasks.map((t) => [t.task, t]));
    expect(byId.get(first.task)).toMatchObject({
      status: 'done',
      note: 'Backups taken and checked',
      evidence: { link: 'https://wiki.example.org/backups/42' },
    });
    expect(byId.get(second.task)).toMatchObject({
      status: 'done',
      note: 'Signed form attached',
      evidence: { fileName: 'signed-form.txt', size: 18 },
    });
    expect(await table.getByRole('row').filter({ hasText: first.title }).textContent()).toContain('done');
    await screenshot(page, 'release-checklist');
  });

  it('lists the mails about the release and opens one to read it', async () => {
    const s = site();
    const { release } = world();
    const { page } = await s.signedIn('terry', ['technical-lead'], { path: tab(release, 'mail') });
    await section(page, 'E-mails');
    const mails = page.getByRole('table', { name: `Mails about ${release}, newest first` });
    const row = mails.getByRole('row').filter({ hasText: `${release}: release notes` });
    await row.waitFor();
    expect(await row.textContent()).toContain('pending');
    await expectAccessible(page, 'the e-mails section');
    await row.getByRole('button', { name: `Read the mail “${release}: release notes”` }).click();
    const dialog = page.getByRole('dialog', { name: `${release}: release notes` });
    await dialog.getByText('Read before Friday.', { exact: false }).waitFor();
    expect(await dialog.textContent()).toContain(`Release notes for ${release}`);
    await opened(dialog);
    await expectAccessible(page, 'a mail opened');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await pick(page, 'Mail', 'Release notes to the deployment team');
    await page.getByLabel('Note for the mail').fill('Second round of notes.');
    await page.getByRole('button', { name: 'Send mail' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Queued: ${release}: release notes` })
      .waitFor();
    await expect
      .poll(() =>
        mails
          .getByRole('row')
          .filter({ hasText: `${release}: release notes` })
          .count(),
      )
      .toBe(2);

    // A mail the server kept refusing: its error is shown, and it may be tried again.
    const lead = (await s.person('terry', ['technical-lead'])).actor;
    const gaveUp = await sendReleaseMail(s.deps, lead, { name: release }, { template: 'deployment-notice' });
    await s.deps.database.kysely
      .updateTable('mail_outbox')
      .set({ status: 'failed', attempts: 5, last_error: '550 mailbox unavailable' })
      .where('id', '=', gaveUp.id)
      .execute();
    await page.reload();
    const failed = mails.getByRole('row').filter({ hasText: gaveUp.subject });
    await failed.getByText('failed, given up').waitFor();
    expect(await failed.textContent()).toContain('Error: 550 mailbox unavailable');
    await failed.getByRole('button', { name: `Retry the mail “${gaveUp.subject}”` }).click();
    await failed.getByText(/^pending/).waitFor();
  });

  it('shows the audit events newest first with what each was before and after, and the transitions', async () => {
    const s = site();
    const { release } = world();
    const { page } = await s.signedIn('terry', ['technical-lead'], { path: tab(release, 'audit') });
    await section(page, 'Audit events');
    await section(page, 'Transitions');
    const control = page.getByRole('button', { name: /^checklist\.complete by terry/ }).first();
    await control.click();
    const panel = page.getByRole('region', { name: /^checklist\.complete by terry/ }).first();
    await panel.getByText('Before', { exact: true }).waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('"status": "open"');
    expect(text).toContain('"status": "done"');
    // Newest first: the issue resolved in an earlier test comes before the release's creation.
    const actions = await page.getByRole('button', { name: / by (terry|system)/ }).allTextContents();
    const created = actions.findIndex((t) => t.startsWith('release.create'));
    const resolved = actions.findIndex((t) => t.startsWith('issue.resolve'));
    expect(resolved).toBeGreaterThanOrEqual(0);
    expect(created).toBeGreaterThan(resolved);
    await expectAccessible(page, 'the audit timeline with an event open');
    await screenshot(page, 'release-audit');
  });

  it('shows a viewer every section without a control that changes anything', async () => {
    const s = site();
    const { release } = world();
    const { page } = await s.signedIn('vera', ['viewer'], { path: tab(release, 'items') });
    const sections: [string, string][] = [
      ['items', 'Work items'],
      ['tests', 'Issues'],
      ['checklist', 'Checklist'],
      ['mail', 'E-mails'],
      ['audit', 'Audit events'],
    ];
    for (const [path, heading] of sections) {
      await page.goto(tab(release, path));
      await section(page, heading);
      await page.getByRole('status').filter({ hasText: 'Loading' }).waitFor({ state: 'detached' });
      for (const name of WRITE_BUTTONS) expect(await page.getByRole('button', { name }).count(), `${path}: ${String(name)}`).toBe(0);
      await expectAccessible(page, `the ${path} section for a viewer`);
    }
    // Overdue is said in words, not by colour alone.
    await page.goto(tab(world().soon, 'checklist'));
    const overdue = page
      .getByRole('table', { name: `Checklist of ${world().soon}` })
      .getByRole('row')
      .filter({ hasText: 'Overdue' });
    await overdue.first().waitFor();
    await expectAccessible(page, 'a checklist with overdue tasks');
  });
});
