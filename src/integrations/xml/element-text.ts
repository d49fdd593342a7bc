import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';
import { CacheExportError } from './cache-export-error.js';
import type { CacheElementType } from './cache-export-types.js';
import { VOLATILE_ATTRIBUTES, VOLATILE_CHILDREN } from './element-identity.js';
import { ExportReader, type TopLevelObserver } from './export-reader.js';
import { ChunkDecoder } from './text-decoding.js';

export type ElementId = { type: CacheElementType; name: string };
export type ElementText = ElementId & { text: string };

/** Longer than any Caché name (a CSP path is the longest kind); anything beyond is not a name. */
const MAX_NAME = 512;

/** What an element key looks like: a known type, a colon, a name without control characters. */
// eslint-disable-next-line no-control-regex
export const ELEMENT_KEY = /^(class|routine|csp|document|global|project|other):[^\u0000-\u001f\u007f]+$/;

/**
 * `class:CMS.Patient` → `{ type: 'class', name: 'CMS.Patient' }` (the keys of
 * manifest-diff.ts's elementKey); null for an unknown type, an empty or
 * overlong name, or a name with control characters.
 */
export function parseElementKey(key: string): ElementId | null {
  if (!ELEMENT_KEY.test(key)) return null;
  const colon = key.indexOf(':');
  const name = key.slice(colon + 1);
  if (name.length > MAX_NAME) return null;
  return { type: key.slice(0, colon) as CacheElementType, name };
}

/** Thrown by the observer to stop the scan as soon as the element has been read. */
class Found extends Error {}

/**
 * The bytes of one top-level element, read from the export as a stream with
 * the manifest reader's scanner (so the file is checked exactly as on
 * upload). Only the element's own bytes are kept, and reading stops as soon as
 * it closes: the rest of the file is never read. When a name occurs twice the
 * first occurrence is taken.
 */
export async function readElementBytes(source: AsyncIterable<Uint8Array | string>, id: ElementId): Promise<Buffer | null> {
  const chunks: { base: number; bytes: Buffer }[] = [];
  let total = 0;
  let start: number | null = null;
  let found: Buffer | null = null;
  const slice = (from: number, to: number): Buffer => {
    const first = chunks[0];
    if (!first || first.base > from) {
      throw new CacheExportError('too-large', 'The element could not be read back from the file');
    }
    const parts = chunks.map((c) => c.bytes);
    return Buffer.concat(parts).subarray(from - first.base, to - first.base);
  };
  /**
   * Bytes from this offset on are kept: the start of the candidate being read, or the end of the last element
   * (what follows it up to the next start tag is only layout). Null while another element is open: nothing
   * before its end is needed.
   */
  let keepFrom: number | null = 0;
  /** Start of the global whose name was last looked at. */
  let judged = -1;
  const observer: TopLevelObserver = {
    opened(element, at) {
      // A global's name is only known at its close, so every global is a candidate until then.
      if (element.type === id.type && (element.name === id.name || element.name === null)) {
        start = at;
        keepFrom = at;
      } else {
        keepFrom = null;
      }
    },
    closed(element, end) {
      if (start !== null && element && element.type === id.type && element.name === id.name) {
        found = Buffer.from(slice(start, end));
        throw new Found();
      }
      start = null;
      keepFrom = end;
    },
  };
  const reader = new ExportReader({ maxElements: 200_000, maxDepth: 256, observer });
  const decoder = new ChunkDecoder((bytes) => {
    chunks.push({ base: total, bytes: Buffer.from(bytes) });
    total += bytes.length;
    reader.push(bytes);
    if (start !== null && id.type === 'global' && judged !== start) {
      const verdict = otherGlobal(chunks, start, id.name);
      // Judged once: when the first subscript is plain to see, or past the bytes it can be in.
      if (verdict !== null || total - start >= GLOBAL_HEAD) judged = start;
      if (verdict === true) {
        start = null;
        keepFrom = null;
      }
    }
    if (keepFrom === null) chunks.length = 0;
    else while (chunks.length > 0 && (chunks[0]?.base ?? 0) + (chunks[0]?.bytes.length ?? 0) <= keepFrom) chunks.shift();
  });
  try {
    for await (const chunk of source) decoder.push(chunk);
    decoder.end();
    reader.finish();
  } catch (err) {
    if (err instanceof Found) return found;
    throw err;
  }
  return null;
}

/** Bytes of a global looked at for its name: the name is in its first `<Sub>`, right after the start tag. */
const GLOBAL_HEAD = 4096;
const FIRST_SUB = /^<Global\b[^>]*>\s*<Node>\s*<Sub>([^<&]*)<\/Sub>/;

/**
 * Whether the global being read, which began at byte offset `start`, is
 * another one than `name` (true) or that one (false), when its first
 * subscript is written plainly: a global holds data and may be large, so it
 * is not kept to its end only to learn its name. Null when that cannot be
 * told (yet, or at all, for a name written with an entity or CDATA); then the
 * global is judged at its close.
 */
function otherGlobal(chunks: readonly { base: number; bytes: Buffer }[], start: number, name: string): boolean | null {
  const first = chunks[0];
  if (!first) return null;
  const head: Buffer[] = [];
  for (const c of chunks) {
    if (c.base >= start + GLOBAL_HEAD) break;
    head.push(c.bytes);
  }
  const text = Buffer.concat(head)
    .subarray(start - first.base, start - first.base + GLOBAL_HEAD)
    .toString('utf8');
  const sub = FIRST_SUB.exec(text);
  return sub === null ? null : sub[1] !== name;
}

/** One element's text (see renderElement), or null when the export does not hold it. */
export async function readElementText(source: AsyncIterable<Uint8Array | string>, id: ElementId): Promise<ElementText | null> {
  const bytes = await readElementBytes(source, id);
  return bytes === null ? null : { ...id, text: renderElement(id.type, bytes.toString('utf8')) };
}

/** The same, for an export stored as a file. */
export function readElementTextFile(file: string, id: ElementId): Promise<ElementText | null> {
  return readElementText(createReadStream(file, { highWaterMark: 1024 * 1024 }), id);
}

// Rendering.

type Node = { tag: string; attributes: Record<string, string>; children: (Node | string)[] };

/** The element's XML (already read and found well-formed) as a tree; comments and processing instructions are dropped. */
function parseTree(xml: string): Node {
  const parser = new SaxesParser({ xmlns: false, fragment: true });
  const root: Node = { tag: '', attributes: {}, children: [] };
  const stack: Node[] = [root];
  const top = (): Node => stack[stack.length - 1] ?? root;
  parser.on('opentag', (t) => {
    const node: Node = { tag: t.name, attributes: t.attributes, children: [] };
    top().children.push(node);
    stack.push(node);
  });
  parser.on('closetag', () => void stack.pop());
  const text = (s: string): void => {
    const children = top().children;
    const last = children[children.length - 1];
    if (typeof last === 'string') children[children.length - 1] = last + s;
    else children.push(s);
  };
  parser.on('text', text);
  parser.on('cdata', text);
  parser.write(xml).close();
  const element = root.children.find((c): c is Node => typeof c !== 'string');
  if (!element) throw new CacheExportError('not-xml', 'The element could not be read');
  return element;
}

const elementsOf = (n: Node): Node[] => n.children.filter((c): c is Node => typeof c !== 'string');
const textOf = (n: Node): string => n.children.filter((c): c is string => typeof c === 'string').join('');

/** A leaf's text without the line break Studio puts after the start tag and before the end tag of multi-line values. */
function trimmed(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/^\n/, '').replace(/\n$/, '');
}

function attributeText(n: Node, skip: ReadonlySet<string> = new Set()): string {
  return Object.entries(n.attributes)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
}

const INDENT = '    ';

/**
 * Children of `n`, one line each (`Tag attr="v": value`), deeper ones
 * indented under their parent; a multi-line value goes on the lines after its
 * tag, indented one step further. Nothing but header lines starts at column 0.
 */
function fields(n: Node, indent: string, skip: ReadonlySet<string> = new Set()): string[] {
  const lines: string[] = [];
  for (const child of elementsOf(n)) {
    if (skip.has(child.tag)) continue;
    const head = `${indent}${child.tag}${attributeText(child)}`;
    if (elementsOf(child).length > 0) {
      lines.push(head, ...fields(child, indent + INDENT));
      continue;
    }
    const value = trimmed(textOf(child));
    // Code that starts with white space (a method body of one line) goes below its tag, like longer code.
    if (!value.includes('\n') && !/^\s/.test(value)) lines.push(value === '' ? head : `${head}: ${value}`);
    else lines.push(`${head}:`, ...value.split('\n').map((l) => (l === '' ? '' : indent + INDENT + l)));
  }
  return lines;
}

/**
 * Class members: children of `<Class>` with a name, or with children of
 * their own (a `<UDLText>` comment block has none, so it is numbered).
 */
function isMember(n: Node): boolean {
  return n.attributes['name'] !== undefined || elementsOf(n).length > 0;
}

/**
 * A class as text a diff can read: a `Class <name>` block with the class's
 * own keywords, then one block per member, `<Kind> <name>` at column 0 and
 * its keywords indented below, in file order. Studio's save stamps are left
 * out, so two saves of the same code read the same.
 */
function renderClass(root: Node): string {
  const volatile = VOLATILE_CHILDREN[root.tag] ?? new Set<string>();
  const keywords: Node = { ...root, children: elementsOf(root).filter((c) => !isMember(c)) };
  const blocks: string[][] = [
    [`Class ${root.attributes['name'] ?? ''}`, ...fields(keywords, INDENT, volatile), ...attributeLines(root, new Set(['name']))],
  ];
  const counts = new Map<string, number>();
  for (const member of elementsOf(root).filter(isMember)) {
    let name = member.attributes['name'];
    if (name === undefined) {
      const n = (counts.get(member.tag) ?? 0) + 1;
      counts.set(member.tag, n);
      name = `#${n}`;
    }
    // The header is kind and name alone (a quoted member name may hold spaces); other attributes go below it.
    blocks.push([`${member.tag} ${name}`, ...attributeLines(member, new Set(['name'])), ...fields(member, INDENT)]);
  }
  return blocks.map((b) => b.join('\n')).join('\n\n') + '\n';
}

function attributeLines(n: Node, skip: ReadonlySet<string>): string[] {
  return Object.entries(n.attributes)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${INDENT}@${k}: ${v}`);
}

/** Any other element: its tag and attributes (save stamps left out) as a header, its content as fields below. */
function renderGeneric(root: Node): string {
  const volatile = VOLATILE_ATTRIBUTES[root.tag] ?? new Set<string>();
  const header = `${root.tag}${attributeText(root, volatile)}`;
  const body = elementsOf(root).length > 0 ? fields(root, INDENT, VOLATILE_CHILDREN[root.tag]) : [textOf(root)];
  return [header, ...body].join('\n') + '\n';
}

/**
 * The text of a top-level element's XML: a class as member blocks
 * (renderClass), a routine or CSP page as its source (the CDATA content,
 * line ends normalized), anything else as an indented outline of its XML.
 */
export function renderElement(type: CacheElementType, xml: string): string {
  const root = parseTree(xml);
  if (type === 'class') return renderClass(root);
  if ((type === 'routine' || type === 'csp') && elementsOf(root).length === 0) return textOf(root).replace(/\r\n?/g, '\n');
  return renderGeneric(root);
}
