import { createReadStream } from 'node:fs';
import { CacheExportError } from './cache-export-error.js';
import type { CacheExportLimits, CacheManifest } from './cache-export-types.js';
import { ExportReader, type ReaderLimits } from './export-reader.js';
import { ChunkDecoder } from './text-decoding.js';

export { CacheExportError, type CacheExportErrorReason } from './cache-export-error.js';
export type {
  CacheElement,
  CacheElementType,
  CacheExportLimits,
  CacheManifest,
  CacheProjectItem,
  ManifestDiff,
} from './cache-export-types.js';
export { diffManifests, elementKey } from './manifest-diff.js';

const DEFAULT_LIMITS: ReaderLimits = { maxElements: 200_000, maxDepth: 256 };

function limit(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Lists what a Caché/IRIS XML export ("release file", P5) contains: every
 * class, routine, CSP file, document, global and project, each with a hash of
 * its content, so a release can be checked against its work items and
 * compared with the previous version of the package.
 *
 * The file is read as a stream, chunk by chunk, and never held in memory;
 * a 100 MiB export reads in constant memory. DTDs are refused outright and no
 * entity beyond XML's five is resolved, so XXE and entity-expansion attacks
 * have nothing to work with. Any content problem is a CacheExportError with a
 * reason; errors of the source itself (an unreadable stored file) pass through
 * unchanged.
 */
export async function readCacheExport(source: AsyncIterable<Uint8Array | string>, limits?: CacheExportLimits): Promise<CacheManifest> {
  const reader = new CacheExportStream(limits);
  for await (const chunk of source) reader.push(chunk);
  return reader.end();
}

/**
 * The same reading, fed chunk by chunk by the caller: an upload hands each
 * chunk to it as the chunk arrives, so the manifest is ready when the last
 * byte is. `push` and `end` throw CacheExportError for what is wrong with the
 * content; once one has thrown, the reader is done with.
 */
export class CacheExportStream {
  private readonly reader: ExportReader;
  private readonly decoder: ChunkDecoder;

  constructor(limits?: CacheExportLimits) {
    const reader = new ExportReader({
      maxElements: limit(limits?.maxElements, DEFAULT_LIMITS.maxElements, 'maxElements'),
      maxDepth: limit(limits?.maxDepth, DEFAULT_LIMITS.maxDepth, 'maxDepth'),
    });
    this.reader = reader;
    this.decoder = new ChunkDecoder((bytes) => reader.push(bytes));
  }

  push(chunk: Uint8Array | string): void {
    // A chunk of another kind is a programming error in the caller, not a property of the file.
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))
      throw new TypeError('release file chunks must be strings or Uint8Arrays');
    parse(() => this.decoder.push(chunk));
  }

  /** The manifest, once the last chunk has been pushed. */
  end(): CacheManifest {
    return parse(() => {
      this.decoder.end();
      return this.reader.finish();
    });
  }
}

/** Only the parsing steps are guarded: a failure to read the source is not a property of the file's content. */
function parse<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw asExportError(err);
  }
}

/** Bytes per read of a stored file: larger reads than the stream default's 64 KiB cost less per byte. */
const FILE_READ_BYTES = 1024 * 1024;

/** The manifest of an export stored as a file (see readCacheExport). */
export function readCacheExportFile(file: string, limits?: CacheExportLimits): Promise<CacheManifest> {
  return readCacheExport(createReadStream(file, { highWaterMark: FILE_READ_BYTES }), limits);
}

/**
 * The reader throws CacheExportError for everything it recognises; anything
 * else escaping it still came from the content, so it is reported as such
 * rather than as a crash. A string too long for V8 can only come from a
 * single gigantic node.
 */
function asExportError(err: unknown): unknown {
  if (err instanceof CacheExportError) return err;
  if (err instanceof RangeError && /string length/i.test(err.message)) {
    return new CacheExportError('too-large', 'The release file holds a single text block too large to read', undefined, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new CacheExportError('not-xml', `The release file could not be read as XML: ${detail.slice(0, 200)}`, undefined, { cause: err });
}
