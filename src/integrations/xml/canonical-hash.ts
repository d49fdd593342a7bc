import { createHash, type Hash } from 'node:crypto';

/** Small pieces (tags, short texts) are batched so the hash is not called once per tag; big texts go straight in. */
const BATCH = 64 * 1024;

const BLANK = /^[ \t\r\n]*$/;
const TEXT_SPECIAL = /[&<>]/g;
const ATTR_SPECIAL = /[&<>"]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function escape(s: string, special: RegExp): string {
  special.lastIndex = 0;
  return special.test(s) ? s.replace(special, (c) => ESCAPES[c] ?? c) : s;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * SHA-256 over a canonical serialization of one element, fed event by event
 * so an element of any size is hashed without being held in memory.
 *
 * The form is: start tags with attributes sorted by name, text and CDATA both
 * as escaped text, end tags always written out. So the hash does not depend on
 * attribute order, quoting style, `<x/>` versus `<x></x>`, CDATA versus
 * escaped text, or line endings (the XML parser already turned CRLF into LF),
 * but it does depend on every character of code, whitespace included.
 * Escaping keeps it unambiguous: text can never imitate a tag.
 *
 * Whitespace-only text next to a child element (the line breaks and blank
 * lines between class members, the indentation of project items) is layout,
 * not content: Caché ignores it on load and different versions lay exports out
 * differently, so it is left out. Whitespace inside a leaf element, such as
 * `<Default> </Default>` or a method body, is content and counts.
 */
export class CanonicalHash {
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  /** Whitespace-only text whose fate depends on what follows: dropped before a start tag, kept before an end tag. */
  private space: string | null = null;
  private afterClose = false;

  open(tag: string, attributes: Record<string, string>, skip?: ReadonlySet<string>): void {
    let s = `<${tag}`;
    for (const name of Object.keys(attributes).sort(byName)) {
      if (skip?.has(name)) continue;
      s += ` ${name}="${escape(attributes[name] ?? '', ATTR_SPECIAL)}"`;
    }
    this.skipOpen();
    this.add(`${s}>`);
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

  /** Plain character data; `cdata` marks a CDATA section, which always counts. */
  text(s: string, cdata = false): void {
    if (!cdata && BLANK.test(s)) {
      if (!this.afterClose) this.space = (this.space ?? '') + s;
      return;
    }
    this.keepSpace();
    this.afterClose = false;
    this.add(escape(s, TEXT_SPECIAL));
  }

  close(tag: string): void {
    this.keepSpace();
    this.add(`</${tag}>`);
    this.afterClose = true;
  }

  private keepSpace(): void {
    if (this.space !== null) this.add(escape(this.space, TEXT_SPECIAL));
    this.space = null;
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private add(s: string): void {
    if (s.length >= BATCH) {
      this.flush();
      this.hash.update(s, 'utf8');
      return;
    }
    this.pending += s;
    if (this.pending.length >= BATCH) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(this.pending, 'utf8');
    this.pending = '';
  }
}
