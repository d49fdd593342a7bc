/** One stay of a work item in a release: from when it was put in until it left (null while it is still there). */
export type ReleaseSpan = { release: string; from: string; until: string | null };

/** What the item's audit events say of its release: the release before and after the change. */
export type ItemReleaseChange = { at: string; before: string | null; after: string | null };

/**
 * The releases an item was in, in order, from its audit trail (creation,
 * attach, move, detach). A change that leaves the release as it was adds
 * nothing; a release the item returns to is a second span.
 */
export function releaseSpans(changes: readonly ItemReleaseChange[]): ReleaseSpan[] {
  const spans: ReleaseSpan[] = [];
  let open = null as ReleaseSpan | null;
  for (const c of changes) {
    const current: string | null = open?.release ?? null;
    if (c.after === current) continue;
    if (open) open.until = c.at;
    open = c.after === null ? null : { release: c.after, from: c.at, until: null };
    if (open) spans.push(open);
  }
  return spans;
}
