import { auditEventAtSeq } from '../db/repositories/audit-events.js';
import { verifyAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';

/** One shape whatever the outcome (`head` null when it fails, `firstBad` null when it holds), so clients read it without a union. */
export type ChainCheck = {
  ok: boolean;
  events: number;
  head: string | null;
  firstBad: { seq: number; id: string | null; at: string | null; action: string | null; reason: string } | null;
};

/**
 * The whole chain checked (as `relman audit verify` does), told as the first
 * event that does not hold: its time and action when it is still there, only
 * its place when it was deleted.
 */
export async function checkAuditChain(deps: ServiceDeps): Promise<ChainCheck> {
  const db = deps.database.kysely;
  const r = await verifyAudit(db);
  if (r.ok) return { ok: true, events: r.events, head: r.headHash, firstBad: null };
  const row = r.eventId === null ? undefined : await auditEventAtSeq(db, r.seq);
  return {
    ok: false,
    events: r.events,
    head: null,
    firstBad: { seq: r.seq, id: r.eventId, at: row?.at ?? null, action: row?.action ?? null, reason: r.reason },
  };
}
