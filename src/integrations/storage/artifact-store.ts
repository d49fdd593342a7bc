import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type StoredArtifact = { sha256: string; size: number };

export class ArtifactTooLargeError extends Error {
  override readonly name = 'ArtifactTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than the limit of ${maxBytes} bytes`);
  }
}

/**
 * Where package files live. Content-addressed: the key is the SHA-256 of the
 * bytes, so identical files are stored once. An object store can implement
 * the same interface later.
 */
export interface ArtifactStore {
  /** Streams the bytes in, hashing as they come; the artifact becomes visible only once complete and durable. */
  put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StoredArtifact>;
  open(sha256: string): Readable;
  /** A local path to read the artifact from (for readers that need random access, like a zip's central directory). */
  localPath(sha256: string): string;
  has(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
  /** Removes leftovers of uploads that never finished (a crash mid-upload). */
  cleanTemp(): Promise<number>;
}

const SHA = /^[0-9a-f]{64}$/;

/** Files under `root/sha256/ab/cd/<sha256>`, written to `root/tmp` first, fsynced, then renamed. */
export class FileArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  localPath(sha256: string): string {
    if (!SHA.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StoredArtifact> {
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    // Hash as the bytes pass; a write stream with a large buffer batches writes
    // (writev) and keeps receiving while the disk catches up. `flush` fsyncs
    // the file before the stream closes, so a completed put is durable.
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.byteLength;
        if (size > opts.maxBytes) return done(new ArtifactTooLargeError(opts.maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, counter, createWriteStream(tmp, { flags: 'wx', mode: 0o640, highWaterMark: 4 * 1024 * 1024, flush: true }));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const sha256 = hash.digest('hex');
    const final = this.localPath(sha256);
    // Same bytes may already be stored: the fresh copy, just hashed, atomically replaces it, so one copy is
    // kept and a damaged one is repaired rather than trusted (and read for the manifest) by its name alone.
    await mkdir(path.dirname(final), { recursive: true });
    await rename(tmp, final);
    await fsyncDir(path.dirname(final));
    return { sha256, size };
  }

  open(sha256: string): Readable {
    return createReadStream(this.localPath(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.localPath(sha256))).isFile();
    } catch {
      return false;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.localPath(sha256), { force: true });
  }

  async cleanTemp(): Promise<number> {
    const tmpDir = path.join(this.root, 'tmp');
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch {
      return 0;
    }
    for (const n of names) await rm(path.join(tmpDir, n), { force: true });
    return names.length;
  }
}

/** A rename is durable only once the directory entry is on disk. */
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** SHA-256 of a stored artifact, read again from disk (downloads re-verify). */
export async function hashArtifact(store: ArtifactStore, sha256: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of store.open(sha256)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
