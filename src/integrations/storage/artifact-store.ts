import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type StoredArtifact = { sha256: string; size: number };

/** Bytes received, hashed and durable on disk, not yet visible under their hash. */
export type StagedArtifact = StoredArtifact & { readonly localPath: string };

export class ArtifactTooLargeError extends Error {
  override readonly name = 'ArtifactTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than the limit of ${maxBytes} bytes`);
  }
}

/**
 * Where package files live. Content-addressed: the key is the SHA-256 of the
 * bytes, so identical files are stored once. An upload is staged first (read
 * and checked there), and made visible under its hash only when it is about
 * to be recorded; a refused upload is discarded without touching anything
 * already stored. An object store can implement the same interface later.
 */
export interface ArtifactStore {
  /** Streams the bytes into a private staging file, hashing as they come; the file is durable when this resolves. */
  stage(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StagedArtifact>;
  /** Makes a staged file visible under its hash (atomically replacing a stored copy of the same bytes). */
  promote(staged: StagedArtifact): Promise<void>;
  /** Drops a staged file that will not be recorded. */
  discard(staged: StagedArtifact): Promise<void>;
  open(sha256: string): Readable;
  /** A local path to read the artifact from (for readers that need random access, like a zip's central directory). */
  localPath(sha256: string): string;
  has(sha256: string): Promise<boolean>;
  /** Removes staging files of uploads that never finished (a process killed mid-upload). */
  cleanTemp(): Promise<number>;
}

const SHA = /^[0-9a-f]{64}$/;
const STAGED = /^(\d+)-[0-9a-f-]{36}\.part$/;

/** Whether a process with this id is running on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Files under `root/sha256/ab/cd/<sha256>`, staged in `root/tmp` first, fsynced, then renamed. */
export class FileArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  localPath(sha256: string): string {
    if (!SHA.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async stage(source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<StagedArtifact> {
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    // The process id in the name tells a later start which leftovers belong to no running process.
    const tmp = path.join(tmpDir, `${process.pid}-${randomUUID()}.part`);
    const hash = createHash('sha256');
    const fh = await open(tmp, 'wx', 0o640);
    const syncer = new BackgroundSync(fh);
    let size = 0;
    // Hash as the bytes pass; the sink batches buffered chunks into one writev
    // and keeps receiving while the disk catches up. Every SYNC_EVERY bytes a
    // data sync starts in the background, so the disk writes while the upload
    // is still arriving and the final fsync has little left to do.
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.byteLength;
        if (size > opts.maxBytes) return done(new ArtifactTooLargeError(opts.maxBytes));
        hash.update(chunk);
        syncer.wrote(chunk.byteLength);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, counter, fileSink(fh));
      await syncer.idle();
      await fh.sync();
    } catch (err) {
      await syncer.idle().catch(() => undefined);
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    return { sha256: hash.digest('hex'), size, localPath: tmp };
  }

  async promote(staged: StagedArtifact): Promise<void> {
    const final = this.localPath(staged.sha256);
    // Same bytes may already be stored: the fresh copy, just hashed, atomically replaces it, so one copy is
    // kept and a damaged one is repaired; a reader of the old copy keeps reading identical bytes.
    await mkdir(path.dirname(final), { recursive: true });
    await rename(staged.localPath, final);
    await fsyncDir(path.dirname(final));
  }

  async discard(staged: StagedArtifact): Promise<void> {
    await rm(staged.localPath, { force: true });
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

  /** Removes staging files whose process is gone; uploads of other running processes sharing the directory are left alone. */
  async cleanTemp(): Promise<number> {
    const tmpDir = path.join(this.root, 'tmp');
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const n of names) {
      const pid = Number(STAGED.exec(n)?.[1] ?? NaN);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) continue;
      await rm(path.join(tmpDir, n), { force: true });
      removed++;
    }
    return removed;
  }
}

/**
 * A writable over an open file that batches buffered chunks into one writev
 * and leaves the file open, so the caller can sync and close it.
 */
function fileSink(fh: FileHandle): Writable {
  return new Writable({
    highWaterMark: 4 * 1024 * 1024,
    writev(chunks, done) {
      void writeAll(
        fh,
        chunks.map((c) => c.chunk as Buffer),
      ).then(() => done(), done);
    },
  });
}

async function writeAll(fh: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    let { bytesWritten } = await fh.writev(rest);
    // A short write: skip what was written and go on with the remainder.
    while (rest.length > 0 && bytesWritten >= rest[0]!.byteLength) {
      bytesWritten -= rest[0]!.byteLength;
      rest = rest.slice(1);
    }
    if (rest.length > 0 && bytesWritten > 0) rest = [rest[0]!.subarray(bytesWritten), ...rest.slice(1)];
  }
}

/** Bytes written between two background data syncs of an upload. */
const SYNC_EVERY = 32 * 1024 * 1024;

/**
 * Starts an fdatasync whenever SYNC_EVERY more bytes have been written and no
 * sync is running, without waiting for it: the page cache is flushed while
 * the rest of the file arrives instead of all at once at the end.
 */
class BackgroundSync {
  private pending = 0;
  private running: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(private readonly fh: FileHandle) {}

  wrote(bytes: number): void {
    this.pending += bytes;
    if (this.pending < SYNC_EVERY || this.running) return;
    this.pending = 0;
    this.running = this.fh
      .datasync()
      .catch((err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.running = null;
      });
  }

  async idle(): Promise<void> {
    await this.running;
    if (this.failure) throw this.failure;
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
