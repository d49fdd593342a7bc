import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elementChanges } from '../../src/domain/element-changes.js';
import { CacheExportError } from '../../src/integrations/xml/cache-export.js';
import { parseElementKey, readElementText, readElementTextFile } from '../../src/integrations/xml/element-text.js';
import { generateCacheExport } from '../../src/integrations/xml/generate-export.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CFIS014 = (v: 1 | 2) => path.join(here, `../fixtures/cache-exports/CFIS014.v${v}.xml`);
const STUDIO = '/work/shared/fixtures/cache-exports';

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const text = (xml: string, key: string, size = 7) => {
  const id = parseElementKey(key);
  if (!id) throw new Error(`bad key ${key}`);
  return readElementText(pieces(xml, size), id).then((e) => e?.text ?? null);
};

const classExport = (timeChanged: string, body: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<Export generator="Cache" version="25">
<Class name="sc.other">
<TimeChanged>1,1</TimeChanged>
</Class>
<Class name="sc.handler">
<Description>
Handles source control events.</Description>
<Super>%RegisteredObject</Super>
<TimeChanged>${timeChanged}</TimeChanged>
<TimeCreated>63890,50155.078667</TimeCreated>

<Parameter name="VERSION">
<Default>1</Default>
</Parameter>

<Property name="code">
<Type>%String</Type>
<Parameter name="MAXLEN" value="200"/>
</Property>
${extra}
<Method name="on">
<ClassMethod>1</ClassMethod>
<FormalSpec>event:%String,code:%String</FormalSpec>
<Implementation><![CDATA[
${body}
]]></Implementation>
</Method>
</Class>
<Routine name="sc.compile" type="MAC" languagemode="0" timestamp="${timeChanged}"><![CDATA[
compile( list )  Q $system.OBJ.CompileList( list, "ck" )
other() ; second label
 quit ${body.length}
]]></Routine>
</Export>
`;

describe('one element’s text from a release file', () => {
  it('renders a class as one block per member, in file order, without Studio’s save stamps', async () => {
    const t = await text(classExport('65025,33012.1', '\tquit 1'), 'class:sc.handler');
    expect(t).toBe(
      [
        'Class sc.handler',
        '    Description: Handles source control events.',
        '    Super: %RegisteredObject',
        '',
        'Parameter VERSION',
        '    Default: 1',
        '',
        'Property code',
        '    Type: %String',
        '    Parameter name="MAXLEN" value="200"',
        '',
        'Method on',
        '    ClassMethod: 1',
        '    FormalSpec: event:%String,code:%String',
        '    Implementation:',
        '        \tquit 1',
        '',
      ].join('\n'),
    );
    expect(t).not.toContain('TimeChanged');
    expect(t).not.toContain('TimeCreated');
  });

  it('gives the same text for two saves that differ only in their stamps: no member changes', async () => {
    for (const key of ['class:sc.handler', 'routine:sc.compile.MAC']) {
      const before = await text(classExport('65025,33012.1', '\tquit 1'), key, 5);
      const after = await text(classExport('65111,1.99', '\tquit 1'), key, 64);
      expect(after).toBe(before);
      expect(elementChanges(parseElementKey(key)?.type ?? '', before, after)).toEqual([]);
    }
  });

  it('names the members that changed, were added and removed', async () => {
    const before = await text(classExport('1,1', '\tquit 1'), 'class:sc.handler');
    const after = await text(
      classExport('2,2', '\tquit 2', '<Index name="CodeIdx">\n<Properties>code</Properties>\n</Index>\n'),
      'class:sc.handler',
    );
    expect(elementChanges('class', before, after)).toEqual([
      { kind: 'index', name: 'CodeIdx', change: 'added' },
      { kind: 'method', name: 'on', change: 'changed' },
    ]);
    expect(elementChanges('class', after, null).map((c) => c.change)).toEqual(Array(5).fill('removed'));
  });

  it('gives a routine’s code, and its labels as members', async () => {
    const before = await text(classExport('1,1', 'x'), 'routine:sc.compile.MAC', 3);
    expect(before).toBe('\ncompile( list )  Q $system.OBJ.CompileList( list, "ck" )\nother() ; second label\n quit 1\n');
    const after = await text(classExport('1,1', 'xy'), 'routine:sc.compile.MAC', 3);
    expect(elementChanges('routine', before, after)).toEqual([{ kind: 'label', name: 'other', change: 'changed' }]);
  });

  it('reads globals, CSP pages, documents and projects of a real export by their manifest names', async () => {
    const read = (key: string) => readElementTextFile(CFIS014(2), parseElementKey(key) ?? { type: 'other', name: '' });
    expect((await read('global:^CMSConfig'))?.text).toContain('Sub: ^CMSConfig');
    expect((await read('csp:/csp/cms/patient/search.csp'))?.text).toMatch(/^<!DOCTYPE html>/);
    expect((await read('document:CMSStatus.LUT'))?.text).toContain('entry table="CMSStatus" key="open": Offen');
    const project = (await read('project:CFIS014'))?.text ?? '';
    expect(project).toContain('ProjectItem name="CMS.Patient" type="CLS"');
    expect(project).not.toContain('LastModified');
    expect(await read('class:CMS.Nope')).toBeNull();
    // Re-saved only between the versions.
    const patient = await Promise.all([1, 2].map((v) => readElementTextFile(CFIS014(v as 1 | 2), { type: 'class', name: 'CMS.Patient' })));
    expect(patient[0]?.text).toBe(patient[1]?.text);
  });

  it.skipIf(!existsSync(STUDIO))('names the changed methods of a real Studio class', async () => {
    const read = (v: 1 | 2) => readElementTextFile(path.join(STUDIO, `sc.plugin.PRJ.v${v}.xml`), { type: 'class', name: 'sc.handler' });
    const [a, b] = await Promise.all([read(1), read(2)]);
    const changes = elementChanges('class', a?.text ?? null, b?.text ?? null);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.kind === 'method' && c.change === 'changed')).toBe(true);
  });

  it('refuses keys that are no element: unknown type, empty name, control characters', () => {
    expect(parseElementKey('class:sc.handler')).toEqual({ type: 'class', name: 'sc.handler' });
    expect(parseElementKey('csp:/csp/app/x.csp')).toEqual({ type: 'csp', name: '/csp/app/x.csp' });
    for (const bad of ['sc.handler', 'file:../../etc/passwd', 'class:', ':x', 'class:a\nb', `class:${'x'.repeat(600)}`])
      expect(parseElementKey(bad)).toBeNull();
  });

  it('finds a global by the name in its first subscript, past other globals', async () => {
    const global = (name: string, data: string) =>
      `<Global>\n<Node><Sub>${name}</Sub>\n<Node><Sub>x</Sub>\n<Data>${data}</Data>\n</Node>\n</Node>\n</Global>\n`;
    const xml = `<Export>\n${global('^Big', 'y'.repeat(50_000))}${global('^A&amp;B', 'odd')}${global('^Cfg', 'on')}</Export>\n`;
    for (const size of [5, 4096, 1 << 20]) {
      expect(await text(xml, 'global:^Cfg', size)).toContain('Data: on');
      expect(await text(xml, 'global:^A&B', size)).toContain('Data: odd');
      expect(await text(xml, 'global:^Nope', size)).toBeNull();
    }
  });

  it('still refuses a broken file before the element', async () => {
    const broken = '<Export><Class name="a"><Oops></Class><Class name="b"></Class></Export>';
    await expect(text(broken, 'class:b')).rejects.toBeInstanceOf(CacheExportError);
  });
});

describe('reading one element of a large export', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'relman-element-'));
    file = path.join(dir, 'big.xml');
    await pipeline(Readable.from(generateCacheExport({ classes: 200, bodyBytes: 64 * 1024, seed: 7 })), createWriteStream(file));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops reading once the element is complete', async () => {
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(10 * 1024 * 1024);
    let read = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    const e = await readElementText(counted(), { type: 'class', name: 'CMS.Gen.Pkg03.Class000003' });
    expect(e?.text).toMatch(/^Class CMS\.Gen\.Pkg03\.Class000003\n/);
    expect(e?.text).toContain('Method Process0\n');
    expect(read).toBeLessThan(size / 10);
  });
});
