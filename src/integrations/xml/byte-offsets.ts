import { Buffer } from 'node:buffer';

/**
 * Maps saxes positions (UTF-16 indexes into the whole text written so far) to
 * UTF-8 byte offsets, so each element's size can be reported without keeping
 * any text. Only the chunk being written is looked at, once, front to back.
 */
export class ByteOffsets {
  private chunk = '';
  private chunkStart = 0;
  /** UTF-8 bytes beyond one per UTF-16 code unit, before the current chunk. */
  private chunkExtra = 0;
  private cursor = 0;
  private cursorExtra = 0;

  /** Characters written before the current chunk (all of them once `end` has been called). */
  get written(): number {
    return this.chunkStart;
  }

  begin(chunk: string): void {
    this.chunk = chunk;
    this.cursor = 0;
    this.cursorExtra = 0;
  }

  end(): void {
    this.at(this.chunkStart + this.chunk.length);
    this.chunkExtra += this.cursorExtra;
    this.chunkStart += this.chunk.length;
    this.chunk = '';
    this.cursor = 0;
    this.cursorExtra = 0;
  }

  /** Byte offset of a position inside the current chunk; positions are expected to move forward only. */
  at(position: number): number {
    const rel = Math.min(Math.max(position - this.chunkStart, 0), this.chunk.length);
    if (rel < this.cursor) {
      this.cursor = 0;
      this.cursorExtra = 0;
    }
    if (rel > this.cursor) {
      const piece = this.chunk.slice(this.cursor, rel);
      this.cursorExtra += Buffer.byteLength(piece, 'utf8') - piece.length;
      this.cursor = rel;
    }
    return position + this.chunkExtra + this.cursorExtra;
  }
}
