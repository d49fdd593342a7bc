import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ArchiveError,
  diffArchives,
  readArchive,
  type ArchiveEntry,
  type ArchiveErrorReason,
  type ArchiveManifest,
} from '../../src/integrations/zip/archive.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'relman-archive-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes bytes to a fresh file in the temp dir; the extension matters for WAR detection. */
async function put(bytes: Buffer | string, name = 'pkg.zip'): Promise<string> {
  const file = path.join(dir, `${++counter}-${name}`);
  await writeFile(file, bytes);
  return file;
}

// ---------------------------------------------------------------------------
// Building archives

type FileSpec = { name: string; data?: Buffer | string; dir?: boolean; compress?: boolean; zip64?: boolean };

/** A well-formed archive, as a packaging tool would write it. */
async function yazlZip(files: FileSpec[], opts: { zip64?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date('2024-05-01T12:00:00Z');
  for (const f of files) {
    if (f.dir) zip.addEmptyDirectory(f.name, { mtime });
    else zip.addBuffer(Buffer.from(f.data ?? ''), f.name, { mtime, compress: f.compress ?? true, forceZip64Format: f.zip64 ?? false });
  }
  zip.end({ forceZip64Format: opts.zip64 ?? false, comment: '' });
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

type RawSpec = {
  name: string | Buffer;
  /** Bytes written after the local header, as they are. */
  data?: Buffer;
  method?: number;
  crc?: number;
  /** Declared sizes; default to data's length. */
  size?: number;
  compressedSize?: number;
  flags?: number;
  /** Declared local header offset; defaults to where the header was written. */
  offset?: number;
  /** Write a local header and data for this entry (default true). */
  local?: boolean;
  extra?: Buffer;
};

type RawTail = {
  /** Overrides the entry count in the end record. */
  entryCount?: number;
  /** Adds a ZIP64 end record and locator declaring these values. */
  zip64?: { entryCount?: bigint; cdOffset?: bigint; locatorOffset?: bigint };
};

/**
 * Hand-made archives for what no packaging tool writes: hostile names, lying
 * sizes, shared data. Only the fields yauzl reads from the central directory
 * matter; local headers are there so offsets point at something real.
 */
function rawZip(specs: RawSpec[], tail: RawTail = {}): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  const central: Buffer[] = [];
  for (const s of specs) {
    const name = Buffer.isBuffer(s.name) ? s.name : Buffer.from(s.name, 'utf8');
    const data = s.data ?? Buffer.alloc(0);
    const flags = s.flags ?? (Buffer.isBuffer(s.name) ? 0 : 0x800);
    const crc = s.crc ?? zlib.crc32(data);
    const csize = s.compressedSize ?? data.length;
    const usize = s.size ?? data.length;
    const method = s.method ?? 0;
    const at = pos;
    if (s.local ?? true) {
      const lh = Buffer.alloc(30);
      lh.writeUInt32LE(0x04034b50, 0);
      lh.writeUInt16LE(20, 4);
      lh.writeUInt16LE(flags, 6);
      lh.writeUInt16LE(method, 8);
      lh.writeUInt16LE(0x21, 12);
      lh.writeUInt32LE(crc >>> 0, 14);
      lh.writeUInt32LE(Math.min(csize, 0xffffffff), 18);
      lh.writeUInt32LE(Math.min(usize, 0xffffffff), 22);
      lh.writeUInt16LE(name.length, 26);
      parts.push(lh, name, data);
      pos += lh.length + name.length + data.length;
    }
    const extra = s.extra ?? Buffer.alloc(0);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(Math.min(csize, 0xffffffff), 20);
    cd.writeUInt32LE(Math.min(usize, 0xffffffff), 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt16LE(extra.length, 30);
    cd.writeUInt32LE(s.offset ?? at, 42);
    central.push(cd, name, extra);
  }
  const cdOffset = pos;
  const cdBytes = Buffer.concat(central);
  parts.push(cdBytes);
  pos += cdBytes.length;
  const count = tail.entryCount ?? specs.length;
  if (tail.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(tail.zip64.entryCount ?? BigInt(count), 24);
    rec.writeBigUInt64LE(tail.zip64.entryCount ?? BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdBytes.length), 40);
    rec.writeBigUInt64LE(tail.zip64.cdOffset ?? BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(tail.zip64.locatorOffset ?? BigInt(pos), 8);
    loc.writeUInt32LE(1, 16);
    parts.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(count, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(count, 0xffff), 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(tail.zip64 ? 0xffffffff : cdOffset, 16);
  parts.push(eocd);
  return Buffer.concat(parts);
}

/** ZIP64 extended information extra field carrying a 64-bit uncompressed size. */
function zip64SizeExtra(size: bigint): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8, 2);
  b.writeBigUInt64LE(size, 4);
  return b;
}

/** Central directory records of an archive without a comment, for patching. */
function centralRecords(buf: Buffer): { at: number; name: string; localAt: number }[] {
  const eocd = buf.length - 22;
  expect(buf.readUInt32LE(eocd)).toBe(0x06054b50);
  let at = buf.readUInt32LE(eocd + 16);
  const out: { at: number; name: string; localAt: number }[] = [];
  for (let i = 0; i < buf.readUInt16LE(eocd + 10); i++) {
    const n = buf.readUInt16LE(at + 28);
    const m = buf.readUInt16LE(at + 30);
    const k = buf.readUInt16LE(at + 32);
    out.push({ at, name: buf.toString('utf8', at + 46, at + 46 + n), localAt: buf.readUInt32LE(at + 42) });
    at += 46 + n + m + k;
  }
  return out;
}

function setFlags(buf: Buffer, name: string, bits: number): Buffer {
  const copy = Buffer.from(buf);
  const rec = centralRecords(copy).find((r) => r.name === name);
  if (!rec) throw new Error(`no entry ${name}`);
  copy.writeUInt16LE(copy.readUInt16LE(rec.at + 8) | bits, rec.at + 8);
  copy.writeUInt16LE(copy.readUInt16LE(rec.localAt + 6) | bits, rec.localAt + 6);
  return copy;
}

// ---------------------------------------------------------------------------
// Expectations

const hex = (n: number): string => n.toString(16).padStart(8, '0');

/** The entry a correct reader must report for content added with yazl at the default level. */
function expected(name: string, content: Buffer | string, compress = true): ArchiveEntry {
  const data = Buffer.from(content);
  return {
    name,
    directory: false,
    size: data.length,
    compressedSize: compress ? zlib.deflateRawSync(data, { level: zlib.constants.Z_DEFAULT_COMPRESSION }).length : data.length,
    crc32: hex(zlib.crc32(data)),
    method: compress ? 'deflated' : 'stored',
  };
}

const dirEntry = (name: string): ArchiveEntry => ({
  name,
  directory: true,
  size: 0,
  compressedSize: 0,
  crc32: '00000000',
  method: 'stored',
});

async function refused(file: string, opts?: Parameters<typeof readArchive>[1]): Promise<ArchiveError> {
  let thrown: unknown;
  try {
    await readArchive(file, opts);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ArchiveError);
  return thrown as ArchiveError;
}

async function expectRefused(file: string, reason: ArchiveErrorReason, opts?: Parameters<typeof readArchive>[1]): Promise<ArchiveError> {
  const err = await refused(file, opts);
  expect({ reason: err.reason, message: err.message }).toMatchObject({ reason });
  return err;
}

// ---------------------------------------------------------------------------
// Fixtures

const css = 'body { margin: 0; font-family: sans-serif; }\n'.repeat(20);
const js = 'export function main() { console.log("relman"); }\n'.repeat(30);
const html = '<!doctype html><html><head><link rel="stylesheet" href="css/site.css"></head><body></body></html>\n';
const png = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 7919) % 256));

const webXml = '<?xml version="1.0"?><web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"></web-app>\n';
const jarA = Buffer.from('PK fake jar a '.repeat(40));
const jarB = Buffer.from('PK fake jar b '.repeat(50));
const classBytes = Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe]), Buffer.alloc(200, 1)]);
const jsp = '<%@ page contentType="text/html" %><html><body>Hello</body></html>\n';

function warFiles(withWebXml = true): FileSpec[] {
  return [
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' },
    ...(withWebXml ? [{ name: 'WEB-INF/web.xml', data: webXml }] : []),
    // b before a: the jar list is sorted, whatever the order in the archive.
    { name: 'WEB-INF/lib/b.jar', data: jarB, compress: false },
    { name: 'WEB-INF/lib/a.jar', data: jarA, compress: false },
    { name: 'WEB-INF/lib/nested/c.jar', data: jarA, compress: false },
    { name: 'WEB-INF/lib/README.txt', data: 'not a jar' },
    { name: 'WEB-INF/classes/x/Y.class', data: classBytes },
    { name: 'WEB-INF/classes/x/messages.properties', data: 'greeting=hello\n' },
    { name: 'index.jsp', data: jsp },
  ];
}

// ---------------------------------------------------------------------------

describe('readArchive: well-formed packages', () => {
  it('lists a static ZIP exactly, from the central directory', async () => {
    const file = await put(
      await yazlZip([
        { name: 'index.html', data: html },
        { name: 'css/', dir: true },
        { name: 'css/site.css', data: css },
        { name: 'js/app.js', data: js },
        { name: 'images/logo.png', data: png, compress: false },
      ]),
      'web-static-1.4.0.zip',
    );
    const m = await readArchive(file);
    const entries = [
      expected('index.html', html),
      dirEntry('css/'),
      expected('css/site.css', css),
      expected('js/app.js', js),
      expected('images/logo.png', png, false),
    ];
    expect(m).toStrictEqual({
      format: 'zip',
      entries,
      totalSize: entries.reduce((n, e) => n + e.size, 0),
      totalCompressedSize: entries.reduce((n, e) => n + e.compressedSize, 0),
    });
    expect(m).not.toHaveProperty('war');
  });

  it('lists a WAR with web.xml, the jars directly in WEB-INF/lib and the class count', async () => {
    const files = warFiles();
    const file = await put(await yazlZip(files), 'app-2.1.war');
    const m = await readArchive(file, { kindHint: 'war' });
    expect(m.format).toBe('war');
    expect(m.entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
    expect(m.entries).toEqual(files.map((f) => expected(f.name, f.data ?? '', f.compress ?? true)));
    expect(m.war).toEqual({ webXml: true, libJars: ['a.jar', 'b.jar'], classes: 1 });
  });

  it('reports webXml false for a WAR without WEB-INF/web.xml (only that exact path counts)', async () => {
    const files = [...warFiles(false), { name: 'WEB-INF/conf/web.xml', data: webXml }, { name: 'web-inf/web.xml', data: webXml }];
    const m = await readArchive(await put(await yazlZip(files), 'app.war'));
    expect(m.format).toBe('war');
    expect(m.war).toEqual({ webXml: false, libJars: ['a.jar', 'b.jar'], classes: 1 });
  });

  it('recognises a WAR by its WEB-INF/ entries, by the .war name, or by the hint', async () => {
    const warBytes = await yazlZip(warFiles());
    // Artifact store paths have no extension: the contents give it away.
    expect((await readArchive(await put(warBytes, 'sha256-blob'))).format).toBe('war');

    const plain = await yazlZip([{ name: 'index.html', data: html }]);
    expect((await readArchive(await put(plain, 'blob'))).format).toBe('zip');
    expect((await readArchive(await put(plain, 'blob'), { kindHint: 'zip' })).format).toBe('zip');
    const hinted = await readArchive(await put(plain, 'blob'), { kindHint: 'war' });
    expect(hinted).toMatchObject({ format: 'war', war: { webXml: false, libJars: [], classes: 0 } });
    expect((await readArchive(await put(plain, 'legacy.WAR'))).format).toBe('war');
  });

  it('reads ZIP64 records (64-bit sizes in extra fields) the same as classic ones', async () => {
    const files: FileSpec[] = [
      { name: 'index.html', data: html, zip64: true },
      { name: 'images/logo.png', data: png, compress: false, zip64: true },
    ];
    const m = await readArchive(await put(await yazlZip(files, { zip64: true })));
    expect(m.entries).toEqual([expected('index.html', html), expected('images/logo.png', png, false)]);
  });

  it('lists a package over 1 MiB that compresses normally, and takes names with backslashes as folders', async () => {
    const text = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => 97 + ((i * 2654435761) >>> 28)));
    const m = await readArchive(await put(await yazlZip([{ name: 'js/vendor.js', data: text }])));
    expect(m.entries[0]).toEqual(expected('js/vendor.js', text));

    const win = rawZip([{ name: 'css\\site.css', data: Buffer.from(css) }]);
    expect((await readArchive(await put(win))).entries.map((e) => e.name)).toEqual(['css/site.css']);
  });

  it('never opens an entry for reading', async () => {
    const spy = vi.spyOn(yauzl.ZipFile.prototype, 'openReadStream');
    try {
      await readArchive(await put(await yazlZip(warFiles()), 'x.war'));
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('diffArchives', () => {
  it('reports added, removed, changed (by CRC or size) and the unchanged count', async () => {
    const v1 = await readArchive(
      await put(
        await yazlZip([
          { name: 'index.html', data: html },
          { name: 'css/site.css', data: 'a { color: red; }' },
          { name: 'js/app.js', data: js },
          { name: 'js/old.js', data: 'old()' },
          { name: 'images/logo.png', data: png, compress: false },
        ]),
      ),
    );
    const v2 = await readArchive(
      await put(
        await yazlZip([
          { name: 'js/new.js', data: 'new()' },
          { name: 'index.html', data: html },
          // Same length, different bytes: only the CRC tells.
          { name: 'css/site.css', data: 'a { color: tan; }' },
          { name: 'js/app.js', data: js + '// more\n' },
          { name: 'images/logo.png', data: png, compress: false },
        ]),
      ),
    );
    const d = diffArchives(v1, v2);
    const find = (m: ArchiveManifest, name: string): ArchiveEntry => m.entries.find((e) => e.name === name)!;
    expect(d.added).toEqual([find(v2, 'js/new.js')]);
    expect(d.removed).toEqual([find(v1, 'js/old.js')]);
    expect(d.changed).toEqual([
      { before: find(v1, 'css/site.css'), after: find(v2, 'css/site.css') },
      { before: find(v1, 'js/app.js'), after: find(v2, 'js/app.js') },
    ]);
    expect(find(v1, 'css/site.css').size).toBe(find(v2, 'css/site.css').size);
    expect(d.unchanged).toBe(2);

    expect(diffArchives(v2, v2)).toEqual({ added: [], removed: [], changed: [], unchanged: v2.entries.length });
    expect(diffArchives(v2, v1)).toMatchObject({ added: [find(v1, 'js/old.js')], removed: [find(v2, 'js/new.js')], unchanged: 2 });
  });

  it('counts a size change with the same CRC as changed, and a compression change alone as unchanged', () => {
    const e = (name: string, size: number, compressedSize = size): ArchiveEntry => ({
      name,
      directory: false,
      size,
      compressedSize,
      crc32: 'deadbeef',
      method: size === compressedSize ? 'stored' : 'deflated',
    });
    const m = (entries: ArchiveEntry[]): ArchiveManifest => ({ format: 'zip', entries, totalSize: 0, totalCompressedSize: 0 });
    const d = diffArchives(m([e('a', 10), e('b', 10)]), m([e('a', 11), e('b', 10, 4)]));
    expect(d).toEqual({ added: [], removed: [], changed: [{ before: e('a', 10), after: e('a', 11) }], unchanged: 1 });
  });
});

describe('readArchive: hostile archives', () => {
  const ok = Buffer.from('fine');

  it.each([
    ['../../etc/passwd', '../../etc/passwd'],
    ['/abs', '/abs'],
    ['C:\\x', 'C:/x'],
    ['\\\\server\\share\\x', '//server/share/x'],
    ['static/..\\..\\outside.txt', 'static/../../outside.txt'],
    ['a/../../b', 'a/../../b'],
  ])('refuses the zip-slip name %j', async (raw, shown) => {
    const file = await put(
      rawZip([
        { name: 'index.html', data: ok },
        { name: raw, data: ok },
      ]),
    );
    const err = await expectRefused(file, 'unsafe-path');
    expect(err.message).toContain(JSON.stringify(shown));
    expect(err.entry).toBe(shown);
  });

  it('refuses a name with a NUL character', async () => {
    const err = await expectRefused(await put(rawZip([{ name: 'evil.jsp\0.png', data: ok }])), 'unsafe-path');
    expect(err.message).toContain('"evil.jsp\\u0000.png"');
    expect(err.message).toMatch(/NUL/);
  });

  it('refuses an unsafe name hidden in the Info-ZIP Unicode path field', async () => {
    const name = Buffer.from('innocent.txt');
    const unicode = Buffer.from('../../WEB-INF/web.xml');
    const extra = Buffer.alloc(4 + 5 + unicode.length);
    extra.writeUInt16LE(0x7075, 0);
    extra.writeUInt16LE(5 + unicode.length, 2);
    extra.writeUInt8(1, 4);
    extra.writeUInt32LE(zlib.crc32(name), 5);
    unicode.copy(extra, 9);
    const err = await expectRefused(await put(rawZip([{ name, data: ok, extra }])), 'unsafe-path');
    expect(err.message).toContain('../../WEB-INF/web.xml');
  });

  it('refuses an entry declaring an absurd uncompressed size (classic and ZIP64)', async () => {
    const small = zlib.deflateRawSync(Buffer.from(css));
    const classic = rawZip([{ name: 'css/site.css', data: small, method: 8, size: 0xfffffff0 }]);
    const err = await expectRefused(await put(classic), 'bomb');
    expect(err.message).toContain('"css/site.css"');
    expect(err.message).toContain('4294967280 bytes');

    const huge = rawZip([{ name: 'big.bin', data: small, method: 8, size: 0xffffffff, extra: zip64SizeExtra(2n ** 50n) }]);
    const err64 = await expectRefused(await put(huge), 'bomb', { maxRatio: Number.MAX_SAFE_INTEGER });
    expect(err64.message).toContain('"big.bin"');
    expect(err64.message).toContain(String(2 ** 50));
  });

  it('refuses an archive whose declared total exceeds maxTotalSize, naming the entry that crosses it', async () => {
    const file = await put(
      await yazlZip([
        { name: 'a.bin', data: png, compress: false },
        { name: 'b.bin', data: png, compress: false },
      ]),
    );
    const err = await expectRefused(file, 'bomb', { maxTotalSize: 1000 });
    expect(err.entry).toBe('b.bin');
    expect(err.message).toContain('"b.bin"');
    await expect(readArchive(file, { maxTotalSize: 1400 })).resolves.toMatchObject({ totalSize: 1400 });
  });

  it('refuses a real 10 MB file of zeros compressed about 1000:1', async () => {
    const file = await put(
      await yazlZip([
        { name: 'index.html', data: html },
        { name: 'assets/zeros.bin', data: Buffer.alloc(10_000_000) },
      ]),
    );
    const err = await expectRefused(file, 'bomb');
    expect(err.entry).toBe('assets/zeros.bin');
    expect(err.message).toMatch(
      /"assets\/zeros\.bin" would expand from .* to 9\.5 MiB \(10000000 bytes\), a ratio of \d+:1 \(limit 200:1\)/,
    );
    // A generous limit lets the same package through.
    await expect(readArchive(file, { maxRatio: 5000 })).resolves.toMatchObject({ totalSize: 10_000_000 + html.length });
  });

  it('refuses many entries that are each just under the per-entry floor but expand enormously together', async () => {
    const specs: RawSpec[] = Array.from({ length: 70 }, (_, i) => ({
      name: `chunks/${i}.bin`,
      data: Buffer.alloc(1024, i),
      method: 8,
      size: 1024 * 1024,
    }));
    const err = await expectRefused(await put(rawZip(specs)), 'bomb');
    expect(err.message).toMatch(/in total, a ratio of 1024:1/);
    expect(err.message).toContain('"chunks/0.bin"');
  });

  it('refuses overlapping entries that share the same compressed data', async () => {
    const kernel = zlib.deflateRawSync(Buffer.alloc(100_000));
    // Every record points at the one local header at offset 0.
    const shared = rawZip([
      { name: 'k0.bin', data: kernel, method: 8, size: 100_000, crc: 0 },
      { name: 'k1.bin', local: false, offset: 0, compressedSize: kernel.length, method: 8, size: 100_000, crc: 0 },
      { name: 'k2.bin', local: false, offset: 0, compressedSize: kernel.length, method: 8, size: 100_000, crc: 0 },
    ]);
    const err = await expectRefused(await put(shared), 'bomb');
    expect(err.message).toMatch(/"k\d\.bin" and "k\d\.bin" share the same compressed data/);

    // The "quoted" form: the first entry's data runs over the second entry's local header.
    const quoted = rawZip([
      { name: 'outer.bin', data: Buffer.alloc(10), method: 8, size: 100, compressedSize: 10 + 30 + 9 + kernel.length },
      { name: 'inner.bin', data: kernel, method: 8, size: 100_000 },
    ]);
    const errQ = await expectRefused(await put(quoted), 'bomb');
    expect(errQ.message).toContain('"outer.bin" and "inner.bin"');
    expect(errQ.message).toContain('overlapping at offset 49');
  });

  it('refuses more entries than maxEntries, including a ZIP64 count of 2^40, before reading them', async () => {
    const three = await yazlZip([
      { name: 'a', data: 'a' },
      { name: 'b', data: 'b' },
      { name: 'c', data: 'c' },
    ]);
    const err = await expectRefused(await put(three), 'too-many-entries', { maxEntries: 2 });
    expect(err.message).toContain('3 entries');
    await expect(readArchive(await put(three), { maxEntries: 3 })).resolves.toBeTruthy();

    const claims = rawZip([{ name: 'a', data: ok }], { entryCount: 0xffff, zip64: { entryCount: 2n ** 40n } });
    const err64 = await expectRefused(await put(claims), 'too-many-entries');
    expect(err64.message).toContain(String(2 ** 40));
  });

  it('refuses an encrypted entry (general purpose bit 0), naming it', async () => {
    const good = await yazlZip([
      { name: 'index.html', data: html },
      { name: 'WEB-INF/classes/Secret.class', data: classBytes },
    ]);
    const err = await expectRefused(await put(setFlags(good, 'WEB-INF/classes/Secret.class', 0x1), 'app.war'), 'encrypted');
    expect(err.entry).toBe('WEB-INF/classes/Secret.class');
    expect(err.message).toContain('"WEB-INF/classes/Secret.class"');

    // Strong encryption (bit 6) is refused by yauzl before the entry is decoded.
    const strong = await expectRefused(await put(setFlags(good, 'WEB-INF/classes/Secret.class', 0x41)), 'encrypted');
    expect(strong.message).toContain('after entry "index.html"');
  });

  it('refuses an archive with no entries', async () => {
    await expectRefused(await put(await yazlZip([])), 'empty');
    await expectRefused(await put(rawZip([])), 'empty');
  });

  it('tells a cut-off archive from one that is not a ZIP at all', async () => {
    const good = await yazlZip(warFiles());
    for (const cut of [Math.floor(good.length / 2), good.length - 30, good.length - 5, 4]) {
      const err = await expectRefused(await put(good.subarray(0, cut)), 'truncated');
      expect(err.message).toMatch(/cut off/);
    }
    // The end record survives but points at the wrong place.
    const moved = Buffer.from(good);
    moved.writeUInt32LE(0, moved.length - 22 + 16);
    const err = await expectRefused(await put(moved), 'truncated');
    expect(err.message).toMatch(/central directory is damaged at record 1:/);
  });

  it('refuses a central directory that disagrees with itself or with the file', async () => {
    // Stored data must have equal sizes; yauzl checks it before the record is handed over.
    const mismatch = rawZip([
      { name: 'index.html', data: ok },
      { name: 'a.txt', data: ok, compressedSize: 4, size: 5 },
    ]);
    const err = await expectRefused(await put(mismatch), 'truncated');
    expect(err.message).toContain('record 2 (after entry "index.html")');

    const past = rawZip([{ name: 'a.bin', data: ok, method: 8, size: 4, compressedSize: 1_000_000 }]);
    const errPast = await expectRefused(await put(past), 'truncated');
    expect(errPast.message).toContain('"a.bin"');
    expect(errPast.message).toMatch(/past the end of the file/);
  });

  it('refuses ZIP64 offsets beyond the file without crashing the process', async () => {
    // yauzl passes this offset to fs.read unchecked; above 2^53 that throws where nobody can catch it.
    for (const locatorOffset of [2n ** 60n, 2n ** 40n, 2n ** 64n - 1n]) {
      const bad = rawZip([{ name: 'a', data: ok }], { zip64: { locatorOffset } });
      await expectRefused(await put(bad), 'truncated');
    }
    for (const cdOffset of [2n ** 60n, 2n ** 33n]) {
      const bad = rawZip([{ name: 'a', data: ok }], { zip64: { cdOffset } });
      await expectRefused(await put(bad), 'truncated');
    }
    // A sound ZIP64 end record is read normally.
    const sound = rawZip([{ name: 'a', data: ok }], { zip64: {} });
    expect((await readArchive(await put(sound))).entries.map((e) => e.name)).toEqual(['a']);
  });

  it('refuses a split (multi-volume) archive part', async () => {
    const part = rawZip([{ name: 'a', data: ok }]);
    part.writeUInt16LE(1, part.length - 22 + 4);
    const err = await expectRefused(await put(part), 'truncated');
    expect(err.message).toMatch(/split/);
  });
});

describe('readArchive: files that are not archives', () => {
  it.each([
    ['an empty file', ''],
    ['a text file', 'Release notes for 1.4.0\n- fixed login\n'],
    [
      'an XML release file',
      '<?xml version="1.0" encoding="UTF-8"?>\n<Export generator="Cache" version="25"><Class name="A.B"></Class></Export>\n',
    ],
    ['a PDF', '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n'],
  ])('refuses %s as not-zip', async (_label, content) => {
    await expectRefused(await put(content), 'not-zip');
  });

  it('refuses a missing file and a directory as ArchiveError', async () => {
    const missing = await expectRefused(path.join(dir, 'does-not-exist.zip'), 'not-zip');
    expect(missing.message).toMatch(/does not exist/);
    const sub = path.join(dir, 'a-folder.zip');
    await mkdir(sub);
    await expectRefused(sub, 'not-zip');
  });

  it('answers random bytes with an ArchiveError and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('', 'PK\x03\x04', 'PK\x05\x06'), async (bytes, prefix) => {
        const err = await refused(await put(Buffer.concat([Buffer.from(prefix, 'latin1'), bytes])));
        expect(['not-zip', 'truncated', 'empty']).toContain(err.reason);
      }),
      { numRuns: 150 },
    );
  });

  it('answers a damaged copy of a good archive with a manifest or an ArchiveError, never anything else', async () => {
    const good = await yazlZip(warFiles());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        async (edits) => {
          const bad = Buffer.from(good);
          for (const [at, value] of edits) bad[at] = value;
          try {
            const m = await readArchive(await put(bad));
            for (const e of m.entries) {
              expect(e.name).not.toMatch(/^[\\/]|^[a-zA-Z]:|\0/);
              expect(e.name.split('/')).not.toContain('..');
            }
          } catch (err) {
            expect(err).toBeInstanceOf(ArchiveError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readArchive: resources', () => {
  const openFds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
  afterEach(() => vi.restoreAllMocks());

  it.runIf(existsSync('/proc/self/fd'))('closes the file whether it succeeds or refuses', async () => {
    const good = await put(await yazlZip(warFiles()));
    const bomb = await put(await yazlZip([{ name: 'z.bin', data: Buffer.alloc(2_000_000) }]));
    const slip = await put(
      rawZip([
        { name: 'a', data: Buffer.from('a') },
        { name: '../b', data: Buffer.from('b') },
      ]),
    );
    const cut = await put((await yazlZip(warFiles())).subarray(0, 300));
    // Warm up whatever the runtime opens lazily on first use.
    await readArchive(good);
    await new Promise((r) => setTimeout(r, 50));
    const before = await openFds();
    for (let i = 0; i < 30; i++) {
      await readArchive(good);
      await readArchive(bomb).catch(() => undefined);
      await readArchive(slip).catch(() => undefined);
      await readArchive(cut).catch(() => undefined);
      await readArchive(good, { maxEntries: 1 }).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await openFds()).toBeLessThanOrEqual(before + 2);
  });
});
