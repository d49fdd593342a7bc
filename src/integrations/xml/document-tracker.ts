import type { Buffer } from 'node:buffer';
import { CacheExportError, shortTag } from './cache-export-error.js';
import type { CacheElement, CacheManifest } from './cache-export-types.js';
import type { TextSink } from './canonical-hash.js';
import { type Fail, NO_ROOT, SECOND_ROOT, TRUNCATED } from './parser-errors.js';
import type { TopLevelObserver } from './export-reader.js';
import type { TagParser } from './tag-parser.js';
import { TopLevelElement } from './top-level-element.js';
import type { Name } from './xml-bytes.js';

/**
 * The document side of reading an export: which elements are open, the
 * top-level element being hashed, what the manifest holds so far, and the
 * limits (depth, number of elements, project items). The byte scanner
 * (export-reader.ts) finds the tags and character data and tells this
 * tracker about each tag; the tracker tells the scanner where character data
 * goes (`sink`). It never sees a byte outside a tag.
 *
 * Byte offsets are in the whole text; `fail` turns one into a line and
 * column and throws.
 */
export class DocumentTracker {
  /** Names of the open elements, `<Export>` first. */
  readonly stack: Name[] = [];
  rootSeen = false;
  private rootClosed = false;
  private topLevel = 0;
  private projectItems = 0;
  private current: TopLevelElement | null = null;
  private readonly elements: CacheElement[] = [];
  private header: Omit<CacheManifest, 'format' | 'elements'> = { generator: null, version: null, zv: null, ts: null };

  constructor(
    private readonly limits: { maxElements: number; maxDepth: number; observer?: TopLevelObserver | undefined },
    /** Batch buffer lent to each element's hash in turn. */
    private readonly scratch: Buffer,
    private readonly fail: Fail,
  ) {}

  /** Where character data read now goes: the element being hashed (below `<Export>`), or nowhere. */
  sink(): TextSink | null {
    const current = this.current;
    return current !== null && this.stack.length >= 2 ? current.sink() : null;
  }

  /** White space the element's hash is holding back, so the scanner can bound it. */
  get held(): number {
    return this.current?.held ?? 0;
  }

  /** At the end of the text (byte offset `end`): every element must be closed. */
  allClosed(end: number): void {
    const open = this.stack.at(-1);
    if (open !== undefined) this.fail('not-xml', `${TRUNCATED} (<${shortTag(open.text)}> is never closed)`, end);
  }

  /** The manifest, once the whole text has been read up to byte offset `end`. */
  manifest(end: number): CacheManifest {
    if (!this.rootSeen) this.fail('not-export', NO_ROOT, end);
    if (this.elements.length === 0) {
      throw new CacheExportError(
        'empty',
        'The release file is an <Export> with no classes, routines or other elements in it; there is nothing to install',
      );
    }
    return { format: 'cache-export', ...this.header, elements: this.elements };
  }

  private tooDeep(name: string, start: number): never {
    return this.fail(
      'too-deep',
      `The release file nests elements more than ${this.limits.maxDepth} levels deep (at <${shortTag(name)}>); no Caché/IRIS export does that`,
      start,
    );
  }

  /** A start tag `<name>`, from `lt` to `gt` in the chunk, inside a top-level element. */
  openPlain(name: Name, buf: Buffer, lt: number, gt: number, start: number): void {
    const depth = this.stack.length + 1;
    if (depth > this.limits.maxDepth) this.tooDeep(name.text, start);
    if (this.current?.openChild(name.text, depth, null, buf, lt, gt) && ++this.projectItems > this.limits.maxElements) {
      this.fail('too-large', `The project lists more than ${this.limits.maxElements} items`, start);
    }
    this.stack.push(name);
  }

  /** Refuses an element named `name` opening at byte offset `start` where it cannot be (or one too many). */
  admit(name: string, start: number): void {
    const depth = this.stack.length + 1;
    if (depth > this.limits.maxDepth) this.tooDeep(name, start);
    if (depth === 1) {
      if (name !== 'Export') {
        this.fail(
          'not-export',
          `The file is XML but not a Caché/IRIS export: it starts with <${shortTag(name)}> where a release file starts with <Export>`,
          start,
        );
      }
      if (this.rootClosed) this.fail('not-xml', SECOND_ROOT, start);
    } else if (depth === 2 && this.topLevel >= this.limits.maxElements) {
      this.fail('too-large', `The release file holds more than ${this.limits.maxElements} elements`, start);
    }
  }

  /** The start tag the parser holds, which began at byte offset `start`. */
  open(p: TagParser, start: number): void {
    const name = p.name.text;
    const depth = this.stack.length + 1;
    this.admit(name, start);
    if (depth === 1) {
      this.rootSeen = true;
      const attr = (key: string): string | null => {
        const k = p.find(key);
        return k < 0 ? null : p.value(k);
      };
      this.header = { generator: attr('generator'), version: attr('version'), zv: attr('zv'), ts: attr('ts') };
    } else if (depth === 2) {
      this.topLevel++;
      this.current = new TopLevelElement(p, start, this.scratch);
      this.limits.observer?.opened(this.current, start);
    } else if (this.current?.openChild(name, depth, p, p.buf, 0, 0) && ++this.projectItems > this.limits.maxElements) {
      this.fail('too-large', `The project lists more than ${this.limits.maxElements} items`, start);
    }
    this.stack.push(p.name);
  }

  /**
   * The open element closes at byte offset `end`. Its end tag is written exactly as `</name>` from `lt` to `gt`
   * in `b`, or when `lt` is -1, is the one the parser `p` holds, whose name ends at `gt`.
   */
  close(b: Uint8Array, lt: number, gt: number, end: number, p: TagParser): void {
    const depth = this.stack.length;
    if (depth >= 2 && this.current) {
      const nameStart = lt < 0 ? p.nameStart : lt + 2;
      if (depth === 2) {
        const element = this.current.close(b, nameStart, gt, end);
        if (element) this.elements.push(element);
        this.current = null;
        this.limits.observer?.closed(element, end);
      } else if (lt < 0) {
        this.current.closeChild(depth, b, nameStart, gt);
      } else {
        this.current.closePlainChild(depth, b, lt, gt);
      }
    }
    this.stack.pop();
    if (depth === 1) this.rootClosed = true;
  }
}
