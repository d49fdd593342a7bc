/**
 * A small time-bounded cache for hot read paths (token → actor, application →
 * template in force). Entries live `ttlMs` of wall-clock time; the process that
 * changes what they depend on clears them at once, other processes sharing the
 * database see the change within `ttlMs`. Writes never read through it.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at >= this.ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V): void {
    // A TTL of 0 is the cache turned off: keep nothing.
    if (this.ttlMs <= 0) return;
    if (this.#entries.size >= this.max && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, at: this.now() });
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** How long another process's change may take to be seen by this one's reads. */
export const READ_CACHE_TTL_MS = 3000;
