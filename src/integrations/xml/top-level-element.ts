import { Buffer } from 'node:buffer';
import type { CacheElement, CacheElementType, CacheProjectItem } from './cache-export-types.js';
import { CanonicalHash, type TextSink } from './canonical-hash.js';
import { UNLISTED, VOLATILE_ATTRIBUTES, VOLATILE_CHILDREN, identify } from './element-identity.js';
import type { TagParser } from './tag-parser.js';

/** A global's name is a few dozen characters; a hostile `<Sub>` must not grow without bound. */
const MAX_GLOBAL_NAME = 1024;
/** Bytes kept of a global's first subscript: enough for MAX_GLOBAL_NAME characters of any kind. */
const MAX_GLOBAL_BYTES = 4 * MAX_GLOBAL_NAME;

const GLOBAL_PENDING = 0;
const GLOBAL_COLLECTING = 1;
const GLOBAL_DONE = 2;

/**
 * One child of `<Export>` while it is being read: its identity, its running
 * hash, and the little context the naming rules need. Depths count from
 * `<Export>` = 1, so the element itself is at depth 2.
 */
export class TopLevelElement implements TextSink {
  private readonly tag: string;
  readonly type: CacheElementType;
  /** Null for a global until its name is read, at its close. */
  readonly name: string | null;
  /** Null for elements that are read but not listed. */
  private readonly hash: CanonicalHash | null;
  private readonly volatileChildren: ReadonlySet<string> | undefined;
  /** Name of the open child at depth 3, the one the naming rules look at. */
  private child = '';
  /** Depth at which a volatile child began; nothing is hashed until it closes. */
  private skipFrom = 0;
  private readonly items: CacheProjectItem[] | undefined;
  /** A global's first subscript: pending until the first `<Node><Sub>` opens, then collected until it closes. */
  private globalState: number;
  private readonly globalBytes: Buffer[] = [];
  private globalLength = 0;

  constructor(
    start: TagParser,
    private readonly startByte: number,
    scratch: Buffer,
  ) {
    const tag = start.name.text;
    const { type, name } = identify(tag, start.record());
    this.tag = tag;
    this.type = type;
    this.name = name;
    this.hash = UNLISTED.has(tag) ? null : new CanonicalHash(scratch);
    this.hash?.open(start, VOLATILE_ATTRIBUTES[tag]);
    this.volatileChildren = VOLATILE_CHILDREN[tag];
    this.items = type === 'project' ? [] : undefined;
    this.globalState = type === 'global' ? GLOBAL_PENDING : GLOBAL_DONE;
  }

  /**
   * A child element opens at `depth`. `tag` holds its start tag, or is null when the tag was written exactly as
   * `<name>` from `lt` to `gt` in `b`. Returns true when the child is a project item, so the reader can count
   * them against its limit.
   */
  openChild(name: string, depth: number, tag: TagParser | null, b: Buffer, lt: number, gt: number): boolean {
    if (depth === 3) {
      this.child = name;
      if (this.skipFrom === 0 && this.volatileChildren?.has(name)) {
        this.skipFrom = depth;
        this.hash?.skipOpen();
      }
    }
    if (this.skipFrom === 0 && this.hash) {
      if (tag) this.hash.open(tag);
      else this.hash.openPlain(b, lt, gt);
    }
    if (depth !== 4) return false;
    if (this.globalState === GLOBAL_PENDING && name === 'Sub' && this.child === 'Node') this.globalState = GLOBAL_COLLECTING;
    if (this.items && name === 'ProjectItem' && this.child === 'Items') {
      const n = tag ? tag.find('name') : -1;
      const t = tag ? tag.find('type') : -1;
      this.items.push({ name: tag && n >= 0 ? tag.value(n) : '', type: tag && t >= 0 ? tag.value(t) : '' });
      return true;
    }
    return false;
  }

  /** The child at `depth`, whose name is in `b` from `nameStart` to `nameEnd`, closes. */
  closeChild(depth: number, b: Uint8Array, nameStart: number, nameEnd: number): void {
    if (this.skipFrom === depth) {
      this.skipFrom = 0;
      this.hash?.skipClose();
    } else if (this.skipFrom === 0) {
      this.hash?.close(b, nameStart, nameEnd);
    }
    if (this.globalState === GLOBAL_COLLECTING && depth === 4) this.globalState = GLOBAL_DONE;
  }

  /** The same, for an end tag written exactly as `</name>` from `lt` to `gt` in `b`. */
  closePlainChild(depth: number, b: Uint8Array, lt: number, gt: number): void {
    if (this.skipFrom === depth) {
      this.skipFrom = 0;
      this.hash?.skipClose();
    } else if (this.skipFrom === 0) {
      this.hash?.closePlain(b, lt, gt);
    }
    if (this.globalState === GLOBAL_COLLECTING && depth === 4) this.globalState = GLOBAL_DONE;
  }

  /**
   * Where the character data read now goes: the hash directly, or this element when part of it also names a
   * global; null when it matters to neither.
   */
  sink(): TextSink | null {
    const hash = this.skipFrom === 0 ? this.hash : null;
    return this.globalState === GLOBAL_COLLECTING ? this : hash;
  }

  /** Whitespace the hash is holding back, waiting for what follows. */
  get held(): number {
    return this.hash?.held ?? 0;
  }

  // As a TextSink, while a global's name is being collected.

  blank(ws: string): void {
    if (this.skipFrom === 0) this.hash?.blank(ws);
    this.collect(ws);
  }

  content(): void {
    if (this.skipFrom === 0) this.hash?.content();
  }

  bytes(b: Uint8Array, start: number, end: number): void {
    if (this.skipFrom === 0) this.hash?.bytes(b, start, end);
    if (this.globalLength < MAX_GLOBAL_BYTES) {
      const piece = Buffer.from(b.subarray(start, Math.min(end, start + MAX_GLOBAL_BYTES - this.globalLength)));
      this.globalBytes.push(piece);
      this.globalLength += piece.length;
    }
  }

  text(s: string): void {
    if (this.skipFrom === 0) this.hash?.text(s);
    this.collect(s);
  }

  private collect(s: string): void {
    if (this.globalLength >= MAX_GLOBAL_BYTES) return;
    const piece = Buffer.from(s.slice(0, MAX_GLOBAL_BYTES - this.globalLength));
    this.globalBytes.push(piece);
    this.globalLength += piece.length;
  }

  /** The manifest entry, or null for an element that is not listed; the end tag's name is in `b` from `nameStart` to `nameEnd`. */
  close(b: Uint8Array, nameStart: number, nameEnd: number, endByte: number): CacheElement | null {
    if (!this.hash) return null;
    this.hash.close(b, nameStart, nameEnd);
    const element: CacheElement = {
      type: this.type,
      name: this.name ?? Buffer.concat(this.globalBytes).toString('utf8').slice(0, MAX_GLOBAL_NAME),
      sha256: this.hash.digest(),
      bytes: endByte - this.startByte,
    };
    if (this.items) element.items = this.items;
    return element;
  }
}
