import path from 'node:path';
import { open, type Entry, type Options as YauzlOptions } from 'yauzl';
import { ArchiveError, quoteName } from './archive-error.js';
import type { ArchiveEntry, ArchiveManifest, ReadArchiveOptions, WarInfo } from './archive-types.js';
import { probeArchive, type ProbeResult } from './eocd-probe.js';
import {
  beyondEnd,
  entryBomb,
  fromYauzlError,
  overlapBomb,
  totalRatioBomb,
  totalSizeBomb,
  unsafePathError,
  unsafePathProblem,
  type Limits,
  type ReadContext,
  type Span,
} from './entry-checks.js';

export { ArchiveError, type ArchiveErrorReason } from './archive-error.js';
export { diffArchives } from './archive-diff.js';
export type { ArchiveDiff, ArchiveEntry, ArchiveManifest, ReadArchiveOptions, WarInfo } from './archive-types.js';

const GiB = 1024 * 1024 * 1024;
const DEFAULT_LIMITS: Limits = { maxEntries: 200_000, maxTotalSize: 8 * GiB, maxRatio: 200 };

const YAUZL_OPTIONS: YauzlOptions = {
  lazyEntries: true,
  autoClose: true,
  // Backslashes become slashes instead of failing, so Windows-built packages still list; the path rules still apply.
  strictFileNames: false,
  validateEntrySizes: true,
  decodeStrings: true,
};

const METHODS: Record<number, ArchiveEntry['method']> = { 0: 'stored', 8: 'deflated' };

/**
 * Lists a web package (static ZIP or WAR, P6) from its central directory,
 * without extracting anything, and refuses archives that would be dangerous
 * or pointless to install: zip-slip paths, zip bombs, encrypted or empty
 * archives. Every failure, including an unreadable file, is an ArchiveError.
 */
export async function readArchive(file: string, opts: ReadArchiveOptions = {}): Promise<ArchiveManifest> {
  const limits: Limits = {
    maxEntries: opts.maxEntries ?? DEFAULT_LIMITS.maxEntries,
    maxTotalSize: opts.maxTotalSize ?? DEFAULT_LIMITS.maxTotalSize,
    maxRatio: opts.maxRatio ?? DEFAULT_LIMITS.maxRatio,
  };
  const probe = await probeArchive(file);

  const entries: ArchiveEntry[] = [];
  const spans: Span[] = [];
  let totalSize = 0;
  let totalCompressedSize = 0;
  let largest: ArchiveEntry | undefined;

  await readCentralDirectory(file, probe, limits, (raw) => {
    const name = raw.fileName;
    const problem = unsafePathProblem(name);
    if (problem) throw unsafePathError(name, problem);
    if (raw.isEncrypted()) {
      throw new ArchiveError(
        'encrypted',
        `Entry ${quoteName(name)} is encrypted (password-protected); relman cannot check it and the deployment team could not install it. ` +
          'Build the package without a password',
        name,
      );
    }
    const entry: ArchiveEntry = {
      name,
      directory: name.endsWith('/'),
      size: raw.uncompressedSize,
      compressedSize: raw.compressedSize,
      crc32: (raw.crc32 >>> 0).toString(16).padStart(8, '0'),
      method: METHODS[raw.compressionMethod] ?? 'other',
    };
    totalSize += entry.size;
    totalCompressedSize += entry.compressedSize;
    const span: Span = { name, offset: raw.relativeOffsetOfLocalHeader, compressedSize: entry.compressedSize };
    const refused =
      entryBomb(name, entry.size, entry.compressedSize, limits) ?? totalSizeBomb(name, totalSize, limits) ?? beyondEnd(span, probe.size);
    if (refused) throw refused;
    if (!largest || entry.size > largest.size) largest = entry;
    entries.push(entry);
    spans.push(span);
  });

  if (entries.length === 0 || !largest) throw new ArchiveError('empty', 'The archive contains no entries; there is nothing to deploy');
  const refused = overlapBomb(spans) ?? totalRatioBomb(totalSize, totalCompressedSize, largest.name, limits);
  if (refused) throw refused;

  const isWar =
    opts.kindHint === 'war' || path.extname(file).toLowerCase() === '.war' || entries.some((e) => e.name.startsWith('WEB-INF/'));
  const manifest: ArchiveManifest = { format: isWar ? 'war' : 'zip', entries, totalSize, totalCompressedSize };
  if (isWar) manifest.war = warInfo(entries);
  return manifest;
}

/**
 * Feeds each central directory record to onEntry, one at a time (lazyEntries),
 * and settles once: resolved on `end`, rejected on the first problem, either
 * from yauzl or thrown by onEntry. No entry's data is ever opened.
 */
function readCentralDirectory(file: string, probe: ProbeResult, limits: Limits, onEntry: (entry: Entry) => void): Promise<void> {
  const ctx: ReadContext = { looksLikeZip: probe.looksLikeZip, entriesRead: 0, lastName: undefined };
  return new Promise((resolve, reject) => {
    open(file, YAUZL_OPTIONS, (openErr, zipfile) => {
      if (openErr) return reject(fromYauzlError(openErr, ctx));
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        // Stopping early leaves the file open (autoClose only fires at the end), so close it here.
        zipfile.close();
        reject(fromYauzlError(err, ctx));
      };
      // readEntry can throw synchronously on a corrupt 64-bit offset (fs.read rejects it), so it is guarded like onEntry.
      const next = (): void => {
        try {
          zipfile.readEntry();
        } catch (err) {
          fail(err);
        }
      };
      zipfile.on('error', fail);
      zipfile.on('end', () => {
        if (settled) return;
        settled = true;
        resolve();
      });
      zipfile.on('entry', (entry: Entry) => {
        if (settled) return;
        try {
          onEntry(entry);
        } catch (err) {
          return fail(err);
        }
        ctx.entriesRead++;
        ctx.lastName = entry.fileName;
        next();
      });
      // The count comes from the end record, so a hostile count is refused before any record is read.
      if (zipfile.entryCount > limits.maxEntries) {
        return fail(
          new ArchiveError(
            'too-many-entries',
            `The archive lists ${zipfile.entryCount} entries, more than the limit of ${limits.maxEntries}; split the package or raise the limit`,
          ),
        );
      }
      next();
    });
  });
}

// Servlet containers load only jars directly in WEB-INF/lib, and match ".jar" as written.
const LIB_JAR = /^WEB-INF\/lib\/([^/]+\.jar)$/;

function warInfo(entries: ArchiveEntry[]): WarInfo {
  const files = entries.filter((e) => !e.directory);
  const libJars = files
    .map((e) => LIB_JAR.exec(e.name)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
  return {
    webXml: files.some((e) => e.name === 'WEB-INF/web.xml'),
    libJars,
    classes: files.filter((e) => e.name.startsWith('WEB-INF/classes/') && e.name.endsWith('.class')).length,
  };
}
