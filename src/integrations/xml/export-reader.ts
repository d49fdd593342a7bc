import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { CacheExportError, shortTag, type TextPosition } from './cache-export-error.js';
import type { CacheElement, CacheManifest } from './cache-export-types.js';
import { ByteOffsets } from './byte-offsets.js';
import { detach } from './element-identity.js';
import { describeParserError } from './parser-errors.js';
import { TopLevelElement } from './top-level-element.js';

const DOCTYPE = '<!DOCTYPE';
const NOT_BLANK = /[^ \t\r\n]/;
/**
 * Saxes hands over each text node, CDATA section, tag or entity reference as
 * one string, so memory is bounded by the largest of them, not by the file.
 * This caps that: a base64 CSP image or a long routine is a few MiB, while a
 * stray "&" or "<![CDATA[" with no end would otherwise buffer the rest of a
 * multi-gigabyte upload.
 */
const MAX_NODE_CHARS = 64 * 1024 * 1024;

export type ReaderLimits = {
  maxElements: number;
  maxDepth: number;
  /** Longest stretch of text without a parser event; tests lower it. */
  maxNodeChars?: number;
};

/** Length of the longest end of `s` that could be the start of `word`, split off to the next chunk. */
function partialSuffix(s: string, word: string): number {
  for (let n = Math.min(word.length - 1, s.length); n > 0; n--) {
    if (word.startsWith(s.slice(s.length - n))) return n;
  }
  return 0;
}

/** Trailing characters saxes cannot interpret alone: a CR (maybe CRLF) or the first half of a surrogate pair. */
function needsNext(code: number): boolean {
  return code === 0x0d || (code >= 0xd800 && code <= 0xdbff);
}

/**
 * Drives saxes over a release file's text and builds the manifest as it goes:
 * one element at a time, hashed incrementally, with nothing but the element's
 * identity kept once it closes. Memory depends on the size of the largest
 * single text or CDATA node (saxes delivers each as one string), not on the
 * size of the file.
 */
export class ExportReader {
  private readonly parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  private readonly elements: CacheElement[] = [];
  private header: Omit<CacheManifest, 'format' | 'elements'> = { generator: null, version: null, zv: null, ts: null };
  private depth = 0;
  private rootSeen = false;
  private sawContent = false;
  private topLevel = 0;
  private projectItems = 0;
  private current: TopLevelElement | null = null;

  // Text not yet given to saxes: a possible start of "<!DOCTYPE" in the prolog, a CR or a high surrogate.
  private prologCarry = '';
  private held = '';

  private readonly offsets = new ByteOffsets();
  /** Byte offset where the next top-level element's `<` is, once one starts. */
  private boundary = 0;
  /** Saxes position of the latest event; the distance to the end of what was written is what saxes is buffering. */
  private lastEvent = 0;

  constructor(private readonly limits: ReaderLimits) {
    const p = this.parser;
    // No 'error' handler: saxes then throws its errors, which write() translates. Saxes stores handlers as
    // properties added after construction, and an eighth one turns the parser into a slow dictionary-mode
    // object: parsing gets about seven times slower.
    const seen = (): number => (this.lastEvent = p.position);
    p.on('opentagstart', (tag) => {
      seen();
      this.onOpenStart(tag.name);
    });
    p.on('opentag', (tag) => {
      seen();
      this.onOpen(tag);
    });
    p.on('closetag', (tag) => {
      seen();
      this.onClose(tag);
    });
    p.on('text', (text) => {
      seen();
      this.onText(text, true);
    });
    p.on('cdata', (text) => {
      seen();
      this.onText(text, false);
    });
    // Comments and processing instructions are not code; they only move the start of the next element.
    p.on('comment', () => this.markBoundary(seen()));
    p.on('processinginstruction', () => this.markBoundary(seen()));
  }

  push(text: string): void {
    if (text.length === 0) return;
    if (!this.sawContent && NOT_BLANK.test(text)) this.sawContent = true;
    if (this.rootSeen) {
      this.feed(text);
      return;
    }
    // A DTD is refused before saxes reads any of it: entity expansion (billion laughs) and external entities (XXE)
    // both need one. Only the prolog is checked; "<!DOCTYPE html>" inside a CSP page's CDATA is content.
    const buf = this.prologCarry + text;
    this.prologCarry = '';
    const at = buf.indexOf(DOCTYPE);
    if (at >= 0) {
      this.feed(buf.slice(0, at));
      if (!this.rootSeen) {
        throw new CacheExportError(
          'dtd',
          'The release file declares a DTD (<!DOCTYPE …>); Caché/IRIS exports never do, and DTDs can define entities that read ' +
            'local files or expand without bound, so the file is refused',
          this.where(true),
        );
      }
      this.feed(buf.slice(at));
      return;
    }
    const keep = partialSuffix(buf, DOCTYPE);
    this.feed(buf.slice(0, buf.length - keep));
    if (this.rootSeen) this.feed(buf.slice(buf.length - keep));
    else this.prologCarry = buf.slice(buf.length - keep);
  }

  finish(): CacheManifest {
    if (!this.sawContent) throw new CacheExportError('empty', 'The release file is empty; there is nothing to install');
    this.feed(this.prologCarry);
    this.prologCarry = '';
    const tail = this.held;
    this.held = '';
    this.write(tail);
    this.write(null);
    if (this.elements.length === 0) {
      throw new CacheExportError(
        'empty',
        'The release file is an <Export> with no classes, routines or other elements in it; there is nothing to install',
      );
    }
    return { format: 'cache-export', ...this.header, elements: this.elements };
  }

  /** Gives text to saxes, never ending a write with a character that needs the next one. */
  private feed(text: string): void {
    let s = this.held + text;
    this.held = '';
    if (s.length === 0) return;
    if (needsNext(s.charCodeAt(s.length - 1))) {
      this.held = s.slice(-1);
      s = s.slice(0, -1);
      if (s.length === 0) return;
    }
    this.offsets.begin(s);
    this.write(s);
    this.offsets.end();
    const max = this.limits.maxNodeChars ?? MAX_NODE_CHARS;
    if (this.offsets.written - this.lastEvent > max) {
      throw new CacheExportError(
        'too-large',
        `The release file has a single text block, tag or entity reference longer than ${max} characters; ` +
          'no Caché/IRIS export has one that long (an unterminated CDATA section or a stray "&"?)',
        this.where(false),
      );
    }
  }

  /** Writes to saxes (null closes it); a saxes error becomes a CacheExportError, the reader's own pass through. */
  private write(s: string | null): void {
    try {
      if (s === null) this.parser.close();
      else this.parser.write(s);
    } catch (err) {
      if (err instanceof CacheExportError || !(err instanceof Error)) throw err;
      throw describeParserError(err, this.where(false), this.rootSeen);
    }
  }

  private markBoundary(position: number): void {
    if (this.depth === 1) this.boundary = this.offsets.at(position);
  }

  /**
   * Saxes's column is the zero-based column of the next character to read, which is the one-based column of
   * the character just read: where the problem is, unless it is the next character (`next`).
   */
  private where(next: boolean): TextPosition {
    return { line: this.parser.line, column: this.parser.column + (next ? 1 : 0) };
  }

  private onOpenStart(tag: string): void {
    const depth = this.depth + 1;
    if (depth > this.limits.maxDepth) {
      throw new CacheExportError(
        'too-deep',
        `The release file nests elements more than ${this.limits.maxDepth} levels deep (at <${shortTag(tag)}>); no Caché/IRIS export does that`,
        this.where(false),
      );
    }
    if (depth === 1) {
      this.rootSeen = true;
      if (tag !== 'Export') {
        throw new CacheExportError(
          'not-export',
          `The file is XML but not a Caché/IRIS export: it starts with <${shortTag(tag)}> where a release file starts with <Export>`,
          this.where(false),
        );
      }
    } else if (depth === 2 && ++this.topLevel > this.limits.maxElements) {
      throw new CacheExportError('too-large', `The release file holds more than ${this.limits.maxElements} elements`, this.where(false));
    }
  }

  private onOpen(tag: SaxesTagPlain): void {
    const depth = ++this.depth;
    if (depth === 1) {
      const a = tag.attributes;
      const attr = (name: string): string | null => {
        const value = a[name];
        return value === undefined ? null : detach(value);
      };
      this.header = { generator: attr('generator'), version: attr('version'), zv: attr('zv'), ts: attr('ts') };
      this.markBoundary(this.parser.position);
    } else if (depth === 2) {
      this.current = new TopLevelElement(tag, this.boundary);
    } else if (this.current) {
      const projectItem = this.current.openChild(tag, depth);
      if (projectItem && ++this.projectItems > this.limits.maxElements) {
        throw new CacheExportError('too-large', `The project lists more than ${this.limits.maxElements} items`, this.where(false));
      }
    }
  }

  private onClose(tag: SaxesTagPlain): void {
    const depth = this.depth;
    if (depth === 2 && this.current) {
      const end = this.offsets.at(this.parser.position);
      const element = this.current.close(end);
      if (element) this.elements.push(element);
      this.current = null;
      this.boundary = end;
    } else if (depth > 2) {
      this.current?.closeChild(tag, depth);
    }
    this.depth--;
  }

  private onText(text: string, plain: boolean): void {
    if (this.depth >= 2) {
      this.current?.text(text, !plain);
    } else if (this.depth === 1) {
      // Plain text is reported when the next "<" is read, so the next element starts one character back.
      this.markBoundary(plain ? this.parser.position - 1 : this.parser.position);
    }
  }
}
