import { ArchiveError, describeSize, quoteName } from './archive-error.js';

/**
 * Zip-slip: a name that is absolute or climbs out with `..` would make an
 * extractor write outside the install folder on the application server.
 * yauzl already refuses most of these (and turns backslashes into slashes);
 * this repeats the rules on the decoded name so the guarantee does not hang
 * on one library's options, and adds NUL, which yauzl lets through and which
 * truncates the name in C-based tools.
 */
export function unsafePathProblem(name: string): string | undefined {
  const escapes = 'extracting it could write files outside the install folder (zip-slip)';
  if (name.includes('\0'))
    return 'it contains a NUL character, where extractors cut the name short and write a different file than the one listed';
  if (/^[\\/]/.test(name)) return `it is an absolute path; ${escapes}`;
  if (/^[a-zA-Z]:/.test(name)) return `it starts with a Windows drive letter (an absolute path); ${escapes}`;
  if (name.split(/[\\/]/).includes('..')) return `it climbs out of the target folder with ".."; ${escapes}`;
  return undefined;
}

export function unsafePathError(name: string, problem: string): ArchiveError {
  return new ArchiveError('unsafe-path', `Entry ${quoteName(name)} has an unsafe path: ${problem}`, name);
}

export type Limits = { maxEntries: number; maxTotalSize: number; maxRatio: number };

// Below these sizes a high ratio is harmless (a 1 KiB block of zeros compresses very well), so only large expansions count.
const ENTRY_RATIO_FLOOR = 1024 * 1024;
const TOTAL_RATIO_FLOOR = 64 * 1024 * 1024;

const ratio = (size: number, compressed: number): number => (compressed === 0 ? Infinity : size / compressed);
const describeRatio = (r: number): string => (Number.isFinite(r) ? `${Math.round(r)}:1` : 'unbounded, from 0 bytes');

export function entryBomb(name: string, size: number, compressedSize: number, limits: Limits): ArchiveError | undefined {
  const r = ratio(size, compressedSize);
  if (size <= ENTRY_RATIO_FLOOR || r <= limits.maxRatio) return undefined;
  return new ArchiveError(
    'bomb',
    `Entry ${quoteName(name)} would expand from ${describeSize(compressedSize)} to ${describeSize(size)}, ` +
      `a ratio of ${describeRatio(r)} (limit ${limits.maxRatio}:1); this looks like a zip bomb`,
    name,
  );
}

export function totalSizeBomb(name: string, total: number, limits: Limits): ArchiveError | undefined {
  if (total <= limits.maxTotalSize) return undefined;
  return new ArchiveError(
    'bomb',
    `The entries up to and including ${quoteName(name)} already add up to ${describeSize(total)} uncompressed, ` +
      `more than the limit of ${describeSize(limits.maxTotalSize)}; this looks like a zip bomb`,
    name,
  );
}

export function totalRatioBomb(total: number, compressedTotal: number, largest: string, limits: Limits): ArchiveError | undefined {
  const r = ratio(total, compressedTotal);
  if (total <= TOTAL_RATIO_FLOOR || r <= limits.maxRatio) return undefined;
  return new ArchiveError(
    'bomb',
    `The archive would expand from ${describeSize(compressedTotal)} to ${describeSize(total)} in total, ` +
      `a ratio of ${describeRatio(r)} (limit ${limits.maxRatio}:1; largest entry ${quoteName(largest)}); this looks like a zip bomb`,
    largest,
  );
}

export type Span = { name: string; offset: number; compressedSize: number };

/**
 * Overlapping zip bombs list many entries whose data is the same bytes in the
 * file, so a small file expands once per entry. Writers place each entry's
 * data after the previous one, so in an honest archive the ranges
 * [local header offset, + compressed size) never overlap.
 */
export function overlapBomb(spans: Span[]): ArchiveError | undefined {
  // Empty entries occupy no data, so they cannot amplify anything.
  const sorted = spans.filter((s) => s.compressedSize > 0).sort((a, b) => a.offset - b.offset);
  let reach: Span | undefined;
  for (const span of sorted) {
    if (reach && span.offset < reach.offset + reach.compressedSize) {
      return new ArchiveError(
        'bomb',
        `Entries ${quoteName(reach.name)} and ${quoteName(span.name)} share the same compressed data ` +
          `(overlapping at offset ${span.offset}); no packaging tool writes this, it is how overlapping zip bombs work`,
        span.name,
      );
    }
    if (!reach || span.offset + span.compressedSize > reach.offset + reach.compressedSize) reach = span;
  }
  return undefined;
}

export function beyondEnd(span: Span, fileSize: number): ArchiveError | undefined {
  if (span.offset + span.compressedSize <= fileSize) return undefined;
  return new ArchiveError(
    'truncated',
    `Entry ${quoteName(span.name)} claims ${describeSize(span.compressedSize)} of data at offset ${span.offset}, ` +
      `past the end of the file (${describeSize(fileSize)}); the archive is incomplete or damaged`,
    span.name,
  );
}

export type ReadContext = { looksLikeZip: boolean; entriesRead: number; lastName: string | undefined };

/**
 * yauzl's errors are plain Errors told apart only by their message; this turns
 * the ones it documents into reasons, and everything else into "damaged".
 */
export function fromYauzlError(err: unknown, ctx: ReadContext): ArchiveError {
  if (err instanceof ArchiveError) return err;
  const message = err instanceof Error ? err.message : String(err);

  const unsafe = /^(absolute path|invalid relative path|invalid characters in fileName): ([\s\S]*)$/.exec(message);
  if (unsafe?.[2] !== undefined) {
    const name = unsafe[2];
    return unsafePathError(name, unsafePathProblem(name) ?? 'it is not a plain relative path (zip-slip)');
  }
  const where = `record ${ctx.entriesRead + 1}` + (ctx.lastName === undefined ? '' : ` (after entry ${quoteName(ctx.lastName)})`);
  if (/strong encryption/.test(message)) {
    return new ArchiveError(
      'encrypted',
      `The entry in central directory ${where} is encrypted (strong encryption); relman cannot check it and it could not be installed without the key`,
    );
  }
  if (/End of central directory record signature not found/.test(message)) {
    return ctx.looksLikeZip
      ? new ArchiveError(
          'truncated',
          'The archive is incomplete: its central directory is missing; the file was probably cut off',
          undefined,
          {
            cause: err,
          },
        )
      : new ArchiveError('not-zip', 'The file is not a ZIP or WAR archive', undefined, { cause: err });
  }
  if (/multi-disk/.test(message)) {
    // A split archive is only one part of the package; what is here is incomplete.
    return new ArchiveError(
      'truncated',
      'The file is one part of a split (multi-volume) ZIP archive; upload the package as a single archive',
      undefined,
      {
        cause: err,
      },
    );
  }
  if (isSystemError(err)) {
    return new ArchiveError('not-zip', `The file could not be read as an archive: ${message}`, undefined, { cause: err });
  }
  return new ArchiveError(
    'truncated',
    `The archive's central directory is damaged at ${where}: ${message}; the file was probably cut off or corrupted, rebuild or re-upload it`,
    undefined,
    { cause: err },
  );
}

/** Errors from the operating system (I/O, permissions) carry a syscall; yauzl's own and Node's argument errors do not. */
function isSystemError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'syscall' in err;
}
