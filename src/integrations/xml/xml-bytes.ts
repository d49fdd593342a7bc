import { Buffer } from 'node:buffer';

/** Bytes the scanner looks for, by name. */
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const BANG = 0x21;
export const DQUOTE = 0x22;
export const HASH = 0x23;
export const AMP = 0x26;
export const SQUOTE = 0x27;
export const DASH = 0x2d;
export const SLASH = 0x2f;
export const SEMICOLON = 0x3b;
export const LT = 0x3c;
export const EQUALS = 0x3d;
export const GT = 0x3e;
export const QUESTION = 0x3f;
export const RBRACKET = 0x5d;

function table(test: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = test(c) ? 1 : 0;
  return t;
}

const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * XML name characters, byte by byte. Every byte of a multibyte UTF-8
 * character is accepted: the input is already known to be valid UTF-8, and
 * which non-ASCII letters XML allows in names matters to no Caché export.
 */
export const NAME_START = table((c) => isLetter(c) || c === 0x5f || c === 0x3a || c >= 0x80);
export const NAME_CHAR = table((c) => NAME_START[c] === 1 || isDigit(c) || c === DASH || c === 0x2e);
/** XML white space: space, tab, CR, LF. */
export const WS = table((c) => c === SPACE || c === TAB || c === CR || c === LF);
/**
 * Bytes that stop a run of plain character data: markup-significant or line ends to normalize. (Control
 * characters never get this far: see ChunkFacts.)
 */
export const TEXT_SPECIAL = table((c) => c === AMP || c === CR || c === RBRACKET || c === GT || c === LT);
/** Bytes that keep an attribute value from being used exactly as written (entities, characters to escape, white space to normalize). */
export const ATTR_SPECIAL = table((c) => c === AMP || c === LT || c === GT || c === DQUOTE || c === TAB || c === CR || c === LF);

export const CDATA_END = Buffer.from(']]>');

/** What a `<` starts, once enough bytes after it are known. */
export const Markup = {
  More: 0,
  StartTag: 1,
  EndTag: 2,
  Comment: 3,
  Cdata: 4,
  Doctype: 5,
  Pi: 6,
  /** `<?xml` and white space or `?`: the XML declaration, allowed only at the very start. */
  XmlDecl: 7,
  /** `<!` starting none of the above. */
  BadBang: 8,
  /** `<?` and white space: a processing instruction without a target. */
  BadPi: 9,
  /** A `<` that starts no markup at all. */
  BadLt: 10,
} as const;
export type Markup = (typeof Markup)[keyof typeof Markup];

/** Bytes from the `<` to where the content of a comment, CDATA section or processing instruction begins. */
export function openerLength(kind: Markup): number {
  return kind === Markup.Comment ? 4 : kind === Markup.Cdata ? 9 : 2;
}

/** The longest opener `classify` may need to see before it can tell. */
export const MAX_OPENER = 9;

const BANG_OPENERS: [Buffer, Markup][] = [
  [Buffer.from('<!--'), Markup.Comment],
  [Buffer.from('<![CDATA['), Markup.Cdata],
  [Buffer.from('<!DOCTYPE'), Markup.Doctype],
];
const XML_TARGET = Buffer.from('<?xml');

/**
 * Tells what the markup starting with the `<` at `start` is, from the bytes
 * up to `end`; `Markup.More` when those are a strict prefix of some opener
 * and more bytes are needed to decide.
 */
export function classify(b: Uint8Array, start: number, end: number): Markup {
  const n = end - start;
  if (n < 2) return Markup.More;
  const c1 = b[start + 1] ?? 0;
  if (NAME_START[c1]) return Markup.StartTag;
  if (c1 === SLASH) return Markup.EndTag;
  if (c1 === QUESTION) {
    if (n < 3) return Markup.More;
    const c2 = b[start + 2] ?? 0;
    if (!NAME_START[c2]) return WS[c2] ? Markup.BadPi : Markup.BadLt;
    for (let k = 2; k < XML_TARGET.length; k++) {
      if (k >= n) return Markup.More;
      if (b[start + k] !== XML_TARGET[k]) return Markup.Pi;
    }
    if (n < 6) return Markup.More;
    const c5 = b[start + 5] ?? 0;
    return WS[c5] || c5 === QUESTION ? Markup.XmlDecl : Markup.Pi;
  }
  if (c1 === BANG) {
    let more = false;
    for (const [opener, kind] of BANG_OPENERS) {
      let k = 2;
      while (k < opener.length && k < n && b[start + k] === opener[k]) k++;
      if (k === opener.length) return kind;
      if (k === n) more = true;
    }
    return more ? Markup.More : Markup.BadBang;
  }
  return Markup.BadLt;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** What an entity reference (the part between `&` and `;`) stands for, or null when it stands for nothing. */
export function resolveEntity(ref: string): string | null {
  const predefined = PREDEFINED[ref];
  if (predefined !== undefined) return predefined;
  if (ref.charCodeAt(0) !== HASH) return null;
  const code = /^#x[0-9a-fA-F]{1,8}$/.test(ref)
    ? parseInt(ref.slice(2), 16)
    : /^#[0-9]{1,10}$/.test(ref)
      ? parseInt(ref.slice(1), 10)
      : NaN;
  return isXmlChar(code) ? String.fromCodePoint(code) : null;
}

/** Whether an entity reference that stands for nothing is at least a well-formed name (an entity XML does not define). */
export function isEntityName(ref: string): boolean {
  return /^[A-Za-z_:\u0080-\uffff][\w.:\u0080-\uffff-]*$/.test(ref);
}

/** A tag or attribute name, as text and as the UTF-8 bytes it was read from. */
export type Name = { readonly text: string; readonly bytes: Uint8Array };

/** Enough for every tag and attribute name of real exports; a hostile file with more just gets fresh strings. */
const MAX_INTERNED = 4096;

/**
 * Tag and attribute names as strings without decoding the same bytes again
 * for every tag: a name seen before is found by a hash of its bytes, which
 * the tag parser computes while it checks them, and a byte comparison.
 */
export class NameTable {
  private readonly names = new Map<number, Name>();

  get(b: Buffer, start: number, end: number, hash: number): Name {
    const known = this.names.get(hash);
    if (known !== undefined && sameBytes(known.bytes, b, start, end)) return known;
    const name = { text: b.toString('utf8', start, end), bytes: Uint8Array.from(b.subarray(start, end)) };
    if (known === undefined && this.names.size < MAX_INTERNED) this.names.set(hash, name);
    return name;
  }
}

/** Whether `b` from `start` to `end` holds exactly the bytes of `name`. */
export function sameBytes(name: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  const n = name.length;
  if (n !== end - start) return false;
  for (let i = 0; i < n; i++) if (name[i] !== b[start + i]) return false;
  return true;
}
