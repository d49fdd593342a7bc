import { lockRelease, loadLifecycleRows, type LifecycleRows } from '../../db/repositories/lifecycle.js';
import { bumpReleaseVersion } from '../../db/repositories/releases.js';
import { releaseById } from '../../db/repositories/releases.js';
import type { Trx, TxContext } from '../../db/database.js';
import type { ReleaseTable } from '../../db/schema.js';
import { ConflictError, StaleVersionError } from '../../domain/errors.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ReleaseSnapshot } from '../../domain/lifecycle/snapshot.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplication, type AppContext } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { channelContents } from '../packages/file-set.js';
import { write, type Audited, type WriteTx } from '../write.js';
import { toSnapshot } from './snapshot.js';

export type LockedRelease = {
  db: Trx;
  onCommit: (fn: () => void | Promise<void>) => void;
  ctx: AppContext;
  release: ReleaseTable;
  /** The template version the release was created under (P18), not the one in force. */
  template: ProcessTemplate;
  rows: LifecycleRows;
  snapshot: ReleaseSnapshot;
  subject: string;
};

/** A locked release inside a write: its events are recorded with `tx.audit`. */
export type LockedWrite = LockedRelease & { tx: WriteTx };

export type LockOptions = { expectedVersion?: number | undefined; allowTerminal?: boolean };

/** Locks the release's row and loads its facts; refuses a stale version or a closed release. */
async function lockAndLoad(
  deps: ServiceDeps,
  { db, onCommit }: Pick<TxContext, 'db' | 'onCommit'>,
  ref: ReleaseRef,
  options: LockOptions,
): Promise<LockedRelease> {
  const ctx = await resolveApplication(deps, db, ref.app);
  const found = await loadRelease(db, ctx, ref.name);
  await lockRelease(db, found.id);
  const release = (await releaseById(db, found.id)) ?? found;
  const name = release.name;
  if (options.expectedVersion !== undefined && options.expectedVersion !== release.row_version) {
    throw new StaleVersionError('release', name, options.expectedVersion, release.row_version);
  }
  const template = await deps.templates.byId(db, release.template_version_id);
  if (!options.allowTerminal && isTerminalState(template, release.state)) {
    throw new ConflictError(`release ${name} is ${release.state} and can no longer be changed`, 'release-closed');
  }
  const rows = await loadLifecycleRows(db, release.id);
  return {
    db,
    onCommit,
    ctx,
    release,
    template,
    rows,
    snapshot: toSnapshot(release, rows, await channelContents(db, template, release.id, rows.packages)),
    subject: `${ctx.app.key}/${name}`,
  };
}

/**
 * Runs a lifecycle write on one release: one `write` (services/write.ts) with
 * the release's row locked first, its facts loaded, and its version bumped at
 * the end so clients holding an older version notice the change. The locks
 * come in one order: the release's row, then (appending the write's audit
 * events, just before commit) the audit head.
 */
export async function lockedReleaseWrite<T>(
  deps: ServiceDeps,
  actor: Actor,
  ref: ReleaseRef,
  options: LockOptions,
  fn: (l: LockedWrite) => Promise<Audited<T>>,
): Promise<T> {
  return write(deps, actor, async (tx) => {
    const l = await lockAndLoad(deps, tx, ref, options);
    const out = await fn({ ...l, tx });
    // The release's row is locked already: this takes no new lock before the audit head.
    await bumpReleaseVersion(tx.db, l.release.id, deps.clock().toISOString());
    return out;
  });
}
