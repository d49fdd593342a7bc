import type { PackageManifest } from '../../db/repositories/package-reads.js';
import { contentKey } from '../../domain/packages-coverage.js';

/** What a stored manifest contains, as `type:name` keys comparable with work-item elements. */
export function manifestKeys(kind: string | null, manifest: PackageManifest | null): string[] {
  if (manifest === null) return [];
  if (kind === 'cache-xml') return ('elements' in manifest ? manifest.elements : []).map(contentKey);
  return ('entries' in manifest ? manifest.entries : []).filter((e) => !e.directory).map((e) => `web-file:${e.name}`);
}
