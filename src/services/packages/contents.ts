import { contentKey } from '../../domain/packages-coverage.js';

/** What a stored manifest contains, as `type:name` keys comparable with work-item elements. */
export function manifestKeys(kind: string | null, manifestJson: string | null): string[] {
  if (manifestJson === null) return [];
  const m = JSON.parse(manifestJson) as { elements?: { type: string; name: string }[]; entries?: { name: string; directory: boolean }[] };
  if (kind === 'cache-xml') return (m.elements ?? []).map(contentKey);
  return (m.entries ?? []).filter((e) => !e.directory).map((e) => `web-file:${e.name}`);
}
