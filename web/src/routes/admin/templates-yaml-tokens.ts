/** One piece of a YAML line, by what it is: enough to colour a template for reading, not a YAML parser. */
export type Token = { kind: 'key' | 'string' | 'number' | 'comment' | 'punct' | 'plain'; text: string };

const KEY = /^(\s*(?:-\s+)*)([^\s#'"{}[\],&*!|>%@`][^:#]*?|"[^"]*"|'[^']*')(:)(?=\s|$)/;
const NUMBER = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;
const LITERAL = /^(?:true|false|null|~)$/;

/** Where a comment starts: a `#` at the line's start or after a space, outside quotes. */
function commentAt(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[{,:-]/.test(line[i - 1] ?? '')) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return i;
  }
  return -1;
}

function value(text: string): Token[] {
  if (text === '') return [];
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const body = text.slice(lead.length);
  const trimmed = body.trimEnd();
  const tail = body.slice(trimmed.length);
  const out: Token[] = lead ? [{ kind: 'plain', text: lead }] : [];
  if (/^["']/.test(trimmed)) out.push({ kind: 'string', text: trimmed });
  else if (NUMBER.test(trimmed) || LITERAL.test(trimmed)) out.push({ kind: 'number', text: trimmed });
  else if (/^[[{|>]/.test(trimmed)) out.push({ kind: 'punct', text: trimmed });
  else if (trimmed !== '') out.push({ kind: 'string', text: trimmed });
  if (tail) out.push({ kind: 'plain', text: tail });
  return out;
}

export function tokenizeLine(line: string): Token[] {
  const hash = commentAt(line);
  const code = hash < 0 ? line : line.slice(0, hash);
  const comment: Token[] = hash < 0 ? [] : [{ kind: 'comment', text: line.slice(hash) }];
  const key = KEY.exec(code);
  if (key) {
    const [all, indent = '', name = '', colon = ''] = key;
    return [
      ...(indent ? [{ kind: 'punct' as const, text: indent }] : []),
      { kind: 'key', text: name },
      { kind: 'punct', text: colon },
      ...value(code.slice(all.length)),
      ...comment,
    ];
  }
  const dash = /^(\s*-\s*)/.exec(code)?.[0] ?? '';
  return [...(dash ? [{ kind: 'punct' as const, text: dash }] : []), ...value(code.slice(dash.length)), ...comment];
}
