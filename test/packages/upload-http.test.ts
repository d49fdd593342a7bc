import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadPackage } from '../../src/services/packages/upload.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { makeCrew, MINUTE, startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { tickingClock, V } from '../support/lifecycle-http.js';
import {
  blobPath,
  el,
  fileVersions,
  fixture,
  httpGet,
  keysOf,
  packagesApp,
  packagesUrl,
  sha256,
  staticZip,
  settledStoreFiles,
  streamAll,
  streamUpload,
  upload,
  uploadEvents,
  uploadUrl,
  war,
  type El,
  type PackagesApp,
} from '../support/packages.js';
import { manualClock } from '../support/service-fixtures.js';

const V1 = fixture('CFIS001-v1.xml');
const V2 = fixture('CFIS001-v2.xml');

const V1_KEYS = [
  'class:%ZCMS.Legacy',
  'class:%ZCMS.Util',
  'class:CMS.Claims.Totals',
  'class:CMS.Patient',
  'routine:%ZCMSLOG.MAC',
  'routine:CMSMacros.INC',
  'routine:CMSUTIL.MAC',
  'csp:/csp/cms/login.csp',
  'project:CFIS001',
];
const PROJECT_ITEMS = [
  { name: '%ZCMS', type: 'PKG' },
  { name: 'CMS.Claims', type: 'PKG' },
  { name: 'CMS.Patient', type: 'CLS' },
  { name: '%ZCMSLOG.MAC', type: 'MAC' },
  { name: 'CMSMacros.INC', type: 'MAC' },
  { name: 'CMSUTIL.MAC', type: 'MAC' },
  { name: 'csp/cms/login.csp', type: 'CSP' },
];

describe.each(dialects)('package files over HTTP ($name)', ({ name: dialect }) => {
  let h: Harness;
  let pa: PackagesApp;
  let dev: Call;
  let lead: Call;
  let devToken: string;
  let release: string;
  let ir: string;
  let smcr: string;

  const item = async (kind: string, elements: El[]): Promise<string> => {
    const it = expectJson(await dev('POST', `${V}/items`, { kind, helpdeskRef: `HD-${kind}`, title: `${kind} change`, elements }), 201);
    expectJson(await lead('PUT', `${V}/items/${it.key}/release`, { release }), 200);
    return it.key as string;
  };
  const get = async (rest: string) => expectJson(await dev('GET', packagesUrl(release, rest)), 200);

  beforeAll(async () => {
    h = await harness(dialect, tickingClock());
    pa = await packagesApp(h.deps);
    const d = await userWith(h.deps, ['developer'], 'dev-dee');
    devToken = d.token;
    dev = caller(pa.app, d.token);
    lead = caller(pa.app, (await userWith(h.deps, ['technical-lead'], 'lead-lee')).token);
    const r = expectJson(
      await lead('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-02-02', channels: ['database', 'web'] }),
      201,
    );
    release = r.name as string;
    // The web file is another channel's element: database coverage ignores it.
    ir = await item('IR', [
      el('class', '%ZCMS.Util'),
      el('routine', 'CMSUTIL.MAC'),
      el('class', 'CMS.Claims.Split'),
      el('web-file', 'static/js/app.js'),
    ]);
  });
  afterAll(async () => {
    await pa?.close();
    await h?.close();
  });

  it('stores a release file as version 1 of the database channel and records one audit event', async () => {
    const before = (await uploadEvents(h.deps)).length;
    const res = expectJson(await upload(dev, release, 'database', 'CFIS001-v1.xml', V1), 201);
    expect(res).toMatchObject({
      channel: 'database',
      version: 1,
      label: 'CFIS001-v1.xml',
      createdBy: 'dev-dee',
      file: { name: 'CFIS001-v1.xml', kind: 'cache-xml', size: V1.length, sha256: sha256(V1) },
      reused: false,
      voidedApprovals: 0,
    });
    expect(res.coverage).toEqual({
      version: 1,
      files: [expect.objectContaining({ version: 1, kind: 'cache-xml', fileName: 'CFIS001-v1.xml', sha256: sha256(V1) })],
      complete: false,
      items: [{ item: ir, missing: [el('class', 'CMS.Claims.Split')] }],
      undeclared: [
        el('class', '%ZCMS.Legacy'),
        el('class', 'CMS.Claims.Totals'),
        el('class', 'CMS.Patient'),
        el('routine', '%ZCMSLOG.MAC'),
        el('routine', 'CMSMacros.INC'),
        el('csp', '/csp/cms/login.csp'),
      ],
    });
    const events = await uploadEvents(h.deps);
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)?.after).toMatchObject({ channel: 'database', version: 1, file: { sha256: sha256(V1) } });
    expect(await settledStoreFiles(pa.root)).toEqual({ sha256: [blobPath(sha256(V1))], tmp: [] });
    expect(readFileSync(pa.store.localPath(sha256(V1)))).toEqual(V1);
  });

  it('lists the elements of the stored file, for a version number and for latest', async () => {
    const m = await get('/database/1');
    expect(m).toMatchObject({
      version: 1,
      file: { kind: 'cache-xml' },
      manifest: { format: 'cache-export', generator: 'Cache', version: '25' },
    });
    expect(keysOf(m.manifest.elements)).toEqual(V1_KEYS);
    for (const e of m.manifest.elements)
      expect(e).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number) });
    expect(m.manifest.elements.at(-1).items).toEqual(PROJECT_ITEMS);
    expect(await get('/database/latest')).toEqual(m);
    const list = await get('');
    expect(list.items).toEqual([
      expect.objectContaining({ channel: 'database', version: 1, file: expect.objectContaining({ sha256: sha256(V1) }) }),
    ]);
    expectProblem(await dev('GET', packagesUrl(release, '/database/9')), 404, 'not-found');
  });

  it('recognises the same bytes for the same items as the same release file: 200, reused, nothing new recorded', async () => {
    const events = (await uploadEvents(h.deps)).length;
    const res = expectJson(await upload(dev, release, 'database', 'CFIS001-again.xml', V1), 200);
    expect(res).toMatchObject({ version: 1, reused: true, label: 'CFIS001-v1.xml', file: { sha256: sha256(V1) } });
    expect(await fileVersions(h.deps)).toHaveLength(1);
    expect(await uploadEvents(h.deps)).toHaveLength(events);
    expect(await settledStoreFiles(pa.root)).toEqual({ sha256: [blobPath(sha256(V1))], tmp: [] });
  });

  it('makes version 2 from the same bytes once another item joined, keeping one copy of the bytes', async () => {
    smcr = await item('SMCR', [el('class', '%ZCMS.Legacy'), el('routine', '%ZCMSLOG.MAC')]);
    const res = expectJson(await upload(dev, release, 'database', 'CFIS001-v1.xml', V1), 201);
    expect(res).toMatchObject({ version: 2, reused: false, file: { sha256: sha256(V1), size: V1.length } });
    expect((await fileVersions(h.deps)).map((v) => [v.version, v.sha256])).toEqual([
      [1, sha256(V1)],
      [2, sha256(V1)],
    ]);
    expect(await settledStoreFiles(pa.root)).toEqual({ sha256: [blobPath(sha256(V1))], tmp: [] });
  });

  it('records the next export as version 3 and diffs it against version 2 element by element', async () => {
    const events = (await uploadEvents(h.deps)).length;
    expect(expectJson(await upload(dev, release, 'database', 'CFIS001-v2.xml', V2), 201)).toMatchObject({ version: 3, reused: false });
    expect(await uploadEvents(h.deps)).toHaveLength(events + 1);
    const diff = await get('/database/diff?from=2&to=3');
    expect(diff).toMatchObject({
      from: { release, version: 2, fileName: 'CFIS001-v1.xml' },
      to: { release, version: 3, fileName: 'CFIS001-v2.xml' },
      kind: 'cache-xml',
    });
    expect(keysOf(diff.added)).toEqual(['class:CMS.Claims.Split']);
    expect(keysOf(diff.removed)).toEqual(['class:%ZCMS.Legacy']);
    expect(diff.changed.map((c: { before: El; after: El }) => keysOf([c.before, c.after]))).toEqual([
      ['class:CMS.Claims.Totals', 'class:CMS.Claims.Totals'],
    ]);
    // Re-saved only (new TimeChanged, routine timestamp, project LastModified): unchanged.
    expect(diff.unchanged).toBe(7);
    expect(await get('/database/diff')).toEqual(diff);
    expect((await settledStoreFiles(pa.root)).sha256.sort()).toEqual([blobPath(sha256(V1)), blobPath(sha256(V2))].sort());
  });

  it('reports per item the declared elements missing from a version, and the elements no item declares', async () => {
    expect(await get('/database/2/coverage')).toEqual({
      version: 2,
      files: [expect.objectContaining({ version: 2, kind: 'cache-xml' })],
      complete: false,
      items: [
        { item: ir, missing: [el('class', 'CMS.Claims.Split')] },
        { item: smcr, missing: [] },
      ],
      undeclared: [
        el('class', 'CMS.Claims.Totals'),
        el('class', 'CMS.Patient'),
        el('routine', 'CMSMacros.INC'),
        el('csp', '/csp/cms/login.csp'),
      ],
    });
    expect(await get('/database/latest/coverage')).toEqual({
      version: 3,
      files: [expect.objectContaining({ version: 3, kind: 'cache-xml', uploadedBy: 'dev-dee' })],
      complete: false,
      items: [
        { item: ir, missing: [] },
        { item: smcr, missing: [el('class', '%ZCMS.Legacy')] },
      ],
      undeclared: [
        el('class', 'CMS.Claims.Totals'),
        el('class', 'CMS.Patient'),
        el('routine', 'CMSMacros.INC'),
        el('csp', '/csp/cms/login.csp'),
      ],
    });
  });

  it('downloads the exact bytes with their checksum', async () => {
    for (const [version, bytes, name] of [
      ['1', V1, 'CFIS001-v1.xml'],
      ['latest', V2, 'CFIS001-v2.xml'],
    ] as const) {
      const res = await dev('GET', packagesUrl(release, `/database/${version}/file`));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['x-checksum-sha256']).toBe(sha256(bytes));
      expect(res.headers['content-length']).toBe(String(bytes.length));
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
      expect(res.rawPayload.equals(bytes)).toBe(true);
    }
  });

  it('refuses to send a damaged or missing stored file, and is repaired by uploading the same bytes again', async () => {
    const file = pa.store.localPath(sha256(V2));
    const tampered = Buffer.from(V2);
    tampered[tampered.indexOf('tTotal')] = 0x78;
    writeFileSync(file, tampered);
    try {
      const res = await dev('GET', packagesUrl(release, '/database/3/file'));
      const p = expectProblem(res, 500, 'artifact-corrupt');
      expect(p.detail).toContain('corrupt');
      expect(res.headers['x-checksum-sha256']).toBeUndefined();
      expect(res.body).not.toContain('tTotal');
      // Versions 1 and 2 are other bytes: still served.
      expect((await dev('GET', packagesUrl(release, '/database/1/file'))).rawPayload.equals(V1)).toBe(true);

      // The same release file again: no new version, and the good bytes replace the damaged copy.
      expect(expectJson(await upload(dev, release, 'database', 'CFIS001-v2.xml', V2), 200)).toMatchObject({ version: 3, reused: true });
      expect(readFileSync(file).equals(V2)).toBe(true);
      expect((await dev('GET', packagesUrl(release, '/database/3/file'))).rawPayload.equals(V2)).toBe(true);

      rmSync(pa.store.localPath(sha256(V1)));
      expect(expectProblem(await dev('GET', packagesUrl(release, '/database/2/file')), 500, 'artifact-corrupt').detail).toContain(
        'missing',
      );
    } finally {
      writeFileSync(pa.store.localPath(sha256(V1)), V1);
      writeFileSync(file, V2);
    }
    expect((await dev('GET', packagesUrl(release, '/database/2/file'))).statusCode).toBe(200);
    expect((await settledStoreFiles(pa.root)).tmp).toEqual([]);
  });

  it('takes a static ZIP and a WAR on the web channel, with the WAR’s deployment information, and diffs two WARs', async () => {
    const zip = await staticZip();
    const z = expectJson(await upload(dev, release, 'web', 'cms-static.zip', zip), 201);
    expect(z).toMatchObject({ channel: 'web', version: 1, file: { kind: 'zip', size: zip.length, sha256: sha256(zip) } });
    const zm = (await get('/web/1')).manifest;
    expect(zm.format).toBe('zip');
    expect(zm.war).toBeUndefined();
    expect(zm.entries.map((e: { name: string }) => e.name)).toEqual([
      'static/',
      'static/index.html',
      'static/css/site.css',
      'static/js/app.js',
      'static/img/logo.png',
    ]);

    const w1 = await war(1);
    expect(expectJson(await upload(dev, release, 'web', 'cms-web.war', w1), 201)).toMatchObject({ version: 2, file: { kind: 'war' } });
    expect((await get('/web/2')).manifest.war).toEqual({ webXml: true, libJars: ['cms-core.jar', 'commons-lang3-3.14.0.jar'], classes: 1 });
    const w2 = await war(2);
    expect(expectJson(await upload(dev, release, 'web', 'cms-web.war', w2), 201)).toMatchObject({
      version: 3,
      file: { kind: 'war', sha256: sha256(w2) },
    });
    expect((await get('/web/3')).manifest.war.libJars).toEqual(['cms-core.jar', 'commons-lang3-3.14.0.jar', 'jackson-databind-2.17.jar']);

    const diff = await get('/web/diff?from=2&to=3');
    expect(diff.kind).toBe('war');
    expect(diff.added.map((e: { name: string }) => e.name)).toEqual(['WEB-INF/lib/jackson-databind-2.17.jar']);
    expect(diff.removed.map((e: { name: string }) => e.name)).toEqual(['index.jsp']);
    expect(diff.changed.map((c: { after: { name: string } }) => c.after.name)).toEqual(['WEB-INF/classes/gov/cms/ClaimServlet.class']);
    expect(diff.unchanged).toBe(4);
    // By default the previous file of the same kind, even with the other kind in between.
    const zip2 = await staticZip('window.cms = { version: 2 };\n');
    expect(expectJson(await upload(dev, release, 'web', 'cms-static.zip', zip2), 201)).toMatchObject({ version: 4, file: { kind: 'zip' } });
    const zipDiff = await get('/web/diff');
    expect(zipDiff).toMatchObject({ from: { version: 1 }, to: { version: 4 }, kind: 'zip', added: [], removed: [], unchanged: 4 });
    expect(zipDiff.changed.map((c: { after: { name: string } }) => c.after.name)).toEqual(['static/js/app.js']);
    expect(await get('/web/diff?to=3')).toEqual(diff);
    // A ZIP and a WAR are not two versions of one file.
    expectProblem(await dev('GET', packagesUrl(release, '/web/diff?from=1&to=3')), 422, 'validation');

    // The web item's file is in the static ZIP.
    const cov = await get('/web/1/coverage');
    expect(cov.items).toEqual([
      { item: ir, missing: [] },
      { item: smcr, missing: [] },
    ]);
  });

  it('takes a body streamed over a real socket in small chunks', async () => {
    const r = expectJson(
      await lead('POST', `${V}/releases`, { type: 'expedited', plannedDate: '2030-02-09', channels: ['database'] }),
      201,
    );
    const address = await pa.app.listen({ host: '127.0.0.1', port: 0 });
    const up = streamUpload(address, uploadUrl(r.name as string, 'database', 'CFIS002.xml'), devToken);
    await streamAll(up, V2);
    const outcome = await up.outcome;
    if ('error' in outcome) throw outcome.error;
    expect(outcome.status, outcome.body).toBe(201);
    expect(JSON.parse(outcome.body)).toMatchObject({ version: 1, file: { sha256: sha256(V2), size: V2.length, kind: 'cache-xml' } });
    const res = await httpGet(address, packagesUrl(r.name as string, '/database/1/file'), devToken);
    expect(res.status).toBe(200);
    expect(res.headers['x-checksum-sha256']).toBe(sha256(V2));
    expect(res.body.equals(V2)).toBe(true);
    expect((await settledStoreFiles(pa.root)).tmp).toEqual([]);
  });

  it('records the same manifest when the export is read from the stored file (RELMAN_UPLOAD_STREAM_MANIFEST=0)', async () => {
    const streamed = (await get('/database/1')).manifest;
    const other = expectJson(
      await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-03-03', channels: ['database'] }),
      201,
    ).name as string;
    process.env.RELMAN_UPLOAD_STREAM_MANIFEST = '0';
    try {
      expectJson(await upload(dev, other, 'database', 'CFIS001-v1.xml', V1), 201);
    } finally {
      delete process.env.RELMAN_UPLOAD_STREAM_MANIFEST;
    }
    const stored = expectJson(await dev('GET', packagesUrl(other, '/database/1')), 200).manifest;
    expect(stored).toEqual(streamed);
  });
});

describe.each(dialects)('a package diffed against the previous production release ($name)', ({ name: dialect }) => {
  let h: Harness;
  let pa: PackagesApp;
  let dev: Call;
  let crew: Crew;
  const clock = manualClock();

  const uploadAs = (f: Flow, fileName: string, bytes: Buffer) => {
    const input = { channel: 'database', fileName, body: Readable.from([bytes]), maxBytes: 1 << 30 };
    return uploadPackage(h.deps, pa.store, crew.dev, undefined, f.name, input);
  };

  beforeAll(async () => {
    h = await harness(dialect, clock.clock);
    pa = await packagesApp(h.deps);
    crew = await makeCrew(h.deps);
    dev = caller(pa.app, (await userWith(h.deps, ['developer'], 'dev-dee')).token);
  });
  afterAll(async () => {
    await pa?.close();
    await h?.close();
  });

  it('compares with the file of the last release that reached production, not with a later release still in work', async () => {
    const prod = await startFlow(h.deps, clock, crew, { channels: ['database'] });
    await prod.transition(crew.dev, 'start-packaging');
    clock.advance(MINUTE);
    expect(await uploadAs(prod, 'CFIS001.xml', V1)).toMatchObject({ version: 1, reused: false });
    await prod.step('verify-package', 'database', crew.dev);
    await prod.transition(crew.dev, 'mark-package-verified');
    await prod.approve('at-go-ahead');
    await prod.transition(crew.lead, 'install-in-at');
    for (const i of prod.items) await prod.test(i, 'acceptance-test', 'passed');
    await prod.approve('at-signoff');
    await prod.transition(crew.cmc, 'complete-at');
    // P7, P8: a new file after acceptance testing would void the AT sign-off: refused before a byte is stored.
    clock.advance(MINUTE);
    const refused = await uploadAs(prod, 'CFIS001-fix.xml', V2).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'state-evidence-voided' });
    expect((refused as Error).message).toContain(`release ${prod.name} is Acceptance test signed off, which a new Database`);
    expect(await settledStoreFiles(pa.root)).toEqual({ sha256: [blobPath(sha256(V1))], tmp: [] });
    await prod.notifyAll();
    await prod.approve('production-approval');
    await prod.transition(crew.cmc, 'approve-for-production');
    await prod.deployAndSignOff();

    // Uploaded later, never deployed: not a baseline.
    const inWork = await startFlow(h.deps, clock, crew, { channels: ['database'] });
    clock.advance(MINUTE);
    await uploadAs(inWork, 'CFIS002.xml', V2);
    const next = await startFlow(h.deps, clock, crew, { channels: ['database'] });
    clock.advance(MINUTE);
    await uploadAs(next, 'CFIS003.xml', V2);

    const diff = expectJson(await dev('GET', packagesUrl(next.name, '/database/diff?against=production')), 200);
    expect(diff).toMatchObject({
      from: { release: prod.name, version: 1, fileName: 'CFIS001.xml' },
      to: { release: next.name, version: 1, fileName: 'CFIS003.xml' },
      kind: 'cache-xml',
      unchanged: 7,
    });
    expect(keysOf(diff.added)).toEqual(['class:CMS.Claims.Split']);
    expect(keysOf(diff.removed)).toEqual(['class:%ZCMS.Legacy']);
    expect(keysOf(diff.changed.map((c: { after: El }) => c.after))).toEqual(['class:CMS.Claims.Totals']);
    const element = expectJson(
      await dev('GET', packagesUrl(next.name, '/database/element-diff?element=class%3ACMS.Claims.Totals&against=production')),
      200,
    );
    expect(element).toMatchObject({ from: { release: prod.name, version: 1 }, to: { release: next.name, version: 1 } });
    expect(element.members).toEqual([{ kind: 'method', name: 'Total', change: 'changed' }]);
    // Without a release in production before it there is nothing to compare with.
    expectProblem(await dev('GET', packagesUrl(prod.name, '/database/diff?against=production')), 404, 'not-found');
    expectProblem(
      await dev('GET', packagesUrl(prod.name, '/database/element-diff?element=class%3ACMS.Patient&against=production')),
      404,
      'not-found',
    );
  });
});
