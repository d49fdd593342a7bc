import { createHash, randomUUID } from 'node:crypto';
import type { Database, Db, Trx } from '../db/database.js';
import { AUDIT_GENESIS_HASH } from '../db/migrations/0001-initial.js';
import type { AuditEventTable } from '../db/schema.js';
import {
  auditPayload,
  insertAuditEvent,
  listAuditEvents,
  lockAuditHead,
  readAuditBatch,
  readAuditHead,
  type AuditFilter,
} from '../db/repositories/audit-events.js';
import type { Actor } from './actor.js';

export type AuditInput = {
  actor: Actor;
  at: Date;
  action: string;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
};

/** JSON with sorted keys, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function auditHash(e: Omit<AuditEventTable, 'hash'>): string {
  const fields = [
    e.prev_hash,
    e.seq,
    e.id,
    e.at,
    e.actor,
    e.action,
    e.subject_type,
    e.subject_id,
    e.before_json,
    e.after_json,
    e.request_id,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** One event as appended: what happened (see domain/audit/catalogue.ts), who did it and when. */
export type AuditEntry = AuditInput;

/**
 * Appends events to the chain inside the caller's transaction, in order. It
 * locks the chain's head row, so it runs last in a write (services/write.ts):
 * every other lock of the transaction is taken before it.
 */
export async function appendAuditEvents(db: Trx, entries: readonly AuditEntry[]): Promise<AuditEventTable[]> {
  const appended: AuditEventTable[] = [];
  if (entries.length === 0) return appended;
  let head = await lockAuditHead(db);
  for (const input of entries) {
    const partial = {
      seq: head.seq + 1,
      id: randomUUID(),
      at: input.at.toISOString(),
      actor: input.actor.username,
      action: input.action,
      subject_type: input.subjectType,
      subject_id: input.subjectId,
      before_json: input.before === undefined ? null : canonicalJson(input.before),
      after_json: input.after === undefined ? null : canonicalJson(input.after),
      request_id: input.actor.requestId ?? null,
      prev_hash: head.hash,
    };
    const event = { ...partial, hash: auditHash(partial) };
    await insertAuditEvent(db, event);
    appended.push(event);
    head = { ...head, seq: event.seq, hash: event.hash };
  }
  return appended;
}

export type AuditVerification =
  { ok: true; events: number; headHash: string } | { ok: false; events: number; seq: number; eventId: string | null; reason: string };

/**
 * Walks the whole chain. Editing a row breaks its own hash, deleting one
 * breaks the sequence or the next row's link, inserting one breaks a link or
 * disagrees with the head row that every append updates.
 */
export async function verifyAudit(db: Db, batchSize = 1000): Promise<AuditVerification> {
  let prevHash = AUDIT_GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let lastId: string | null = null;
  for (;;) {
    const batch = await readAuditBatch(db, expectedSeq - 1, batchSize);
    for (const e of batch) {
      const fail = (reason: string): AuditVerification => ({ ok: false, events: count, seq: e.seq, eventId: e.id, reason });
      if (e.seq !== expectedSeq) {
        const range = e.seq > expectedSeq + 1 ? `s ${expectedSeq}-${e.seq - 1} are` : ` ${expectedSeq} is`;
        return { ok: false, events: count, seq: expectedSeq, eventId: null, reason: `event${range} missing (deleted)` };
      }
      if (e.prev_hash !== prevHash)
        return fail('its link to the previous event does not match (an event before it was removed or replaced)');
      const { hash, ...rest } = e;
      if (auditHash(rest) !== hash) return fail('its content does not match its hash (the event was altered)');
      prevHash = hash;
      lastId = e.id;
      expectedSeq++;
      count++;
    }
    if (batch.length < batchSize) break;
  }
  const head = await readAuditHead(db);
  if (!head) return { ok: false, events: count, seq: expectedSeq, eventId: null, reason: 'the chain head row is missing' };
  if (head.seq !== count || head.hash !== prevHash) {
    if (head.seq > count) {
      return {
        ok: false,
        events: count,
        seq: count + 1,
        eventId: null,
        reason: `${head.seq === count + 1 ? `event ${head.seq} is` : `events ${count + 1}-${head.seq} are`} missing (deleted from the end)`,
      };
    }
    if (head.seq === count) {
      // Same length, different tip: the last event was rewritten (hash recomputed).
      return {
        ok: false,
        events: count,
        seq: count,
        eventId: lastId,
        reason: 'the last event does not match the recorded head (the event was altered or replaced)',
      };
    }
    return {
      ok: false,
      events: count,
      seq: head.seq + 1,
      eventId: null,
      reason: `the chain continues past its recorded head (event ${head.seq}); events after it were inserted`,
    };
  }
  return { ok: true, events: count, headHash: prevHash };
}

export type AuditEventView = {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  hash: string;
};

function toView(e: AuditEventTable): AuditEventView {
  return {
    seq: e.seq,
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    subjectType: e.subject_type,
    subjectId: e.subject_id,
    before: auditPayload.decode(e.before_json),
    after: auditPayload.decode(e.after_json),
    requestId: e.request_id,
    hash: e.hash,
  };
}

export async function listAudit(
  database: Database,
  filter: AuditFilter,
): Promise<{ items: AuditEventView[]; nextAfterSeq: number | null }> {
  const rows = await listAuditEvents(database.kysely, { ...filter, limit: filter.limit + 1 });
  const more = rows.length > filter.limit;
  const page = rows.slice(0, filter.limit).map(toView);
  return { items: page, nextAfterSeq: more ? (page.at(-1)?.seq ?? null) : null };
}
