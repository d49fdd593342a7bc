import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactTooLargeError, stageFile } from '../../src/integrations/storage/staging-writer.js';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The bytes in chunks of varying sizes, as a socket delivers them. */
async function* uneven(bytes: Buffer, sizes = [65_536, 1, 4095, 300_001, 7]): AsyncGenerator<Uint8Array> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + n);
    at += n;
    await Promise.resolve();
  }
}

describe('staging writer', () => {
  let dir: string;
  let n = 0;
  const next = () => path.join(dir, `f${n++}`);
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'relman-staging-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Around block and slab edges, and more than the sixteen slabs in flight, so slabs are reused.
  const sizes = [0, 1, 4095, 4096, 4097, MiB - 1, MiB, MiB + 1, 17 * MiB + 123];

  for (const direct of [true, false]) {
    it(`writes exactly the bytes it hashes (${direct ? 'direct where the file system allows' : 'buffered'})`, async () => {
      for (const size of sizes) {
        const bytes = randomBytes(size);
        const file = next();
        const stored = await stageFile(file, uneven(bytes), { maxBytes: size, direct });
        expect(stored).toMatchObject({ sha256: sha(bytes), size });
        if (!direct) expect(stored.direct).toBe(false);
        const back = readFileSync(file);
        expect(back.length).toBe(size);
        expect(sha(back)).toBe(sha(bytes));
      }
    });
  }

  it('writes through the page cache when RELMAN_UPLOAD_DIRECT=0', async () => {
    const bytes = randomBytes(MiB + 5);
    process.env.RELMAN_UPLOAD_DIRECT = '0';
    try {
      const stored = await stageFile(next(), uneven(bytes), { maxBytes: bytes.length });
      expect(stored).toMatchObject({ sha256: sha(bytes), size: bytes.length, direct: false });
    } finally {
      delete process.env.RELMAN_UPLOAD_DIRECT;
    }
  });

  it('removes the file when the source fails, and the next file is written whole', async () => {
    const file = next();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(5 * MiB);
      throw new Error('connection reset');
    }
    await expect(stageFile(file, failing(), { maxBytes: 100 * MiB })).rejects.toThrow('connection reset');
    expect(existsSync(file)).toBe(false);
    const bytes = randomBytes(2 * MiB + 9);
    const again = next();
    expect((await stageFile(again, uneven(bytes), { maxBytes: bytes.length })).sha256).toBe(sha(bytes));
  });

  it('stops at the size limit and removes the file', async () => {
    const file = next();
    await expect(stageFile(file, uneven(randomBytes(3 * MiB)), { maxBytes: 2 * MiB })).rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(existsSync(file)).toBe(false);
  });

  it('hashes uploads that run at the same time each on its own', async () => {
    const files = [randomBytes(6 * MiB + 1), randomBytes(MiB / 2), randomBytes(9 * MiB + 4097), Buffer.alloc(0)];
    const stored = await Promise.all(files.map((b) => stageFile(next(), uneven(b), { maxBytes: b.length })));
    expect(stored.map((s) => s.sha256)).toEqual(files.map(sha));
  });

  it('refuses to overwrite an existing file', async () => {
    const file = next();
    await stageFile(file, uneven(Buffer.from('first')), { maxBytes: 10 });
    await expect(stageFile(file, uneven(Buffer.from('second')), { maxBytes: 10 })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(file, 'utf8')).toBe('first');
  });
});
