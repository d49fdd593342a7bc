/** The top-level sections of a template's YAML text, each with its own lines (comments between sections dropped). */
export function yamlSections(yaml: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (current === null) return;
    while (lines.length > 0 && /^\s*(#.*)?$/.test(lines[lines.length - 1] ?? '')) lines.pop();
    out.set(current, lines.join('\n') + '\n');
  };
  for (const line of yaml.split('\n')) {
    const key = /^([A-Za-z_][\w-]*):(?:\s|$)/.exec(line)?.[1];
    if (key !== undefined) {
      flush();
      current = key;
      lines = [line];
    } else if (current !== null) lines.push(line);
  }
  flush();
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)].filter((k) => ra[k] !== undefined || rb[k] !== undefined));
  return [...keys].every((k) => same(ra[k], rb[k]));
}

export type SectionChange = { section: string; status: 'unchanged' | 'changed' | 'added' | 'removed'; before: string; after: string };

/** Each top-level section of two versions: whether its content differs (from the parsed templates) and its YAML in each. */
export function compareSections(
  from: { template: Record<string, unknown>; yaml: string },
  to: { template: Record<string, unknown>; yaml: string },
): SectionChange[] {
  const textFrom = yamlSections(from.yaml);
  const textTo = yamlSections(to.yaml);
  const names = [...new Set([...Object.keys(from.template), ...Object.keys(to.template), ...textFrom.keys(), ...textTo.keys()])];
  return names.map((section) => {
    const a = from.template[section];
    const b = to.template[section];
    const before = textFrom.get(section) ?? '';
    const after = textTo.get(section) ?? '';
    const status =
      a === undefined && before === ''
        ? 'added'
        : b === undefined && after === ''
          ? 'removed'
          : same(a, b) && (a !== undefined || before === after)
            ? 'unchanged'
            : 'changed';
    return { section, status, before, after };
  });
}
