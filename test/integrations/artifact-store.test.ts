import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactTooLargeError, FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const chunks = (b: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));

describe('file artifact store', () => {
  let root: string;
  let store: FileArtifactStore;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'relman-store-'));
    store = new FileArtifactStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stages bytes out of sight, and shows them under their hash only once promoted', async () => {
    // Larger than one background sync interval, in uneven chunks.
    const bytes = Buffer.alloc(40 * 1024 * 1024 + 17, 7);
    bytes.write('relman', 1000);
    const staged = await store.stage(chunks(bytes, 65_521), { maxBytes: bytes.length });
    expect(staged).toMatchObject({ sha256: sha(bytes), size: bytes.length });
    expect(await store.has(staged.sha256)).toBe(false);
    await store.promote(staged);
    expect(await store.has(staged.sha256)).toBe(true);
    expect(existsSync(staged.localPath)).toBe(false);
    expect(sha(readFileSync(store.localPath(staged.sha256)))).toBe(sha(bytes));
  });

  it('discarding a refused copy of the same bytes leaves the stored file alone', async () => {
    const bytes = Buffer.from('<Export generator="Cache" version="25"></Export>');
    const kept = await store.stage(chunks(bytes, 5), { maxBytes: 1024 });
    const refused = await store.stage(chunks(bytes, 7), { maxBytes: 1024 });
    await store.promote(kept);
    await store.discard(refused);
    expect(readFileSync(store.localPath(kept.sha256), 'utf8')).toBe(bytes.toString());
    expect(readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('a second copy of stored bytes replaces the first, and the replaced one is freed', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 1, 9);
    const first = await store.stage(chunks(bytes, 65_536), { maxBytes: bytes.length });
    await store.promote(first);
    const second = await store.stage(chunks(bytes, 65_536), { maxBytes: bytes.length });
    await store.promote(second);
    expect(sha(readFileSync(store.localPath(second.sha256)))).toBe(sha(bytes));
    // The replaced copy is removed in the background.
    for (let i = 0; i < 100 && readdirSync(path.join(root, 'tmp')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('refuses a file over the limit and leaves no staging file', async () => {
    await expect(store.stage(chunks(Buffer.alloc(5000), 1000), { maxBytes: 4096 })).rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('sweeps staging files of dead processes but not those of a running one', async () => {
    const tmp = path.join(root, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      const deadPid = dead.pid!;
      await new Promise((r) => dead.on('exit', r));
      const uuid = '00000000-0000-4000-8000-000000000000';
      writeFileSync(path.join(tmp, `${child.pid}-${uuid}.part`), 'in flight');
      writeFileSync(path.join(tmp, `${deadPid}-${uuid}.part`), 'left behind');
      writeFileSync(path.join(tmp, 'stray.part'), 'unknown owner');
      expect(await store.cleanTemp()).toBe(2);
      expect(readdirSync(tmp)).toEqual([`${child.pid}-${uuid}.part`]);
    } finally {
      child.kill();
    }
  });
});
