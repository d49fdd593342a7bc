import { lockRelease, loadLifecycleRows, type LifecycleRows } from '../../db/repositories/lifecycle.js';
import { releaseById } from '../../db/repositories/releases.js';
import type { Trx } from '../../db/database.js';
import type { ReleaseTable } from '../../db/schema.js';
import { ConflictError, StaleVersionError } from '../../domain/errors.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ReleaseSnapshot } from '../../domain/lifecycle/snapshot.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import { resolveApplication, type AppContext } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { loadRelease } from '../releases.js';
import { channelContents } from '../packages/file-set.js';
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

export type LockOptions = { expectedVersion?: number | undefined; allowTerminal?: boolean };

/**
 * Runs a lifecycle write on one release: in one transaction, with the
 * release's row locked, its facts loaded, and its version bumped at the end so
 * clients holding an older version notice the change.
 */
export async function withLockedRelease<T>(
  deps: ServiceDeps,
  app: string | undefined,
  given: string,
  options: LockOptions,
  fn: (l: LockedRelease) => Promise<T>,
): Promise<T> {
  return deps.database.transaction(async ({ db, onCommit }) => {
    const ctx = await resolveApplication(deps, db, app);
    const found = await loadRelease(db, ctx, given);
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
    const result = await fn({
      db,
      onCommit,
      ctx,
      release,
      template,
      rows,
      snapshot: toSnapshot(release, rows, await channelContents(db, template, release.id, rows.packages)),
      subject: `${ctx.app.key}/${name}`,
    });
    await db
      .updateTable('releases')
      .set({ row_version: release.row_version + 1, updated_at: deps.clock().toISOString() })
      .where('id', '=', release.id)
      .execute();
    return result;
  });
}
