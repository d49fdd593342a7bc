import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { releaseSpans, type ItemReleaseChange } from '../../src/domain/work-item-history.js';

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

describe('the releases a work item was in', () => {
  it('opens a span when the item goes into a release and closes it when it leaves or moves', () => {
    expect(
      releaseSpans([
        { at: at(1), before: null, after: null },
        { at: at(2), before: null, after: 'A' },
        { at: at(3), before: 'A', after: 'A' },
        { at: at(4), before: 'A', after: 'B' },
        { at: at(5), before: 'B', after: null },
        { at: at(6), before: null, after: 'A' },
      ]),
    ).toEqual([
      { release: 'A', from: at(2), until: at(4) },
      { release: 'B', from: at(4), until: at(5) },
      { release: 'A', from: at(6), until: null },
    ]);
  });

  it('any trail: spans follow each other without gaps or overlaps, only the last may be open, and it is where the item is', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(null, 'A', 'B', 'C'), { maxLength: 30 }), (releases) => {
        let before: string | null = null;
        const changes: ItemReleaseChange[] = releases.map((after, i) => {
          const c = { at: at(i), before, after };
          before = after;
          return c;
        });
        const spans = releaseSpans(changes);
        const last = releases.at(-1) ?? null;
        spans.forEach((s, i) => {
          expect(s.until === null).toBe(i === spans.length - 1 && last !== null);
          if (s.until !== null) expect(s.until > s.from).toBe(true);
          const next = spans[i + 1];
          if (next && s.until !== null) expect(next.from >= s.until).toBe(true);
          if (next) expect(next.release !== s.release || next.from > (s.until ?? '')).toBe(true);
        });
        expect(spans.filter((s) => s.until === null).map((s) => s.release)).toEqual(last === null ? [] : [last]);
        // Every change into a different release starts exactly one span.
        const entries = releases.filter((r, i) => r !== null && r !== (i === 0 ? null : releases[i - 1]));
        expect(spans.map((s) => s.release)).toEqual(entries);
      }),
    );
  });
});
