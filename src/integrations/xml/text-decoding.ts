import { TextDecoder } from 'node:util';
import { CacheExportError } from './cache-export-error.js';

/** Enough to hold a BOM and any XML declaration Studio writes, without waiting for a big first chunk. */
const SNIFF_BYTES = 1024;
const GT = 0x3e;

const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (perhaps a web package)' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'an empty ZIP archive' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
];

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Picks the character set from the first bytes: a BOM wins, then the XML
 * declaration's `encoding`, then UTF-8 (what Studio and IRIS write by default).
 * A file exported with a legacy 8-bit charset still reads correctly instead of
 * failing as "not UTF-8".
 */
function chooseDecoder(head: Uint8Array): TextDecoder {
  for (const m of MAGIC) {
    if (startsWith(head, m.bytes)) {
      throw new CacheExportError('not-xml', `The file is ${m.what}, not a Caché/IRIS XML export`);
    }
  }
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return new TextDecoder('utf-8', { fatal: true });
  if (startsWith(head, [0xff, 0xfe])) return new TextDecoder('utf-16le', { fatal: true });
  if (startsWith(head, [0xfe, 0xff])) return new TextDecoder('utf-16be', { fatal: true });
  const prolog = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  const declared = /^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/.exec(prolog)?.[2];
  if (declared === undefined) return new TextDecoder('utf-8', { fatal: true });
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
  return decoder.encoding.startsWith('utf-16') ? new TextDecoder('utf-8', { fatal: true }) : decoder;
}

/**
 * Turns a stream of byte or string chunks into text, chunk by chunk. Multibyte
 * characters split across chunks are joined by the streaming decoder; invalid
 * bytes (binary files) become a CacheExportError instead of U+FFFD, so garbage
 * cannot pass as text. A leading BOM is dropped.
 */
export class ChunkDecoder {
  private decoder: TextDecoder | null = null;
  private head: Uint8Array[] = [];
  private headLength = 0;
  /** False until the first character has been emitted: only there may a BOM be dropped. */
  private emitted = false;
  private bytesBefore = 0;

  push(chunk: Uint8Array | string): string[] {
    if (typeof chunk === 'string') return [...this.flush(), this.emit(chunk)];
    if (this.decoder === null && !this.emitted) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES && !chunk.includes(GT)) return [];
      return [this.emit(this.decodeHead(false))];
    }
    this.decoder ??= new TextDecoder('utf-8', { fatal: true });
    const text = this.decode(this.decoder, chunk, true);
    this.bytesBefore += chunk.length;
    return [this.emit(text)];
  }

  /** Call once the source is exhausted: a character cut off at the very end is an error. */
  end(): string[] {
    return this.flush();
  }

  private flush(): string[] {
    if (this.headLength > 0) return [this.emit(this.decodeHead(true))];
    if (this.decoder === null) return [];
    const text = this.decode(this.decoder, new Uint8Array(0), false, true);
    this.decoder = null;
    return [this.emit(text)];
  }

  private decodeHead(final: boolean): string {
    const head = concat(this.head, this.headLength);
    this.head = [];
    this.headLength = 0;
    const decoder = chooseDecoder(head);
    const text = this.decode(decoder, head, !final);
    this.bytesBefore += head.length;
    this.decoder = final ? null : decoder;
    return text;
  }

  private decode(decoder: TextDecoder, bytes: Uint8Array, stream: boolean, atEnd = false): string {
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

  private emit(text: string): string {
    if (this.emitted || text.length === 0) return text;
    this.emitted = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}
