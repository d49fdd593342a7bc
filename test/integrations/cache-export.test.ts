import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import yazl from 'yazl';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunks, split, splitText } from '../support/chunks.js';
import {
  CacheExportError,
  diffManifests,
  elementKey,
  readCacheExport,
  type CacheElement,
  type CacheExportErrorReason,
  type CacheManifest,
} from '../../src/integrations/xml/cache-export.js';
import { ExportReader } from '../../src/integrations/xml/export-reader.js';
import { generateCacheExport } from '../../src/integrations/xml/generate-export.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, '../fixtures/cache-exports');
const STUDIO = '/work/shared/fixtures/cache-exports';

function read(input: Uint8Array | string, limits?: { maxElements?: number; maxDepth?: number }): Promise<CacheManifest> {
  return readCacheExport(chunks([input]), limits);
}

/** The rejection, checked to be a CacheExportError: nothing else may come out of bad content. */
async function refusal(p: Promise<unknown>): Promise<CacheExportError> {
  let outcome: unknown;
  try {
    outcome = await p;
  } catch (err) {
    if (!(err instanceof CacheExportError)) throw new Error(`expected a CacheExportError, got ${String(err)}`, { cause: err });
    return err;
  }
  throw new Error(`expected a refusal, got ${JSON.stringify(outcome).slice(0, 200)}`);
}

async function expectReason(p: Promise<unknown>, reason: CacheExportErrorReason): Promise<CacheExportError> {
  const err = await refusal(p);
  expect(err.reason, err.message).toBe(reason);
  return err;
}

const keysOf = (m: CacheManifest): string[] => m.elements.map(elementKey);

function exportOf(body: string, attrs = 'generator="Cache" version="25"'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Export ${attrs}>\n${body}\n</Export>\n`;
}

let v1Bytes: Buffer;
let v2Bytes: Buffer;
let v1: CacheManifest;
let v2: CacheManifest;

beforeAll(async () => {
  v1Bytes = await readFile(path.join(FIXTURES, 'CFIS014.v1.xml'));
  v2Bytes = await readFile(path.join(FIXTURES, 'CFIS014.v2.xml'));
  v1 = await read(v1Bytes);
  v2 = await read(v2Bytes);
});

describe('readCacheExport on a release file', () => {
  it('lists every element with its type and Caché name, in file order', () => {
    expect(keysOf(v1)).toEqual([
      'class:%ZCMS.Utils',
      'class:CMS.Patient',
      'class:CMS.Visit',
      'class:CMS.Billing.Invoice',
      'class:CMS.Legacy.Import',
      'class:CMS.Web.PatientPage',
      'routine:CMS.Compile.MAC',
      'routine:CMSInclude.INC',
      'routine:CMS.Batch.1.INT',
      'csp:/csp/cms/patient/search.csp',
      'csp:/csp/cms/img/logo.png',
      'document:CMSStatus.LUT',
      'global:^CMSConfig',
      'project:CFIS014',
    ]);
    expect(keysOf(v2)).toContain('class:CMS.Reports.ÄnderungsProtokoll');
  });

  it('reads the <Export> attributes', () => {
    expect(v1).toMatchObject({
      format: 'cache-export',
      generator: 'Cache',
      version: '25',
      zv: 'Cache for Windows (x86-64) 2017.2 (Build 744U)',
      ts: '2019-01-17 09:36:12',
    });
  });

  it("lists the project's items and nothing else's", () => {
    const project = v1.elements.find((e) => e.type === 'project');
    expect(project?.items).toHaveLength(12);
    expect(project?.items?.[0]).toEqual({ name: '%ZCMS.Utils', type: 'CLS' });
    expect(project?.items).toContainEqual({ name: 'CMSStatus.LUT', type: 'LUT' });
    expect(v1.elements.filter((e) => e.items !== undefined)).toHaveLength(1);
  });

  it('gives each element its exact size in the file, in UTF-8 bytes', () => {
    const sizeOf = (bytes: Buffer, start: string, end: string): number => {
      const from = bytes.indexOf(start);
      return bytes.indexOf(end, from) + Buffer.byteLength(end) - from;
    };
    const byKey = new Map(v2.elements.map((e) => [elementKey(e), e]));
    expect(byKey.get('class:CMS.Reports.ÄnderungsProtokoll')?.bytes).toBe(
      sizeOf(v2Bytes, '<Class name="CMS.Reports.ÄnderungsProtokoll">', '</Class>'),
    );
    expect(byKey.get('routine:CMS.Compile.MAC')?.bytes).toBe(sizeOf(v2Bytes, '<Routine name="CMS.Compile"', '</Routine>'));
    expect(byKey.get('global:^CMSConfig')?.bytes).toBe(sizeOf(v2Bytes, '<Global>', '</Global>'));
  });

  it('hashes are hex SHA-256 and differ between different elements', () => {
    for (const e of v1.elements) expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(v1.elements.map((e) => e.sha256)).size).toBe(v1.elements.length);
  });
});

describe('diffManifests', () => {
  it('reports exactly what changed from v1 to v2 of the release file', () => {
    const d = diffManifests(v1, v2);
    expect(d.added.map(elementKey)).toEqual(['class:CMS.Reports.ÄnderungsProtokoll']);
    expect(d.removed.map(elementKey)).toEqual(['class:CMS.Legacy.Import']);
    expect(d.changed.map((c) => elementKey(c.after))).toEqual(['class:CMS.Visit', 'project:CFIS014']);
    expect(d.unchanged).toBe(11);
  });

  it('does not report a class whose only difference is <TimeChanged>, nor a routine with only a new timestamp', () => {
    const key = (m: CacheManifest, k: string): CacheElement | undefined => m.elements.find((e) => elementKey(e) === k);
    expect(v1Bytes.includes('<TimeChanged>65020,30001.5</TimeChanged>')).toBe(true);
    expect(v2Bytes.includes('<TimeChanged>65020,30001.5</TimeChanged>')).toBe(false);
    expect(key(v2, 'class:CMS.Billing.Invoice')?.sha256).toBe(key(v1, 'class:CMS.Billing.Invoice')?.sha256);
    expect(key(v2, 'routine:CMS.Compile.MAC')?.sha256).toBe(key(v1, 'routine:CMS.Compile.MAC')?.sha256);
  });

  it('is empty between a file and itself', () => {
    expect(diffManifests(v1, v1)).toEqual({ added: [], removed: [], changed: [], unchanged: v1.elements.length });
  });

  it('lets the later of two same-named elements count, as a load would', () => {
    const e = (name: string, sha: string): CacheElement => ({ type: 'class', name, sha256: sha, bytes: 1 });
    const m = (...elements: CacheElement[]): CacheManifest => ({
      format: 'cache-export',
      generator: null,
      version: null,
      zv: null,
      ts: null,
      elements,
    });
    const d = diffManifests(m(e('A', '1'), e('A', '2')), m(e('A', '2')));
    expect(d).toEqual({ added: [], removed: [], changed: [], unchanged: 1 });
  });

  it('keys elements by type and case-sensitive name', () => {
    expect(elementKey({ type: 'class', name: 'CMS.Patient' })).toBe('class:CMS.Patient');
    expect(elementKey({ type: 'routine', name: 'sc.compile.MAC' })).toBe('routine:sc.compile.MAC');
    const a = diffManifests(
      {
        format: 'cache-export',
        generator: null,
        version: null,
        zv: null,
        ts: null,
        elements: [{ type: 'class', name: 'CMS.patient', sha256: 'x', bytes: 1 }],
      },
      {
        format: 'cache-export',
        generator: null,
        version: null,
        zv: null,
        ts: null,
        elements: [{ type: 'class', name: 'CMS.Patient', sha256: 'x', bytes: 1 }],
      },
    );
    expect([a.added.length, a.removed.length]).toEqual([1, 1]);
  });
});

describe('content hash', () => {
  const one = async (body: string): Promise<CacheElement> => {
    const m = await read(exportOf(body));
    const [e] = m.elements;
    if (!e) throw new Error('no element');
    return e;
  };
  const base = `<Class name="A.B">
<Super>%Persistent</Super>
<TimeChanged>65000,1</TimeChanged>
<Method name="M">
<FormalSpec>x:%String=""</FormalSpec>
<Implementation><![CDATA[
	if x < 1 && (x '= "") { quit 1 }
	quit 0
]]></Implementation>
</Method>
<Parameter name="P" value="1"/>
</Class>`;

  it('ignores how the same code is written: attribute order, quotes, CRLF, CDATA or escaped text, empty-tag form', async () => {
    const same = base
      .replace('<Method name="M">', "<Method  name='M' >")
      .replace('<Parameter name="P" value="1"/>', '<Parameter value=\'1\' name="P"></Parameter>')
      .replace(
        '<![CDATA[\n\tif x < 1 && (x \'= "") { quit 1 }\n\tquit 0\n]]>',
        '\n\tif x &lt; 1 &amp;&amp; (x \'= "") { quit 1 }\n<![CDATA[\tquit 0\n]]>',
      )
      .replace('</Super>\n', '</Super>\n\n    ')
      .replace(/\n/g, '\r\n');
    expect(same).not.toBe(base);
    expect((await one(same)).sha256).toBe((await one(base)).sha256);
  });

  it('ignores <TimeChanged> and <TimeCreated> of a class, but nothing else', async () => {
    const h = (await one(base)).sha256;
    expect((await one(base.replace('65000,1', '65999,86399.123456'))).sha256).toBe(h);
    expect((await one(base.replace('<Super>', '<TimeCreated>1,1</TimeCreated>\n<Super>'))).sha256).toBe(h);
    expect((await one(base.replace('quit 0', 'quit  0'))).sha256).not.toBe(h);
    expect((await one(base.replace('quit 0\n', 'quit 0\n\n'))).sha256).not.toBe(h);
    expect((await one(base.replace('value="1"', 'value="2"'))).sha256).not.toBe(h);
    // Only the class's own stamps are volatile: the same tag deeper down is content.
    const nested = (v: string): string => base.replace('<FormalSpec>', `<TimeChanged>${v}</TimeChanged>\n<FormalSpec>`);
    expect((await one(nested('1'))).sha256).not.toBe((await one(nested('2'))).sha256);
  });

  it('ignores layout whitespace between child elements, but not whitespace inside a leaf element', async () => {
    const h = (await one(base)).sha256;
    expect((await one(base.replace(/>\n</g, '>\n\n\t<'))).sha256).toBe(h);
    expect((await one(base.replace(/>\n</g, '><'))).sha256).toBe(h);
    const leaf = (v: string): string => base.replace('<Super>%Persistent</Super>', `<Default>${v}</Default>`);
    expect((await one(leaf(' '))).sha256).not.toBe((await one(leaf(''))).sha256);
    expect((await one(leaf(' '))).sha256).toBe((await one(leaf('<![CDATA[ ]]>'))).sha256);
  });

  it('counts escaped markup in text as text, so text cannot imitate a tag', async () => {
    const a = await one('<Document name="X.LUT"><t>&lt;u&gt;</t></Document>');
    const b = await one('<Document name="X.LUT"><t><u></u></t></Document>');
    expect(a.sha256).not.toBe(b.sha256);
  });
});

describe('element names', () => {
  it('names routines with their type, CSP files by URL path, globals by their first subscript', async () => {
    const m = await read(
      exportOf(`<Routine name="%ZSTU" type="MAC"><![CDATA[ quit ]]></Routine>
<Routine name="NoType"><![CDATA[ quit ]]></Routine>
<CSP name="/home.csp" application="/csp/app/"><![CDATA[x]]></CSP>
<CSP name="home.csp" application="/csp/app"><![CDATA[x]]></CSP>
<CSP name="loose.csp"><![CDATA[x]]></CSP>
<Global>
<Node><Sub>^Ärzte</Sub>
<Node><Sub>1</Sub>
<Data>Dr. Weiß</Data>
</Node>
</Node>
</Global>
<Global name="^Named"><Node><Sub>^Other</Sub><Data>1</Data></Node></Global>
<Global></Global>
<Package name="CMS"><Description>Case management</Description></Package>
<Unknown/>
<Checksum value="deadbeef"/>`),
    );
    expect(keysOf(m)).toEqual([
      'routine:%ZSTU.MAC',
      'routine:NoType',
      'csp:/csp/app/home.csp',
      'csp:/csp/app/home.csp',
      'csp:loose.csp',
      'global:^Ärzte',
      'global:^Named',
      'global:',
      'other:Package:CMS',
      'other:Unknown',
    ]);
    expect(m.version).toBe('25');
    expect(m.zv).toBeNull();
  });

  it('reads a BOM, an XML declaration in another character set, and UTF-16', async () => {
    const body = exportOf('<Class name="CMS.Müller"></Class>').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    const latin1 = await read(Buffer.from(body, 'latin1'));
    expect(keysOf(latin1)).toEqual(['class:CMS.Müller']);
    const bom = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(exportOf('<Class name="%Z.Ä"></Class>'))]));
    expect(keysOf(bom)).toEqual(['class:%Z.Ä']);
    const utf16 = await read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(exportOf('<Class name="Z.€"></Class>'), 'utf16le')]));
    expect(keysOf(utf16)).toEqual(['class:Z.€']);
    expect(keysOf(await read(`\ufeff${exportOf('<Class name="S"></Class>')}`))).toEqual(['class:S']);
  });
});

describe('streaming', () => {
  it('gives the same manifest whatever byte boundary the file is split at', async () => {
    for (let cut = 0; cut <= v1Bytes.length; cut++) {
      const m = await readCacheExport(chunks(split(v1Bytes, [cut])));
      if (JSON.stringify(m) !== JSON.stringify(v1)) expect(m, `split at byte ${cut}`).toEqual(v1);
    }
  });

  it('gives the same manifest for any chunking of bytes or text (multibyte and astral characters, CRLF)', async () => {
    const text = exportOf(
      '<Class name="CMS.Größe">\r\n<Description>𝄞 Noten – €\r\n</Description>\r\n<Implementation><![CDATA[\r\n\tset x="ÄÖÜ😀"\r\n]]></Implementation></Class>\r\n' +
        '<Routine name="%Z€" type="INC"><![CDATA[#define A "é"]]></Routine>',
    );
    const bytes = Buffer.from(text);
    const expected = await read(bytes);
    expect(keysOf(expected)).toEqual(['class:CMS.Größe', 'routine:%Z€.INC']);
    for (let i = 0; i <= text.length; i++) expect(await readCacheExport(chunks([text.slice(0, i), text.slice(i)]))).toEqual(expected);
    expect(await readCacheExport(chunks([...bytes].map((b) => Uint8Array.of(b))))).toEqual(expected);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(v1Bytes, v2Bytes, bytes),
        fc.array(fc.nat({ max: 12_000 }), { maxLength: 40 }),
        async (file, cuts) => {
          const want = file === v1Bytes ? v1 : file === v2Bytes ? v2 : expected;
          expect(await readCacheExport(chunks(split(file, cuts)))).toEqual(want);
          expect(await readCacheExport(chunks(splitText(file.toString('utf8'), cuts)))).toEqual(want);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a 50 MiB export in flat memory', async () => {
    // Forcing collections measures what the reader keeps, not garbage V8 has not got round to yet.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let bytes = 0;
    let n = 0;
    async function* measured(): AsyncGenerator<string> {
      for await (const chunk of generateCacheExport({ classes: 400, bodyBytes: 128 * 1024, seed: 42 })) {
        bytes += chunk.length;
        if (++n % 64 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - before);
        }
        yield chunk;
      }
    }
    const m = await readCacheExport(measured());
    expect(bytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(m.elements).toHaveLength(401);
    expect(m.elements.at(-1)?.items).toHaveLength(400);
    expect(peak).toBeLessThan(40 * 1024 * 1024);
  });

  it('generates the same export for the same seed', async () => {
    const digest = async (seed: number): Promise<string[]> =>
      (await readCacheExport(generateCacheExport({ classes: 3, bodyBytes: 2000, seed }))).elements.map((e) => e.sha256);
    expect(await digest(5)).toEqual(await digest(5));
    expect(await digest(5)).not.toEqual(await digest(6));
  });
});

describe.skipIf(!existsSync(STUDIO))('real Studio exports', () => {
  const studio = async (name: string): Promise<CacheManifest> => read(await readFile(path.join(STUDIO, name)));

  it('lists the six classes and the project of sc.plugin', async () => {
    const m = await studio('sc.plugin.PRJ.v1.xml');
    expect(keysOf(m)).toEqual([
      'class:sc.handler',
      'class:sc.handler.dfi',
      'class:sc.handler.rtn',
      'class:sc.options',
      'class:sc.plugin',
      'class:sc.printer',
      'project:sc_plugin',
    ]);
    expect(m).toMatchObject({
      generator: 'Cache',
      version: '25',
      zv: 'Cache for Windows (x86-64) 2016.1 (Build 596U)',
      ts: '2015-12-21 23:06:01',
    });
    expect(m.elements.at(-1)?.items?.map((i) => i.name)).toEqual(m.elements.slice(0, 6).map((e) => e.name));
  });

  it('reports the changed classes between two versions, not those only re-saved', async () => {
    const d = diffManifests(await studio('sc.plugin.PRJ.v1.xml'), await studio('sc.plugin.PRJ.v2.xml'));
    expect(d.changed.map((c) => elementKey(c.after))).toEqual(['class:sc.handler', 'class:sc.printer']);
    expect([d.added, d.removed, d.unchanged]).toEqual([[], [], 5]);
  });

  it('names a routine export sc.compile.MAC, with no version attribute', async () => {
    const m = await studio('sc.compile.MAC.xml');
    expect(keysOf(m)).toEqual(['routine:sc.compile.MAC']);
    expect([m.generator, m.version, m.zv, m.ts]).toEqual(['Cache', null, null, null]);
  });
});

describe('hostile and broken input', () => {
  const XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<Export><Class name="A">&e;</Class></Export>';

  it('refuses a DTD before reading it (XXE), at whatever byte the file is split', async () => {
    const err = await expectReason(read(XXE), 'dtd');
    expect([err.line, err.column]).toEqual([2, 1]);
    expect(err.message).not.toContain('passwd');
    const bytes = Buffer.from(XXE);
    for (let cut = 0; cut <= bytes.length; cut++) await expectReason(readCacheExport(chunks(split(bytes, [cut]))), 'dtd');
    await expectReason(read('<!DOCTYPE Export SYSTEM "http://attacker.example/x.dtd"><Export/>'), 'dtd');
    await expectReason(read(exportOf('<Class name="A"><!DOCTYPE y [<!ENTITY z "z">]></Class>')), 'dtd');
  });

  it('does not mistake <!DOCTYPE html> inside a CSP page for a DTD, however the file is chunked', async () => {
    expect(v1Bytes.includes('<CSP name="patient/search.csp" application="/csp/cms/" default="1"><![CDATA[<!DOCTYPE html>')).toBe(true);
    const at = v1Bytes.indexOf('<!DOCTYPE html>');
    for (let cut = at - 2; cut <= at + 12; cut++) expect(await readCacheExport(chunks(split(v1Bytes, [cut])))).toEqual(v1);
    const page = exportOf('<CSP name="a.csp" application="/csp/x/"><![CDATA[<!DOCTYPE html><p>x</p>]]></CSP>');
    expect(keysOf(await read(page))).toEqual(['csp:/csp/x/a.csp']);
  });

  it('refuses billion laughs', async () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<Export><Class name="A">&lol9;</Class></Export>',
    ].join('\n');
    await expectReason(read(lol), 'dtd');
  });

  it('refuses an undefined entity, and says where', async () => {
    const err = await expectReason(read('<Export>\n<Class name="A">\n<Description>&nbsp;</Description></Class></Export>'), 'entity');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/line 3, column \d+/);
  });

  it('accepts the predefined entities and character references', async () => {
    const m = await read(exportOf('<Class name="A&amp;B"><Description>&lt;&gt;&quot;&apos;&#xE4;&#228;</Description></Class>'));
    expect(keysOf(m)).toEqual(['class:A&B']);
  });

  it('refuses what is not XML: binary, a ZIP, gzip, JSON, plain text', async () => {
    await expectReason(read(Uint8Array.from([0x00, 0x9f, 0x92, 0x96, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1])), 'not-xml');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(exportOf('<Class name="A"></Class>')), 'CFIS014.xml');
    zip.end();
    const parts: Buffer[] = [];
    for await (const c of zip.outputStream) parts.push(Buffer.from(c as Uint8Array));
    const zipErr = await expectReason(read(Buffer.concat(parts)), 'not-xml');
    expect(zipErr.message).toContain('ZIP');
    await expectReason(read(Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x00])), 'not-xml');
    await expectReason(read('{"elements":[{"type":"class"}]}'), 'not-xml');
    await expectReason(read('Class CMS.Patient Extends %Persistent {}'), 'not-xml');
    await expectReason(read(Buffer.from([0x3c, 0x45, 0x78, 0xff, 0xfe, 0x3e])), 'not-xml');
  });

  it('refuses empty and whitespace-only files, and an export with nothing in it', async () => {
    await expectReason(readCacheExport(chunks([])), 'empty');
    await expectReason(read(''), 'empty');
    await expectReason(read(new Uint8Array(0)), 'empty');
    await expectReason(read(' \n\t\r\n  '), 'empty');
    await expectReason(read(Buffer.from([0xef, 0xbb, 0xbf, 0x20, 0x0a])), 'empty');
    await expectReason(read(exportOf('<Checksum value="1"/>')), 'empty');
    await expectReason(read('<Export generator="IRIS"/>'), 'empty');
  });

  it('refuses a truncated file and broken markup as not-xml', async () => {
    const truncated = await expectReason(read(v1Bytes.subarray(0, Math.floor(v1Bytes.length / 2))), 'not-xml');
    expect(truncated.message).toContain('ends too early');
    await expectReason(read('<Export><Class name="A"><Method></Class></Export>'), 'not-xml');
    await expectReason(read('<Export><Class name="A">'), 'not-xml');
    await expectReason(read('<Export><Class name="A"></Class></Export>trailing'), 'not-xml');
    await expectReason(read('<Export></Export><Export></Export>'), 'not-xml');
    await expectReason(read('<Export><Class name="A" name="B"></Class></Export>'), 'not-xml');
    await expectReason(read('<Export><Class name="A">AT&T</Class></Export>'), 'not-xml');
  });

  it('refuses XML that is not an export', async () => {
    const err = await expectReason(read('<?xml version="1.0"?>\n<project><target name="x"/></project>'), 'not-export');
    expect(err.message).toContain('<project>');
    await expectReason(read('<?xml version="1.0"?><!-- nothing else -->'), 'not-export');
  });

  it('refuses deep nesting and too many elements', async () => {
    const deep = `<Export><Class name="A">${'<a>'.repeat(300)}${'</a>'.repeat(300)}</Class></Export>`;
    await expectReason(read(deep), 'too-deep');
    await expectReason(read('<Export><A><B><C/></B></A></Export>', { maxDepth: 3 }), 'too-deep');
    expect(keysOf(await read('<Export><A><B/></A></Export>', { maxDepth: 3 }))).toEqual(['other:A']);
    const four = exportOf(['A', 'B', 'C', 'D'].map((n) => `<Class name="${n}"></Class>`).join('\n'));
    await expectReason(read(four, { maxElements: 3 }), 'too-large');
    expect(await read(four, { maxElements: 4 })).toMatchObject({ elements: { length: 4 } });
    const items = Array.from({ length: 5 }, (_, i) => `<ProjectItem name="C${i}" type="CLS"/>`).join('');
    await expectReason(read(exportOf(`<Project name="P"><Items>${items}</Items></Project>`), { maxElements: 4 }), 'too-large');
  });

  it('refuses a text block, tag or entity reference that never ends instead of buffering the rest of the file', () => {
    const reader = (): ExportReader => new ExportReader({ maxElements: 100, maxDepth: 10, maxNodeBytes: 1000 });
    const thrown = (head: string): unknown => {
      const r = reader();
      try {
        r.push(Buffer.from(head));
        for (let i = 0; i < 20; i++) r.push(Buffer.from('x'.repeat(100)));
      } catch (err) {
        return err;
      }
      return null;
    };
    const heads = [
      '<Export><Class name="A"><![CDATA[',
      '<Export><Class name="A">AT&T',
      '<Export><Class name="A">',
      '<Export><Class name="A"><!--',
      '<Export><Class name="A"><?pi ',
      '<Export><Class name="A',
    ];
    for (const head of heads) expect(thrown(head)).toMatchObject({ name: 'CacheExportError', reason: 'too-large' });
    // A stray "&" that cannot be an entity reference is refused where it stands.
    expect(thrown('<Export><Class name="A">AT&T ')).toMatchObject({ name: 'CacheExportError', reason: 'not-xml' });
    // The cap is about one node, not the file.
    const r = reader();
    r.push(Buffer.from('<Export>'));
    for (let i = 0; i < 50; i++) r.push(Buffer.from(`<Class name="C${i}"><![CDATA[${'y'.repeat(900)}]]></Class>`));
    r.push(Buffer.from('</Export>'));
    expect(r.finish().elements).toHaveLength(50);
  });

  it('says when a file ends in the middle of a UTF-8 character', async () => {
    const bytes = Buffer.from(exportOf('<Class name="Ä"></Class>'));
    const err = await expectReason(readCacheExport(chunks([bytes, Uint8Array.of(0xc3)])), 'not-xml');
    expect(err.message).toContain('middle of a character');
  });

  it('lets errors of the source itself through unchanged', async () => {
    const broken = new Error('disk gone');
    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<string> {
      throw broken;
    }
    await expect(readCacheExport(failing())).rejects.toBe(broken);
    await expect(read('<Export/>', { maxDepth: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('never throws anything but CacheExportError, whatever the bytes', async () => {
    const outcome = async (parts: (Uint8Array | string)[]): Promise<void> => {
      try {
        await readCacheExport(chunks(parts));
      } catch (err) {
        if (!(err instanceof CacheExportError)) throw err;
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), { maxLength: 6 }),
        outcome,
      ),
      { numRuns: 400 },
    );
    // Damage a real file: drop, repeat or insert bytes anywhere.
    const markup = fc.constantFrom(
      '<',
      '>',
      '&',
      ']]>',
      '<![CDATA[',
      '</Class>',
      '<!DOCTYPE',
      '<Class name="x">',
      '&#0;',
      '\u0000',
      '\ud800',
      '"',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: v1Bytes.length }),
        fc.nat({ max: 200 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 20 }),
          markup.map((s) => Buffer.from(s)),
        ),
        fc.array(fc.nat({ max: v1Bytes.length }), { maxLength: 5 }),
        async (at, drop, insert, cuts) => {
          const damaged = Buffer.concat([v1Bytes.subarray(0, at), insert, v1Bytes.subarray(Math.min(v1Bytes.length, at + drop))]);
          await outcome(split(damaged, cuts));
        },
      ),
      { numRuns: 300 },
    );
  });
});
