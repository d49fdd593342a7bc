import { Buffer } from 'node:buffer';
import { shortTag } from './cache-export-error.js';
import { DISALLOWED_CHARACTER, entityText, notWellFormed, type Fail } from './parser-errors.js';
import {
  AMP,
  ATTR_SPECIAL,
  CR,
  DQUOTE,
  EQUALS,
  GT,
  LF,
  LT,
  NAME_CHAR,
  NAME_START,
  type Name,
  type NameTable,
  sameBytes,
  SEMICOLON,
  SLASH,
  SQUOTE,
  TAB,
  WS,
} from './xml-bytes.js';

const EMPTY = Buffer.alloc(0);
const NO_NAME: Name = { text: '', bytes: EMPTY };
const MANY_ATTRIBUTES = 16;

/**
 * Parses one start or end tag from the bytes of a buffer, in place. The
 * result stays in the parser's fields (no object per tag) until the next
 * call: the name, and for a start tag where each attribute's value lies in
 * the buffer. Values are checked here (entities, `<`) but only decoded into
 * strings when asked for.
 */
export class TagParser {
  buf: Buffer = EMPTY;
  closing = false;
  selfClosing = false;
  /** The element's name; for an end tag, the expected name when it matches, or nothing. */
  name: Name = NO_NAME;
  /** End tags: whether the name is the expected one (the open element's). Start tags: always true. */
  matches = false;
  /** Whether the tag being parsed got as far as a complete name. */
  named = false;
  nameStart = 0;
  nameEnd = 0;
  attributes = 0;
  readonly attrName: string[] = [];
  readonly attrNameStart: number[] = [];
  readonly attrNameEnd: number[] = [];
  readonly attrStart: number[] = [];
  readonly attrEnd: number[] = [];
  /** True when the value's bytes are its text exactly: no entity, no white space to normalize, nothing to escape. */
  readonly attrPlain: boolean[] = [];
  private many = new Set<string>();

  constructor(
    private readonly names: NameTable,
    private readonly fail: Fail,
  ) {}

  /**
   * Parses the tag whose `<` is at `start`. Returns the offset just past its `>`, or -1 when the buffer ends
   * before the tag does. Anything malformed goes to `fail` with its offset in `buf`. An end tag is only
   * compared with `expected`, the name of the element it should close.
   */
  parse(buf: Buffer, start: number, expected: Name | undefined): number {
    const end = buf.length;
    this.buf = buf;
    this.attributes = 0;
    this.selfClosing = false;
    this.named = false;
    let i = start + 1;
    if (i >= end) return -1;
    this.closing = buf[i] === SLASH;
    if (this.closing && ++i >= end) return -1;
    let c = buf[i] ?? 0;
    if (!NAME_START[c]) {
      return this.fail('not-xml', this.closing && c === GT ? notWellFormed('weird empty close tag') : DISALLOWED_CHARACTER, i);
    }
    const nameStart = i;
    if (this.closing) {
      while (i < end && NAME_CHAR[buf[i] ?? 0]) i++;
      if (i >= end) return -1;
      this.nameStart = nameStart;
      this.nameEnd = i;
      this.matches = expected !== undefined && sameBytes(expected.bytes, buf, nameStart, i);
      this.name = this.matches && expected ? expected : NO_NAME;
      while (i < end && WS[buf[i] ?? 0]) i++;
      if (i >= end) return -1;
      if (buf[i] !== GT) return this.fail('not-xml', DISALLOWED_CHARACTER, i);
      return i + 1;
    }
    let hash = 0;
    while (i < end && NAME_CHAR[(c = buf[i] ?? 0)]) {
      hash = (Math.imul(hash, 31) + c) | 0;
      i++;
    }
    if (i >= end) return -1;
    this.nameStart = nameStart;
    this.nameEnd = i;
    this.name = this.names.get(buf, nameStart, i, hash);
    this.matches = true;
    this.named = true;
    for (;;) {
      const gap = i;
      while (i < end && WS[buf[i] ?? 0]) i++;
      if (i >= end) return -1;
      c = buf[i] ?? 0;
      if (c === GT) return i + 1;
      if (c === SLASH) {
        if (i + 1 >= end) return -1;
        if (buf[i + 1] !== GT) return this.fail('not-xml', notWellFormed('forward-slash in opening tag not followed by >'), i + 1);
        this.selfClosing = true;
        return i + 2;
      }
      if (!NAME_START[c]) return this.fail('not-xml', DISALLOWED_CHARACTER, i);
      if (i === gap) return this.fail('not-xml', notWellFormed('no whitespace between attributes'), i);
      i = this.attribute(buf, i);
      if (i < 0) return -1;
    }
  }

  /** Reads one `name="value"` from its first byte; returns the offset after the closing quote, or -1. */
  private attribute(buf: Buffer, from: number): number {
    const end = buf.length;
    let i = from;
    let hash = 0;
    while (i < end && NAME_CHAR[buf[i] ?? 0]) {
      hash = (Math.imul(hash, 31) + (buf[i] ?? 0)) | 0;
      i++;
    }
    const nameEnd = i;
    while (i < end && WS[buf[i] ?? 0]) i++;
    if (i >= end) return -1;
    if (buf[i] !== EQUALS) {
      // Right after the name, only '>' ends it early; anything else cannot be part of a name.
      const early = i > nameEnd || buf[i] === GT;
      return this.fail('not-xml', early ? notWellFormed('attribute without value') : DISALLOWED_CHARACTER, i);
    }
    i++;
    while (i < end && WS[buf[i] ?? 0]) i++;
    if (i >= end) return -1;
    const quote = buf[i];
    if (quote !== DQUOTE && quote !== SQUOTE) return this.fail('not-xml', notWellFormed('unquoted attribute value'), i);
    const valueStart = i + 1;
    const valueEnd = buf.indexOf(quote, valueStart);
    if (valueEnd < 0) return -1;
    let plain = true;
    for (let k = valueStart; k < valueEnd; k++) {
      const c = buf[k] ?? 0;
      if (!ATTR_SPECIAL[c]) continue;
      plain = false;
      if (c === LT) return this.fail('not-xml', DISALLOWED_CHARACTER, k);
      if (c === AMP) k = this.checkEntity(buf, k, valueEnd);
    }
    const name = this.names.get(buf, from, nameEnd, hash).text;
    const n = this.attributes;
    if (this.isDuplicate(name, n)) return this.fail('not-xml', notWellFormed(`duplicate attribute: ${shortTag(name)}`), from);
    this.attrName[n] = name;
    this.attrNameStart[n] = from;
    this.attrNameEnd[n] = nameEnd;
    this.attrStart[n] = valueStart;
    this.attrEnd[n] = valueEnd;
    this.attrPlain[n] = plain;
    this.attributes = n + 1;
    return valueEnd + 1;
  }

  /** Whether `name` is among the first `n` attributes; a set takes over for tags with many, so a hostile one costs linear time. */
  private isDuplicate(name: string, n: number): boolean {
    if (n < MANY_ATTRIBUTES) {
      for (let k = 0; k < n; k++) if (this.attrName[k] === name) return true;
      return false;
    }
    if (n === MANY_ATTRIBUTES) this.many = new Set(this.attrName.slice(0, n));
    if (this.many.has(name)) return true;
    this.many.add(name);
    return false;
  }

  /** Checks the entity reference at `amp` inside a value ending at `end`; returns the offset of its `;`. */
  private checkEntity(buf: Buffer, amp: number, end: number): number {
    const semi = buf.indexOf(SEMICOLON, amp + 1);
    if (semi < 0 || semi >= end) return this.fail('not-xml', DISALLOWED_CHARACTER, amp);
    entityText(buf.toString('utf8', amp + 1, semi), this.fail, amp);
    return semi;
  }

  /** Index of the attribute with this name, or -1. */
  find(name: string): number {
    for (let k = 0; k < this.attributes; k++) if (this.attrName[k] === name) return k;
    return -1;
  }

  /** The value of attribute `k` as XML defines it: entities replaced, tab and line ends turned into spaces. */
  value(k: number): string {
    const buf = this.buf;
    const start = this.attrStart[k] ?? 0;
    const end = this.attrEnd[k] ?? 0;
    if (this.attrPlain[k]) return buf.toString('utf8', start, end);
    let out = '';
    let from = start;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c === TAB || c === LF || c === CR) {
        out += `${buf.toString('utf8', from, i)} `;
        if (c === CR && i + 1 < end && buf[i + 1] === LF) i++;
        from = i + 1;
      } else if (c === AMP) {
        const semi = buf.indexOf(SEMICOLON, i + 1);
        out += buf.toString('utf8', from, i) + entityText(buf.toString('utf8', i + 1, semi), this.fail, i);
        i = semi;
        from = i + 1;
      }
    }
    return out + buf.toString('utf8', from, end);
  }

  /** Attribute values by name, for the few tags whose attributes are all needed as text. */
  record(): Record<string, string> {
    const out = Object.create(null) as Record<string, string>;
    for (let k = 0; k < this.attributes; k++) out[this.attrName[k] ?? ''] = this.value(k);
    return out;
  }
}
