import type { SaxesTagPlain } from 'saxes';
import type { CacheElement, CacheElementType, CacheProjectItem } from './cache-export-types.js';
import { CanonicalHash } from './canonical-hash.js';
import { UNLISTED, VOLATILE_ATTRIBUTES, VOLATILE_CHILDREN, detach, identify } from './element-identity.js';

/** A global's name is a few dozen characters; a hostile `<Sub>` must not grow without bound. */
const MAX_GLOBAL_NAME = 1024;

/**
 * One child of `<Export>` while it is being read: its identity, its running
 * hash, and the little context the naming rules need. Depths count from
 * `<Export>` = 1, so the element itself is at depth 2.
 */
export class TopLevelElement {
  private readonly tag: string;
  private readonly type: CacheElementType;
  private readonly name: string | null;
  /** Null for elements that are read but not listed. */
  private readonly hash: CanonicalHash | null;
  /** Tag names from the element's children down to the current one; bounded by maxDepth. */
  private readonly path: string[] = [];
  /** Depth at which a volatile child began; nothing is hashed until it closes. */
  private skipFrom: number | null = null;
  private readonly items: CacheProjectItem[] | undefined;
  /** A global's first subscript: pending until the first `<Node><Sub>` opens, then collected until it closes. */
  private globalSub: { state: 'pending' | 'collecting' | 'done'; text: string };

  constructor(
    start: SaxesTagPlain,
    private readonly startByte: number,
  ) {
    const { type, name } = identify(start.name, start.attributes);
    this.tag = start.name;
    this.type = type;
    this.name = name === null ? null : detach(name);
    this.hash = UNLISTED.has(start.name) ? null : new CanonicalHash();
    this.hash?.open(start.name, start.attributes, VOLATILE_ATTRIBUTES[start.name]);
    this.items = type === 'project' ? [] : undefined;
    this.globalSub = { state: type === 'global' ? 'pending' : 'done', text: '' };
  }

  /** Returns true when the child is a project item, so the reader can count them against its limit. */
  openChild(tag: SaxesTagPlain, depth: number): boolean {
    this.path.push(tag.name);
    if (this.skipFrom === null && depth === 3 && VOLATILE_CHILDREN[this.tag]?.has(tag.name)) {
      this.skipFrom = depth;
      this.hash?.skipOpen();
    }
    if (this.skipFrom === null) this.hash?.open(tag.name, tag.attributes);
    if (this.globalSub.state === 'pending' && depth === 4 && tag.name === 'Sub' && this.path[0] === 'Node') {
      this.globalSub.state = 'collecting';
    }
    if (this.items && depth === 4 && tag.name === 'ProjectItem' && this.path[0] === 'Items') {
      this.items.push({ name: detach(tag.attributes['name'] ?? ''), type: detach(tag.attributes['type'] ?? '') });
      return true;
    }
    return false;
  }

  closeChild(tag: SaxesTagPlain, depth: number): void {
    if (this.skipFrom === depth) {
      this.skipFrom = null;
      this.hash?.skipClose();
    } else if (this.skipFrom === null) {
      this.hash?.close(tag.name);
    }
    if (this.globalSub.state === 'collecting' && depth === 4) this.globalSub.state = 'done';
    this.path.pop();
  }

  text(text: string, cdata: boolean): void {
    if (this.skipFrom === null) this.hash?.text(text, cdata);
    if (this.globalSub.state === 'collecting' && this.globalSub.text.length < MAX_GLOBAL_NAME) {
      this.globalSub.text = (this.globalSub.text + text).slice(0, MAX_GLOBAL_NAME);
    }
  }

  /** The manifest entry, or null for an element that is not listed. */
  close(endByte: number): CacheElement | null {
    if (!this.hash) return null;
    this.hash.close(this.tag);
    const element: CacheElement = {
      type: this.type,
      name: this.name ?? detach(this.globalSub.text),
      sha256: this.hash.digest(),
      bytes: endByte - this.startByte,
    };
    if (this.items) element.items = this.items;
    return element;
  }
}
