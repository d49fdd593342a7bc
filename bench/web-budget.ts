import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { buildApp } from '../src/http/app.js';
import { FileArtifactStore } from '../src/integrations/storage/artifact-store.js';
import { SYSTEM_ACTOR } from '../src/services/actor.js';
import { createRelease } from '../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../src/services/work-items.js';
import { ADMIN_PASSWORD, benchDatabase, fmt, printTable } from './common.js';
import { ROOT } from './server-process.js';

const CHROMIUM = process.env.RELMAN_CHROMIUM ?? '/usr/bin/chromium';
const WEB_DIR = path.join(ROOT, 'dist', 'web');
const FIRST_PAGE_BUDGET_KIB = 250;
const RENDER_BUDGET_MS = 1000;
const ITEMS = Number(process.env.BENCH_WEB_ITEMS ?? 200);
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);
const EXPORT = path.join(ROOT, 'test', 'fixtures', 'cache-exports', 'CFIS014.v1.xml');

/** Scripts a page loaded, in bytes as sent (gzip), from the responses the browser saw. */
function scriptBytes(page: Page): () => number {
  let total = 0;
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'script') return;
    total += Number(res.headers()['content-length'] ?? 0);
  });
  return () => total;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * The web application's budgets: the JavaScript the first page loads (gzipped,
 * against 250 KiB), and the time a release with ITEMS work items and three
 * package versions takes to render its page (against 1 s), beside the time the
 * same browser takes to render the sign-in page (the baseline: the application
 * with no data).
 */
export async function benchWebBudget(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  if (!existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error('the web application is not built: npm run build');
  const db = await benchDatabase('sqlite');
  const artifacts = new FileArtifactStore(mkdtempSync(path.join(os.tmpdir(), 'relman-bench-artifacts-')));
  const app = await buildApp({ deps: db.deps, logLevel: 'silent', webDir: WEB_DIR, artifacts });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  try {
    const release = await createRelease(db.deps, SYSTEM_ACTOR, {
      type: 'scheduled',
      plannedDate: '2026-12-05',
      channels: ['database', 'web'],
      title: 'Budget',
    });
    for (let i = 1; i <= ITEMS; i++) {
      const it = await createWorkItem(db.deps, SYSTEM_ACTOR, {
        kind: 'IR',
        helpdeskRef: `HD-${i}`,
        title: `Work item ${i}`,
        elements: [{ type: 'class', name: `CMS.Budget${i}` }],
      });
      await assignWorkItem(db.deps, SYSTEM_ACTOR, { key: it.key }, { release: release.name, move: false });
    }

    // Signed out: the sign-in page, what a first visit loads.
    const context = await browser.newContext({ baseURL: url });
    const first = await context.newPage();
    const firstScripts = scriptBytes(first);
    await first.goto('/', { waitUntil: 'networkidle' });
    await first.getByRole('heading', { name: 'Sign in to relman' }).waitFor();
    const signInKib = firstScripts() / 1024;

    const session = await context.request.post('/api/v1/session', { data: { username: 'admin', password: ADMIN_PASSWORD } });
    if (session.status() !== 200) throw new Error(`sign-in: ${session.status()}`);
    const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
    const base = readFileSync(EXPORT);
    for (let v = 1; v <= 3; v++) {
      const body = Buffer.concat([base, Buffer.from(`\n<!-- version ${v} -->\n`)]);
      const res = await context.request.put(`/api/v1/releases/${release.name}/packages/database/files/${release.name}.xml`, {
        headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf },
        data: body,
      });
      if (res.status() !== 201) throw new Error(`upload v${v}: ${res.status()} ${await res.text()}`);
    }

    // Signed in: the start page, what every working day begins with.
    const home = await context.newPage();
    const homeScripts = scriptBytes(home);
    await home.goto('/', { waitUntil: 'networkidle' });
    await home.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    const homeKib = homeScripts() / 1024;

    const signInMs: number[] = [];
    const releaseMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const fresh = await browser.newContext({ baseURL: url, storageState: await context.storageState() });
      const a = await fresh.newPage();
      await a.goto('/api/v1/healthz');
      let t0 = performance.now();
      await a.goto('/sign-in?next=/account');
      await a.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
      signInMs.push(performance.now() - t0);

      const b = await fresh.newPage();
      await b.goto('/api/v1/healthz');
      t0 = performance.now();
      await b.goto(`/releases/${release.name}/items`);
      await b.getByRole('heading', { level: 1, name: release.name }).waitFor();
      await b.getByText(`Work item ${ITEMS}`, { exact: true }).first().waitFor();
      releaseMs.push(performance.now() - t0);
      await fresh.close();
    }

    const kib = Math.max(signInKib, homeKib);
    printTable(
      ['measure', 'value', 'budget', 'ratio', 'goal'],
      [
        [
          'JS of the first page, signed out (KiB gz)',
          fmt(signInKib, 1),
          String(FIRST_PAGE_BUDGET_KIB),
          fmt(signInKib / FIRST_PAGE_BUDGET_KIB, 2),
          kib <= FIRST_PAGE_BUDGET_KIB ? 'met' : 'NOT met',
        ],
        [
          'JS of the start page, signed in (KiB gz)',
          fmt(homeKib, 1),
          String(FIRST_PAGE_BUDGET_KIB),
          fmt(homeKib / FIRST_PAGE_BUDGET_KIB, 2),
          homeKib <= FIRST_PAGE_BUDGET_KIB ? 'met' : 'NOT met',
        ],
        ['baseline: an empty page (account), median ms', fmt(median(signInMs)), '', '', ''],
        [
          `release page, ${ITEMS} items + 3 package versions, median ms`,
          fmt(median(releaseMs)),
          String(RENDER_BUDGET_MS),
          `${fmt(median(releaseMs) / RENDER_BUDGET_MS, 2)} of budget, ${fmt(median(releaseMs) / median(signInMs), 2)}× baseline`,
          median(releaseMs) < RENDER_BUDGET_MS ? 'met' : 'NOT met',
        ],
      ],
    );
    await context.close();
  } finally {
    await browser.close();
    await app.close();
    await db.close();
  }
}
