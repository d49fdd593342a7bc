function render(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(render).join(', ');
  return JSON.stringify(v) ?? '';
}

/** Human output: a plain aligned table; scripts use --json instead. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const data = rows.map((r) => columns.map((c) => render(r[c]).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...data.map((d) => (d[i] ?? '').length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c.length > (widths[i] ?? 0) ? `${c.slice(0, (widths[i] ?? 1) - 1)}…` : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...data.map(line)].join('\n');
}

export function keyValues(obj: Record<string, unknown>, keys: string[]): string {
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${render(obj[k])}`).join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
