/**
 * Slows password guessing: after `maxFailures` failed sign-ins for one
 * username from one address within `windowMs`, further attempts are refused
 * until the window has passed. Kept in memory: it protects one process, and a
 * restart forgets it, which is acceptable for a brake (not a lock-out).
 */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  #recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  retryAfter(key: string): number {
    const list = this.#recent(key);
    if (list.length < this.maxFailures) return 0;
    const oldest = list[0] ?? this.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  fail(key: string): void {
    const list = this.#recent(key);
    list.push(this.now());
    this.#failures.set(key, list);
    if (this.#failures.size > 10_000) {
      // Bound memory under a spray of usernames: drop the oldest entries.
      const first = this.#failures.keys().next().value;
      if (first !== undefined) this.#failures.delete(first);
    }
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }
}
