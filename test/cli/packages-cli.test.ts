import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeFileName } from '../../src/cli/commands/package-download.js';
import { generateCacheExport } from '../../src/integrations/xml/generate-export.js';
import { cleanEnv, runCli, startServer, type CliResult, type RunningServer } from '../support/cli-process.js';
import { dialects, scratchDatabase, type ScratchDatabase } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-packages-cli';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function ok(r: CliResult): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** A Studio export of two classes and a routine; `visitBody` varies CMS.Visit between versions. */
function cacheExport(visitBody: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Export generator="Cache" version="25" zv="Cache for Windows (x86-64) 2017.2 (Build 744U)" ts="2026-11-02 09:36:12">
<Class name="CMS.Patient">
<Description>A patient known to the agency.</Description>
<Super>%Persistent</Super>
<TimeChanged>65025,33012.118246</TimeChanged>
<TimeCreated>63901,41220.551337</TimeCreated>

<Property name="Name">
<Type>%String</Type>
</Property>
</Class>


<Class name="CMS.Visit">
<Super>%Persistent</Super>
<TimeChanged>65027,51200.773081</TimeChanged>
<TimeCreated>63890,50155.078667</TimeCreated>

<Method name="Total">
<ClassMethod>1</ClassMethod>
<ReturnType>%Integer</ReturnType>
<Implementation><![CDATA[
${visitBody}
]]></Implementation>
</Method>
</Class>


<Routine name="CMSUTIL" type="MAC" languagemode="0" timestamp="65027,51200"><![CDATA[
CMSUTIL ; utilities for the CMS batch jobs
 quit
]]></Routine>
</Export>
`;
}

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(files)) zip.addBuffer(Buffer.from(data), name, { mtime: new Date('2026-11-02T12:00:00Z') });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe.each(dialects)('relman package commands against a running server ($name)', ({ name: dialect }) => {
  let scratch: ScratchDatabase;
  let server: RunningServer;
  let tmp: string;
  let token = '';
  const file = (name: string) => path.join(tmp, name);
  const cli = (args: string[]) =>
    runCli(args, cleanEnv({ XDG_CONFIG_HOME: path.join(tmp, 'config'), RELMAN_URL: server.url, RELMAN_TOKEN: token }));

  beforeAll(async () => {
    scratch = await scratchDatabase(dialect);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'relman-packages-cli-'));
    server = await startServer({ dataDir: scratch.dataDir, databaseUrl: scratch.url, adminPassword: ADMIN_PASSWORD });
    ok(await runCli(['user', 'add', 'lead1', '--role', 'technical-lead', '--no-password'], server.localEnv));
    token = ok(await runCli(['token', 'create', '--user', 'lead1'], server.localEnv)).trim();

    writeFileSync(file('CFIS001.v1.xml'), cacheExport('\tquit 1'));
    writeFileSync(file('CFIS001.v2.xml'), cacheExport('\tset total = 0\n\tfor i=1:1:10 { set total = total + i }\n\tquit total'));
    writeFileSync(file('x.xml'), '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Export/>');
    const zip = await zipOf({ 'index.html': '<html><body>CMS</body></html>', 'js/app.js': 'console.log("cms");' });
    writeFileSync(file('web.zip'), zip);

    ok(await cli(['release', 'create', '--type', 'scheduled', '--date', '2026-12-05', '--channels', 'database,web']));
    ok(
      await cli([
        'item',
        'create',
        '--kind',
        'IR',
        '--ref',
        'HD-1',
        '--title',
        'Totals',
        '--element',
        'class:CMS.Visit',
        '--element',
        'class:CMS.Missing',
      ]),
    );
    ok(await cli(['item', 'attach', 'IR-1', 'CFIS001']));
  });
  afterAll(async () => {
    await server?.stop();
    await scratch?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('uploads a release file as `relman package upload CFIS001 --channel database file.xml`, with plain progress lines off a terminal', async () => {
    const r = await cli(['package', 'upload', 'CFIS001', '--channel', 'database', file('CFIS001.v1.xml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^uploaded CFIS001\.v1\.xml: \d+ B in \d+\.\d\d s \([\d.]+ MB\/s\)$/m);
    expect(r.stderr).not.toContain('\r');
    expect(r.stdout).toMatch(/^uploaded CFIS001\.v1\.xml to CFIS001 database: package v1$/m);
    expect(r.stdout).toMatch(/^kind\s+cache-xml$/m);
    expect(r.stdout).toContain(`sha256   ${sha256(file('CFIS001.v1.xml'))}`);
    expect(r.stdout).toMatch(/^reused\s+no$/m);
    expect(r.stdout).toContain(
      'coverage: INCOMPLETE — 1 work item(s) with missing elements from CFIS001.v1.xml (cache-xml v1)\n  IR-1 misses class:CMS.Missing\n',
    );
    expect(r.stdout).toContain('undeclared: 2 element(s) in the file that no work item declares');
  });

  it('prints JSON with --json, and says the same file again is reused', async () => {
    const again = await cli(['package', 'upload', 'CFIS001', '--channel', 'database', file('CFIS001.v1.xml'), '--json', '--no-progress']);
    expect(again.stderr).toBe('');
    const j = JSON.parse(ok(again)) as { version: number; reused: boolean; file: { sha256: string; kind: string; size: number } };
    expect(j).toMatchObject({ version: 1, reused: true, file: { sha256: sha256(file('CFIS001.v1.xml')), kind: 'cache-xml' } });
    const human = ok(await cli(['package', 'upload', 'CFIS001', '--channel', 'database', file('CFIS001.v1.xml')]));
    expect(human).toMatch(/^reused database package v1 of CFIS001: the same file/m);

    const v2 = JSON.parse(ok(await cli(['package', 'upload', 'CFIS001', '--channel', 'database', file('CFIS001.v2.xml'), '--json'])));
    expect(v2).toMatchObject({ version: 2, reused: false, file: { sha256: sha256(file('CFIS001.v2.xml')) } });
    const web = JSON.parse(ok(await cli(['package', 'upload', 'CFIS001', '--channel', 'web', file('web.zip'), '--json'])));
    expect(web).toMatchObject({ channel: 'web', version: 1, file: { kind: 'zip', sha256: sha256(file('web.zip')) } });
  });

  it('lists, shows, reports coverage and diffs versions', async () => {
    const list = ok(await cli(['package', 'list', 'CFIS001']));
    expect(list.split('\n')[0]).toMatch(/^CHANNEL\s+VERSION\s+KIND\s+FILE\s+SIZE\s+SHA256\s+BY\s+AT$/);
    expect(list).toMatch(
      new RegExp(
        `^database\\s+1\\s+cache-xml\\s+CFIS001\\.v1\\.xml\\s+\\d+ B\\s+${sha256(file('CFIS001.v1.xml')).slice(0, 12)}\\s+lead1\\s+\\S+Z$`,
        'm',
      ),
    );
    expect(list).toMatch(/^database\s+2\s+cache-xml\s+CFIS001\.v2\.xml\s/m);
    expect(list).toMatch(/^web\s+1\s+zip\s+web\.zip\s/m);

    const shown = ok(await cli(['package', 'show', 'CFIS001', '--channel', 'database', '--version', '1']));
    expect(shown).toMatch(/^version\s+1$/m);
    expect(shown).toContain('elements: 3 (class 2, routine 1)');
    expect(shown).toMatch(/^class\s+CMS\.Patient\s+\d+\s+[0-9a-f]{12}$/m);
    expect(shown).toMatch(/^routine\s+CMSUTIL\.MAC\s/m);
    const full = JSON.parse(ok(await cli(['package', 'show', 'CFIS001', '--channel', 'database', '--json'])));
    expect(full.version).toBe(2);
    expect(full.manifest.elements.map((e: { name: string }) => e.name)).toEqual(['CMS.Patient', 'CMS.Visit', 'CMSUTIL.MAC']);
    const webShown = ok(await cli(['package', 'show', 'CFIS001', '--channel', 'web', '--version', 'latest']));
    expect(webShown).toContain('entries: 2 (2 file(s), 0 folder(s))');
    expect(webShown).toMatch(/^js\/app\.js\s+\d+\s+\d+\s+deflated\s+[0-9a-f]{8}$/m);

    const coverage = ok(await cli(['package', 'coverage', 'CFIS001', '--channel', 'database', '--version', '2']));
    expect(coverage).toBe(
      [
        'CFIS001 database package v2',
        'coverage: INCOMPLETE — 1 work item(s) with missing elements from CFIS001.v2.xml (cache-xml v2)',
        '  IR-1 misses class:CMS.Missing',
        'undeclared: 2 element(s) in the file that no work item declares',
        '  class:CMS.Patient',
        '  routine:CMSUTIL.MAC',
        '',
      ].join('\n'),
    );

    const diff = ok(await cli(['package', 'diff', 'CFIS001', '--channel', 'database']));
    expect(diff).toMatch(/^database cache-xml: CFIS001 v1 \(CFIS001\.v1\.xml\) → CFIS001 v2 \(CFIS001\.v2\.xml\)$/m);
    expect(diff).toContain('0 added, 0 removed, 1 changed, 2 unchanged\n~ class:CMS.Visit (');
    const d = JSON.parse(ok(await cli(['package', 'diff', 'CFIS001', '--channel', 'database', '--from', '1', '--to', '2', '--json'])));
    expect(d.changed.map((c: { after: { name: string } }) => c.after.name)).toEqual(['CMS.Visit']);
    expect((await cli(['package', 'diff', 'CFIS001', '--channel', 'database', '--against-production'])).code).toBe(5);
    expect((await cli(['package', 'show', 'CFIS001', '--channel', 'database', '--version', 'two'])).code).toBe(2);
  });

  it('prints the unified diff of one element with --element, and its members with --json', async () => {
    const diff = ok(await cli(['package', 'diff', 'CFIS001', '--channel', 'database', '--element', 'class:CMS.Visit']));
    expect(diff).toMatch(/^--- class:CMS\.Visit \(CFIS001\/database v1\)$/m);
    expect(diff).toMatch(/^\+\+\+ class:CMS\.Visit \(CFIS001\/database v2\)$/m);
    expect(diff).toMatch(/^-.*quit 1$/m);
    expect(diff).toMatch(/^\+.*quit total$/m);
    expect(diff).not.toContain('TimeChanged');
    const d = JSON.parse(
      ok(
        await cli([
          'package',
          'diff',
          'CFIS001',
          '--channel',
          'database',
          '--element',
          'class:CMS.Visit',
          '--from',
          '1',
          '--to',
          '2',
          '--json',
        ]),
      ),
    );
    expect(d.members).toEqual([{ kind: 'method', name: 'Total', change: 'changed' }]);
    expect(d.unified).toBe(diff);
    const same = ok(await cli(['package', 'diff', 'CFIS001', '--channel', 'database', '--element', 'class:CMS.Patient']));
    expect(same).toBe('class:CMS.Patient: no change from CFIS001 v1 to CFIS001 v2\n');
    expect((await cli(['package', 'diff', 'CFIS001', '--channel', 'database', '--element', 'class:CMS.Nowhere'])).code).toBe(5);
  });

  it('downloads the same bytes, verified, into the file named', async () => {
    const out = path.join(tmp, 'download', 'v1.xml');
    rmSync(path.dirname(out), { recursive: true, force: true });
    const missingDir = await cli(['package', 'download', 'CFIS001', '--channel', 'database', '--version', '1', '-o', out]);
    expect(missingDir.code).toBe(2);
    expect(missingDir.stderr).toContain(`the folder ${path.dirname(out)} does not exist (end -o with / to have it created`);

    const target = file('v1-copy.xml');
    const r = await cli(['package', 'download', 'CFIS001', '--channel', 'database', '--version', '1', '-o', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(target)).toBe(sha256(file('CFIS001.v1.xml')));
    expect(r.stdout).toContain(`sha256 ${sha256(target)} verified`);
    expect(r.stderr).toMatch(/^downloaded v1-copy\.xml: /m);
    expect(readdirSync(tmp).filter((n) => n.endsWith('.part'))).toEqual([]);
    const into = file('into');
    mkdirSync(into);
    ok(await cli(['package', 'download', 'CFIS001', '--channel', 'database', '--version', '1', '-o', into, '--no-progress']));
    expect(readdirSync(into)).toEqual(['CFIS001.v1.xml']);
    expect(sha256(path.join(into, 'CFIS001.v1.xml'))).toBe(sha256(file('CFIS001.v1.xml')));
    // `-o DIR/`: into that folder, created when it does not exist yet, under the file's own name.
    const fresh = path.join(tmp, 'fresh', 'deeper');
    ok(await cli(['package', 'download', 'CFIS001', '--channel', 'database', '--version', '1', '-o', `${fresh}/`, '--no-progress']));
    expect(readdirSync(fresh)).toEqual(['CFIS001.v1.xml']);
    expect(sha256(path.join(fresh, 'CFIS001.v1.xml'))).toBe(sha256(file('CFIS001.v1.xml')));
    const notAFolder = await cli(['package', 'download', 'CFIS001', '--channel', 'database', '-o', `${target}/`]);
    expect(notAFolder.code).toBe(2);
    expect(notAFolder.stderr).toContain('it is a file, not a folder');
    const zipCopy = file('web-copy.zip');
    ok(await cli(['package', 'download', 'CFIS001', '--channel', 'web', '-o', zipCopy]));
    expect(sha256(zipCopy)).toBe(sha256(file('web.zip')));
  });

  it('refuses a hostile release file and a file of the wrong kind for the channel (exit 7, reason on stderr)', async () => {
    const hostile = await cli(['package', 'upload', 'CFIS001', '--channel', 'database', file('x.xml')]);
    expect(hostile.code).toBe(7);
    expect(hostile.stdout).toBe('');
    expect(hostile.stderr).toMatch(/^relman: Unprocessable content: the file is refused: .*DTD/m);
    expect(hostile.stderr).toMatch(/^ {2}- file: dtd: /m);

    const wrongKind = await cli(['package', 'upload', 'CFIS001', '--channel', 'database', file('web.zip')]);
    expect(wrongKind.code).toBe(7);
    expect(wrongKind.stderr).toContain('  - fileName: a Database (Cache/IRIS) package is one of: cache-xml; "web.zip" is zip');

    const missing = await cli(['package', 'upload', 'CFIS001', '--channel', 'database', file('nothing-here.xml')]);
    expect(missing.code).toBe(2);
    const list = JSON.parse(ok(await cli(['package', 'list', 'CFIS001', '--json']))) as { items: unknown[] };
    expect(list.items).toHaveLength(3);
  });

  it('reports a bigger upload with a plain line every 10 % off a terminal', async () => {
    const big = file('CFIS001.big.xml');
    await pipeline(Readable.from(generateCacheExport({ classes: 400, bodyBytes: 20_000, seed: 7 })), createWriteStream(big));
    const r = await cli(['package', 'upload', 'CFIS001', '--channel', 'database', big, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    const steps = lines.filter((l) =>
      /^uploading CFIS001\.big\.xml: \d+% \([\d.]+ MB of [\d.]+ MB, [\d.]+ MB\/s, ETA \d\d:\d\d\)$/.test(l),
    );
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps.length).toBeLessThanOrEqual(9);
    expect(lines.at(-2)).toMatch(
      /^uploading CFIS001\.big\.xml: sent [\d.]+ MB in \d+\.\d\d s \([\d.]+ MB\/s\); the server is checking the file…$/,
    );
    expect(lines.at(-1)).toMatch(/^uploaded CFIS001\.big\.xml: [\d.]+ MB in \d+\.\d\d s \([\d.]+ MB\/s\)$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 3, file: { sha256: sha256(big) } });
  });
});

describe('relman package download against a server whose bytes do not match their checksum', () => {
  let tmp: string;
  let srv: http.Server;
  let url = '';
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'relman-download-mismatch-'));
    srv = http.createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': '5',
        'x-checksum-sha256': createHash('sha256').update('other').digest('hex'),
        'content-disposition': 'attachment; filename="../../etc/passwd"',
      });
      res.end('bytes');
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => srv.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('deletes the partial file and exits 1', async () => {
    const target = path.join(tmp, 'out.xml');
    const r = await runCli(
      ['package', 'download', 'CFIS001', '--channel', 'database', '-o', target],
      cleanEnv({ RELMAN_URL: url, RELMAN_TOKEN: 't' }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('checksum mismatch');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('makes the server’s file name safe', () => {
    expect(safeFileName('attachment; filename="../../etc/passwd"', 'f')).toBe('passwd');
    expect(safeFileName('attachment; filename="CFIS001 v1.xml"', 'f')).toBe('CFIS001_v1.xml');
    expect(safeFileName('attachment; filename=".."', 'fallback')).toBe('fallback');
    expect(safeFileName("attachment; filename*=UTF-8''%C3%84nderung.xml", 'f')).toBe('_nderung.xml');
    expect(safeFileName(null, 'CFIS001-database-latest')).toBe('CFIS001-database-latest');
  });
});
