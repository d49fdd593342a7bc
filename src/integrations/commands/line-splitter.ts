import { CUT_MARKER, MAX_LINE_BYTES } from './command-types.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Turns a byte stream into lines as the bytes arrive: a line is complete at
 * `\n` (a `\r` before it is dropped), a partial line waits for the rest, and a
 * line longer than `MAX_LINE_BYTES` is passed on at once, cut at a character
 * boundary with `CUT_MARKER`, the rest of it dropped — so a command printing
 * without line breaks never makes relman hold more than 8 KiB of it.
 */
export class LineSplitter {
  #parts: Buffer[] = [];
  #length = 0;
  /** The current line was already passed on cut; drop bytes until its end. */
  #dropping = false;

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      this.#append(chunk.subarray(start, lf === -1 ? chunk.length : lf));
      if (lf === -1) return;
      this.#finish();
      start = lf + 1;
    }
  }

  /** The stream ended: a last line without `\n` is still a line. */
  end(): void {
    if (this.#length > 0) this.#finish();
    this.#dropping = false;
  }

  #append(piece: Buffer): void {
    if (this.#dropping || piece.length === 0) return;
    this.#parts.push(piece);
    this.#length += piece.length;
    // One byte more than the limit may still be the `\r` of a `\r\n`.
    if (this.#length > MAX_LINE_BYTES + 1) {
      this.#cut(Buffer.concat(this.#parts, this.#length));
      this.#dropping = true;
    }
  }

  #finish(): void {
    if (this.#dropping) {
      this.#dropping = false;
      return;
    }
    let line = Buffer.concat(this.#parts, this.#length);
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > MAX_LINE_BYTES) this.#cut(line);
    else {
      this.#reset();
      this.emit(line.toString('utf8'));
    }
  }

  #cut(line: Buffer): void {
    let end = MAX_LINE_BYTES;
    // Back up to the first byte of a UTF-8 character (continuation bytes are 10xxxxxx).
    while (end > 0 && ((line[end] ?? 0) & 0xc0) === 0x80) end--;
    this.#reset();
    this.emit(line.subarray(0, end).toString('utf8') + CUT_MARKER);
  }

  #reset(): void {
    this.#parts = [];
    this.#length = 0;
  }
}
