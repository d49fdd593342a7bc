import { Buffer, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { CacheExportError } from './cache-export-error.js';
import { DISALLOWED_CHARACTER } from './parser-errors.js';

/** Enough to hold a BOM and any XML declaration Studio writes, without waiting for a big first chunk. */
const SNIFF_BYTES = 1024;
const GT = 0x3e;
const LONE_SURROGATE = /\p{Cs}/u;

const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (perhaps a web package)' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'an empty ZIP archive' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
];

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Picks the character set from the first bytes: a BOM wins, then the XML
 * declaration's `encoding`, then UTF-8 (what Studio and IRIS write by default).
 * A file exported with a legacy 8-bit charset still reads correctly instead of
 * failing as "not UTF-8". Null means UTF-8, which is read as it is.
 */
function chooseDecoder(head: Buffer): TextDecoder | null {
  for (const m of MAGIC) {
    if (startsWith(head, m.bytes)) {
      throw new CacheExportError('not-xml', `The file is ${m.what}, not a Caché/IRIS XML export`);
    }
  }
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return null;
  if (startsWith(head, [0xff, 0xfe])) return new TextDecoder('utf-16le', { fatal: true });
  if (startsWith(head, [0xfe, 0xff])) return new TextDecoder('utf-16be', { fatal: true });
  const declared = /^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/.exec(head.toString('latin1'))?.[2];
  if (declared === undefined) return null;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared, { fatal: true });
  } catch (err) {
    throw new CacheExportError(
      'not-xml',
      `The release file declares the character set ${JSON.stringify(declared)}, which cannot be read; export it again as UTF-8`,
      undefined,
      { cause: err },
    );
  }
  // The declaration was readable as ASCII, so the bytes cannot really be UTF-16 whatever the label says.
  return decoder.encoding === 'utf-8' || decoder.encoding.startsWith('utf-16') ? null : decoder;
}

/** Bytes in the UTF-8 sequence that `lead` starts; 1 for a byte that cannot start one (validation then refuses it). */
function sequenceLength(lead: number): number {
  if (lead < 0xc2) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return lead < 0xf5 ? 4 : 1;
}

/** Where the bytes from `from` stop being whole characters: the start of a sequence cut off by the end, or the end. */
function wholeCharacters(b: Buffer, from: number): number {
  let i = b.length - 1;
  while (i >= from && i > b.length - 4 && ((b[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < from) return b.length;
  return i + sequenceLength(b[i] ?? 0) > b.length ? i : b.length;
}

/**
 * Turns a stream of byte or string chunks into UTF-8 bytes, chunk by chunk.
 * UTF-8 input (nearly every export) is only validated, natively, and passed
 * on as it is; other character sets are decoded and re-encoded. Invalid
 * bytes (binary files) become a CacheExportError instead of U+FFFD, so
 * garbage cannot pass as text. A leading BOM is dropped.
 */
export class ChunkDecoder {
  /** The first bytes, until the character set is known. */
  private head: Buffer[] = [];
  private headLength = 0;
  private sniffed = false;
  private decoder: TextDecoder | null = null;
  /** UTF-8 input: the start of a character cut off at the end of the last chunk. */
  private readonly partial = Buffer.alloc(4);
  private partialLength = 0;
  /** String input: a high surrogate whose low half is in the next chunk. */
  private highSurrogate = '';
  /** False until the first bytes have been emitted: only there may a BOM be dropped. */
  private emitted = false;
  private bytesBefore = 0;

  constructor(private readonly emit: (bytes: Buffer) => void) {}

  push(chunk: Uint8Array | string): void {
    if (typeof chunk === 'string') {
      this.flushBytes();
      this.pushString(chunk);
      return;
    }
    this.flushString();
    if (!this.sniffed && !this.emitted) {
      this.head.push(bufferOf(chunk));
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES && !chunk.includes(GT)) return;
      this.decodeHead(false);
      return;
    }
    this.sniffed = true;
    this.pushBytes(bufferOf(chunk), false);
  }

  /** Call once the source is exhausted: a character cut off at the very end is an error. */
  end(): void {
    this.flushBytes();
    this.flushString();
  }

  private flushBytes(): void {
    if (this.headLength > 0) this.decodeHead(true);
    else if (this.sniffed) this.pushBytes(Buffer.alloc(0), true);
    this.sniffed = false;
    this.decoder = null;
  }

  /** A high surrogate with no low one after it is a character XML does not allow. */
  private flushString(): void {
    if (this.highSurrogate !== '') throw new CacheExportError('not-xml', DISALLOWED_CHARACTER);
  }

  private decodeHead(final: boolean): void {
    const head = Buffer.concat(this.head, this.headLength);
    this.head = [];
    this.headLength = 0;
    this.decoder = chooseDecoder(head);
    this.sniffed = true;
    this.pushBytes(head, final);
  }

  private pushBytes(bytes: Buffer, final: boolean): void {
    if (this.decoder) {
      const text = this.decode(this.decoder, bytes, !final, final && bytes.length === 0);
      this.bytesBefore += bytes.length;
      if (text.length > 0) this.out(Buffer.from(text, 'utf8'));
      return;
    }
    this.validated(bytes, final);
    this.bytesBefore += bytes.length;
  }

  /**
   * Passes on `bytes` once checked to continue the UTF-8 text so far. A character cut by the chunk's end is
   * held back and passed on with the rest of it, so only whole, valid characters go on.
   */
  private validated(bytes: Buffer, final: boolean): void {
    let from = 0;
    if (this.partialLength > 0) {
      const want = sequenceLength(this.partial[0] ?? 0);
      from = Math.min(want - this.partialLength, bytes.length);
      bytes.copy(this.partial, this.partialLength, 0, from);
      this.partialLength += from;
      if (this.partialLength === want) {
        const character = Buffer.from(this.partial.subarray(0, want));
        this.partialLength = 0;
        if (!isUtf8(character)) this.invalid(this.bytesBefore - (want - from));
        this.out(character);
      }
    }
    if (this.partialLength === 0) {
      const whole = wholeCharacters(bytes, from);
      const part = bytes.subarray(from, whole);
      if (!isUtf8(part)) this.invalid(this.bytesBefore + from);
      bytes.copy(this.partial, 0, whole);
      this.partialLength = bytes.length - whole;
      if (part.length > 0) this.out(part);
    }
    if (final && this.partialLength > 0) {
      this.partialLength = 0;
      throw new CacheExportError('not-xml', 'The file ends in the middle of a character: it was probably cut off');
    }
  }

  private invalid(at: number): never {
    throw new CacheExportError(
      'not-xml',
      `The file is not readable as UTF-8 text (invalid bytes at or after byte ${at}); ` +
        'it looks like a binary file rather than a Caché/IRIS XML export',
    );
  }

  private pushString(chunk: string): void {
    let text = this.highSurrogate + chunk;
    this.highSurrogate = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.highSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (text.length === 0) return;
    if (LONE_SURROGATE.test(text)) throw new CacheExportError('not-xml', DISALLOWED_CHARACTER);
    this.out(Buffer.from(text, 'utf8'));
  }

  private decode(decoder: TextDecoder, bytes: Uint8Array, stream: boolean, atEnd: boolean): string {
    try {
      return decoder.decode(bytes, { stream });
    } catch (err) {
      if (atEnd) {
        throw new CacheExportError('not-xml', 'The file ends in the middle of a character: it was probably cut off', undefined, {
          cause: err,
        });
      }
      throw new CacheExportError(
        'not-xml',
        `The file is not readable as ${decoder.encoding.toUpperCase()} text (invalid bytes at or after byte ${this.bytesBefore}); ` +
          'it looks like a binary file rather than a Caché/IRIS XML export',
        undefined,
        { cause: err },
      );
    }
  }

  private out(bytes: Buffer): void {
    if (!this.emitted) {
      this.emitted = true;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      if (bytes.length === 0) return;
    }
    this.emit(bytes);
  }
}
