import { Buffer } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import type { TagParser } from './tag-parser.js';

/** Pieces at least this long go to the hash directly; shorter ones (tags, short texts) are batched. */
const DIRECT = 1024;
/**
 * Starts every tag in the hashed form. 0xFF never occurs in UTF-8, and text
 * is always valid UTF-8, so no text can imitate a tag.
 */
const TAG_MARK = 0xff;
const ATTR_SPECIAL = /[&<>"]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function escapeAttribute(s: string): string {
  ATTR_SPECIAL.lastIndex = 0;
  return ATTR_SPECIAL.test(s) ? s.replace(ATTR_SPECIAL, (c) => ESCAPES[c] ?? c) : s;
}

/** Where the reader sends an element's character data, segment by segment (between two pieces of markup). */
export interface TextSink {
  /** A whole segment of plain character data that is only white space (line ends already normalized). */
  blank(ws: string): void;
  /** A segment that counts starts: a CDATA section, or text that is more than white space. */
  content(): void;
  /** Text of such a segment, as UTF-8 bytes. */
  bytes(b: Uint8Array, start: number, end: number): void;
  /** Text of such a segment, as a string. */
  text(s: string): void;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * SHA-256 over a canonical form of one element, fed piece by piece as the
 * scanner reads it, so an element of any size is hashed without being held
 * in memory.
 *
 * The form is: each start tag as 0xFF `<name a="v" …>` with its attributes
 * sorted by name and their values decoded and re-escaped, each end tag as
 * 0xFF `</name>` (so `<x/>` and `<x></x>` are the same), and character data
 * as its UTF-8 text: entities decoded, CDATA sections unwrapped, line ends
 * normalized to LF. So the hash does not depend on attribute order, quoting
 * style, the empty-tag form, CDATA versus escaped text, or CRLF versus LF,
 * but it does depend on every character of code, whitespace included.
 *
 * Whitespace-only text next to a child element (the line breaks and blank
 * lines between class members, the indentation of project items) is layout,
 * not content: Caché ignores it on load and different versions lay exports out
 * differently, so it is left out. Whitespace inside a leaf element, such as
 * `<Default> </Default>` or a method body, is content and counts.
 */
export class CanonicalHash implements TextSink {
  private readonly hash: Hash = createHash('sha256');
  private used = 0;
  /** Whitespace-only text whose fate depends on what follows: dropped before a start tag, kept before an end tag. */
  private space: string | null = null;
  private afterClose = false;

  /** `out` batches small pieces; it is only borrowed, so one buffer can serve every element in turn. */
  constructor(private readonly out: Buffer) {}

  /** A start tag written exactly as `<Name>`, from `lt` to `gt` in `b`: its bytes are already the hashed form. */
  openPlain(b: Uint8Array, lt: number, gt: number): void {
    this.space = null;
    this.afterClose = false;
    this.room(gt - lt + 2);
    this.out[this.used++] = TAG_MARK;
    this.copy(b, lt, gt + 1);
  }

  /** The start tag the parser holds, leaving out the attributes in `skip`. */
  open(tag: TagParser, skip?: ReadonlySet<string>): void {
    this.skipOpen();
    const { buf } = tag;
    this.room(tag.nameEnd - tag.nameStart + 2);
    this.out[this.used++] = TAG_MARK;
    this.out[this.used++] = 0x3c;
    this.copy(buf, tag.nameStart, tag.nameEnd);
    const n = tag.attributes;
    if (n === 1) {
      if (!skip?.has(tag.attrName[0] ?? '')) this.attribute(tag, 0);
    } else if (n === 2) {
      const [first, second] = byName(tag.attrName[0] ?? '', tag.attrName[1] ?? '') <= 0 ? [0, 1] : [1, 0];
      if (!skip?.has(tag.attrName[first] ?? '')) this.attribute(tag, first);
      if (!skip?.has(tag.attrName[second] ?? '')) this.attribute(tag, second);
    } else if (n > 2) {
      const names = tag.attrName;
      const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => byName(names[a] ?? '', names[b] ?? ''));
      for (const k of order) if (!skip?.has(names[k] ?? '')) this.attribute(tag, k);
    }
    this.room(1);
    this.out[this.used++] = 0x3e;
  }

  private attribute(tag: TagParser, k: number): void {
    const { buf } = tag;
    this.room(1);
    this.out[this.used++] = 0x20;
    this.copy(buf, tag.attrNameStart[k] ?? 0, tag.attrNameEnd[k] ?? 0);
    this.room(2);
    this.out[this.used++] = 0x3d;
    this.out[this.used++] = 0x22;
    if (tag.attrPlain[k]) this.copy(buf, tag.attrStart[k] ?? 0, tag.attrEnd[k] ?? 0);
    else this.text(escapeAttribute(tag.value(k)));
    this.room(1);
    this.out[this.used++] = 0x22;
  }

  /** An end tag written exactly as `</Name>`, from `lt` to `gt` in `b`: its bytes are already the hashed form. */
  closePlain(b: Uint8Array, lt: number, gt: number): void {
    if (this.space !== null) this.keepSpace();
    this.room(gt - lt + 2);
    this.out[this.used++] = TAG_MARK;
    this.copy(b, lt, gt + 1);
    this.afterClose = true;
  }

  /** The end tag of the element whose name is in `b` from `nameStart` to `nameEnd`. */
  close(b: Uint8Array, nameStart: number, nameEnd: number): void {
    if (this.space !== null) this.keepSpace();
    this.room(nameEnd - nameStart + 4);
    this.out[this.used++] = TAG_MARK;
    this.out[this.used++] = 0x3c;
    this.out[this.used++] = 0x2f;
    this.copy(b, nameStart, nameEnd);
    this.room(1);
    this.out[this.used++] = 0x3e;
    this.afterClose = true;
  }

  /** A child that is left out of the hash still separates its neighbours like any other child. */
  skipOpen(): void {
    this.space = null;
    this.afterClose = false;
  }

  skipClose(): void {
    this.space = null;
    this.afterClose = true;
  }

  /** Character data made only of white space, not in a CDATA section: kept or dropped depending on its neighbours. */
  blank(ws: string): void {
    if (!this.afterClose) this.space = (this.space ?? '') + ws;
  }

  /** Length of the white space being held, so the caller can bound it. */
  get held(): number {
    return this.space?.length ?? 0;
  }

  /** Character data that counts follows (text with something besides white space, or a CDATA section). */
  content(): void {
    if (this.space !== null) this.keepSpace();
    this.afterClose = false;
  }

  /** Text, as UTF-8 bytes. */
  bytes(b: Uint8Array, start: number, end: number): void {
    this.copy(b, start, end);
  }

  /** Text, as a string. */
  text(s: string): void {
    const n = s.length;
    if (n * 3 >= DIRECT) {
      this.flush();
      this.hash.update(s, 'utf8');
      return;
    }
    this.room(n * 3);
    const out = this.out;
    let at = this.used;
    // Mostly a line break or a few spaces: written directly unless something is not ASCII.
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.used += out.write(s, this.used, 'utf8');
        return;
      }
      out[at++] = c;
    }
    this.used = at;
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private keepSpace(): void {
    if (this.space !== null) this.text(this.space);
    this.space = null;
  }

  private copy(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n >= DIRECT) {
      this.flush();
      this.hash.update(new Uint8Array(b.buffer, b.byteOffset + start, n));
      return;
    }
    this.room(n);
    const out = this.out;
    let at = this.used;
    if (n <= 32) {
      for (let i = start; i < end; i++) out[at++] = b[i] ?? 0;
    } else if (Buffer.isBuffer(b)) {
      at += b.copy(out, at, start, end);
    } else {
      out.set(b.subarray(start, end), at);
      at += n;
    }
    this.used = at;
  }

  /** Makes sure `n` more bytes fit in the batch buffer (`n` is at most DIRECT plus a few). */
  private room(n: number): void {
    if (this.used + n > this.out.length) this.flush();
  }

  private flush(): void {
    if (this.used === 0) return;
    this.hash.update(new Uint8Array(this.out.buffer, this.out.byteOffset, this.used));
    this.used = 0;
  }
}
