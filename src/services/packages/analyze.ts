import { CacheExportError, CacheExportStream, readCacheExportFile } from '../../integrations/xml/cache-export.js';
import { ArchiveError, readArchive } from '../../integrations/zip/archive.js';
import { ValidationError } from '../../domain/errors.js';
import type { PackageKind } from '../../domain/package-upload.js';

export { kindFromName, type PackageKind } from '../../domain/package-upload.js';

/** Content problems become a 422 with the reason; anything else passes through. */
function refused(err: unknown): unknown {
  if (err instanceof CacheExportError || err instanceof ArchiveError) {
    return new ValidationError(`the file is refused: ${err.message}`, [{ path: 'file', message: `${err.reason}: ${err.message}` }]);
  }
  return err;
}

/** Reads a file's manifest; hostile or malformed content becomes a 422 with the reason. */
export async function analyzePackage(file: string, kind: PackageKind): Promise<unknown> {
  try {
    if (kind === 'cache-xml') return await readCacheExportFile(file);
    return await readArchive(file, { kindHint: kind });
  } catch (err) {
    throw refused(err);
  }
}

/**
 * A Caché/IRIS export's manifest read while its bytes arrive: `tap` passes the
 * upload's chunks on unchanged, reading each on the way, and `manifest()`
 * gives the result once the upload has been stored.
 *
 * A content problem stops the reading but not the upload: the bytes are still
 * received and stored to the end, so what is wrong with the transfer itself
 * (too large, empty, cut off) is reported first, exactly as when the stored
 * file is read afterwards, and the content problem only then.
 */
export class StreamingAnalysis {
  private readonly reader = new CacheExportStream();
  private failed = false;
  private failure: unknown;

  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (!this.failed) {
        try {
          this.reader.push(chunk);
        } catch (err) {
          this.failed = true;
          this.failure = err;
        }
      }
      yield chunk;
    }
  }

  /** The manifest of everything tapped (call once the upload is stored); a 422 for hostile or malformed content. */
  manifest(): unknown {
    if (this.failed) throw refused(this.failure);
    try {
      return this.reader.end();
    } catch (err) {
      throw refused(err);
    }
  }
}
