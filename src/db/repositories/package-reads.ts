import type { Db, Trx } from '../database.js';
import { nullableJsonColumn } from '../codec.js';
import type { ReleasePackageTable, ReleaseTable } from '../schema.js';
import type { CacheManifest } from '../../integrations/xml/cache-export-types.js';
import type { ArchiveManifest } from '../../integrations/zip/archive-types.js';
import { PACKAGE_COLUMNS_BUT_MANIFEST } from './lifecycle.js';

/** Reads of release packages (`release_packages`): versions, files and their manifests. */

/** What a stored file holds: a Caché export's elements or an archive's entries. */
export type PackageManifest = CacheManifest | ArchiveManifest;
/** `release_packages.manifest`: the stored file's manifest; null for a version recorded without a file. */
export const packageManifest = nullableJsonColumn<PackageManifest>();

/** A package row without its manifest, which can be large and is read only when shown. */
export type PackageRowButManifest = Omit<ReleasePackageTable, 'manifest'>;

/** Every package version of the release without manifests, by channel and version. */
export async function packagesOfRelease(db: Db | Trx, releaseId: string): Promise<PackageRowButManifest[]> {
  return db
    .selectFrom('release_packages')
    .select(PACKAGE_COLUMNS_BUT_MANIFEST)
    .where('release_id', '=', releaseId)
    .orderBy('channel')
    .orderBy('version')
    .execute();
}

/** The channel's package versions that carry a file, without manifests. */
export async function filesOfChannel(db: Db | Trx, releaseId: string, channel: string): Promise<PackageRowButManifest[]> {
  return db
    .selectFrom('release_packages')
    .select(PACKAGE_COLUMNS_BUT_MANIFEST)
    .where('release_id', '=', releaseId)
    .where('channel', '=', channel)
    .where('sha256', 'is not', null)
    .execute();
}

/** One version of the channel's package; without `version`, the newest one carrying a file. */
export async function packageVersion(
  db: Db | Trx,
  releaseId: string,
  channel: string,
  version?: number,
): Promise<ReleasePackageTable | undefined> {
  let q = db.selectFrom('release_packages').selectAll().where('release_id', '=', releaseId).where('channel', '=', channel);
  q = version === undefined ? q.where('sha256', 'is not', null).orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
  return q.executeTakeFirst();
}

/** The newest file of the channel and kind in the release, before version `before` when given. */
export async function newestFileOfKind(
  db: Db | Trx,
  f: { releaseId: string; channel: string; kind: string | null; before?: number | undefined },
): Promise<ReleasePackageTable | undefined> {
  let q = db
    .selectFrom('release_packages')
    .selectAll()
    .where('release_id', '=', f.releaseId)
    .where('channel', '=', f.channel)
    .where('kind', '=', f.kind)
    .where('sha256', 'is not', null);
  if (f.before !== undefined) q = q.where('version', '<', f.before);
  return q.orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** The kinds and manifests of the channel's package versions listed. */
export async function manifestsOf(
  db: Db | Trx,
  releaseId: string,
  channel: string,
  versions: readonly number[],
): Promise<{ kind: string | null; manifest: PackageManifest | null }[]> {
  if (versions.length === 0) return [];
  const rows = await db
    .selectFrom('release_packages')
    .select(['kind', 'manifest'])
    .where('release_id', '=', releaseId)
    .where('channel', '=', channel)
    .where('version', 'in', [...versions])
    .execute();
  return rows.map((r) => ({ kind: r.kind, manifest: packageManifest.decode(r.manifest) }));
}

/** The application's releases created before `sequence` other than `releaseId`, newest first. */
export async function earlierReleases(db: Db | Trx, applicationId: string, releaseId: string, sequence: number): Promise<ReleaseTable[]> {
  return db
    .selectFrom('releases')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('id', '!=', releaseId)
    .where('sequence', '<', sequence)
    .orderBy('sequence', 'desc')
    .execute();
}

/** Every state the release was moved into. */
export async function statesReached(db: Db | Trx, releaseId: string): Promise<string[]> {
  const rows = await db.selectFrom('release_transitions').select('to_state').where('release_id', '=', releaseId).execute();
  return rows.map((r) => r.to_state);
}
