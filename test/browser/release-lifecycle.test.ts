import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { releaseRoad } from '../../src/services/lifecycle/road.js';
import { releaseEvidence } from '../../src/services/lifecycle/evidence-read.js';
import { listApprovals } from '../../src/services/lifecycle/approvals.js';
import { releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { describeBrowser, expectAccessible, screenshot, sitePerFile, type Site } from '../support/browser.js';
import { FULL_REPORT, startFlow, type Crew } from '../support/lifecycle-flow.js';
import type { ManualClock } from '../support/service-fixtures.js';

/** The site's clock ticks by itself; the flow's minute steps need not move it. */
const noClock = { advance: () => undefined } as unknown as ManualClock;

async function crewOf(s: Site): Promise<Crew> {
  const p = async (username: string, roles: string[]) => (await s.person(username, roles)).actor;
  return {
    lead: await p('terry', ['technical-lead']),
    dev: await p('dana', ['developer']),
    cmc: await p('carol', ['cmc']),
    cmc2: await p('chris', ['cmc']),
    analyst: await p('sam', ['systems-analyst']),
    deployer: await p('dora', ['deployment']),
    dbLead: await p('bill', ['database-lead']),
    viewer: await p('vera', ['viewer']),
  };
}

const roles: Record<string, string[]> = {
  terry: ['technical-lead'],
  dana: ['developer'],
  carol: ['cmc'],
  chris: ['cmc'],
  vera: ['viewer'],
};

/** The release page of `name` for one person, in their own browser context. */
async function open(s: Site, username: string, name: string, tab = ''): Promise<Page> {
  const { page } = await s.signedIn(username, roles[username] ?? [], { path: `/releases/${name}${tab ? `/${tab}` : ''}` });
  await page.getByRole('heading', { level: 1, name }).waitFor();
  return page;
}

describeBrowser('the release lifecycle in the browser', () => {
  const site = sitePerFile();
  let crew: Crew;
  const flow = async (options: Parameters<typeof startFlow>[3] = {}) => {
    const s = site();
    crew ??= await crewOf(s);
    return startFlow(s.deps, noClock, crew, options);
  };

  it('shows every state still ahead with what each gate lacks and the evidence of what holds', async () => {
    const s = site();
    const f = await flow();
    await f.transition(crew.dev, 'start-packaging');
    await f.pkg('database');
    await f.step('verify-package', 'database', crew.dev);
    const road = await releaseRoad(s.deps, crew.lead, { name: f.name });
    expect(road.steps.length).toBeGreaterThan(3);

    const page = await open(s, 'terry', f.name);
    const ahead = page.getByRole('list', { name: 'States ahead' });
    await ahead.waitFor();
    const steps = ahead.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3 }) });
    await expect.poll(() => steps.count()).toBe(road.steps.length);
    for (const [i, step] of road.steps.entries()) {
      await steps
        .nth(i)
        .getByRole('heading', { level: 3, name: `${i + 1}. ${step.toName}` })
        .waitFor();
      // Every unmet condition of every step is shown, not only the next transition's.
      for (const reason of step.unmet.slice(0, 3)) await steps.nth(i).getByText(reason, { exact: true }).first().waitFor();
    }
    // What holds shows its evidence: what, who, when.
    const evidence = road.steps.flatMap((st) => st.gates.flatMap((g) => g.evidence)).find((e) => e.by === 'dana');
    expect(evidence).toBeDefined();
    const escaped = evidence!.what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await page
      .getByText(new RegExp(`^${escaped} — dana, .*${new Date(evidence!.at).getFullYear()}`))
      .first()
      .waitFor();
    await expectAccessible(page, 'the road to production');
    await screenshot(page, 'release-road');
  });

  it('lists every unmet condition when a transition is refused', async () => {
    const s = site();
    const f = await flow();
    await f.transition(crew.dev, 'start-packaging');
    const unmet = await f.unmet('mark-package-verified', crew.dev);
    expect(unmet.length).toBeGreaterThan(1);

    const page = await open(s, 'dana', f.name);
    await page.getByRole('button', { name: 'Package verified' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Take transition' }).click();
    const alert = dialog.getByRole('alert');
    await alert.filter({ hasText: 'was refused' }).waitFor();
    for (const u of unmet) await alert.getByText(u, { exact: true }).waitFor();
    await expectAccessible(page, 'a refused transition');
  });

  it('lets a coordinator take a transition that needs a comment, asking for it', async () => {
    const s = site();
    const f = await flow();
    const page = await open(s, 'carol', f.name);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog');
    const take = dialog.getByRole('button', { name: 'Take transition' });
    expect(await take.isDisabled()).toBe(true);
    await dialog.getByLabel(/^Comment/).fill('The change moved to next month');
    await expectAccessible(page, 'the transition dialog');
    await take.click();
    await page.getByRole('status').filter({ hasText: 'the release is now Cancelled' }).waitFor();
    await page.getByLabel('State: cancelled').waitFor();
    const history = await releaseHistory(s.deps, { name: f.name });
    expect(history.at(-1)).toMatchObject({ transition: 'cancel', comment: 'The change moved to next month', performedBy: 'carol' });
    // The page's own change is not announced as someone else's, however often it looks.
    let polls = 0;
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.endsWith('/changes')) polls++;
    });
    await expect.poll(() => polls, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.getByRole('status').filter({ hasText: 'Changed by' }).count()).toBe(0);
  });

  it('shows a viewer the road and the approvals without a single control that changes anything', async () => {
    const s = site();
    const f = await flow();
    await f.toPackageVerified();
    await f.approve('at-go-ahead');
    // Coming from another section that reads the same template.
    const page = await open(s, 'vera', f.name, 'steps');
    await page.getByRole('heading', { level: 2 }).first().waitFor();
    await page.getByRole('navigation', { name: 'Release sections' }).getByRole('link', { name: 'Road to production' }).click();
    await page.getByRole('list', { name: 'States ahead' }).waitFor();
    await page.getByText('only Change Management Coordinator or Technical Lead may take it').first().waitFor();
    const writeButtons = () =>
      page.evaluate<string[]>(
        `[...document.querySelectorAll('main button, main [role="button"]')].filter((b) => !b.closest('nav') && !b.disabled).map((b) => b.textContent)`,
      );
    expect(await writeButtons()).toEqual([]);
    await page.getByRole('navigation', { name: 'Release sections' }).getByRole('link', { name: 'Approvals and reports' }).click();
    await page.getByRole('heading', { level: 3, name: 'Go-ahead to install in acceptance test' }).waitFor();
    await page.getByRole('table', { name: 'Decisions on Go-ahead to install in acceptance test' }).waitFor();
    expect(await writeButtons()).toEqual([]);
    await expectAccessible(page, 'the approvals as a viewer');
  });

  it('tells the second of two people changing the same release who changed it first, and shows the release as it is', async () => {
    const s = site();
    const f = await flow();
    await f.toPackageVerified();
    const first = await open(s, 'carol', f.name, 'approvals');
    const second = await open(s, 'chris', f.name, 'approvals');
    const step = (p: Page) => p.getByRole('region', { name: 'Go-ahead to install in acceptance test' });

    // Carol starts deciding; Chris approves meanwhile.
    await step(first).getByRole('button', { name: 'Approve' }).click();
    await first
      .getByRole('dialog')
      .getByLabel(/^Comment/)
      .fill('go ahead');
    await step(second).getByRole('button', { name: 'Approve' }).click();
    await second.getByRole('dialog').getByRole('button', { name: 'Confirm approval' }).click();
    await second.getByRole('status').filter({ hasText: 'Approved: Go-ahead to install in acceptance test' }).waitFor();

    await first.getByRole('dialog').getByRole('button', { name: 'Confirm approval' }).click();
    const alert = first.getByRole('dialog').getByRole('alert').filter({ hasText: 'Someone else changed this release first' });
    await alert.filter({ hasText: 'Changed by chris: approved at-go-ahead' }).waitFor();
    await expectAccessible(first, 'the conflict message');
    await first.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).click();
    // The page shows Chris's approval; Carol's was not written.
    await step(first)
      .getByRole('table', { name: /Decisions on/ })
      .getByRole('cell', { name: 'chris' })
      .waitFor();
    const steps = await listApprovals(s.deps, { name: f.name });
    expect(steps.find((x) => x.step === 'at-go-ahead')?.decisions.map((d) => d.decidedBy)).toEqual(['chris']);
  });

  it('shows a change made elsewhere on an open page within seconds', async () => {
    const s = site();
    const f = await flow();
    const page = await open(s, 'carol', f.name);
    await page.getByLabel('State: draft').waitFor();
    await f.transition(crew.dev, 'start-packaging');
    await page.getByRole('status').filter({ hasText: 'Changed by dana: start-packaging: draft → packaging' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('State: packaging').waitFor();
    await expectAccessible(page, 'the page after a live update');
  });

  it('approves and rejects, striking through the approvals a rejection voided, with why', async () => {
    const s = site();
    const f = await flow();
    await f.toPackageVerified();
    const carol = await open(s, 'carol', f.name, 'approvals');
    const step = carol.getByRole('region', { name: 'Go-ahead to install in acceptance test' });
    await step.getByRole('button', { name: 'Approve' }).click();
    await carol.getByRole('dialog').getByRole('button', { name: 'Confirm approval' }).click();
    await carol.getByRole('status').filter({ hasText: 'Approved: Go-ahead to install in acceptance test' }).waitFor();
    await step.getByText('Given (1 of 1)').waitFor();

    const chris = await open(s, 'chris', f.name, 'approvals');
    const step2 = chris.getByRole('region', { name: 'Go-ahead to install in acceptance test' });
    await step2.getByRole('button', { name: 'Reject' }).click();
    const dialog = chris.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: 'Confirm rejection' }).isDisabled()).toBe(true);
    await dialog.getByLabel(/^Comment/).fill('The database package is the wrong build');
    await dialog.getByRole('button', { name: 'Confirm rejection' }).click();
    await chris.getByRole('status').filter({ hasText: 'Rejected: Go-ahead to install in acceptance test' }).waitFor();

    const table = step2.getByRole('table', { name: 'Decisions on Go-ahead to install in acceptance test' });
    const approved = table.getByRole('row').filter({ hasText: 'carol' });
    await approved.getByRole('cell', { name: /^Voided/ }).waitFor();
    const struck = await approved
      .getByRole('cell', { name: 'carol' })
      .evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { textDecorationLine: string } }).getComputedStyle(el)
            .textDecorationLine,
      );
    expect(struck).toBe('line-through');
    await table
      .getByRole('row')
      .filter({ hasText: 'The database package is the wrong build' })
      .getByRole('cell', { name: 'Counts' })
      .waitFor();
    await expectAccessible(chris, 'approvals with a voided approval');
    await screenshot(chris, 'release-approvals');
  });

  it('asks for an approval, after which the one who asked may not give it', async () => {
    const s = site();
    const f = await flow();
    await s.person('lena', ['technical-lead', 'cmc']);
    roles.lena = ['technical-lead', 'cmc'];
    const page = await open(s, 'lena', f.name, 'approvals');
    const step = page.getByRole('region', { name: 'Approval of the production install' });
    await step.getByRole('button', { name: 'Approve' }).waitFor();
    await step.getByRole('button', { name: 'Ask for approval' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Comment/).fill('Ready once AT is signed off');
    await expectAccessible(page, 'the request dialog');
    await dialog.getByRole('button', { name: 'Send the request' }).click();
    await page.getByRole('status').filter({ hasText: 'Asked for Approval of the production install' }).waitFor();
    await step.getByText('You asked for it, so someone else decides it.').waitFor();
    expect(await step.getByRole('button', { name: 'Approve' }).count()).toBe(0);
  });

  it('signs a release off with every attestation confirmed', async () => {
    const s = site();
    const f = await flow();
    const page = await open(s, 'carol', f.name, 'approvals');
    const step = page.getByRole('region', { name: 'Sign-off of the release' });
    await step.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Confirm approval' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'The release addresses the signed-off requirements' }).waitFor();
    await dialog.getByLabel('The release addresses the signed-off requirements').check();
    await dialog.getByLabel('The implementation succeeded').check();
    await expectAccessible(page, 'the sign-off dialog');
    await dialog.getByRole('button', { name: 'Confirm approval' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved: Sign-off of the release' }).waitFor();
    await step.getByText(/confirmed: The release addresses the signed-off requirements; The implementation succeeded/).waitFor();
  });

  it('saves the Emergency Release Report with its help-desk references, refusing each bad one', async () => {
    const s = site();
    const f = await flow({ type: 'emergency', kinds: ['IR'] });
    const page = await open(s, 'terry', f.name, 'approvals');
    const report = page.getByRole('region', { name: 'Emergency Release Report' });
    await report.getByText('Not written yet.').waitFor();
    const labels: Record<string, string> = {
      summary: 'Summary of the change',
      'analysis-and-impact': 'Analysis and impact',
      'test-results': 'Test results',
      'sources-affected': 'Sources affected',
      'release-specifications': 'Release specifications',
    };
    for (const [part, label] of Object.entries(labels)) await report.getByLabel(label).fill(FULL_REPORT[part as keyof typeof FULL_REPORT]);
    await report.getByLabel('Help-desk references').fill('HD-IR, HD-9999, HD-8888');
    await report.getByRole('button', { name: 'Save the report' }).click();
    const alert = report.getByRole('alert').filter({ hasText: 'was not saved' });
    await alert.getByText(`HD-9999 is not the help-desk reference of any work item on ${f.name}`, { exact: false }).waitFor();
    await alert.getByText(`HD-8888 is not the help-desk reference of any work item on ${f.name}`, { exact: false }).waitFor();
    await expectAccessible(page, 'the report with refused references');

    await report.getByLabel('Help-desk references').fill('HD-IR');
    await report.getByRole('button', { name: 'Save the report' }).click();
    await report.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await report.getByText(/^Written by terry/).waitFor();
    const evidence = await releaseEvidence(s.deps, { name: f.name });
    expect(evidence.reports[0]).toMatchObject({ helpdeskRefs: ['HD-IR'], parts: FULL_REPORT, writtenBy: 'terry' });
    await expectAccessible(page, 'the saved report');
  });

  it('shows a release of 200 items without a request per item', async () => {
    const s = site();
    const f = await flow({ kinds: [] });
    for (let i = 0; i < 200; i++) await f.addItem('IR', `Change ${i}`);
    const { context, page } = await s.signedIn('terry', roles.terry!, { path: '/account' });
    await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
    const calls: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) calls.push(r.url());
    });
    await page.goto(`/releases/${f.name}`);
    await page.getByRole('list', { name: 'States ahead' }).waitFor();
    await page.getByRole('button', { name: 'Start packaging' }).waitFor();
    await page
      .getByText(/^200 work item\(s\)/)
      .first()
      .waitFor();
    expect(calls.length).toBeLessThan(12);
    await context.close();
  });
});
