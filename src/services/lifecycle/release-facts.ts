import { loadLifecycleRows } from '../../db/repositories/lifecycle.js';
import type { ReleaseTable } from '../../db/schema.js';
import type { ReleaseSnapshot } from '../../domain/lifecycle/snapshot.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import { resolveApplicationForRead } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { channelContents } from '../packages/file-set.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { toSnapshot } from './snapshot.js';

/** A release as the gates see it, read outside any transaction: its row, its template version and the snapshot of its facts. */
export type ReleaseFacts = { release: ReleaseTable; template: ProcessTemplate; snapshot: ReleaseSnapshot };

export async function releaseFacts(deps: ServiceDeps, ref: ReleaseRef): Promise<ReleaseFacts> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const release = await loadRelease(db, ctx, ref.name);
  const template = await deps.templates.byId(db, release.template_version_id);
  const rows = await loadLifecycleRows(db, release.id);
  return { release, template, snapshot: toSnapshot(release, rows, await channelContents(db, template, release.id, rows.packages)) };
}
