import { diffByKey } from '../keyed-diff.js';
import type { CacheManifest, ManifestDiff } from './cache-export-types.js';

/**
 * `type:name`, e.g. `class:CMS.Patient` or `routine:sc.compile.MAC`: the same
 * keys work items use for their elements. Case is kept, because Caché tells
 * `CMS.patient` and `CMS.Patient` apart.
 */
export function elementKey(e: { type: string; name: string }): string {
  return `${e.type}:${e.name}`;
}

/**
 * What changed between two versions of a release file, element by element,
 * by content hash (so a class that was only re-saved, with nothing but a new
 * `<TimeChanged>`, counts as unchanged). Lists are sorted by key so the same
 * two files always give the same report.
 */
export function diffManifests(before: CacheManifest, after: CacheManifest): ManifestDiff {
  // If an element occurs twice in one file, the later one counts: it is the one a load leaves in the namespace.
  return diffByKey(before.elements, after.elements, elementKey, (a, b) => a.sha256 === b.sha256);
}
