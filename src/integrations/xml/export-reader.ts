import { Buffer } from 'node:buffer';
import { CacheExportError, type CacheExportErrorReason } from './cache-export-error.js';
import type { CacheElement, CacheElementType, CacheManifest } from './cache-export-types.js';
import {
  DISALLOWED_CHARACTER,
  DTD_IN_CONTENT,
  DTD_IN_PROLOG,
  entityText,
  type Fail,
  MISMATCHED_TAG,
  notWellFormed,
  TEXT_AFTER_ROOT,
  TEXT_BEFORE_ROOT,
  TRUNCATED,
} from './parser-errors.js';
import { TagParser } from './tag-parser.js';
import { firstNoncharacter } from './byte-scan.js';
import { TextPositions } from './text-positions.js';
import { DocumentTracker } from './document-tracker.js';
import { TopLevelElement } from './top-level-element.js';
import type { TextSink } from './canonical-hash.js';
import {
  AMP,
  CDATA_END,
  classify,
  CR,
  DASH,
  DQUOTE,
  GT,
  HASH,
  LF,
  LT,
  Markup,
  MAX_OPENER,
  NAME_CHAR,
  NAME_START,
  type Name,
  NameTable,
  sameBytes,
  openerLength,
  QUESTION,
  RBRACKET,
  SEMICOLON,
  SLASH,
  SQUOTE,
  TAB,
  TEXT_SPECIAL,
  WS,
} from './xml-bytes.js';

/**
 * Longest single node (text run, CDATA section, comment, tag, entity
 * reference) accepted, in bytes. Content is never buffered, but a tag split
 * across chunks is, and a stray "<![CDATA[" or "<!--" with no end would
 * otherwise swallow the rest of a multi-gigabyte upload before failing. A
 * base64 CSP image or a long routine is a few MiB.
 */
const MAX_NODE_BYTES = 64 * 1024 * 1024;
/** Batch buffer for the hash of the element being read. */
const BATCH_BYTES = 64 * 1024;
/** Bytes of an entity reference kept while it is split across chunks: more than any reference that resolves. */
const MAX_ENTITY_BYTES = 64;

/** What XML allows in the declaration `<?xml …?>` that may start a document. */
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\3)?([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(yes|no)\5)?[ \t\r\n]*\?>$/;
const MAX_DECLARATION = 1024;
/** Bytes an XML declaration is made of, its closing "?>" apart. */
const DECLARATION_BYTE = Uint8Array.from({ length: 256 }, (_, c) => (/[A-Za-z0-9._\-'"= \t\r\n?]/.test(String.fromCharCode(c)) ? 1 : 0));
const DOCTYPE = Buffer.from('<!DOCTYPE');
const EMPTY = Buffer.alloc(0);

const LF_BYTE = Buffer.from('\n');
const BRACKETS = Buffer.from(']]');
const DASH_DASH = Buffer.from('--');
const PI_END = Buffer.from('?>');

export type ReaderLimits = {
  maxElements: number;
  maxDepth: number;
  /** Longest single node; tests lower it. */
  maxNodeBytes?: number;
  /**
   * Whether plain tags (`<Name>`, the `</Name>` closing the open element) and a line break between two tags are
   * read by the scanner's shortcuts rather than the general tag parser; RELMAN_XML_SHORTCUTS=0 turns them off.
   * The manifest is the same either way.
   */
  shortcuts?: boolean;
  /** Told when each top-level element opens and closes, for readers that want one element's bytes. */
  observer?: TopLevelObserver;
};

export type TopLevelObserver = {
  /** A top-level element's start tag begins at byte offset `start`. */
  opened(element: { readonly type: CacheElementType; readonly name: string | null }, start: number): void;
  /** The element opened last ends just before byte offset `end`; `element` is null for one that is not listed. */
  closed(element: CacheElement | null, end: number): void;
};

/** What the scanner is in the middle of, at the end of a chunk. */
const Mode = {
  /** Character data (possibly empty), up to the next `<`. */
  Text: 0,
  /** A `<` whose next bytes, needed to tell what it starts, are in the next chunk. */
  Opener: 1,
  /** A start or end tag split across chunks. */
  Tag: 2,
  Cdata: 3,
  Comment: 4,
  Pi: 5,
  /** An entity reference in character data, split across chunks. */
  Entity: 6,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** Length of the longest end of `b` that could be the start of `word`, split off to the next chunk. */
function partialSuffix(b: Buffer, word: Buffer): number {
  for (let n = Math.min(word.length - 1, b.length); n > 0; n--) {
    if (b.compare(word, 0, n, b.length - n, b.length) === 0) return n;
  }
  return 0;
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads a release file's UTF-8 bytes, chunk by chunk, and builds the manifest
 * as it goes: one element at a time, hashed incrementally, with nothing but
 * the element's identity kept once it closes.
 *
 * A byte-level scanner rather than a general XML parser: `Buffer.indexOf`
 * jumps to the next `<` and, inside CDATA sections, comments and processing
 * instructions, straight to their end, so the bulk of an export (method and
 * routine code in CDATA) goes from the file to SHA-256 without being looked
 * at byte by byte or decoded. Only tags, and the short texts between them,
 * are read in JavaScript. Any chunking of the same bytes gives the same
 * result: what a chunk ends in the middle of is carried over as a small state
 * (or, for a tag, its bytes so far).
 *
 * What XML requires of a well-formed document is checked, along with the
 * characters it does not allow anywhere (control characters, U+FFFE and
 * U+FFFF). DTDs are refused outright and no entity beyond XML's five is
 * accepted.
 */
export class ExportReader {
  private readonly maxNode: number;
  /** Plain tags and line breaks between tags read without the general tag parser (docs/fast-paths.md). */
  private readonly shortcuts: boolean;
  private readonly names = new NameTable();
  private readonly parser: TagParser;
  private readonly positions = new TextPositions();
  private readonly scratch = Buffer.allocUnsafe(BATCH_BYTES);
  private readonly failAt: Fail = (reason, message, at) => this.fail(reason, message, at);

  /** What the document is made of so far: open elements, the element being hashed, the manifest. */
  private readonly doc: DocumentTracker;
  /** The tracker's open elements, `<Export>` first (read here, changed only by the tracker). */
  private readonly stack: readonly Name[];
  private sawContent = false;

  private mode: Mode = Mode.Text;
  /** Byte offset of the current chunk in the whole text. */
  private base = 0;
  /** Byte offset of the first byte of the buffer the tag parser is reading. */
  private origin = 0;
  /** Byte offset where the node being read began (a text run, or the `<` of markup). */
  private nodeStart = 0;
  /** Next CR in the current chunk at or after the last place looked, -1 for none, -2 before the first look. */
  private crAt = -2;

  private readonly head = Buffer.alloc(MAX_OPENER);
  private headLength = 0;
  private tagParts: Buffer[] = [];
  private tagLength = 0;
  /** Inside a split tag: the quote of the attribute value being read, or 0. */
  private tagQuote = 0;
  /** Inside a CDATA section: `]` read at the end of the last chunk, which may begin its `]]>`. */
  private brackets = 0;
  /** Inside a comment: `-` read at the end of the last chunk. */
  private dashes = 0;
  /** Inside a processing instruction: the last chunk ended with `?`. */
  private question = false;
  /** Before the root element: the end of the last chunk, kept back because it may begin "<!DOCTYPE". */
  private held: Buffer = EMPTY;
  /** Inside a processing instruction: its target is still being read. */
  private target = false;
  /** Inside the XML declaration: what was read of it after "<?", to be checked when it ends. */
  private declaration: string | null = null;
  private readonly entity = Buffer.alloc(MAX_ENTITY_BYTES);
  private entityLength = 0;
  private entityHash = false;
  private entityStart = 0;

  // The segment of character data being read: between two pieces of markup.
  /** Where its text goes, when anything wants it. */
  private sink: TextSink | null = null;
  /** Only white space so far: whether it counts depends on what comes next. */
  private blankSoFar = true;
  /** That white space, line ends normalized, when there is a sink. */
  private ws = '';
  /** The last byte was a CR, so an LF right after it is part of the same line end. */
  private afterCr = false;
  /** `]` just read, to catch `]]>`, which is not allowed in character data. */
  private bracketRun = 0;

  constructor(limits: ReaderLimits) {
    this.maxNode = limits.maxNodeBytes ?? MAX_NODE_BYTES;
    this.shortcuts = limits.shortcuts ?? process.env.RELMAN_XML_SHORTCUTS !== '0';
    this.doc = new DocumentTracker(limits, this.scratch, this.failAt);
    this.stack = this.doc.stack;
    // A start tag's name is judged (depth, root, number of elements) before anything wrong in its attributes.
    this.parser = new TagParser(this.names, (reason, message, at) => {
      const p = this.parser;
      if (p.named && !p.closing) this.doc.admit(p.name.text, this.nodeStart);
      return this.fail(reason, message, this.origin + at);
    });
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let bytes = bufferOf(chunk);
    if (this.doc.rootSeen) {
      this.read(bytes);
      return;
    }
    // A DTD is refused before anything of it is read: entity expansion (billion laughs) and external entities
    // (XXE) both need one. Before the root element "<!DOCTYPE" is looked for in the bytes themselves, whatever
    // it stands in; after it, "<!DOCTYPE html>" in a CSP page's CDATA is content.
    if (this.held.length > 0) {
      bytes = Buffer.concat([this.held, bytes]);
      this.held = EMPTY;
    }
    const at = bytes.indexOf(DOCTYPE);
    if (at >= 0) {
      if (at > 0) this.read(bytes.subarray(0, at));
      if (!this.rootStarted()) this.fail('dtd', DTD_IN_PROLOG, this.base);
      this.read(bytes.subarray(at));
      return;
    }
    const keep = partialSuffix(bytes, DOCTYPE);
    this.read(bytes.subarray(0, bytes.length - keep));
    const tail = bytes.subarray(bytes.length - keep);
    if (this.doc.rootSeen) this.read(tail);
    else this.held = Buffer.from(tail);
  }

  /** Whether the root element has begun: seen, or its start tag read as far as the end of its name. */
  private rootStarted(): boolean {
    if (this.doc.rootSeen) return true;
    const first = this.tagParts[0];
    if (this.mode !== Mode.Tag || this.stack.length > 0 || first === undefined || first[1] === SLASH) return false;
    for (const part of this.tagParts) {
      for (let i = part === first ? 1 : 0; i < part.length; i++) if (!NAME_CHAR[part[i] ?? 0]) return true;
    }
    return false;
  }

  private read(whole: Buffer): void {
    if (whole.length === 0) return;
    // A character XML does not allow is refused where it stands, once everything before it has been read as usual.
    const control = this.positions.begin(whole);
    const nonchar = firstNoncharacter(control < 0 ? whole : whole.subarray(0, control));
    const bad = nonchar >= 0 ? nonchar : control;
    const buf = bad < 0 ? whole : whole.subarray(0, bad);
    const len = buf.length;
    this.crAt = -2;
    let pos = 0;
    while (pos < len) {
      switch (this.mode) {
        case Mode.Text:
          pos = this.text(buf, pos);
          break;
        case Mode.Opener:
          pos = this.opener(buf, pos);
          break;
        case Mode.Tag:
          pos = this.splitTag(buf, pos);
          break;
        case Mode.Cdata:
          pos = this.cdata(buf, pos);
          break;
        case Mode.Comment:
          pos = this.comment(buf, pos);
          break;
        case Mode.Pi:
          pos = this.pi(buf, pos);
          break;
        case Mode.Entity:
          pos = this.splitEntity(buf, pos);
          break;
      }
    }
    if (bad >= 0) this.fail('not-xml', DISALLOWED_CHARACTER, this.base + bad);
    const end = this.base + len;
    if (end - this.nodeStart > this.maxNode || this.doc.held > this.maxNode) {
      this.fail(
        'too-large',
        `The release file has a single text block, tag or entity reference longer than ${this.maxNode} bytes; ` +
          'no Caché/IRIS export has one that long (an unterminated CDATA section or a stray "&"?)',
        end,
      );
    }
    this.positions.end();
    this.base = end;
  }

  finish(): CacheManifest {
    const held = this.held;
    this.held = EMPTY;
    this.read(held);
    if (!this.sawContent) throw new CacheExportError('empty', 'The release file is empty; there is nothing to install');
    this.doc.allClosed(this.base);
    if (this.mode !== Mode.Text) this.fail('not-xml', TRUNCATED, this.base);
    return this.doc.manifest(this.base);
  }

  private fail(reason: CacheExportErrorReason, message: string, at: number): never {
    throw new CacheExportError(reason, message, this.positions.at(at));
  }

  // Character data.

  /** Character data and the markup after it, as long as neither is cut by the end of the chunk. */
  private text(buf: Buffer, pos: number): number {
    const len = buf.length;
    while (pos < len) {
      let lt = pos;
      const c = buf[pos];
      if (c === LT) {
        // White space of a segment begun in the last chunk.
        if (this.ws.length > 0) this.endBlank();
      } else if (
        this.shortcuts &&
        c === LF &&
        pos + 1 < len &&
        buf[pos + 1] === LT &&
        this.blankSoFar &&
        this.ws.length === 0 &&
        !this.afterCr &&
        this.stack.length > 0
      ) {
        // The usual segment: a line break between two tags. Before a start tag it is layout whatever came before,
        // so the hash need not hear of it (but a global's name being collected gets it all).
        lt = pos + 1;
        const sink = this.sink;
        if (sink !== null && (lt + 1 >= len || !NAME_START[buf[lt + 1] ?? 0] || sink instanceof TopLevelElement)) sink.blank('\n');
      } else {
        lt = this.characters(buf, pos);
        if (lt === len) return len;
        this.endBlank();
      }
      pos = this.markup(buf, lt);
      if (this.mode !== Mode.Text) return pos;
    }
    return pos;
  }

  /** The segment ends: if it was only white space, that goes to the sink now that it is complete. */
  private endBlank(): void {
    if (this.blankSoFar && this.ws.length > 0) this.sink?.blank(this.ws);
    this.ws = '';
  }

  /** A new segment of character data starts at byte offset `at`, after markup. */
  private segment(at: number): void {
    this.mode = Mode.Text;
    this.nodeStart = at;
    this.blankSoFar = true;
    this.ws = '';
    this.afterCr = false;
    this.bracketRun = 0;
  }

  /**
   * Character data from `start` on, in the current segment, up to the next `<` (whose offset is returned) or
   * the end of the chunk (then `buf.length`). The runs between tags are short, so they are read byte by byte
   * rather than searched for their end first.
   */
  private characters(buf: Buffer, start: number): number {
    const end = buf.length;
    let i = start;
    if (this.stack.length === 0) {
      for (; i < end; i++) {
        const c = buf[i] ?? 0;
        if (WS[c]) continue;
        if (c === LT) return i;
        this.fail('not-xml', this.doc.rootSeen ? TEXT_AFTER_ROOT : TEXT_BEFORE_ROOT, this.base + i);
      }
      return end;
    }
    const sink = this.sink;
    while (i < end) {
      if (this.blankSoFar) {
        let j = i;
        while (j < end && WS[buf[j] ?? 0]) j++;
        if (j > i) {
          if (sink) this.ws += this.whitespace(buf, i, j);
          this.bracketRun = 0;
        }
        if (j === end) return end;
        i = j;
        const c = buf[i];
        if (c === LT) return i;
        if (c === AMP) {
          i = this.reference(buf, i);
          continue;
        }
        this.contentStarts();
      }
      if (this.afterCr) {
        this.afterCr = false;
        if (buf[i] === LF) {
          i++;
          continue;
        }
      }
      let j = i;
      while (j < end && !TEXT_SPECIAL[buf[j] ?? 0]) j++;
      if (j > i) {
        sink?.bytes(buf, i, j);
        this.bracketRun = 0;
        i = j;
        if (i === end) return end;
      }
      const c = buf[i] ?? 0;
      if (c === LT) return i;
      if (c === AMP) {
        i = this.reference(buf, i);
      } else if (c === CR) {
        sink?.bytes(LF_BYTE, 0, 1);
        this.bracketRun = 0;
        i++;
        if (i === end) this.afterCr = true;
        else if (buf[i] === LF) i++;
      } else if (c === RBRACKET) {
        this.bracketRun++;
        sink?.bytes(buf, i, i + 1);
        i++;
      } else {
        // '>', which may not end "]]" in character data.
        if (this.bracketRun >= 2) this.fail('not-xml', notWellFormed('the string "]]>" is disallowed in char data'), this.base + i);
        this.bracketRun = 0;
        sink?.bytes(buf, i, i + 1);
        i++;
      }
    }
    return end;
  }

  /** The segment turns out to be more than white space: what was held is content after all. */
  private contentStarts(): void {
    this.blankSoFar = false;
    const sink = this.sink;
    if (sink) {
      sink.content();
      if (this.ws.length > 0) sink.text(this.ws);
    }
    this.ws = '';
  }

  /** White space bytes as text, with CRLF and lone CR turned into LF as XML requires. */
  private whitespace(buf: Buffer, start: number, end: number): string {
    if (end - start === 1 && buf[start] === LF && !this.afterCr) return '\n';
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c === CR) {
        s += '\n';
        this.afterCr = true;
        continue;
      }
      if (c === LF) {
        if (!this.afterCr) s += '\n';
      } else {
        s += c === TAB ? '\t' : ' ';
      }
      this.afterCr = false;
    }
    return s;
  }

  /** The entity reference whose `&` is at `amp`; returns where reading goes on. */
  private reference(buf: Buffer, amp: number): number {
    const end = buf.length;
    let j = amp + 1;
    while (j < end && (NAME_CHAR[buf[j] ?? 0] || buf[j] === HASH)) j++;
    if (j < end) {
      if (buf[j] !== SEMICOLON) this.fail('not-xml', DISALLOWED_CHARACTER, this.base + j);
      this.referenced(entityText(buf.toString('utf8', amp + 1, j), this.failAt, this.base + amp));
      return j + 1;
    }
    this.mode = Mode.Entity;
    this.entityStart = this.base + amp;
    this.entityLength = 0;
    this.entityHash = false;
    this.entityBytes(buf, amp + 1, end);
    return end;
  }

  private entityBytes(buf: Buffer, start: number, end: number): void {
    const keep = Math.min(end, start + MAX_ENTITY_BYTES - this.entityLength);
    buf.copy(this.entity, this.entityLength, start, keep);
    this.entityLength += keep - start;
    if (keep < end && buf.subarray(keep, end).includes(HASH)) this.entityHash = true;
  }

  /** An entity reference split across chunks goes on. */
  private splitEntity(buf: Buffer, pos: number): number {
    let j = pos;
    while (j < buf.length && (NAME_CHAR[buf[j] ?? 0] || buf[j] === HASH)) j++;
    this.entityBytes(buf, pos, j);
    if (j === buf.length) return j;
    if (buf[j] !== SEMICOLON) this.fail('not-xml', DISALLOWED_CHARACTER, this.base + j);
    // A reference too long to keep is judged by its start, and by whether a '#' came later, which is all that decides.
    const ref = this.entity.toString('utf8', 0, this.entityLength) + (this.entityHash ? '#' : '');
    this.mode = Mode.Text;
    this.referenced(entityText(ref, this.failAt, this.entityStart));
    return j + 1;
  }

  private referenced(value: string): void {
    this.afterCr = false;
    this.bracketRun = 0;
    if (this.blankSoFar) {
      if (value === ' ' || value === '\n' || value === '\t' || value === '\r') {
        if (this.sink) this.ws += value;
        return;
      }
      this.contentStarts();
    }
    this.sink?.text(value);
  }

  // Markup.

  /**
   * The markup whose `<` is at `lt`; returns where reading goes on. Tags written plainly, `<Name>` inside an
   * element or the `</Name>` that closes the open element, as nearly all tags of an export are, are handled
   * here without the general tag parser.
   */
  private markup(buf: Buffer, lt: number): number {
    this.sawContent = true;
    const start = this.base + lt;
    this.nodeStart = start;
    const len = buf.length;
    const c1 = lt + 1 < len ? (buf[lt + 1] ?? 0) : -1;
    if (!this.shortcuts) {
      // Every tag through the general parser.
    } else if (c1 === SLASH) {
      const top = this.stack[this.stack.length - 1];
      if (top !== undefined) {
        const nameEnd = lt + 2 + top.bytes.length;
        if (nameEnd < len && buf[nameEnd] === GT && sameBytes(top.bytes, buf, lt + 2, nameEnd)) {
          this.doc.close(buf, lt, nameEnd, this.base + nameEnd + 1, this.parser);
          return this.afterTag(nameEnd + 1);
        }
      }
    } else if (c1 >= 0 && NAME_START[c1] && this.stack.length >= 2) {
      let i = lt + 1;
      let hash = 0;
      let c = 0;
      while (i < len && NAME_CHAR[(c = buf[i] ?? 0)]) {
        hash = (Math.imul(hash, 31) + c) | 0;
        i++;
      }
      if (i < len && c === GT) {
        this.doc.openPlain(this.names.get(buf, lt + 1, i, hash), buf, lt, i, start);
        return this.afterTag(i + 1);
      }
    }
    if (c1 === SLASH || (c1 >= 0 && NAME_START[c1])) {
      this.origin = this.base;
      const end = this.parser.parse(buf, lt, this.stack[this.stack.length - 1]);
      if (end < 0) return this.beginSplitTag(buf, lt);
      this.tag(start, this.base + end);
      return this.afterTag(end);
    }
    const kind = classify(buf, lt, Math.min(len, lt + MAX_OPENER));
    if (kind === Markup.More) {
      this.headLength = buf.copy(this.head, 0, lt);
      this.mode = Mode.Opener;
      return len;
    }
    return this.enter(kind, lt + openerLength(kind), start);
  }

  /** A tag ended just before `end` in the chunk: the character data after it starts a new segment. */
  private afterTag(end: number): number {
    this.segment(this.base + end);
    this.sink = this.doc.sink();
    return end;
  }

  /** More bytes of an opener split across chunks, one at a time until it is known what it opens. */
  private opener(buf: Buffer, pos: number): number {
    while (pos < buf.length) {
      this.head[this.headLength++] = buf[pos++] ?? 0;
      const kind = classify(this.head, 0, this.headLength);
      if (kind === Markup.More) continue;
      if (kind === Markup.StartTag || kind === Markup.EndTag) {
        this.tagParts = [Buffer.from(this.head.subarray(0, this.headLength))];
        this.tagLength = this.headLength;
        this.tagQuote = 0;
        this.mode = Mode.Tag;
        return pos;
      }
      const next = this.enter(kind, pos, this.nodeStart);
      if (this.mode === Mode.Pi) {
        // The opener holds the start of the target, after "<?".
        if (this.target && this.piTarget(this.head.subarray(0, this.headLength), 2) < 0) return pos;
        this.question = this.headLength > 2 && this.head[this.headLength - 1] === QUESTION;
        // The declaration's bytes read so far are in the opener, after "<?".
        if (this.declaration !== null) this.declaration = this.head.toString('latin1', 2, this.headLength);
      }
      return next;
    }
    return pos;
  }

  /** Starts reading a comment, CDATA section or processing instruction whose content begins at `pos`, or refuses the markup. */
  private enter(kind: Markup, pos: number, start: number): number {
    switch (kind) {
      case Markup.Comment:
        this.mode = Mode.Comment;
        this.dashes = 0;
        return pos;
      case Markup.Cdata:
        // Character data, which has no place outside the root element, even when empty.
        if (this.stack.length === 0) this.fail('not-xml', this.doc.rootSeen ? TEXT_AFTER_ROOT : TEXT_BEFORE_ROOT, start);
        this.mode = Mode.Cdata;
        this.brackets = 0;
        this.afterCr = false;
        this.sink?.content();
        return pos;
      case Markup.XmlDecl:
        if (start !== 0) this.fail('not-xml', notWellFormed('an XML declaration must be at the start of the document'), start);
        this.mode = Mode.Pi;
        this.question = false;
        this.declaration = '';
        return pos;
      case Markup.Pi:
        this.mode = Mode.Pi;
        this.question = false;
        this.target = true;
        return pos;
      case Markup.Doctype:
        return this.fail('dtd', this.doc.rootSeen ? DTD_IN_CONTENT : DTD_IN_PROLOG, start);
      case Markup.BadPi:
        return this.fail('not-xml', notWellFormed('processing instruction without a target'), start);
      case Markup.BadBang:
        return this.fail('not-xml', notWellFormed('incorrect syntax'), start);
      case Markup.BadLt:
      case Markup.More:
      case Markup.StartTag:
      case Markup.EndTag:
        // Tags and undecided openers are dealt with before; what is left is a "<" that starts no markup.
        return this.fail('not-xml', DISALLOWED_CHARACTER, start + 1);
    }
  }

  /** A tag the chunk ends in: its bytes so far are kept, and where its end will be is looked for in the next chunks. */
  private beginSplitTag(buf: Buffer, lt: number): number {
    this.tagParts = [Buffer.from(buf.subarray(lt))];
    this.tagLength = buf.length - lt;
    this.tagQuote = 0;
    // The parser stopped short of any "<" outside a value, so one found here is inside a value it ran out in.
    const end = this.tagEnd(buf, lt + 1);
    if (end <= -2) this.fail('not-xml', DISALLOWED_CHARACTER, this.base - 2 - end);
    if (end >= 0) this.fail('not-xml', notWellFormed('malformed tag'), this.base + lt);
    this.mode = Mode.Tag;
    return buf.length;
  }

  /**
   * The `>` ending a tag, from `from` on, outside quoted attribute values: its offset, -1 if it is not in this
   * chunk, or -2 - i when a `<`, which no tag can hold, comes first at i.
   */
  private tagEnd(buf: Buffer, from: number): number {
    let quote = this.tagQuote;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i];
      if (c === LT) return -2 - i;
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === GT) {
        this.tagQuote = 0;
        return i;
      } else if (c === DQUOTE || c === SQUOTE) {
        quote = c;
      }
    }
    this.tagQuote = quote;
    return -1;
  }

  private splitTag(buf: Buffer, pos: number): number {
    const gt = this.tagEnd(buf, pos);
    if (gt === -1) {
      this.tagParts.push(Buffer.from(buf.subarray(pos)));
      this.tagLength += buf.length - pos;
      return buf.length;
    }
    // The tag, through its '>' or through the '<' that ends it early: the parser says what is wrong with the latter.
    const stop = gt >= 0 ? gt + 1 : -1 - gt;
    this.tagParts.push(buf.subarray(pos, stop));
    const tag = Buffer.concat(this.tagParts, this.tagLength + stop - pos);
    this.tagParts = [];
    const start = this.nodeStart;
    this.origin = start;
    if (this.parser.parse(tag, 0, this.stack[this.stack.length - 1]) !== tag.length || gt < 0) {
      this.fail('not-xml', gt < 0 ? DISALLOWED_CHARACTER : notWellFormed('malformed tag'), this.base + stop - 1);
    }
    this.tag(start, this.base + gt + 1);
    return this.afterTag(gt + 1);
  }

  /** The tag the parser holds, from byte offset `start` to `end`. */
  private tag(start: number, end: number): void {
    const p = this.parser;
    if (p.closing) {
      if (!p.matches) this.fail('not-xml', MISMATCHED_TAG, start);
      this.doc.close(p.buf, -1, p.nameEnd, end, p);
    } else {
      this.doc.open(p, start);
      if (p.selfClosing) this.doc.close(p.buf, -1, p.nameEnd, end, p);
    }
  }

  private cdata(buf: Buffer, pos: number): number {
    const len = buf.length;
    while (this.brackets > 0 && pos < len) {
      const c = buf[pos];
      if (this.brackets === 2 && c === GT) return this.endMarkup(pos + 1);
      if (c === RBRACKET) {
        if (this.brackets === 2) this.sink?.bytes(BRACKETS, 0, 1);
        this.brackets = 2;
        pos++;
      } else {
        this.sink?.bytes(BRACKETS, 0, this.brackets);
        this.brackets = 0;
        this.afterCr = false;
      }
    }
    if (pos >= len) return len;
    const end = buf.indexOf(CDATA_END, pos);
    if (end >= 0) {
      this.cdataContent(buf, pos, end);
      return this.endMarkup(end + 3);
    }
    // Up to two ']' at the very end may begin the "]]>" that ends the section; they wait for the next chunk.
    let stop = len;
    while (stop > pos && len - stop < 2 && buf[stop - 1] === RBRACKET) stop--;
    this.cdataContent(buf, pos, stop);
    this.brackets = len - stop;
    return len;
  }

  private cdataContent(buf: Buffer, start: number, end: number): void {
    const sink = this.sink;
    if (sink === null || start === end) return;
    if (this.afterCr) {
      this.afterCr = false;
      if (buf[start] === LF) start++;
    }
    while (start < end) {
      let cr = this.crAt;
      if (cr === -2 || (cr >= 0 && cr < start)) cr = this.crAt = buf.indexOf(CR, start);
      if (cr < 0 || cr >= end) {
        sink.bytes(buf, start, end);
        return;
      }
      if (cr > start) sink.bytes(buf, start, cr);
      sink.bytes(LF_BYTE, 0, 1);
      start = cr + 1;
      if (start === end) this.afterCr = true;
      else if (buf[start] === LF) start++;
    }
  }

  private comment(buf: Buffer, pos: number): number {
    const len = buf.length;
    while (this.dashes > 0 && pos < len) {
      const c = buf[pos];
      if (this.dashes === 2) {
        if (c === GT) return this.endMarkup(pos + 1);
        this.fail('not-xml', notWellFormed('malformed comment'), this.base + pos);
      }
      if (c === DASH) pos++;
      this.dashes = c === DASH ? 2 : 0;
    }
    if (pos >= len) return len;
    const dd = buf.indexOf(DASH_DASH, pos);
    if (dd < 0) {
      this.dashes = buf[len - 1] === DASH ? 1 : 0;
      return len;
    }
    if (dd + 2 >= len) {
      this.dashes = 2;
      return len;
    }
    if (buf[dd + 2] !== GT) this.fail('not-xml', notWellFormed('malformed comment'), this.base + dd + 2);
    return this.endMarkup(dd + 3);
  }

  /**
   * Reads the processing instruction's target (a name, then white space or "?>") from `pos` on; returns where
   * it ends, or -1 if it goes on past the end of `b`.
   */
  private piTarget(b: Buffer, pos: number): number {
    while (pos < b.length) {
      const c = b[pos] ?? 0;
      if (NAME_CHAR[c]) {
        pos++;
        continue;
      }
      if (!WS[c] && c !== QUESTION) this.fail('not-xml', DISALLOWED_CHARACTER, this.base + pos);
      this.target = false;
      return pos;
    }
    return -1;
  }

  private pi(buf: Buffer, pos: number): number {
    if (this.target) {
      const end = this.piTarget(buf, pos);
      if (end < 0) return buf.length;
    }
    if (this.question && buf[pos] === GT) return this.endPi(buf, pos, pos + 1);
    this.question = false;
    const end = buf.indexOf(PI_END, pos);
    // The XML declaration is refused at the first character it cannot hold.
    const wrong = this.declaration === null ? -1 : this.notDeclaration(buf, pos, end < 0 ? buf.length : end);
    if (wrong >= 0) this.fail('not-xml', notWellFormed('malformed XML declaration'), this.base + wrong);
    if (end < 0) {
      this.question = buf[buf.length - 1] === QUESTION;
      if (this.declaration !== null) this.declare(buf, pos, buf.length);
      return buf.length;
    }
    return this.endPi(buf, pos, end + 2);
  }

  /** A processing instruction ends just before `after`; the XML declaration is checked once it is whole. */
  private endPi(buf: Buffer, pos: number, after: number): number {
    if (this.declaration !== null) {
      this.declare(buf, pos, after);
      if (!XML_DECLARATION.test(`<?${this.declaration}`)) this.fail('not-xml', notWellFormed('malformed XML declaration'), 0);
      this.declaration = null;
    }
    return this.endMarkup(after);
  }

  /** More of the XML declaration; a real one is a few dozen bytes. */
  /** The first byte from `start` to `end` that no XML declaration can hold, or -1. */
  private notDeclaration(buf: Buffer, start: number, end: number): number {
    for (let i = start; i < end; i++) if (!DECLARATION_BYTE[buf[i] ?? 0]) return i;
    return -1;
  }

  private declare(buf: Buffer, start: number, end: number): void {
    this.declaration = (this.declaration ?? '') + buf.toString('latin1', start, end);
    if (this.declaration.length > MAX_DECLARATION) this.fail('not-xml', notWellFormed('malformed XML declaration'), 0);
  }

  private endMarkup(after: number): number {
    this.segment(this.base + after);
    return after;
  }
}
