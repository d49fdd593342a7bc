import type { Trx } from '../db/database.js';
import {
  countThrottleEntries,
  deleteThrottleEntry,
  dropOldestUnlockedEntries,
  lockThrottleEntries,
  purgeThrottleEntries,
  saveThrottleEntry,
  throttleEntries,
} from '../db/repositories/login-throttle.js';
import type { LoginThrottleTable } from '../db/schema.js';
import { TooManyAttemptsError } from '../domain/errors.js';
import {
  afterFailure,
  afterSuccessOnAddress,
  DEFAULT_LOGIN_THROTTLE,
  retryAfterSeconds,
  type LoginThrottlePolicy,
  type ThrottleEntry,
  type ThrottleKeys,
} from '../domain/login-throttle.js';
import type { AuditEvent } from '../domain/audit/catalogue.js';
import { SYSTEM_ACTOR } from './actor.js';
import type { ServiceDeps } from './deps.js';
import { write } from './write.js';

const toEntry = (r: LoginThrottleTable): ThrottleEntry => ({
  key: r.key,
  failures: r.failures,
  lastFailureAt: r.last_failure_at,
  lockedUntil: r.locked_until,
});
const toRow = (e: ThrottleEntry): LoginThrottleTable => ({
  key: e.key,
  failures: e.failures,
  last_failure_at: e.lastFailureAt,
  locked_until: e.lockedUntil,
});

export const throttlePolicy = (deps: ServiceDeps): LoginThrottlePolicy => deps.loginThrottle ?? DEFAULT_LOGIN_THROTTLE;

/** One sign-in attempt, counted as a failure until the password proves right. */
export type CountedAttempt = {
  keys: string[];
  /** Each key's entry before and after this attempt was counted. */
  entries: Map<string, { before: ThrottleEntry | undefined; counted: ThrottleEntry }>;
};

const keyList = (keys: ThrottleKeys): string[] => (keys.address === null ? [keys.account] : [keys.account, keys.address]);

/**
 * Refuses the attempt while its account or address is locked; otherwise
 * counts it as a failure under both keys *before* the password is checked,
 * so that many attempts sent at once cannot all slip in under the limit.
 * A locked attempt is refused with a read only, and is not counted.
 */
export async function countAttempt(deps: ServiceDeps, throttle: ThrottleKeys): Promise<CountedAttempt> {
  const keys = keyList(throttle);
  const policy = throttlePolicy(deps);
  const now = deps.clock();
  const wait = retryAfterSeconds((await throttleEntries(deps.database.kysely, keys)).map(toEntry), now);
  if (wait > 0) throw new TooManyAttemptsError(wait);
  // Counting an attempt is bookkeeping, not an audited action (a lock it leads to is audited by confirmFailure).
  return deps.database.transaction(async ({ db }) => {
    await lockThrottleEntries(db, keys, now.toISOString());
    // Rows just created for this attempt start with no failures.
    const current = (await throttleEntries(db, keys)).map(toEntry).filter((e) => e.failures > 0);
    const lockedWait = retryAfterSeconds(current, now);
    if (lockedWait > 0) throw new TooManyAttemptsError(lockedWait);
    const entries: CountedAttempt['entries'] = new Map();
    for (const key of keys) {
      const before = current.find((e) => e.key === key);
      const counted = afterFailure(key, before, now, policy);
      await saveThrottleEntry(db, toRow(counted));
      entries.set(key, { before, counted });
    }
    return { keys, entries };
  });
}

/**
 * The password was wrong: the attempt stays counted. A lock it started is
 * audited; old entries are purged, and beyond the bound the oldest entries
 * without an active lock are dropped (an active lock is never dropped).
 */
export async function confirmFailure(deps: ServiceDeps, attempt: CountedAttempt, requestId?: string): Promise<void> {
  const policy = throttlePolicy(deps);
  const now = deps.clock();
  await write(deps, { ...SYSTEM_ACTOR, requestId }, async (tx) => {
    const { db } = tx;
    await purgeThrottleEntries(db, new Date(now.getTime() - policy.forgetAfterMs).toISOString(), now.toISOString());
    const excess = (await countThrottleEntries(db)) - policy.maxEntries;
    if (excess > 0) await dropOldestUnlockedEntries(db, excess, now.toISOString());
    const locks = lockoutEvents(attempt);
    const last = locks.pop();
    for (const event of locks) tx.audit(event);
    return last
      ? tx.audit(last, undefined)
      : tx.unaudited(undefined, 'no lock started: the attempt was counted before the password was checked');
  });
}

/** A `login.lockout` event for each key whose lock this attempt started or moved (a lock it left as it was is not recorded again). */
function lockoutEvents(attempt: CountedAttempt): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const [key, { before, counted }] of attempt.entries) {
    if (counted.lockedUntil === null || counted.lockedUntil === before?.lockedUntil) continue;
    const [subjectType, subjectId] = key.startsWith('account:')
      ? (['account', key.slice('account:'.length)] as const)
      : (['address', key.slice('address:'.length)] as const);
    events.push({
      action: 'login.lockout',
      subjectType,
      subjectId,
      after: { failures: counted.failures, lockedUntil: counted.lockedUntil, keys: attempt.keys },
    });
  }
  return events;
}

/**
 * The password was right: the account's failures are forgotten, and the
 * attempt is taken back from the address (its other failures still count).
 * Runs inside the transaction that creates the session.
 */
export async function confirmSuccess(db: Trx, attempt: CountedAttempt): Promise<void> {
  const [account, address] = attempt.keys;
  if (account !== undefined) await deleteThrottleEntry(db, account);
  if (address === undefined) return;
  const counted = attempt.entries.get(address);
  const [row] = await throttleEntries(db, [address]);
  if (!counted || !row) return;
  const next = afterSuccessOnAddress(toEntry(row), counted.before, counted.counted);
  // An address with nothing against it needs no row.
  if (next.failures === 0 && next.lockedUntil === null) await deleteThrottleEntry(db, address);
  else await saveThrottleEntry(db, toRow(next));
}
