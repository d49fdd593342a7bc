import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { prefersHtml } from '../../src/http/browser-sign-in.js';
import { dialects } from '../support/databases.js';
import { appPerFile, type Fixtures } from '../support/factories.js';
import { bearer, expectProblem } from '../support/http.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('which Accept headers are a browser navigating', () => {
  it('prefers HTML only when HTML is asked for explicitly and above JSON', () => {
    expect(prefersHtml(BROWSER)).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
    expect(prefersHtml('text/*, application/json;q=0.5')).toBe(true);
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('')).toBe(false);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml('application/json')).toBe(false);
    expect(prefersHtml('application/json, text/html')).toBe(false);
    expect(prefersHtml('text/html;q=0.5, application/json')).toBe(false);
    expect(prefersHtml('text/html;q=0, */*')).toBe(false);
    expect(prefersHtml('application/octet-stream, */*;q=0.1')).toBe(false);
  });
});

describe.each(dialects)('a signed-out browser following a download link on $name', ({ name: dialect }) => {
  let app: FastifyInstance, fx: Fixtures;
  appPerFile(dialect, (b) => ({ app, fx } = b));

  const PACKAGE_FILE = '/api/v1/releases/CFIS001/packages/web/1/file?app=cms-net';
  const EVIDENCE_FILE = '/api/v1/releases/CFIS001/checklist/backup-plan/evidence/plan%20v2.pdf';
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });

  it('is sent to the sign-in page with the path and query to come back to', async () => {
    for (const url of [PACKAGE_FILE, EVIDENCE_FILE]) {
      const res = await get(url, { accept: BROWSER });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
      expect(res.body).toBe('');
    }
  });

  it('leaves API clients with the 401 problem, and other routes with it even for browsers', async () => {
    for (const accept of ['application/json', '*/*', 'application/octet-stream'])
      expectProblem(await get(PACKAGE_FILE, { accept }), 401, 'unauthenticated');
    expectProblem(await get(EVIDENCE_FILE, {}), 401, 'unauthenticated');
    expectProblem(await get('/api/v1/releases/CFIS001', { accept: BROWSER }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'PUT', url: EVIDENCE_FILE, headers: { accept: BROWSER } }), 401, 'unauthenticated');
  });

  it('a signed-in browser reaches the route itself', async () => {
    const { token } = await fx.user({ roles: ['viewer'] });
    expectProblem(await get(PACKAGE_FILE, { accept: BROWSER, ...bearer(token) }), 404, 'not-found');
  });
});
