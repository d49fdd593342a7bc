import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunks, split, splitText } from '../support/chunks.js';
import { CacheExportError, readCacheExport, type CacheManifest } from '../../src/integrations/xml/cache-export.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, '../fixtures');

/** Every byte its own chunk. */
function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (b) => Uint8Array.of(b));
}

/** The outcome of reading, as something `toEqual` can compare: the manifest, or the refusal's reason. */
async function outcome(parts: readonly (Uint8Array | string)[]): Promise<CacheManifest | { refused: string }> {
  try {
    return await readCacheExport(chunks(parts));
  } catch (err) {
    if (err instanceof CacheExportError) return { refused: err.reason };
    throw err;
  }
}

/**
 * An export with every construct whose end the scanner has to find across a chunk boundary: multibyte and
 * astral characters in names, text and CDATA, "]]>" preceded by more brackets, CRLF and lone CR, quoted
 * attribute values holding ">" and quotes of the other kind, entities and character references, comments
 * and processing instructions (with dashes and question marks inside), "<!DOCTYPE html>" inside CDATA,
 * white space inside end tags, self-closing tags, a global named by its first subscript and a project.
 */
const TRICKY =
  '\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n' +
  '<!-- exported - by Studio - with single dashes only -->\n' +
  '<Export generator="Cache" version="25" zv="Caché &amp; Ensemble &#x2014; Größe" ts="2024-01-01 00:00:00">\r\n' +
  '<Class name="CMS.Größe.𝄞Noten">\r\n' +
  '<Description>Zeile 1\r\nZeile 2\rZeile 3 – €&lt;b&gt;&#169;&#x1F600;</Description>\r\n' +
  '<TimeChanged>65000,1</TimeChanged>\n' +
  "<Parameter name='GT' value=\"a > b &amp;&amp; c='d'\" />\n" +
  '<Method name="M" >\n' +
  '<Implementation><![CDATA[\r\n\tset x = "]]]]><![CDATA[>" ; if a]]b { quit "ÄÖÜ😀" }\r\n\t; <!DOCTYPE html> is text here\r\n]]]></Implementation>\n' +
  '</Method >\n' +
  '<?studio hint="x?y" ??>\n' +
  '<Storage name="Default"><Type>%Storage.Persistent</Type><Empty/><Blank>   </Blank></Storage>\n' +
  '</Class>\n' +
  '<Routine name="%ZSTU" type="MAC" timestamp="63920,46685"><![CDATA[ ; ]] ] > ]]></Routine>\n' +
  '<CSP name="index.csp" application="/csp/cms/"><![CDATA[<!DOCTYPE html><html>€</html>]]></CSP>\n' +
  '<Global>\n<Node><Sub>^CMS€Config</Sub>\n<Node><Sub>1</Sub><Data>x</Data></Node>\n</Node>\n</Global>\n' +
  '<Project name="P" LastModified="2024-01-01"><Items>\n  <ProjectItem name="CMS.Größe.𝄞Noten" type="CLS"/>\n' +
  '  <ProjectItem name="%ZSTU.MAC" type="MAC"></ProjectItem>\n</Items></Project>\n' +
  '<Checksum value="1"/>\n' +
  '</Export>\r\n<!-- trailing -->\n';

const files: { name: string; bytes: Buffer }[] = [];

beforeAll(async () => {
  for (const name of [
    'cache-exports/CFIS014.v1.xml',
    'cache-exports/CFIS014.v2.xml',
    'packages/CFIS001-v1.xml',
    'packages/CFIS001-v2.xml',
  ]) {
    files.push({ name, bytes: await readFile(path.join(FIXTURES, name)) });
  }
  const v1 = files[0]?.bytes ?? Buffer.alloc(0);
  files.push({ name: 'CFIS014.v1 with CRLF', bytes: Buffer.from(v1.toString('utf8').replace(/\n/g, '\r\n')) });
  files.push({ name: 'tricky', bytes: Buffer.from(TRICKY) });
});

describe('readCacheExport over any chunking', () => {
  it('reads the tricky export as intended', async () => {
    const m = await readCacheExport(chunks([Buffer.from(TRICKY)]));
    expect(m.elements.map((e) => `${e.type}:${e.name}`)).toEqual([
      'class:CMS.Größe.𝄞Noten',
      'routine:%ZSTU.MAC',
      'csp:/csp/cms/index.csp',
      'global:^CMS€Config',
      'project:P',
    ]);
    expect(m.zv).toBe('Caché & Ensemble — Größe');
    expect(m.elements.at(-1)?.items).toEqual([
      { name: 'CMS.Größe.𝄞Noten', type: 'CLS' },
      { name: '%ZSTU.MAC', type: 'MAC' },
    ]);
    const cls = m.elements[0];
    const start = TRICKY.indexOf('<Class ');
    const end = TRICKY.indexOf('</Class>') + '</Class>'.length;
    expect(cls?.bytes).toBe(Buffer.byteLength(TRICKY.slice(start, end)));
  });

  it('hashes a file with CRLF line ends as the same file with LF', async () => {
    const lf = await readCacheExport(chunks([files[0]?.bytes ?? '']));
    const crlf = await readCacheExport(chunks([files[4]?.bytes ?? '']));
    expect(crlf.elements).toEqual(lf.elements.map((e) => ({ ...e, bytes: crlf.elements.find((c) => c.name === e.name)?.bytes })));
  });

  it('gives the same manifest when every byte is its own chunk', async () => {
    for (const { name, bytes } of files) {
      expect(await outcome(bytewise(bytes)), name).toEqual(await outcome([bytes]));
    }
  });

  it('gives the same manifest for any cuts, in bytes or in text (property)', async () => {
    const expected = await Promise.all(files.map(({ bytes }) => outcome([bytes])));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: files.length - 1 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 }),
        fc.boolean(),
        async (index, fractions, asText) => {
          const { bytes } = files[index] ?? { bytes: Buffer.alloc(0) };
          const cuts = fractions.map((f) => Math.floor(f * bytes.length));
          const parts = asText ? splitText(bytes.toString('utf8'), cuts) : split(bytes, cuts);
          expect(await outcome(parts)).toEqual(expected[index]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same manifest for the tricky export cut in two at any byte', async () => {
    const bytes = Buffer.from(TRICKY);
    const expected = await outcome([bytes]);
    for (let at = 0; at <= bytes.length; at++) expect(await outcome(split(bytes, [at])), `cut at ${at}`).toEqual(expected);
  });

  it('refuses damaged files for the same reason however they are cut (property)', async () => {
    const damages: [string, string][] = [
      ['<Class name="CMS.Größe.𝄞Noten">', '<!DOCTYPE x [<!ENTITY e "e">]><Class name="A">'],
      ['&lt;b&gt;', '&nbsp;'],
      ['&lt;b&gt;', 'AT&T '],
      ['<Empty/>', '<Empty>'],
      ['</Method >', '</Methods>'],
      ['ts="2024-01-01 00:00:00"', 'ts="2024 < 2025"'],
      ['<Blank>   </Blank>', '<Blank> ]]> </Blank>'],
      ['</Export>', '</Export><Export/>'],
      ['<!-- trailing -->', '<!-- trailing -- -->'],
      ['<!-- trailing -->', 'trailing'],
      ['<!-- trailing -->', '<![CDATA[]]>'],
      ['<Type>', '<Type\u0001>'],
      // Control characters are refused anywhere, CDATA sections included.
      ['is text here', 'is \u0000 text here'],
      ['<CSP name="index.csp"', '<CSP name="\u0007index.csp"'],
    ];
    const cases = await Promise.all(
      damages.map(async ([from, to]) => {
        const bytes = Buffer.from(TRICKY.replace(from, to));
        return { bytes, expected: await outcome([bytes]) };
      }),
    );
    for (const c of cases) expect(c.expected).toHaveProperty('refused');
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: cases.length - 1 }),
        fc.array(fc.nat({ max: TRICKY.length * 2 }), { maxLength: 30 }),
        async (i, cuts) => {
          const c = cases[i];
          if (!c) return;
          expect(await outcome(split(c.bytes, cuts))).toEqual(c.expected);
        },
      ),
      { numRuns: 300 },
    );
    // And with every byte on its own.
    for (const c of cases) expect(await outcome(bytewise(c.bytes))).toEqual(c.expected);
  });
});
