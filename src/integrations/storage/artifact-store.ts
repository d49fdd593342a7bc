import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ArtifactTooLargeError, stageFile } from './staging-writer.js';

export type StoredArtifact = { sha256: string; size: number };

/** Bytes received, hashed and durable on disk, not yet visible under their hash. */
export type StagedArtifact = StoredArtifact & { readonly localPath: string };

export { ArtifactTooLargeError };

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
    await mkdir(path.join(this.root, 'tmp'), { recursive: true });
    const tmp = this.tempName();
    const { sha256, size } = await stageFile(tmp, source, { maxBytes: opts.maxBytes });
    return { sha256, size, localPath: tmp };
  }

  async promote(staged: StagedArtifact): Promise<void> {
    const final = this.localPath(staged.sha256);
    // Same bytes may already be stored: the fresh copy, just hashed, atomically replaces it, so one copy is
    // kept and a damaged one is repaired; a reader of the old copy keeps reading identical bytes.
    await mkdir(path.dirname(final), { recursive: true });
    // The replaced copy keeps a second name until the rename is done, so the rename does not wait for
    // its blocks to be freed (a second for large files); they are freed afterwards, in the background.
    const old = this.tempName();
    const kept = await link(final, old).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    await rename(staged.localPath, final);
    await fsyncDir(path.dirname(final));
    if (kept) void rm(old, { force: true }).catch(() => undefined); // what is left, cleanTemp removes
  }

  /** A new name in the staging folder; the process id in it tells a later start which leftovers belong to no running process. */
  private tempName(): string {
    return path.join(this.root, 'tmp', `${process.pid}-${randomUUID()}.part`);
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
