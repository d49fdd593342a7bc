import type { Trx, TxContext } from '../db/database.js';
import type { AuditEvent } from '../domain/audit/catalogue.js';
import type { Actor } from './actor.js';
import { appendAuditEvents, type AuditEntry } from './audit.js';
import type { ServiceDeps } from './deps.js';

declare const auditedBrand: unique symbol;

/**
 * What a write's callback returns: its result, together with the proof that
 * it recorded its audit event. Only `tx.audit(event, result)` and
 * `tx.unaudited(result, why)` make one, so a write that forgets its event does
 * not compile.
 */
export type Audited<T> = { readonly [auditedBrand]: true; readonly result: T };

/** The transaction a write runs in. */
export interface WriteTx {
  /** The transaction's handle: every query of the write goes through it. */
  readonly db: Trx;
  /** Runs after the transaction commits; never for one that rolled back. */
  readonly onCommit: TxContext['onCommit'];
  /** Who is writing. */
  readonly actor: Actor;
  /**
   * Records an event, appended to the audit chain as the last thing before
   * commit (so the chain's head is always the last lock a write takes).
   * With a result, returns what the write's callback returns.
   */
  readonly audit: {
    (event: AuditEvent): void;
    <T>(event: AuditEvent, result: T): Audited<T>;
  };
  /** For the path of a write that changed nothing worth an event (say, a repeated request); `why` documents it. */
  readonly unaudited: <T>(result: T, why: string) => Audited<T>;
}

const audited = <T>(result: T): Audited<T> => ({ result }) as Audited<T>;

/**
 * Runs one write: a transaction whose audit events are collected with
 * `tx.audit(...)` and appended, hash-chained, just before it commits; then
 * the transaction's `onCommit` hooks run. If anything throws, nothing of it
 * stays: no row, no event.
 */
export function write<T>(deps: ServiceDeps, actor: Actor, fn: (tx: WriteTx) => Promise<Audited<T>>): Promise<T> {
  return deps.database.transaction(async ({ db, onCommit }) => {
    const events: AuditEntry[] = [];
    const tx: WriteTx = {
      db,
      onCommit,
      actor,
      audit: <R>(event: AuditEvent, ...result: [R] | []): Audited<R> => {
        events.push({ ...(event as Omit<AuditEntry, 'actor' | 'at'>), actor, at: deps.clock() });
        return audited(result[0] as R);
      },
      unaudited: (result) => audited(result),
    };
    const out = await fn(tx);
    await appendAuditEvents(db, events);
    return out.result;
  });
}
