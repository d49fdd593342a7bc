import type { Db, Trx } from '../../db/database.js';
import type { ReleasePackageTable } from '../../db/schema.js';
import { contentKey } from '../../domain/packages-coverage.js';

/** What a stored manifest contains, as `type:name` keys comparable with work-item elements. */
export function manifestKeys(kind: string | null, manifestJson: string | null): string[] {
  if (manifestJson === null) return [];
  const m = JSON.parse(manifestJson) as { elements?: { type: string; name: string }[]; entries?: { name: string; directory: boolean }[] };
  if (kind === 'cache-xml') return (m.elements ?? []).map(contentKey);
  return (m.entries ?? []).filter((e) => !e.directory).map((e) => `web-file:${e.name}`);
}

/** The newest uploaded file of each kind per channel: together they are the channel's current package. */
export function currentFiles(packages: readonly ReleasePackageTable[]): Map<string, ReleasePackageTable[]> {
  const latest = new Map<string, ReleasePackageTable>();
  for (const p of packages) {
    if (p.sha256 === null) continue;
    const k = `${p.channel}\u0000${p.kind ?? ''}`;
    const seen = latest.get(k);
    if (!seen || p.version > seen.version) latest.set(k, p);
  }
  const byChannel = new Map<string, ReleasePackageTable[]>();
  for (const p of latest.values()) byChannel.set(p.channel, [...(byChannel.get(p.channel) ?? []), p]);
  return byChannel;
}

/**
 * Per channel, the element keys of its current package files, for the
 * coverage gate. Only the few current manifests are read.
 */
export async function channelContents(
  db: Db | Trx,
  packages: readonly ReleasePackageTable[],
): Promise<Record<string, { version: number; keys: string[] }>> {
  const out: Record<string, { version: number; keys: string[] }> = {};
  for (const [channel, files] of currentFiles(packages)) {
    // A label-only version recorded after the files does not hide them: the
    // newest files are still what is checked, so the gate cannot be sidestepped.
    const newest = Math.max(...files.map((f) => f.version));
    const rows = await db
      .selectFrom('release_packages')
      .select(['kind', 'manifest'])
      .where(
        'id',
        'in',
        files.map((f) => f.id),
      )
      .execute();
    out[channel] = { version: newest, keys: rows.flatMap((r) => manifestKeys(r.kind, r.manifest)) };
  }
  return out;
}
