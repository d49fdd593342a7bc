import { auditPayload, latestEventOfSubject } from '../db/repositories/audit-events.js';
import { summarizeReleaseEvent } from '../domain/audit/release-event-summary.js';
import { resolveApplicationForRead } from './applications.js';
import type { ServiceDeps } from './deps.js';
import { loadRelease, type ReleaseRef } from './release-lookup.js';

export type ReleaseChangesView = {
  version: number;
  lastChange: { seq: number; at: string; actor: string; action: string; summary: string } | null;
};

/** Newer than this audit sequence number, or than this time. */
export type ChangesSince = { seq?: number | undefined; at?: string | undefined };

/**
 * What a page showing a release polls: the release's version and the latest
 * audit event on it (after `since`, when given) — who changed what. Two
 * indexed lookups, read directly (no cache), so a poll sees a change at once.
 */
export async function releaseChanges(deps: ServiceDeps, ref: ReleaseRef, since: ChangesSince = {}): Promise<ReleaseChangesView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, ref.name);
  const e = await latestEventOfSubject(db, 'release', `${ctx.app.key}/${r.name}`, since);
  return {
    version: r.row_version,
    lastChange: e
      ? {
          seq: e.seq,
          at: e.at,
          actor: e.actor,
          action: e.action,
          summary: summarizeReleaseEvent(e.action, auditPayload.decode(e.before_json), auditPayload.decode(e.after_json)),
        }
      : null,
  };
}
