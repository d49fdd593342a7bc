import type { Readable } from 'node:stream';
import type { Db } from '../../db/database.js';
import {
  earlierReleases,
  newestFileOfKind,
  packageManifest,
  packagesOfRelease,
  packageVersion,
  statesReached,
} from '../../db/repositories/package-reads.js';
import { workItemsOfRelease } from '../../db/repositories/work-items.js';
import type { ReleasePackageTable, ReleaseTable } from '../../db/schema.js';
import { ConflictError, CorruptArtifactError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { diffManifests, type CacheManifest } from '../../integrations/xml/cache-export.js';
import { hashArtifact, type ArtifactStore } from '../../integrations/storage/artifact-store.js';
import { diffArchives, type ArchiveManifest } from '../../integrations/zip/archive.js';
import { resolveApplicationForRead, type AppContext } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { packageView, type PackageView } from '../lifecycle/views.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { currentFileSet, fileSetCoverage, type CoverageView } from './file-set.js';

/** Which package a read is about: a release's channel, at `version` (absent: its newest file). */
export type PackageRef = ReleaseRef & { readonly channel: string; readonly version?: number | undefined };

type WithFile = Loaded & { pkg: { sha256: string; manifest: string } };
export type Loaded = { ctx: AppContext; release: ReleaseTable; pkg: ReleasePackageTable };

export async function loadVersion(deps: ServiceDeps, ref: PackageRef): Promise<Loaded> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const release = await loadRelease(db, ctx, ref.name);
  const pkg = await packageVersion(db, release.id, ref.channel, ref.version);
  if (!pkg) throw new NotFoundError('package', `${ref.name}/${ref.channel}${ref.version === undefined ? '' : ` v${ref.version}`}`);
  return { ctx, release, pkg };
}

export function requireFile(pkg: ReleasePackageTable): asserts pkg is ReleasePackageTable & { sha256: string; manifest: string } {
  if (pkg.sha256 === null || pkg.manifest === null) {
    throw new ConflictError(`package v${pkg.version} of ${pkg.channel} was recorded without a file`, 'no-file');
  }
}

export async function listPackages(deps: ServiceDeps, ref: ReleaseRef): Promise<PackageView[]> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, ref.name);
  return (await packagesOfRelease(db, r.id)).map((p) => packageView({ ...p, manifest: null }));
}

export async function showPackage(deps: ServiceDeps, ref: PackageRef): Promise<PackageView & { manifest: unknown }> {
  const { pkg } = await loadVersion(deps, ref);
  return { ...packageView(pkg), manifest: packageManifest.decode(pkg.manifest) };
}

/**
 * Per item, declared elements missing from the channel's package, and the
 * elements no item declares (P5). The package is the channel's current file
 * set (the newest file of each kind, e.g. the ZIP and the WAR), or the set as
 * of `version`.
 */
export async function showCoverage(deps: ServiceDeps, ref: PackageRef): Promise<CoverageView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const release = await loadRelease(db, ctx, ref.name);
  const template = await deps.templates.byId(db, release.template_version_id);
  const set = await currentFileSet(db, template, release.id, ref.channel, ref.version);
  if (!set) {
    const asked = ref.version === undefined ? undefined : await loadVersion(deps, ref);
    if (asked) requireFile(asked.pkg);
    throw new NotFoundError('package', `${ref.name}/${ref.channel}`);
  }
  const items = await workItemsOfRelease(db, release.id);
  return fileSetCoverage(db, template, release.id, set, items);
}

/** The newest file of this channel and kind in another release of the application that reached production. */
async function previousProduction(
  deps: ServiceDeps,
  db: Db,
  ctx: AppContext,
  release: ReleaseTable,
  pkg: ReleasePackageTable,
): Promise<Loaded | null> {
  for (const r of await earlierReleases(db, ctx.app.id, release.id, release.sequence)) {
    const t = await deps.templates.byId(db, r.template_version_id);
    const prod = new Set(t.states.filter((s) => s.inProduction).map((s) => s.id));
    if (!(await statesReached(db, r.id)).some((s) => prod.has(s))) continue;
    const p = await newestFileOfKind(db, { releaseId: r.id, channel: pkg.channel, kind: pkg.kind });
    if (p) return { ctx, release: r, pkg: p };
  }
  return null;
}

export type PackageDiff = {
  from: { release: string; version: number; fileName: string | null };
  to: { release: string; version: number; fileName: string | null };
  kind: string;
  added: unknown[];
  removed: unknown[];
  changed: unknown[];
  unchanged: number;
};

/** The two versions a diff compares: `to` (default: the newest) and `from` (default: the file of the same kind before it), or the previous production release's file. */
export async function comparedVersions(
  deps: ServiceDeps,
  ref: ReleaseRef & { readonly channel: string },
  opts: { from?: number | undefined; to?: number | undefined; againstProduction?: boolean | undefined },
): Promise<{ from: WithFile; to: WithFile }> {
  const { channel } = ref;
  const to = await loadVersion(deps, { ...ref, version: opts.to });
  requireFile(to.pkg);
  let from: Loaded | null;
  if (opts.againstProduction) {
    from = await previousProduction(deps, deps.database.kysely, to.ctx, to.release, to.pkg);
    if (!from) throw new NotFoundError('production package', `${channel} (${to.pkg.kind ?? 'file'}) of an earlier release`);
  } else {
    if (opts.from !== undefined) from = await loadVersion(deps, { ...ref, version: opts.from });
    else {
      // The previous file of the same kind: a web channel alternates ZIPs and WARs.
      const prev = await newestFileOfKind(deps.database.kysely, {
        releaseId: to.release.id,
        channel,
        kind: to.pkg.kind,
        before: to.pkg.version,
      });
      if (!prev) {
        throw new ValidationError('nothing to compare with', [
          { path: 'from', message: `v${to.pkg.version} is the first ${to.pkg.kind ?? ''} file of ${channel}` },
        ]);
      }
      from = { ctx: to.ctx, release: to.release, pkg: prev };
    }
  }
  requireFile(from.pkg);
  if (from.pkg.kind !== to.pkg.kind) {
    throw new ValidationError('different kinds of file', [
      { path: 'from', message: `v${from.pkg.version} is ${from.pkg.kind ?? '?'}, v${to.pkg.version} is ${to.pkg.kind ?? '?'}` },
    ]);
  }
  return { from: from as WithFile, to: to as WithFile };
}

/** Added, removed and changed elements (or entries) between two versions, or against the previous production release. */
export async function diffPackages(
  deps: ServiceDeps,
  ref: ReleaseRef & { readonly channel: string },
  opts: { from?: number | undefined; to?: number | undefined; againstProduction?: boolean | undefined },
): Promise<PackageDiff> {
  const { from, to } = await comparedVersions(deps, ref, opts);
  // Both files are of the same kind: a Caché export's manifest, or an archive's.
  const before = packageManifest.decode(from.pkg.manifest);
  const after = packageManifest.decode(to.pkg.manifest);
  const d =
    to.pkg.kind === 'cache-xml'
      ? diffManifests(before as CacheManifest, after as CacheManifest)
      : diffArchives(before as ArchiveManifest, after as ArchiveManifest);
  return {
    from: { release: from.release.name, version: from.pkg.version, fileName: from.pkg.file_name },
    to: { release: to.release.name, version: to.pkg.version, fileName: to.pkg.file_name },
    kind: to.pkg.kind ?? 'other',
    ...d,
  };
}

export { CorruptArtifactError };

/** Opens a stored file for download after checking it still has the checksum it was stored with. */
export async function openPackageFile(
  deps: ServiceDeps,
  store: ArtifactStore,
  ref: PackageRef,
): Promise<{ stream: Readable; sha256: string; size: number; fileName: string }> {
  const { name, channel } = ref;
  const { pkg } = await loadVersion(deps, ref);
  requireFile(pkg);
  const actual = await hashArtifact(store, pkg.sha256).catch(() => 'missing');
  if (actual !== pkg.sha256) {
    throw new CorruptArtifactError(
      `the stored file of ${name} ${channel} v${pkg.version} is ${actual === 'missing' ? 'missing' : 'corrupt'}`,
    );
  }
  return {
    stream: store.open(pkg.sha256),
    sha256: pkg.sha256,
    size: Number(pkg.size ?? 0),
    fileName: pkg.file_name ?? `${name}-${channel}-v${pkg.version}`,
  };
}
