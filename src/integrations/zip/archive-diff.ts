import type { ArchiveDiff, ArchiveEntry, ArchiveManifest } from './archive-types.js';

const byName = (a: ArchiveEntry, b: ArchiveEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * What changed between two versions of a web package, entry by entry. The
 * CRC and size come from the central directory, so no content is read. Lists
 * are sorted by name so the same two packages always give the same report.
 * If a name occurs twice in one archive the later entry counts, as it is the
 * one an extractor leaves on disk.
 */
export function diffArchives(before: ArchiveManifest, after: ArchiveManifest): ArchiveDiff {
  const prev = new Map(before.entries.map((e) => [e.name, e]));
  const next = new Map(after.entries.map((e) => [e.name, e]));
  const added: ArchiveEntry[] = [];
  const removed: ArchiveEntry[] = [];
  const changed: { before: ArchiveEntry; after: ArchiveEntry }[] = [];
  let unchanged = 0;
  for (const [name, entry] of next) {
    const old = prev.get(name);
    if (!old) added.push(entry);
    else if (old.crc32 !== entry.crc32 || old.size !== entry.size) changed.push({ before: old, after: entry });
    else unchanged++;
  }
  for (const [name, entry] of prev) if (!next.has(name)) removed.push(entry);
  added.sort(byName);
  removed.sort(byName);
  changed.sort((a, b) => byName(a.after, b.after));
  return { added, removed, changed, unchanged };
}
