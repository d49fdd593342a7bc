import type { Db, Trx } from '../../db/database.js';
import { workItemElements } from '../../db/repositories/work-items.js';
import { filesOfChannel, manifestsOf } from '../../db/repositories/package-reads.js';
import type { ReleasePackageTable, WorkItemTable } from '../../db/schema.js';
import type { ReleaseSnapshot } from '../../domain/lifecycle/snapshot.js';
import { packageCoverage, type Coverage } from '../../domain/packages-coverage.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import { keyOfItem } from '../work-item-view.js';
import { manifestKeys } from './contents.js';

/** One stored file of a channel's package. */
export type PackageFile = {
  /** The package version that recorded this file. */
  version: number;
  kind: string;
  fileName: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
};

/**
 * What a channel's package consists of: for each package kind the channel
 * declares (`packageKinds`, e.g. zip and war; every kind uploaded when it
 * declares none), the file of the newest version of that kind. `version` is
 * the newest of their versions.
 */
export type ChannelFileSet = { channel: string; version: number; files: PackageFile[] };

type FileRow = Pick<
  ReleasePackageTable,
  'id' | 'channel' | 'version' | 'kind' | 'file_name' | 'size' | 'sha256' | 'created_by' | 'created_at'
>;

/**
 * The rule, over package rows already loaded: the newest file of each kind
 * the channel declares, as of version `upTo` (default: now). Versions
 * recorded without a file hide nothing.
 */
export function selectFileSet(
  template: ProcessTemplate,
  channel: string,
  rows: readonly FileRow[],
  upTo?: number,
): { version: number; rows: FileRow[] } | null {
  const declared: readonly string[] | undefined = template.channels.find((c) => c.id === channel)?.packageKinds;
  const newest = new Map<string, FileRow>();
  for (const p of rows) {
    if (p.channel !== channel || p.sha256 === null || p.kind === null) continue;
    if (upTo !== undefined && p.version > upTo) continue;
    if (declared && !declared.includes(p.kind)) continue;
    const seen = newest.get(p.kind);
    if (!seen || p.version > seen.version) newest.set(p.kind, p);
  }
  if (newest.size === 0) return null;
  const order = declared ?? [...newest.keys()].sort();
  const chosen = order.flatMap((k) => newest.get(k) ?? []);
  return { version: Math.max(...chosen.map((r) => r.version)), rows: chosen };
}

function toFile(r: FileRow): PackageFile {
  return {
    version: r.version,
    kind: r.kind ?? '',
    fileName: r.file_name ?? '',
    size: Number(r.size ?? 0),
    sha256: r.sha256 ?? '',
    uploadedBy: r.created_by,
    uploadedAt: r.created_at,
  };
}

/**
 * Every file the channel's current package consists of (or, with `upTo`, its
 * package as of that version); null when no file was uploaded. The one
 * definition used by upload responses, coverage, the coverage gate and
 * notices that list what is deployed.
 */
export async function currentFileSet(
  db: Db | Trx,
  template: ProcessTemplate,
  releaseId: string,
  channel: string,
  upTo?: number,
): Promise<ChannelFileSet | null> {
  const rows = await filesOfChannel(db, releaseId, channel);
  const set = selectFileSet(template, channel, rows, upTo);
  return set && { channel, version: set.version, files: set.rows.map(toFile) };
}

/** The `type:name` keys of everything the files of a set hold, comparable with work-item elements. */
export async function fileSetContents(
  db: Db | Trx,
  releaseId: string,
  set: { channel: string; files: readonly { version: number }[] },
): Promise<string[]> {
  const rows = await manifestsOf(
    db,
    releaseId,
    set.channel,
    set.files.map((f) => f.version),
  );
  return rows.flatMap((r) => manifestKeys(r.kind, r.manifest));
}

/**
 * Per channel, the element keys of its current file set (see `currentFileSet`),
 * for the coverage gate. Only the few current manifests are read.
 */
export async function channelContents(
  db: Db | Trx,
  template: ProcessTemplate,
  releaseId: string,
  packages: readonly ReleasePackageTable[],
): Promise<NonNullable<ReleaseSnapshot['contents']>> {
  const out: NonNullable<ReleaseSnapshot['contents']> = {};
  for (const channel of new Set(packages.map((p) => p.channel))) {
    // A label-only version recorded after the files does not hide them: the
    // newest files are still what is checked, so the gate cannot be sidestepped.
    const set = selectFileSet(template, channel, packages);
    if (!set) continue;
    const keys = await fileSetContents(db, releaseId, { channel, files: set.rows });
    out[channel] = { version: set.version, keys, files: set.rows.map((r) => `${r.file_name ?? '?'} (v${r.version})`) };
  }
  return out;
}

export type CoverageView = Coverage & { version: number; files: PackageFile[] };

/** P5 coverage of a channel's file set for the items of its release (one rule for upload, coverage, CLI and gate). */
export async function fileSetCoverage(
  db: Db | Trx,
  template: ProcessTemplate,
  releaseId: string,
  set: ChannelFileSet,
  items: readonly WorkItemTable[],
): Promise<CoverageView> {
  const cov = packageCoverage(
    template,
    set.channel,
    items.map((i) => ({ key: keyOfItem(i), elements: workItemElements.decode(i.elements) })),
    await fileSetContents(db, releaseId, set),
  );
  return { ...cov, version: set.version, files: set.files };
}
