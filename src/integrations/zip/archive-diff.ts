import { diffByKey } from '../keyed-diff.js';
import type { ArchiveDiff, ArchiveEntry, ArchiveManifest } from './archive-types.js';

/**
 * What changed between two versions of a web package, entry by entry. The
 * CRC and size come from the central directory, so no content is read. Lists
 * are sorted by name so the same two packages always give the same report.
 * If a name occurs twice in one archive the later entry counts, as it is the
 * one an extractor leaves on disk.
 */
export function diffArchives(before: ArchiveManifest, after: ArchiveManifest): ArchiveDiff {
  return diffByKey(
    before.entries,
    after.entries,
    (e: ArchiveEntry) => e.name,
    (a, b) => a.crc32 === b.crc32 && a.size === b.size,
  );
}
