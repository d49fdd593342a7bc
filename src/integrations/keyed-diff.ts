export type KeyedDiff<T> = { added: T[]; removed: T[]; changed: { before: T; after: T }[]; unchanged: number };

/**
 * Added, removed and changed members of two lists, matched by key. When a key
 * occurs twice in one list the later member counts. Lists come out sorted by
 * key, so the same two inputs always give the same report.
 */
export function diffByKey<T>(
  before: readonly T[],
  after: readonly T[],
  key: (x: T) => string,
  same: (a: T, b: T) => boolean,
): KeyedDiff<T> {
  const prev = new Map(before.map((x) => [key(x), x]));
  const next = new Map(after.map((x) => [key(x), x]));
  const byKey = (a: T, b: T): number => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const added: T[] = [];
  const removed: T[] = [];
  const changed: { before: T; after: T }[] = [];
  let unchanged = 0;
  for (const [k, x] of next) {
    const old = prev.get(k);
    if (!old) added.push(x);
    else if (!same(old, x)) changed.push({ before: old, after: x });
    else unchanged++;
  }
  for (const [k, x] of prev) if (!next.has(k)) removed.push(x);
  added.sort(byKey);
  removed.sort(byKey);
  changed.sort((a, b) => byKey(a.after, b.after));
  return { added, removed, changed, unchanged };
}
