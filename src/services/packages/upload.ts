import { createHash, randomUUID } from 'node:crypto';
import type { ReleasePackageTable } from '../../db/schema.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { uploadPrecheck, type PackageKind } from '../../domain/package-upload.js';
import { stepsVoidedBy } from '../../domain/lifecycle/approvals.js';
import { currentPackage } from '../../domain/lifecycle/snapshot.js';
import type { ArtifactStore } from '../../integrations/storage/artifact-store.js';
import { insertPackageVersion } from '../../db/repositories/lifecycle.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import type { Actor } from '../actor.js';
import { resolveApplication } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { lockedReleaseWrite } from '../lifecycle/release-lock.js';
import { toSnapshot } from '../lifecycle/snapshot.js';
import { refuseVoidingChange } from '../lifecycle/voiding.js';
import { loadLifecycleRows } from '../../db/repositories/lifecycle.js';
import { packageView, type PackageView } from '../lifecycle/views.js';
import { loadRelease } from '../releases.js';
import { keyOfItem } from '../work-item-view.js';
import { analyzePackage, StreamingAnalysis } from './analyze.js';
import { currentFileSet, fileSetCoverage, type CoverageView } from './file-set.js';

/** `coverage` is over the channel's current file set after this upload (the newest file of each kind), as the gate sees it. */
export type UploadResult = PackageView & { reused: boolean; voidedApprovals: number; coverage: CoverageView | null };

/** Everything that can be refused before a single byte is read (the rules: `uploadPrecheck`). */
async function precheck(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  name: string,
  channel: string,
  fileName: string,
): Promise<PackageKind> {
  const db = deps.database.kysely;
  const ctx = await resolveApplication(deps, db, app);
  const r = await loadRelease(db, ctx, name);
  const t = await deps.templates.byId(db, r.template_version_id);
  requireAppAction(t, actor, 'package.record');
  const kind = uploadPrecheck(t, { name, state: r.state, channels: releaseChannels.decode(r.channels) }, channel, fileName);
  // Refused before a byte is read; checked again under the release's lock when recording.
  const change = { kind: 'package', channel, at: deps.clock().toISOString(), by: actor.username } as const;
  refuseVoidingChange(t, toSnapshot(r, await loadLifecycleRows(db, r.id)), change);
  return kind;
}

const itemSetHash = (keys: string[]): string =>
  createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('hex');

/** RELMAN_UPLOAD_STREAM_MANIFEST=0: an export's manifest is read from the stored file once the upload is in (docs/fast-paths.md). */
const streamManifest = (): boolean => process.env.RELMAN_UPLOAD_STREAM_MANIFEST !== '0';

/**
 * Stores an uploaded package file and records it as the channel's next package
 * version. The bytes are streamed into the store (never held in memory),
 * understood (manifest), and only then recorded, in one transaction with its
 * audit event. A Caché/IRIS export is read as its bytes arrive, so its
 * manifest is ready when they are stored; a ZIP or WAR is read from the stored
 * file (its central directory is at the end). The same bytes for the same
 * item set are recognised as the same release file (P5) and do not make a new
 * version.
 */
export async function uploadPackage(
  deps: ServiceDeps,
  store: ArtifactStore,
  actor: Actor,
  app: string | undefined,
  name: string,
  input: { channel: string; fileName: string; body: AsyncIterable<Uint8Array>; maxBytes: number },
): Promise<UploadResult> {
  const kind = await precheck(deps, actor, app, name, input.channel, input.fileName);
  const streaming = kind === 'cache-xml' && streamManifest() ? new StreamingAnalysis() : null;
  const staged = await store.stage(streaming ? streaming.tap(input.body) : input.body, { maxBytes: input.maxBytes });
  try {
    if (staged.size === 0) throw new ValidationError('the file is empty', [{ path: 'file', message: 'empty: 0 bytes' }]);
    const manifest = streaming ? streaming.manifest() : await analyzePackage(staged.localPath, kind);
    // The staged file becomes visible under its hash inside the recording transaction, and only there:
    // a refused or failed upload never touches a stored file another version may hold.
    let promoted: Promise<void> | undefined;
    const promote = () => (promoted ??= store.promote(staged)); // once, even if the transaction is retried
    return await record(deps, actor, {
      app,
      name,
      channel: input.channel,
      fileName: input.fileName,
      kind,
      stored: staged,
      manifestJson: JSON.stringify(manifest),
      promote,
    });
  } finally {
    // After a promotion the staging file is gone already; otherwise nothing keeps it.
    await store.discard(staged);
  }
}

/** What `record` writes: the upload, stored and understood. */
type Recording = {
  app: string | undefined;
  name: string;
  channel: string;
  fileName: string;
  kind: PackageKind;
  stored: { sha256: string; size: number };
  manifestJson: string;
  /** Makes the stored file visible under its hash; called inside the transaction, before its commit. */
  promote: () => Promise<void>;
};

async function record(deps: ServiceDeps, actor: Actor, input: Recording): Promise<UploadResult> {
  const { app, name, kind, stored, manifestJson, promote } = input;
  return lockedReleaseWrite(deps, actor, { app, name }, {}, async (l) => {
    const state = l.template.states.find((s) => s.id === l.release.state);
    if (state?.locksPackages) throw new ConflictError(`release ${name} is ${state.name}: its packages are frozen`, 'packages-locked');
    const itemSet = itemSetHash(l.rows.items.map((i) => keyOfItem(i)));
    const sameKind = l.rows.packages.filter((p) => p.channel === input.channel && p.kind === kind && p.sha256 !== null);
    const latest = sameKind.reduce<ReleasePackageTable | undefined>((a, p) => (a && a.version > p.version ? a : p), undefined);
    const coverage = async (): Promise<CoverageView | null> => {
      const set = await currentFileSet(l.db, l.template, l.release.id, input.channel);
      return set && fileSetCoverage(l.db, l.template, l.release.id, set, l.rows.items);
    };
    const reused = latest !== undefined && latest.sha256 === stored.sha256 && latest.item_set === itemSet;
    const at = deps.clock().toISOString();
    if (!reused) refuseVoidingChange(l.template, l.snapshot, { kind: 'package', channel: input.channel, at, by: actor.username });
    // Renamed into place before the commit: a crash in between leaves an unrecorded copy, never a row without its file.
    await promote();
    if (reused) {
      const result = { ...packageView(latest), reused: true, voidedApprovals: 0, coverage: await coverage() };
      return l.tx.unaudited(result, 'the same file for the same items is already the current version: nothing is recorded');
    }
    const row: ReleasePackageTable = {
      id: randomUUID(),
      release_id: l.release.id,
      channel: input.channel,
      version: (currentPackage(l.snapshot, input.channel)?.version ?? 0) + 1,
      label: input.fileName,
      created_by: actor.username,
      created_at: at,
      file_name: input.fileName,
      kind,
      size: stored.size,
      sha256: stored.sha256,
      manifest: manifestJson,
      item_set: itemSet,
    };
    const voided = await insertPackageVersion(l.db, row, stepsVoidedBy(l.template, 'package'));
    const view = { ...packageView(row), reused: false, voidedApprovals: voided, coverage: await coverage() };
    return l.tx.audit(
      { action: 'package.upload', subjectType: 'release', subjectId: l.subject, after: { ...packageView(row), voidedApprovals: voided } },
      view,
    );
  });
}
