export type MemberChange = { kind: string; name: string; change: 'added' | 'removed' | 'changed' };

/**
 * A class's text in blocks: every line at column 0 (not blank) starts one,
 * `<Kind> <name>`, and the indented lines after it belong to it. The text of
 * a class element is written that way (src/integrations/xml/element-text.ts);
 * code and values are always indented, so they never start a block.
 */
function classBlocks(text: string): Map<string, { kind: string; name: string; body: string }> {
  const blocks = new Map<string, { kind: string; name: string; body: string }>();
  let current: { kind: string; name: string; body: string } | null = null;
  for (const line of text.split('\n')) {
    if (line !== '' && !/^\s/.test(line)) {
      const space = line.indexOf(' ');
      const kind = (space < 0 ? line : line.slice(0, space)).toLowerCase();
      const name = space < 0 ? '' : line.slice(space + 1);
      const key = `${kind} ${name}`;
      // A member written twice: both count, as one block.
      current = blocks.get(key) ?? { kind, name, body: '' };
      blocks.set(key, current);
    }
    if (current) current.body += `${line.trimEnd()}\n`;
  }
  return blocks;
}

/**
 * A routine's code in sections, one per label: a line that starts at column
 * 0 with a name (`Label`, `Label(args)`, `%Label`) begins one; code before
 * the first label is the `(top)` section. Comment lines at column 0 (`;`,
 * `//`, `#;`) begin none.
 */
function routineSections(text: string): Map<string, { kind: string; name: string; body: string }> {
  const sections = new Map<string, { kind: string; name: string; body: string }>();
  let current: { kind: string; name: string; body: string } | null = null;
  for (const line of text.split('\n')) {
    const label = /^(%?[A-Za-z0-9]+)(?=[\s(]|$)/.exec(line)?.[1];
    if (label !== undefined) {
      current = sections.get(label) ?? { kind: 'label', name: label, body: '' };
      sections.set(label, current);
    } else if (!current) {
      if (line.trim() === '') continue;
      current = { kind: 'label', name: '(top)', body: '' };
      sections.set('(top)', current);
    }
    current.body += `${line.trimEnd()}\n`;
  }
  return sections;
}

function compare(
  before: Map<string, { kind: string; name: string; body: string }>,
  after: Map<string, { kind: string; name: string; body: string }>,
): MemberChange[] {
  const changes: MemberChange[] = [];
  for (const [key, b] of after) {
    const a = before.get(key);
    if (!a) changes.push({ kind: b.kind, name: b.name, change: 'added' });
    else if (a.body !== b.body) changes.push({ kind: b.kind, name: b.name, change: 'changed' });
  }
  for (const [key, a] of before) if (!after.has(key)) changes.push({ kind: a.kind, name: a.name, change: 'removed' });
  return changes;
}

/**
 * What changed in one element between two versions, by member: for a class
 * the class itself (`class`: its own keywords) and each method, property,
 * parameter, index, query, xdata, storage…, by kind and name; for a routine
 * its labels; for anything else the body as a whole. A version that lacks the
 * element is null, so everything in the other counts as added or removed.
 * Changes come in the newer text's order, then what was removed in the
 * older's.
 */
export function elementChanges(type: string, before: string | null, after: string | null): MemberChange[] {
  if (before === null && after === null) return [];
  if (type === 'class' || type === 'routine') {
    const split = type === 'class' ? classBlocks : routineSections;
    return compare(split(before ?? ''), split(after ?? ''));
  }
  if (before === after) return [];
  return [{ kind: 'body', name: '', change: before === null ? 'added' : after === null ? 'removed' : 'changed' }];
}
