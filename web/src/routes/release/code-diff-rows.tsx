/** One line of one side of a side-by-side diff. */
export type Side = { n: number; text: string; changed: boolean };
/** A row of the side-by-side view: the old line and the new line (either may be missing), or a fold of unchanged lines. */
export type Row = { kind: 'line'; old: Side | null; new: Side | null } | { kind: 'fold'; count: number };

type Part = { value: string; added?: boolean; removed?: boolean };

const linesOf = (value: string): string[] => {
  const lines = value.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
};

/**
 * Pairs the parts of a line diff into rows: removed lines beside the lines
 * added in their place, unchanged lines on both sides.
 */
export function sideBySide(parts: Part[]): Row[] {
  const rows: Row[] = [];
  let o = 1;
  let n = 1;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.removed) {
      const next = parts[i + 1];
      const removed = linesOf(p.value);
      const added = next?.added ? linesOf(next.value) : [];
      if (next?.added) i++;
      for (let k = 0; k < Math.max(removed.length, added.length); k++) {
        const r = removed[k];
        const a = added[k];
        rows.push({
          kind: 'line',
          old: r === undefined ? null : { n: o++, text: r, changed: true },
          new: a === undefined ? null : { n: n++, text: a, changed: true },
        });
      }
    } else if (p.added) {
      for (const a of linesOf(p.value)) rows.push({ kind: 'line', old: null, new: { n: n++, text: a, changed: true } });
    } else {
      for (const t of linesOf(p.value))
        rows.push({ kind: 'line', old: { n: o++, text: t, changed: false }, new: { n: n++, text: t, changed: false } });
    }
  }
  return rows;
}

const isChanged = (r: Row) => r.kind === 'line' && ((r.old?.changed ?? false) || (r.new?.changed ?? false));

/** Keeps `context` unchanged lines around each change and folds the rest into one row each. */
export function withContext(rows: Row[], context = 3): Row[] {
  const keep = rows.map(() => false);
  rows.forEach((r, i) => {
    if (!isChanged(r)) return;
    for (let k = Math.max(0, i - context); k <= Math.min(rows.length - 1, i + context); k++) keep[k] = true;
  });
  const out: Row[] = [];
  let folded = 0;
  rows.forEach((r, i) => {
    if (keep[i]) {
      if (folded) out.push({ kind: 'fold', count: folded });
      folded = 0;
      out.push(r);
    } else folded++;
  });
  if (folded) out.push({ kind: 'fold', count: folded });
  return out;
}
