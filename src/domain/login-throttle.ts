/**
 * Sign-in throttling rules. Failed sign-ins are counted under two keys: the
 * account (the username as typed, lower-cased, whether or not it exists) and
 * the client address. When a key reaches its number of free failures it is
 * locked; each further failure after the lock has passed doubles the lock, up
 * to a maximum. Entries are forgotten only once no lock is active and the last
 * failure is old.
 */
export type LoginThrottlePolicy = {
  /** Failures allowed per account before it is locked, whatever address they come from. */
  accountFailures: number;
  /** Failures allowed per client address before it is locked, whatever accounts they try. */
  addressFailures: number;
  /** Length of the first lock; every further failure doubles it. */
  firstLockMs: number;
  maxLockMs: number;
  /** An entry without an active lock is forgotten this long after its last failure. */
  forgetAfterMs: number;
  /** Beyond this many entries, the oldest ones without an active lock are dropped. */
  maxEntries: number;
};

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  accountFailures: 10,
  addressFailures: 50,
  firstLockMs: 60_000,
  maxLockMs: 60 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000,
  maxEntries: 100_000,
};

export type ThrottleEntry = { key: string; failures: number; lastFailureAt: string; lockedUntil: string | null };

export type ThrottleKeys = { account: string; address: string | null };

/** An IPv6 client is counted by its /64 network (one subscriber's usual share); IPv4 by its address. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return `address:${mapped[1]}`;
  if (!ip.includes(':')) return `address:${ip}`;
  const bare = ip.toLowerCase().split('%')[0] ?? '';
  const [head = '', tail] = bare.split('::');
  const split = (part: string) => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['v4', 'v4'] : [g])));
  const left = split(head);
  const right = tail === undefined ? [] : split(tail);
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ''));
  return `address:${prefix.join(':')}::/64`;
}

export function throttleKeys(username: string, ip: string | undefined): ThrottleKeys {
  return { account: `account:${username.trim().toLowerCase()}`, address: ip === undefined || ip === '' ? null : addressKey(ip) };
}

export const isAccountKey = (key: string): boolean => key.startsWith('account:');

/** Whether the entry no longer counts: no active lock and its last failure long ago. */
export function isForgotten(entry: ThrottleEntry, now: Date, policy: LoginThrottlePolicy): boolean {
  const locked = entry.lockedUntil !== null && Date.parse(entry.lockedUntil) > now.getTime();
  return !locked && Date.parse(entry.lastFailureAt) + policy.forgetAfterMs <= now.getTime();
}

/** Whole seconds until every lock among the entries has passed; 0 when a sign-in may be tried. */
export function retryAfterSeconds(entries: readonly ThrottleEntry[], now: Date): number {
  let until = now.getTime();
  for (const e of entries) if (e.lockedUntil !== null) until = Math.max(until, Date.parse(e.lockedUntil));
  return until > now.getTime() ? Math.max(1, Math.ceil((until - now.getTime()) / 1000)) : 0;
}

/**
 * The entry after one more failure under its key at `now`. Attempts made
 * while a key is locked are refused before they are counted.
 */
export function afterFailure(key: string, entry: ThrottleEntry | undefined, now: Date, policy: LoginThrottlePolicy): ThrottleEntry {
  const failures = entry && !isForgotten(entry, now, policy) ? entry.failures + 1 : 1;
  const free = isAccountKey(key) ? policy.accountFailures : policy.addressFailures;
  const lockMs = failures >= free ? Math.min(policy.maxLockMs, policy.firstLockMs * 2 ** Math.min(failures - free, 30)) : 0;
  return {
    key,
    failures,
    lastFailureAt: now.toISOString(),
    lockedUntil: lockMs > 0 ? new Date(now.getTime() + lockMs).toISOString() : null,
  };
}

/**
 * An address entry once the attempt counted against it turned out to be a
 * successful sign-in: the attempt is taken back, and a lock it started is lifted.
 * (The account entry is simply cleared: the password was right.)
 */
export function afterSuccessOnAddress(current: ThrottleEntry, before: ThrottleEntry | undefined, counted: ThrottleEntry): ThrottleEntry {
  return {
    ...current,
    failures: Math.max(0, current.failures - 1),
    lockedUntil: current.lockedUntil === counted.lockedUntil ? (before?.lockedUntil ?? null) : current.lockedUntil,
  };
}
