import { auditPayload, eventsOfSubject } from '../db/repositories/audit-events.js';
import { testAttemptsOfItem } from '../db/repositories/work-items.js';
import { releaseSpans, type ItemReleaseChange, type ReleaseSpan } from '../domain/work-item-history.js';
import { resolveApplicationForRead } from './applications.js';
import type { ServiceDeps } from './deps.js';
import { itemByKey, type ItemRef } from './work-item-key.js';
import { keyOfItem } from './work-item-view.js';

export type WorkItemHistory = {
  item: string;
  releases: (ReleaseSpan & { current: boolean })[];
  tests: { release: string; environment: string; result: 'passed' | 'failed'; cause: string | null; by: string; at: string }[];
};

const releaseOf = (payload: unknown): string | null => {
  if (typeof payload !== 'object' || payload === null) return null;
  const r = (payload as { release?: unknown }).release;
  return typeof r === 'string' ? r : null;
};

/** The releases a work item was in (from its audit trail) and every test attempt of it, oldest first. */
export async function workItemHistory(deps: ServiceDeps, ref: ItemRef): Promise<WorkItemHistory> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const row = await itemByKey(db, ctx.app.id, ref.key);
  const key = keyOfItem(row);
  const changes: ItemReleaseChange[] = (await eventsOfSubject(db, 'item', `${ctx.app.key}/${key}`)).map((e) => ({
    at: e.at,
    before: releaseOf(auditPayload.decode(e.before_json)),
    after: releaseOf(auditPayload.decode(e.after_json)),
  }));
  const spans = releaseSpans(changes);
  return {
    item: key,
    releases: spans.map((s) => ({ ...s, current: s.until === null })),
    tests: (await testAttemptsOfItem(db, row.id)).map((t) => ({
      release: t.release_name,
      environment: t.environment,
      result: t.result === 'passed' ? 'passed' : 'failed',
      cause: t.cause,
      by: t.recorded_by,
      at: t.recorded_at,
    })),
  };
}
