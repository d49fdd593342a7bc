import { Buffer } from 'node:buffer';
import type { TextPosition } from './cache-export-error.js';
import { countLines, inspect } from './byte-scan.js';
import { LF } from './xml-bytes.js';

const EMPTY = Buffer.alloc(0);

/** Characters in UTF-8 bytes: every byte that does not continue a multibyte character starts one. */
function characters(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (((b[i] ?? 0) & 0xc0) !== 0x80) n++;
  return n;
}

type Chunk = { bytes: Buffer; start: number; lines: number; column: number };

/**
 * Line and column of a byte offset, for error messages, without keeping the
 * text: each chunk's line breaks are counted once, natively (see inspect), and only
 * the current chunk and the one before it can be looked into (a problem is
 * always found at most one chunk after the markup it is in began).
 */
export class TextPositions {
  private current: Chunk = { bytes: EMPTY, start: 0, lines: 0, column: 0 };
  private previous: Chunk | null = null;

  /** Line breaks in the current chunk, counted by `begin`. */
  private breaks = 0;

  /**
   * `bytes` follows everything seen so far. Returns the offset in it of the first control character XML does
   * not allow anywhere, or -1: the same pass over the bytes finds both.
   */
  begin(bytes: Buffer): number {
    this.current.bytes = bytes;
    const facts = inspect(bytes);
    this.breaks = facts.lines;
    return facts.control;
  }

  /** The chunk given to `begin` has been read. */
  end(): void {
    const { bytes, start, lines, column } = this.current;
    const breaks = this.breaks;
    const last = breaks === 0 ? -1 : bytes.lastIndexOf(LF);
    const next: Chunk = {
      bytes: EMPTY,
      start: start + bytes.length,
      lines: lines + breaks,
      column: last === -1 ? column + characters(bytes, 0, bytes.length) : characters(bytes, last + 1, bytes.length),
    };
    this.previous = this.current;
    this.current = next;
  }

  /** One-based line and column of the character at byte `offset` (counted from the first chunk). */
  at(offset: number): TextPosition {
    let chunk = this.current;
    if (offset < chunk.start && this.previous) chunk = this.previous;
    const { bytes, start } = chunk;
    const rel = Math.min(Math.max(offset - start, 0), bytes.length);
    const breaks = countLines(bytes, 0, rel);
    const last = rel === 0 ? -1 : bytes.lastIndexOf(LF, rel - 1);
    const column = last === -1 ? chunk.column + characters(bytes, 0, rel) : characters(bytes, last + 1, rel);
    return { line: chunk.lines + breaks + 1, column: column + 1 };
  }
}
