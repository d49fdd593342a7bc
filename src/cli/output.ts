/**
 * A value as text for people: an element as `TYPE:NAME` (as `--element`
 * takes it), a template as `KEY vN`, a release reference by its name, other
 * records as `key: value` pairs; never raw JSON.
 */
export function render(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(render).join(', ');
  if (typeof v !== 'object') return ''; // functions and symbols: never in JSON
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const only = (...ks: string[]) => keys.length === ks.length && ks.every((k) => keys.includes(k));
  if (only('type', 'name') && typeof o.type === 'string' && typeof o.name === 'string') return `${o.type}:${o.name}`;
  if (only('key', 'version') && typeof o.key === 'string') return `${o.key} v${render(o.version)}`;
  if (keys.includes('name') && typeof o.name === 'string' && keys.every((k) => typeof o[k] !== 'object' || o[k] === null)) {
    return o.name;
  }
  return keys.map((k) => `${k}: ${render(o[k])}`).join('; ');
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
