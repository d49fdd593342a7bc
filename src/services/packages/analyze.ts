import { CacheExportError, readCacheExportFile } from '../../integrations/xml/cache-export.js';
import { ArchiveError, readArchive } from '../../integrations/zip/archive.js';
import { ValidationError } from '../../domain/errors.js';

export type PackageKind = 'cache-xml' | 'zip' | 'war';

/** The kind a file name announces; the content is checked against it when read. */
export function kindFromName(fileName: string): PackageKind | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'xml') return 'cache-xml';
  if (ext === 'zip') return 'zip';
  if (ext === 'war') return 'war';
  return null;
}

/** Reads a file's manifest; hostile or malformed content becomes a 422 with the reason. */
export async function analyzePackage(file: string, kind: PackageKind): Promise<unknown> {
  try {
    if (kind === 'cache-xml') return await readCacheExportFile(file);
    return await readArchive(file, { kindHint: kind });
  } catch (err) {
    if (err instanceof CacheExportError || err instanceof ArchiveError) {
      throw new ValidationError(`the file is refused: ${err.message}`, [{ path: 'file', message: `${err.reason}: ${err.message}` }]);
    }
    throw err;
  }
}
