import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { hashSession } from './hash-worker.js';
import { returnSlabSet, SLAB_BYTES, takeSlabSet } from './slab-pool.js';

/** Direct writes are padded to this; it covers every logical block size up to a page. */
const DIRECT_ALIGN = 4096;
/** In buffered mode, bytes written between two background data syncs. */
const SYNC_EVERY = 32 * 1024 * 1024;

export class ArtifactTooLargeError extends Error {
  override readonly name = 'ArtifactTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than the limit of ${maxBytes} bytes`);
  }
}

/**
 * Creates `file` (which must not exist) with the bytes of `source`, hashing
 * them on the way, and returns once the file is durable (fsynced). On any
 * failure the file is removed.
 *
 * The bytes are copied into 1 MiB page-aligned slabs; each full slab is handed
 * at once to the hashing thread and, as one positional write, to libuv's
 * thread pool, without waiting for either, so receiving, hashing and writing
 * run side by side. A slab is reused once it is both hashed and written.
 * Sixteen slabs are in flight at most: past that, reading from the source
 * waits, which is the upload's backpressure and bounds its memory whatever
 * the file size.
 *
 * Where the file system supports it (tried once per directory), the file is
 * written with O_DIRECT: the slabs go to the device without a copy into the
 * page cache and without a write-back to wait for, which halves the CPU an
 * upload costs. The last slab is padded to the block size and the file
 * truncated to its real length. Where it is not supported (some file
 * systems, other platforms), or where RELMAN_UPLOAD_DIRECT=0 turns it off,
 * writes are buffered and a data sync runs in the background every 32 MiB.
 */
export async function stageFile(
  file: string,
  source: AsyncIterable<Uint8Array>,
  opts: { maxBytes: number; direct?: boolean },
): Promise<{ sha256: string; size: number; direct: boolean }> {
  const { fh, direct } = await openForWriting(file, opts.direct ?? directWrites());
  try {
    const stored = await writeHashed(fh, direct, source, opts.maxBytes);
    await fh.close();
    return { ...stored, direct };
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw err;
  }
}

/** RELMAN_UPLOAD_DIRECT=0 turns direct writes off: every upload is written through the page cache (docs/fast-paths.md). */
const directWrites = (): boolean => process.env.RELMAN_UPLOAD_DIRECT !== '0';

/** How file systems say they do not do direct I/O (at open, or at the first write). */
const refusesDirect = (err: unknown): boolean => ['EINVAL', 'EOPNOTSUPP', 'ENOTSUP'].includes((err as NodeJS.ErrnoException).code ?? '');

/** Per directory, whether its file system took direct writes: probed once, not at every upload. */
const directIn = new Map<string, boolean>();

/** Opens a new file for direct writes when the file system takes them, buffered otherwise. */
async function openForWriting(file: string, tryDirect: boolean): Promise<{ fh: FileHandle; direct: boolean }> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT;
  const dir = path.dirname(file);
  if (O_DIRECT === undefined || !tryDirect || directIn.get(dir) === false) return { fh: await open(file, flags, 0o640), direct: false };
  let fh: FileHandle;
  try {
    fh = await open(file, flags | O_DIRECT, 0o640);
  } catch (err) {
    if (!refusesDirect(err)) throw err;
    directIn.set(dir, false);
    return { fh: await open(file, flags, 0o640), direct: false };
  }
  if (directIn.get(dir)) return { fh, direct: true };
  // Some file systems accept the flag and refuse the writes: one aligned block tells.
  const probe = takeSlabSet();
  try {
    await fh.write(probe.slabs[0]!, 0, DIRECT_ALIGN, 0);
    await fh.truncate(0);
    directIn.set(dir, true);
    return { fh, direct: true };
  } catch (err) {
    await fh.close();
    if (!refusesDirect(err)) throw err;
    directIn.set(dir, false);
    return { fh: await open(file, constants.O_WRONLY | constants.O_TRUNC), direct: false };
  } finally {
    returnSlabSet(probe);
  }
}

async function writeHashed(
  fh: FileHandle,
  direct: boolean,
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<{ sha256: string; size: number }> {
  const set = takeSlabSet();
  const hash = hashSession(set.memory);
  const writes = new SlabWrites(fh, direct, set.slabs);
  let size = 0;
  let slab: Buffer | null = null;
  let fill = 0;
  const flush = (s: Buffer, bytes: number) => writes.write(s, bytes, hash.update(s.byteOffset, bytes));
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new ArtifactTooLargeError(maxBytes);
      for (let off = 0; off < chunk.byteLength;) {
        slab ??= await writes.freeSlab();
        const take = Math.min(SLAB_BYTES - fill, chunk.byteLength - off);
        copyInto(slab, fill, take === chunk.byteLength ? chunk : chunk.subarray(off, off + take));
        fill += take;
        off += take;
        if (fill === SLAB_BYTES) {
          flush(slab, fill);
          slab = null;
          fill = 0;
        }
      }
    }
    if (slab && fill > 0) flush(slab, fill);
    await writes.drain();
    const sha256 = await hash.digest();
    if (direct) await fh.truncate(size);
    await fh.sync();
    return { sha256, size };
  } finally {
    // Every write and hash has finished (or failed) here: no slab is still read by another thread.
    await writes.drain().catch(() => undefined);
    hash.close();
    returnSlabSet(set);
  }
}

/** Positional writes of slabs (buffered: several at once; direct: in turn); a slab is free again once written and hashed. */
class SlabWrites {
  private position = 0;
  private written = 0;
  private syncedAt = 0;
  private syncing: Promise<void> | null = null;
  private failure: Error | null = null;
  private readonly free: Buffer[];
  private readonly pending = new Set<Promise<void>>();
  private waiter: (() => void) | null = null;
  /** Direct writes go one after another: at the device's speed one writer keeps up, and concurrent ones only contend for the file's lock. */
  private lastDirect: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fh: FileHandle,
    private readonly direct: boolean,
    slabs: Buffer[],
  ) {
    this.free = [...slabs];
  }

  async freeSlab(): Promise<Buffer> {
    for (;;) {
      this.fail();
      const slab = this.free.pop();
      if (slab) return slab;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** Writes the first `bytes` of a slab at the next position; the slab is free again once written and `hashed`. */
  write(slab: Buffer, bytes: number, hashed: Promise<void>): void {
    const at = this.position;
    this.position += bytes;
    let length = bytes;
    if (this.direct && bytes % DIRECT_ALIGN !== 0) {
      // The last slab: padded to a whole block; the file is truncated to its length afterwards.
      length = Math.ceil(bytes / DIRECT_ALIGN) * DIRECT_ALIGN;
      slab.fill(0, bytes, length);
    }
    const data = slab.subarray(0, length);
    const written = this.direct ? this.lastDirect.then(() => writeFully(this.fh, data, at)) : writeFully(this.fh, data, at);
    if (this.direct) this.lastDirect = written.catch(() => undefined);
    const done = Promise.all([written, hashed])
      .then(
        () => {
          this.written += bytes;
          if (!this.direct) this.maybeSync();
        },
        (err: unknown) => {
          this.failure ??= err instanceof Error ? err : new Error(String(err));
        },
      )
      .finally(() => {
        this.free.push(slab);
        this.pending.delete(done);
        const w = this.waiter;
        this.waiter = null;
        w?.();
      });
    this.pending.add(done);
  }

  /** Resolves once every write (and a running sync) has finished; throws the first failure. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    await this.syncing;
    this.fail();
  }

  /** Buffered mode: flushes the page cache in the background while the rest arrives. */
  private maybeSync(): void {
    if (this.syncing || this.written - this.syncedAt < SYNC_EVERY) return;
    const upTo = this.written;
    this.syncing = this.fh.datasync().then(
      () => {
        this.syncedAt = upTo;
        this.syncing = null;
      },
      (err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.syncing = null;
      },
    );
  }

  private fail(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * Copies `source` into `target` at `at`. The slabs live in shared memory, where
 * V8's TypedArray#set (and so Buffer#copy) copies with relaxed atomic moves,
 * at well under half of memcpy's speed; Buffer#fill with the source as its
 * pattern, over exactly the source's length, is one plain memcpy.
 */
function copyInto(target: Buffer, at: number, source: Uint8Array): void {
  if (source.byteLength > 0) target.fill(source, at, at + source.byteLength);
}

/** Writes a whole buffer at a position, going on after a short write. */
async function writeFully(fh: FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let off = 0; off < buffer.byteLength;) {
    const { bytesWritten } = await fh.write(buffer, off, buffer.byteLength - off, position + off);
    if (bytesWritten === 0) throw new Error('the disk accepted no bytes');
    off += bytesWritten;
  }
}
