import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { expectJson } from '../support/http.js';
import { approve, move, recordPackage, recordStep, recordTest, refused, rel, V, type Crew } from '../support/lifecycle-http.js';
import { buildZip, fixture, packagesApp, sha256, staticZip, upload, war, type El } from '../support/packages.js';

const DB = 'Database (Cache/IRIS)';
const WEB = 'Web (WebSphere)';
const VERIFY = 'Rollout package verified and tested by the development team';
const V1 = fixture('CFIS001-v1.xml');
const V2 = fixture('CFIS001-v2.xml');

const ELEMENTS: El[] = [
  { type: 'class', name: '%ZCMS.Util' },
  { type: 'routine', name: 'CMSUTIL.MAC' },
  { type: 'class', name: 'CMS.Claims.Split' },
];
const notIn = (item: string, e: El, version: number) =>
  `${item} declares ${e.type} ${e.name}, which is not in the ${DB} package v${version}`;

describe.each(dialects)('the package-covers-items gate ($name)', ({ name: dialect }) => {
  let crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ crew } = b), { app: packagesApp });

  /** A scheduled database release in packaging, with one IR declaring `elements`. */
  async function packagingRelease(elements: El[]): Promise<{ name: string; item: string }> {
    const r = expectJson(
      await crew.lead('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-02-02', channels: ['database'] }),
      201,
    );
    const it = expectJson(
      await crew.dev('POST', `${V}/items`, { kind: 'IR', helpdeskRef: 'HD-7', title: 'Split payments', elements }),
      201,
    );
    expectJson(await crew.lead('PUT', `${V}/items/${it.key}/release`, { release: r.name }), 200);
    await move(crew.dev, r.name as string, 'start-packaging');
    return { name: r.name as string, item: it.key as string };
  }

  const gatesOf = async (name: string, transitionId: string) => {
    const view = expectJson(await crew.viewer('GET', rel(name, '/gates')), 200);
    const option = view.transitions.find((t: { id: string }) => t.id === transitionId);
    expect(option, `${transitionId} from ${view.state}`).toBeDefined();
    return option as { unmet: string[]; gates: { id: string; pass: boolean; reasons: string[]; evidence: { what: string }[] }[] };
  };
  const coverageGate = async (name: string, transitionId: string) =>
    (await gatesOf(name, transitionId)).gates.find((g) => g.id === 'package-covers-items');

  it('refuses mark-package-verified naming the item and the element its release file lacks; passes once a new file has it', async () => {
    const { name, item } = await packagingRelease(ELEMENTS);
    expect(expectJson(await upload(crew.dev, name, 'database', 'CFIS-v1.xml', V1), 201)).toMatchObject({
      version: 1,
      coverage: { complete: false },
    });
    expectJson(await recordStep(crew.dev, name, 'verify-package', 'database'), 201);

    const missing = notIn(item, { type: 'class', name: 'CMS.Claims.Split' }, 1);
    const p = await refused(crew.dev, name, 'mark-package-verified');
    expect(p.unmet).toEqual([missing]);
    expect(p.gates.find((g) => g.id === 'package-covers-items')).toMatchObject({ pass: false, reasons: [missing] });
    expect(p.gates.find((g) => g.id === 'package-verified')).toMatchObject({ pass: true });
    expect((await gatesOf(name, 'mark-package-verified')).unmet).toEqual([missing]);

    // The next export has the class; as a new version it must be verified again.
    expect(expectJson(await upload(crew.dev, name, 'database', 'CFIS-v2.xml', V2), 201)).toMatchObject({
      version: 2,
      coverage: { complete: true },
    });
    expect((await refused(crew.dev, name, 'mark-package-verified')).unmet).toEqual([
      `${VERIFY} is missing for the ${DB} channel (package v2) — record it with \`relman step record ${name} verify-package --channel database\``,
    ]);
    expect(await coverageGate(name, 'mark-package-verified')).toMatchObject({
      pass: true,
      reasons: [],
      evidence: [{ what: `${DB} package v2 (CFIS-v2.xml (v2)) holds every declared element` }],
    });
    expectJson(await recordStep(crew.dev, name, 'verify-package', 'database'), 201);
    expect(await move(crew.dev, name, 'mark-package-verified')).toMatchObject({ from: 'packaging', to: 'package-verified' });
  });

  it('the web channel’s package is its newest ZIP and newest WAR: the upload, the coverage route and the gate agree', async () => {
    const r = expectJson(
      await crew.lead('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-02-02', channels: ['web'] }),
      201,
    );
    const name = r.name as string;
    // One item changes a static file (in the ZIP) and the servlet (in the WAR).
    const elements = [
      { type: 'web-file', name: 'static/js/app.js' },
      { type: 'web-file', name: 'WEB-INF/classes/gov/cms/ClaimServlet.class' },
    ];
    const it = expectJson(await crew.dev('POST', `${V}/items`, { kind: 'IR', helpdeskRef: 'HD-9', title: 'Claims page', elements }), 201);
    expectJson(await crew.lead('PUT', `${V}/items/${it.key}/release`, { release: name }), 200);
    await move(crew.dev, name, 'start-packaging');

    const zip = await staticZip();
    const zipFile = { version: 1, kind: 'zip', fileName: 'cms-static.zip', sha256: sha256(zip) };
    const servletMissing = { item: it.key, missing: [elements[1]] };
    const first = expectJson(await upload(crew.dev, name, 'web', 'cms-static.zip', zip), 201);
    expect(first.coverage).toMatchObject({ complete: false, version: 1, items: [servletMissing], files: [zipFile] });

    const w = await war(1);
    const warFile = { version: 2, kind: 'war', fileName: 'cms-web.war', sha256: sha256(w) };
    const both = { complete: true, version: 2, items: [{ item: it.key, missing: [] }], files: [zipFile, warFile] };
    const second = expectJson(await upload(crew.dev, name, 'web', 'cms-web.war', w), 201);
    expect(second.coverage).toMatchObject(both);
    const shown = expectJson(await crew.viewer('GET', rel(name, '/packages/web/latest/coverage')), 200);
    expect(shown).toMatchObject(both);
    expect(shown).toEqual(second.coverage);
    // As of version 1 the package was the ZIP alone.
    expect(expectJson(await crew.viewer('GET', rel(name, '/packages/web/1/coverage')), 200)).toMatchObject({
      complete: false,
      version: 1,
      files: [zipFile],
    });

    expectJson(await recordStep(crew.dev, name, 'verify-package', 'web'), 201);
    expect(await coverageGate(name, 'mark-package-verified')).toMatchObject({
      pass: true,
      evidence: [{ what: `${WEB} package v2 (cms-static.zip (v1), cms-web.war (v2)) holds every declared element` }],
    });
    // A newer ZIP without the static file: the package is that ZIP and the same WAR, and every view says so.
    const bare = await buildZip([{ name: 'static/index.html', data: '<!doctype html>\n' }]);
    const third = expectJson(await upload(crew.dev, name, 'web', 'cms-static.zip', bare), 201);
    const appJsMissing = { item: it.key, missing: [elements[0]] };
    const bareFile = { version: 3, kind: 'zip', fileName: 'cms-static.zip', sha256: sha256(bare) };
    expect(third.coverage).toMatchObject({ complete: false, version: 3, items: [appJsMissing], files: [bareFile, warFile] });
    expect(expectJson(await crew.viewer('GET', rel(name, '/packages/web/latest/coverage')), 200)).toEqual(third.coverage);
    expect((await coverageGate(name, 'mark-package-verified'))?.reasons).toEqual([
      `${it.key} declares web-file static/js/app.js, which is not in the ${WEB} package v3`,
    ]);
  });

  it('checks every item: one item covered does not hide another’s missing element', async () => {
    const { name, item } = await packagingRelease([{ type: 'class', name: '%ZCMS.Util' }]);
    const other = expectJson(
      await crew.dev('POST', `${V}/items`, {
        kind: 'SMCR',
        helpdeskRef: 'HD-8',
        title: 'Log purge',
        elements: [
          { type: 'routine', name: '%ZCMSLOG.MAC' },
          { type: 'global', name: '^CMSLOG' },
        ],
      }),
      201,
    );
    expectJson(await crew.lead('PUT', `${V}/items/${other.key}/release`, { release: name }), 200);
    expectJson(await upload(crew.dev, name, 'database', 'CFIS-v2.xml', V2), 201);
    expectJson(await recordStep(crew.dev, name, 'verify-package', 'database'), 201);
    const p = await refused(crew.dev, name, 'mark-package-verified');
    expect(p.unmet).toEqual([notIn(other.key as string, { type: 'global', name: '^CMSLOG' }, 1)]);
    expect(p.unmet.join()).not.toContain(item);
  });

  it('does not check a label-only package: there is no file to look into', async () => {
    const { name } = await packagingRelease(ELEMENTS);
    expectJson(await recordPackage(crew.dev, name, 'database', 'CFIS-release.xml (built outside relman)'), 201);
    expectJson(await recordStep(crew.dev, name, 'verify-package', 'database'), 201);
    expect(await coverageGate(name, 'mark-package-verified')).toMatchObject({ pass: true, reasons: [], evidence: [] });
    await move(crew.dev, name, 'mark-package-verified');
  });

  it('a label-only version recorded after a file does not hide the file from the check', async () => {
    const { name, item } = await packagingRelease(ELEMENTS);
    expectJson(await upload(crew.dev, name, 'database', 'CFIS-v1.xml', V1), 201);
    expectJson(await recordPackage(crew.dev, name, 'database', 'relabelled outside relman'), 201);
    expectJson(await recordStep(crew.dev, name, 'verify-package', 'database'), 201);
    expect((await refused(crew.dev, name, 'mark-package-verified')).unmet).toEqual([
      notIn(item, { type: 'class', name: 'CMS.Claims.Split' }, 1),
    ]);
  });

  it('is required again for the production approval: an element declared after verification stops it', async () => {
    const { name, item } = await packagingRelease(ELEMENTS);
    expectJson(await upload(crew.dev, name, 'database', 'CFIS-v2.xml', V2), 201);
    expectJson(await recordStep(crew.dev, name, 'verify-package', 'database'), 201);
    await move(crew.dev, name, 'mark-package-verified');
    expectJson(await approve(crew.cmcA, name, 'at-go-ahead'), 201);
    await move(crew.lead, name, 'install-in-at');
    expectJson(await recordTest(crew.analyst, name, { item, environment: 'acceptance-test', result: 'passed' }), 201);
    expectJson(await approve(crew.cmcB, name, 'at-signoff'), 201);
    await move(crew.cmcB, name, 'complete-at');
    for (const system of ['cats', 'meds', 'fiscal-intermediary'])
      expectJson(await crew.lead('POST', rel(name, '/notifications'), { system, means: 'meeting', note: 'release review' }), 201);
    expectJson(await approve(crew.cmcB, name, 'production-approval'), 201);
    expect((await gatesOf(name, 'approve-for-production')).unmet).toEqual([]);

    // The item now also changes a class the verified file does not carry.
    const current = expectJson(await crew.dev('GET', `${V}/items/${item}`), 200);
    const late = { type: 'class', name: 'CMS.Claims.Audit' };
    expectJson(await crew.dev('PATCH', `${V}/items/${item}`, { elements: [...ELEMENTS, late], version: current.version }), 200);
    const p = await refused(crew.cmcA, name, 'approve-for-production');
    expect(p.unmet).toEqual([notIn(item, late, 1)]);
  });
});
