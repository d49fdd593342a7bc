import type { Readable } from 'node:stream';
import type { Db } from '../../db/database.js';
import { PACKAGE_COLUMNS_BUT_MANIFEST } from '../../db/repositories/lifecycle.js';
import type { ReleasePackageTable, ReleaseTable } from '../../db/schema.js';
import { ConflictError, CorruptArtifactError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { diffManifests, type CacheManifest } from '../../integrations/xml/cache-export.js';
import { hashArtifact, type ArtifactStore } from '../../integrations/storage/artifact-store.js';
import { diffArchives, type ArchiveManifest } from '../../integrations/zip/archive.js';
import { resolveApplicationForRead, type AppContext } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { packageView, type PackageView } from '../lifecycle/views.js';
import { loadRelease } from '../releases.js';
import { currentFileSet, fileSetCoverage, type CoverageView } from './file-set.js';

type Loaded = { ctx: AppContext; release: ReleaseTable; pkg: ReleasePackageTable };

async function loadVersion(deps: ServiceDeps, app: string | undefined, name: string, channel: string, version?: number): Promise<Loaded> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const release = await loadRelease(db, ctx, name);
  let q = db.selectFrom('release_packages').selectAll().where('release_id', '=', release.id).where('channel', '=', channel);
  q = version === undefined ? q.where('sha256', 'is not', null).orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
  const pkg = await q.executeTakeFirst();
  if (!pkg) throw new NotFoundError('package', `${name}/${channel}${version === undefined ? '' : ` v${version}`}`);
  return { ctx, release, pkg };
}

function requireFile(pkg: ReleasePackageTable): asserts pkg is ReleasePackageTable & { sha256: string; manifest: string } {
  if (pkg.sha256 === null || pkg.manifest === null) {
    throw new ConflictError(`package v${pkg.version} of ${pkg.channel} was recorded without a file`, 'no-file');
  }
}

export async function listPackages(deps: ServiceDeps, app: string | undefined, name: string): Promise<PackageView[]> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const r = await loadRelease(db, ctx, name);
  const rows = await db
    .selectFrom('release_packages')
    .select(PACKAGE_COLUMNS_BUT_MANIFEST)
    .where('release_id', '=', r.id)
    .orderBy('channel')
    .orderBy('version')
    .execute();
  return rows.map((p) => packageView({ ...p, manifest: null }));
}

export async function showPackage(
  deps: ServiceDeps,
  app: string | undefined,
  name: string,
  channel: string,
  version?: number,
): Promise<PackageView & { manifest: unknown }> {
  const { pkg } = await loadVersion(deps, app, name, channel, version);
  return { ...packageView(pkg), manifest: pkg.manifest === null ? null : (JSON.parse(pkg.manifest) as unknown) };
}

/**
 * Per item, declared elements missing from the channel's package, and the
 * elements no item declares (P5). The package is the channel's current file
 * set (the newest file of each kind, e.g. the ZIP and the WAR), or the set as
 * of `version`.
 */
export async function showCoverage(
  deps: ServiceDeps,
  app: string | undefined,
  name: string,
  channel: string,
  version?: number,
): Promise<CoverageView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, app);
  const release = await loadRelease(db, ctx, name);
  const template = await deps.templates.byId(db, release.template_version_id);
  const set = await currentFileSet(db, template, release.id, channel, version);
  if (!set) {
    const asked = version === undefined ? undefined : await loadVersion(deps, app, name, channel, version);
    if (asked) requireFile(asked.pkg);
    throw new NotFoundError('package', `${name}/${channel}`);
  }
  const items = await db.selectFrom('work_items').selectAll().where('release_id', '=', release.id).orderBy('number').execute();
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
  const candidates = await db
    .selectFrom('releases')
    .selectAll()
    .where('application_id', '=', ctx.app.id)
    .where('id', '!=', release.id)
    .where('sequence', '<', release.sequence)
    .orderBy('sequence', 'desc')
    .execute();
  for (const r of candidates) {
    const t = await deps.templates.byId(db, r.template_version_id);
    const prod = new Set(t.states.filter((s) => s.inProduction).map((s) => s.id));
    const reached = await db.selectFrom('release_transitions').select('to_state').where('release_id', '=', r.id).execute();
    if (!reached.some((x) => prod.has(x.to_state))) continue;
    const p = await db
      .selectFrom('release_packages')
      .selectAll()
      .where('release_id', '=', r.id)
      .where('channel', '=', pkg.channel)
      .where('kind', '=', pkg.kind)
      .where('sha256', 'is not', null)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
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

/** Added, removed and changed elements (or entries) between two versions, or against the previous production release. */
export async function diffPackages(
  deps: ServiceDeps,
  app: string | undefined,
  name: string,
  channel: string,
  opts: { from?: number | undefined; to?: number | undefined; againstProduction?: boolean | undefined },
): Promise<PackageDiff> {
  const to = await loadVersion(deps, app, name, channel, opts.to);
  requireFile(to.pkg);
  let from: Loaded | null;
  if (opts.againstProduction) {
    from = await previousProduction(deps, deps.database.kysely, to.ctx, to.release, to.pkg);
    if (!from) throw new NotFoundError('production package', `${channel} (${to.pkg.kind ?? 'file'}) of an earlier release`);
  } else {
    if (opts.from !== undefined) from = await loadVersion(deps, app, name, channel, opts.from);
    else {
      // The previous file of the same kind: a web channel alternates ZIPs and WARs.
      const prev = await deps.database.kysely
        .selectFrom('release_packages')
        .selectAll()
        .where('release_id', '=', to.release.id)
        .where('channel', '=', channel)
        .where('kind', '=', to.pkg.kind)
        .where('sha256', 'is not', null)
        .where('version', '<', to.pkg.version)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
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
  const d =
    to.pkg.kind === 'cache-xml'
      ? diffManifests(JSON.parse(from.pkg.manifest) as CacheManifest, JSON.parse(to.pkg.manifest) as CacheManifest)
      : diffArchives(JSON.parse(from.pkg.manifest) as ArchiveManifest, JSON.parse(to.pkg.manifest) as ArchiveManifest);
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
  app: string | undefined,
  name: string,
  channel: string,
  version?: number,
): Promise<{ stream: Readable; sha256: string; size: number; fileName: string }> {
  const { pkg } = await loadVersion(deps, app, name, channel, version);
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
