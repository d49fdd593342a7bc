/**
 * The web application in a real browser: Debian's Chromium driven by
 * playwright-core, against a relman server on a loopback port serving the
 * built application (dist/web, made by `npm run build`).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { AxeResults, Result } from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import type { DialectCase } from './databases.js';
import { fixtures, type Fixtures, type TestUser } from './factories.js';
import { harness, userWith, type Harness } from './harness.js';
import { tickingClock } from './lifecycle-http.js';

export const CHROMIUM = process.env.RELMAN_CHROMIUM ?? '/usr/bin/chromium';
export const WEB_DIR = path.resolve(import.meta.dirname, '..', '..', 'dist', 'web');
/** Every person the browser tests make signs in with this. */
export const PASSWORD = 'correct horse battery staple';

const missing = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set RELMAN_CHROMIUM)`
  : !existsSync(path.join(WEB_DIR, 'index.html'))
    ? `the web application is not built (${WEB_DIR}): npm run build`
    : null;

/** `describe` for browser suites: skipped, saying why, where no Chromium is installed. */
export function describeBrowser(name: string, body: () => void): void {
  if (missing) {
    // CI installs Chromium: there, a missing browser is a failure, not a skip.
    if (process.env.RELMAN_REQUIRE_BROWSER === '1') throw new Error(`browser tests cannot run: ${missing}`);
    describe.skip(`${name} — skipped: ${missing}`, body);
    return;
  }
  describe(name, body);
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export type Site = {
  h: Harness;
  deps: ServiceDeps;
  fx: Fixtures;
  app: FastifyInstance;
  /** The store the server keeps package files in (a deployment executor reads them from it). */
  artifacts: FileArtifactStore;
  /** `http://127.0.0.1:PORT` */
  url: string;
  browser: Browser;
  /** A user with these roles, signed in in a fresh browser context (its own cookies): one tab of theirs. */
  signedIn(username: string, roles: string[], opts?: { path?: string }): Promise<{ context: BrowserContext; page: Page }>;
  /** A user who can sign in with PASSWORD (made once per username), with the actor services take and an API token. */
  person(username: string, roles: string[]): Promise<TestUser>;
};

/**
 * One relman server (SQLite, a ticking clock) and one Chromium for the tests of
 * the enclosing describe. Each person gets their own browser context. With
 * `secretKey`, the server can seal stored secrets (RELMAN_SECRET_KEY).
 */
export function sitePerFile(
  setup: (site: Site) => unknown = () => undefined,
  dialect: DialectCase['name'] = 'sqlite',
  options: { secretKey?: Buffer | undefined } = {},
): () => Site {
  let site: Site | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    const h = await harness(dialect, tickingClock(new Date(Date.now() - 3600_000).toISOString()), { secretKey: options.secretKey });
    const artifacts = new FileArtifactStore(mkdtempSync(path.join(os.tmpdir(), 'relman-ui-artifacts-')));
    const app = await buildApp({ deps: h.deps, logLevel: 'silent', webDir: WEB_DIR, artifacts });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    const made = new Map<string, TestUser>();
    const s: Site = {
      h,
      deps: h.deps,
      fx: fixtures(h.deps),
      app,
      artifacts,
      url,
      browser,
      async person(username, roles) {
        let u = made.get(username);
        if (!u) {
          u = await userWith(h.deps, roles, username);
          made.set(username, u);
        }
        return u;
      },
      async signedIn(username, roles, opts = {}) {
        await s.person(username, roles);
        const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 900 } });
        contexts.push(context);
        const res = await context.request.post('/api/v1/session', { data: { username, password: PASSWORD } });
        expect(res.status(), await res.text()).toBe(200);
        const page = await context.newPage();
        await page.goto(opts.path ?? '/');
        return { context, page };
      },
    };
    site = s;
    await setup(s);
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await site?.browser.close();
    await site?.app.close();
    await site?.h.close();
  });
  return () => {
    if (!site) throw new Error('the site is made in beforeAll');
    return site;
  };
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result: AxeResults = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v: Result) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v: Result) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} (${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()})`).join(', ')}`,
    );
  expect(bad, `accessibility of ${what}`).toEqual([]);
}

/** With RELMAN_SCREENSHOTS=1 (npm run screenshots), saves the page as docs/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  if (process.env.RELMAN_SCREENSHOTS !== '1') return;
  const dir = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  // A dialog is shown over the window it opened in, not over the whole scrolled page.
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: opts.fullPage ?? true });
}
