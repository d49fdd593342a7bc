import type { CacheElement, CacheManifest, ManifestDiff } from './cache-export-types.js';

/**
 * `type:name`, e.g. `class:CMS.Patient` or `routine:sc.compile.MAC`: the same
 * keys work items use for their elements. Case is kept, because Caché tells
 * `CMS.patient` and `CMS.Patient` apart.
 */
export function elementKey(e: { type: string; name: string }): string {
  return `${e.type}:${e.name}`;
}

const byKey = (a: CacheElement, b: CacheElement): number => {
  const x = elementKey(a);
  const y = elementKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** If an element occurs twice in one file, the later one counts: it is the one a load leaves in the namespace. */
function index(elements: readonly CacheElement[]): Map<string, CacheElement> {
  return new Map(elements.map((e) => [elementKey(e), e]));
}

/**
 * What changed between two versions of a release file, element by element,
 * by content hash (so a class that was only re-saved, with nothing but a new
 * `<TimeChanged>`, counts as unchanged). Lists are sorted by key so the same
 * two files always give the same report.
 */
export function diffManifests(before: CacheManifest, after: CacheManifest): ManifestDiff {
  const prev = index(before.elements);
  const next = index(after.elements);
  const added: CacheElement[] = [];
  const removed: CacheElement[] = [];
  const changed: { before: CacheElement; after: CacheElement }[] = [];
  let unchanged = 0;
  for (const [key, element] of next) {
    const old = prev.get(key);
    if (!old) added.push(element);
    else if (old.sha256 !== element.sha256) changed.push({ before: old, after: element });
    else unchanged++;
  }
  for (const [key, element] of prev) if (!next.has(key)) removed.push(element);
  added.sort(byKey);
  removed.sort(byKey);
  changed.sort((a, b) => byKey(a.after, b.after));
  return { added, removed, changed, unchanged };
}
