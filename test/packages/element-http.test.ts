import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { tickingClock, V } from '../support/lifecycle-http.js';
import { fixture, packagesApp, packagesUrl, sha256, staticZip, upload, type PackagesApp } from '../support/packages.js';

const V1 = fixture('CFIS001-v1.xml');
const V2 = fixture('CFIS001-v2.xml');

const enc = encodeURIComponent;

describe.each(dialects)('one element of a release file over HTTP ($name)', ({ name: dialect }) => {
  let h: Harness;
  let pa: PackagesApp;
  let dev: Call;
  let release: string;

  const get = (rest: string) => dev('GET', packagesUrl(release, rest));
  const element = async (version: string, key: string) => expectJson(await get(`/database/${version}/elements/${enc(key)}`), 200);
  const elementDiff = async (query: string) => expectJson(await get(`/database/element-diff?${query}`), 200);

  beforeAll(async () => {
    h = await harness(dialect, tickingClock());
    pa = await packagesApp(h.deps);
    dev = caller(pa.app, (await userWith(h.deps, ['developer'], 'dev-dee')).token);
    const lead = caller(pa.app, (await userWith(h.deps, ['technical-lead'], 'lead-lee')).token);
    const r = expectJson(
      await lead('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-02-02', channels: ['database', 'web'] }),
      201,
    );
    release = r.name as string;
    expectJson(await upload(dev, release, 'database', 'CFIS001-v1.xml', V1), 201);
    expectJson(await upload(dev, release, 'database', 'CFIS001-v2.xml', V2), 201);
    expectJson(await upload(dev, release, 'web', 'static.zip', await staticZip()), 201);
  });
  afterAll(async () => {
    await pa?.close();
    await h?.close();
  });

  it('gives a class’s text from a stored version, member by member, without save stamps', async () => {
    const e = await element('1', 'class:CMS.Claims.Totals');
    expect(e).toMatchObject({ element: 'class:CMS.Claims.Totals', type: 'class', name: 'CMS.Claims.Totals', version: 1 });
    expect(e.text).toMatch(/^Class CMS\.Claims\.Totals\n/);
    expect(e.text).toContain('\nProperty Claim\n    Type: %String\n');
    expect(e.text).toContain('\nMethod Total\n');
    expect(e.text).toContain('\tquit tTotal*2\n');
    expect(e.text).not.toMatch(/TimeChanged|TimeCreated|65752/);
    const latest = await element('latest', 'class:CMS.Claims.Totals');
    expect(latest.version).toBe(2);
    expect(latest.text).toContain('\tquit tTotal\n');
  });

  it('gives a routine’s code', async () => {
    const e = await element('2', 'routine:CMSUTIL.MAC');
    expect(e.type).toBe('routine');
    expect(e.text).not.toContain('timestamp');
    expect(e.text.length).toBeGreaterThan(0);
  });

  it('takes a CSP page, whose name holds slashes, encoded in the path', async () => {
    const e = await element('1', 'csp:/csp/cms/login.csp');
    expect(e).toMatchObject({ type: 'csp', name: '/csp/cms/login.csp', version: 1 });
    expect(e.text.length).toBeGreaterThan(0);
  });

  it('answers 404 for an element the version does not hold', async () => {
    expectProblem(await get(`/database/1/elements/${enc('class:CMS.Claims.Split')}`), 404, 'not-found');
    expectProblem(await get(`/database/9/elements/${enc('class:CMS.Patient')}`), 404, 'not-found');
  });

  it('names the changed method and gives a unified diff between two versions', async () => {
    const d = await elementDiff(`element=${enc('class:CMS.Claims.Totals')}&from=1&to=2`);
    expect(d.element).toBe('class:CMS.Claims.Totals');
    expect(d.from).toMatchObject({ release, version: 1, text: expect.stringContaining('tTotal*2') });
    expect(d.to).toMatchObject({ release, version: 2, text: expect.stringContaining('quit tTotal\n') });
    expect(d.members).toEqual([{ kind: 'method', name: 'Total', change: 'changed' }]);
    expect(d.unified).toContain('--- class:CMS.Claims.Totals');
    expect(d.unified).toContain('\n-        \tquit tTotal*2\n+        \tquit tTotal\n');
    expect(d.unified).not.toMatch(/TimeChanged/);
    // Default: the latest and the version before it.
    expect(await elementDiff(`element=${enc('class:CMS.Claims.Totals')}`)).toEqual(d);
  });

  it('shows no change for elements that were only re-saved (new TimeChanged, routine timestamp, project LastModified)', async () => {
    for (const key of ['class:CMS.Patient', 'routine:CMSUTIL.MAC', 'project:CFIS001']) {
      const d = await elementDiff(`element=${enc(key)}&from=1&to=2`);
      expect(d.members, key).toEqual([]);
      expect(d.unified, key).toBe('');
      expect(d.from.text, key).toBe(d.to.text);
    }
  });

  it('gives null text for the version that lacks the element, every member added or removed', async () => {
    const added = await elementDiff(`element=${enc('class:CMS.Claims.Split')}&from=1&to=2`);
    expect(added.from.text).toBeNull();
    expect(added.members).toEqual([
      { kind: 'class', name: 'CMS.Claims.Split', change: 'added' },
      { kind: 'property', name: 'Amount', change: 'added' },
    ]);
    expect(added.unified).toContain('+Class CMS.Claims.Split');
    const removed = await elementDiff(`element=${enc('class:%ZCMS.Legacy')}&from=1&to=2`);
    expect(removed.to.text).toBeNull();
    expect(removed.members.every((m: { change: string }) => m.change === 'removed')).toBe(true);
    expectProblem(await get(`/database/element-diff?element=${enc('class:CMS.Nowhere')}&from=1&to=2`), 404, 'not-found');
  });

  it('refuses hostile and malformed element names: 400 for no known type, 404 for a name that is no element', async () => {
    for (const key of ['../../etc/passwd', 'file:../../etc/passwd', 'class:', 'CLASS:CMS.Patient', 'class:a\u0000b']) {
      expectProblem(await get(`/database/1/elements/${enc(key)}`), 400);
      expectProblem(await get(`/database/element-diff?element=${enc(key)}&from=1&to=2`), 400);
    }
    expectProblem(await get(`/database/1/elements/${enc('class:../../../etc/passwd')}`), 404, 'not-found');
    // The router's limit on a path segment comes first; in the query the schema's limit answers.
    expectProblem(await get(`/database/1/elements/${enc(`class:${'x'.repeat(300)}`)}`), 414);
    expectProblem(await get(`/database/element-diff?element=${enc(`class:${'x'.repeat(700)}`)}`), 400);
    expectProblem(await get('/database/element-diff?from=1&to=2'), 400);
    expectProblem(await get(`/database/element-diff?element=${enc('class:CMS.Patient')}&path=/etc/passwd`), 400);
  });

  it('refuses an element of an archive (422), and answers only a signed-in user', async () => {
    expectProblem(await get(`/web/1/elements/${enc('class:CMS.Patient')}`), 422, 'validation');
    const anonymous = await pa.app.inject({ method: 'GET', url: packagesUrl(release, `/database/1/elements/${enc('class:CMS.Patient')}`) });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 500 artifact-corrupt when the stored file is gone', async () => {
    const file = pa.store.localPath(sha256(V1));
    const saved = readFileSync(file);
    rmSync(file);
    try {
      const p = expectProblem(await get(`/database/1/elements/${enc('class:CMS.Patient')}`), 500, 'artifact-corrupt');
      expect(p.detail).toContain('missing');
    } finally {
      writeFileSync(file, saved);
    }
    expect((await element('1', 'class:CMS.Patient')).version).toBe(1);
  });

  it('documents both routes in the OpenAPI document', async () => {
    const doc = (await pa.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const paths = Object.keys(doc.paths as object);
    expect(paths).toContain('/api/v1/releases/{name}/packages/{channel}/element-diff');
    expect(paths).toContain('/api/v1/releases/{name}/packages/{channel}/{version}/elements/{element}');
    const op = doc.paths['/api/v1/releases/{name}/packages/{channel}/element-diff'].get;
    expect(op.tags).toEqual(['packages']);
    expect(op.responses['200']).toBeDefined();
  });
});
