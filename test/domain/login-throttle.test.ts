import { describe, expect, it } from 'vitest';
import {
  addressKey,
  afterFailure,
  DEFAULT_LOGIN_THROTTLE,
  isForgotten,
  retryAfterSeconds,
  throttleKeys,
  type ThrottleEntry,
} from '../../src/domain/login-throttle.js';

const policy = { ...DEFAULT_LOGIN_THROTTLE, accountFailures: 3, addressFailures: 5, firstLockMs: 60_000, maxLockMs: 300_000 };
const at = (s: number) => new Date(Date.UTC(2030, 0, 1) + s * 1000);

describe('sign-in throttling rules', () => {
  it('keys an account case-insensitively and an IPv6 client by its /64', () => {
    expect(throttleKeys(' Alice ', '::ffff:192.0.2.1')).toEqual({ account: 'account:alice', address: 'address:192.0.2.1' });
    expect(throttleKeys('alice', undefined).address).toBeNull();
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).toBe('address:2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
  });

  it('locks a key at its limit and doubles the lock with every failure after it, up to the maximum', () => {
    let e: ThrottleEntry | undefined;
    const locks: (string | null)[] = [];
    for (let i = 0; i < 7; i++) {
      e = afterFailure('account:alice', e, at(i * 1000), policy);
      locks.push(e.lockedUntil === null ? null : `${(Date.parse(e.lockedUntil) - at(i * 1000).getTime()) / 1000}s`);
    }
    expect(locks).toEqual([null, null, '60s', '120s', '240s', '300s', '300s']);
    // An address has its own, higher limit.
    let a: ThrottleEntry | undefined;
    for (let i = 0; i < 4; i++) a = afterFailure('address:192.0.2.1', a, at(i), policy);
    expect(a?.lockedUntil).toBeNull();
    expect(afterFailure('address:192.0.2.1', a, at(5), policy).lockedUntil).not.toBeNull();
  });

  it('answers the wait of the longest active lock, and forgets only entries without one whose last failure is old', () => {
    const locked: ThrottleEntry = { key: 'k', failures: 9, lastFailureAt: at(0).toISOString(), lockedUntil: at(90).toISOString() };
    const free: ThrottleEntry = { key: 'j', failures: 1, lastFailureAt: at(0).toISOString(), lockedUntil: null };
    expect(retryAfterSeconds([free, locked], at(0.5))).toBe(90);
    expect(retryAfterSeconds([free, locked], at(90))).toBe(0);
    const day = DEFAULT_LOGIN_THROTTLE.forgetAfterMs / 1000;
    expect(isForgotten(free, at(day - 1), policy)).toBe(false);
    expect(isForgotten(free, at(day), policy)).toBe(true);
    const longLock = { ...locked, lockedUntil: at(day + 10).toISOString() };
    expect(isForgotten(longLock, at(day + 5), policy)).toBe(false);
    // After being forgotten, the count starts again.
    expect(afterFailure('account:x', free, at(day), policy).failures).toBe(1);
  });
});
