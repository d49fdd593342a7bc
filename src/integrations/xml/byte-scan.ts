import type { Buffer } from 'node:buffer';
import { CR, LF, TAB } from './xml-bytes.js';

/** What the reader needs to know about every byte of a chunk besides its hash. */
export type ChunkFacts = {
  /** LF bytes in the chunk. */
  lines: number;
  /** Offset of the first byte that is a C0 control character XML does not allow anywhere (all but tab, LF, CR), or -1. */
  control: number;
};

/** Bytes copied into the WebAssembly memory at a time: its one page. */
const WINDOW = 64 * 1024;

/*
 * One WebAssembly function, inspect(len), over the first `len` bytes of its
 * memory: it counts the LF bytes, and returns that count unless it finds a
 * byte below 0x20 other than tab, LF and CR, in which case it returns
 * -1 - (that byte's offset). It works 16 bytes at a time with SIMD: e = (v ==
 * LF) gives the line breaks by the bits of its lane mask; (v < 0x20) and not
 * (v == tab or e or v == CR) the forbidden bytes, the first by the trailing
 * zeros of its mask; then byte by byte for the rest.
 *
 * These are the only things the reader has to do with every byte of a file
 * besides validating and hashing it, and done here they cost a fraction of
 * finding each LF with `Buffer.indexOf`, or of looking at each byte in
 * JavaScript.
 */
const INSPECT_BODY = [
  // Locals after the parameter len (0): i (1), n (2), m (3), i32; below (4), tab (5), lf (6), cr (7), v (8), e (9), v128.
  ...[0x02, 0x03, 0x7f, 0x06, 0x7b],
  // below = splat(0x20), tab = splat(9), lf = splat(10), cr = splat(13)
  ...[0x41, 0x20, 0xfd, 0x0f, 0x21, 0x04, 0x41, 0x09, 0xfd, 0x0f, 0x21, 0x05],
  ...[0x41, 0x0a, 0xfd, 0x0f, 0x21, 0x06, 0x41, 0x0d, 0xfd, 0x0f, 0x21, 0x07],
  // block, loop: leave when i + 16 > len
  ...[0x02, 0x40, 0x03, 0x40, 0x20, 0x01, 0x41, 0x10, 0x6a, 0x20, 0x00, 0x4b, 0x0d, 0x01],
  // v = v128.load(i); e = i8x16.eq(v, lf); n += i32.popcnt(i8x16.bitmask(e))
  ...[0x20, 0x01, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x08, 0x20, 0x08, 0x20, 0x06, 0xfd, 0x23, 0x22, 0x09],
  ...[0xfd, 0x64, 0x69, 0x20, 0x02, 0x6a, 0x21, 0x02],
  // m = i8x16.bitmask(v128.andnot(i8x16.lt_u(v, below), (v == tab) or e or (v == cr)))
  ...[0x20, 0x08, 0x20, 0x04, 0xfd, 0x26],
  ...[0x20, 0x08, 0x20, 0x05, 0xfd, 0x23, 0x20, 0x09, 0xfd, 0x50, 0x20, 0x08, 0x20, 0x07, 0xfd, 0x23, 0xfd, 0x50],
  ...[0xfd, 0x4f, 0xfd, 0x64, 0x22, 0x03],
  // if m: return 0 - (i + i32.ctz(m)) - 1
  ...[0x04, 0x40, 0x41, 0x00, 0x20, 0x01, 0x20, 0x03, 0x68, 0x6a, 0x6b, 0x41, 0x01, 0x6b, 0x0f, 0x0b],
  // i += 16, loop again; end loop, end block
  ...[0x20, 0x01, 0x41, 0x10, 0x6a, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b],
  // block, loop: leave when i >= len
  ...[0x02, 0x40, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01],
  // m = i32.load8_u(i); n += m == 10
  ...[0x20, 0x01, 0x2d, 0x00, 0x00, 0x22, 0x03, 0x41, 0x0a, 0x46, 0x20, 0x02, 0x6a, 0x21, 0x02],
  // if m < 0x20 and m != 9 and m != 10 and m != 13: return 0 - i - 1
  ...[0x20, 0x03, 0x41, 0x20, 0x49, 0x20, 0x03, 0x41, 0x09, 0x47, 0x71],
  ...[0x20, 0x03, 0x41, 0x0a, 0x47, 0x71, 0x20, 0x03, 0x41, 0x0d, 0x47, 0x71],
  ...[0x04, 0x40, 0x41, 0x00, 0x20, 0x01, 0x6b, 0x41, 0x01, 0x6b, 0x0f, 0x0b],
  // i += 1, loop again; end loop, end block
  ...[0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b],
  // n
  ...[0x20, 0x02, 0x0b],
];

/** Unsigned LEB128, as WebAssembly writes sizes and counts. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const low = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? low : low | 0x80);
  } while (n !== 0);
  return out;
}

function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

function name(s: string): number[] {
  return [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
}

const MODULE = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  // Types: (i32) -> i32
  ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
  // Functions: one, of type 0
  ...section(3, [0x01, 0x00]),
  // Memory: one, of one page
  ...section(5, [0x01, 0x00, 0x01]),
  // Exports: the memory and the function
  ...section(7, [0x02, ...name('memory'), 0x02, 0x00, ...name('inspect'), 0x00, 0x00]),
  // Code
  ...section(10, [0x01, ...leb(INSPECT_BODY.length), ...INSPECT_BODY]),
]);

/**
 * Offset of the first U+FFFE or U+FFFF (EF BF BE, EF BF BF), the two
 * noncharacters XML does not allow, or -1. Their lead byte starts only rare
 * characters (U+F000 to U+FFFF), so it is looked for natively and the next
 * two bytes checked. The bytes are whole UTF-8 characters: none is cut off.
 */
export function firstNoncharacter(b: Buffer): number {
  for (let i = b.indexOf(0xef); i !== -1; i = b.indexOf(0xef, i + 1)) {
    if (b[i + 1] === 0xbf && ((b[i + 2] ?? 0) & 0xfe) === 0xbe) return i;
  }
  return -1;
}

/** Number of LF bytes in `b` from `start` to `end`, found one by one. */
export function countLines(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = b.indexOf(LF, start); i !== -1 && i < end; i = b.indexOf(LF, i + 1)) n++;
  return n;
}

/** The same facts in plain JavaScript, where WebAssembly SIMD is not available. */
function inspectInJs(b: Uint8Array): ChunkFacts {
  let control = -1;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] ?? 0;
    if (c < 0x20 && c !== TAB && c !== LF && c !== CR) {
      control = i;
      break;
    }
  }
  return { lines: countLines(b, 0, b.length), control };
}

/** The little of the WebAssembly API used here (Node's type definitions leave it out without the DOM library). */
type WebAssemblyApi = {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

function inspectInWasm(): ((b: Uint8Array) => ChunkFacts) | null {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  try {
    if (!wasm?.validate(MODULE)) return null;
    const { exports } = new wasm.Instance(new wasm.Module(MODULE));
    const memory = exports['memory'] as { buffer: ArrayBuffer };
    const inspectWindow = exports['inspect'] as (length: number) => number;
    const window = new Uint8Array(memory.buffer, 0, WINDOW);
    return (b) => {
      let lines = 0;
      for (let from = 0; from < b.length; from += WINDOW) {
        const to = Math.min(b.length, from + WINDOW);
        window.set(b.length <= WINDOW ? b : b.subarray(from, to));
        const found = inspectWindow(to - from);
        // Past a control character the count no longer matters: the file is refused there.
        if (found < 0) return { lines, control: from - 1 - found };
        lines += found;
      }
      return { lines, control: -1 };
    };
  } catch {
    return null;
  }
}

/** Line breaks and forbidden control characters in a chunk, natively when possible. */
export const inspect: (b: Uint8Array) => ChunkFacts = inspectInWasm() ?? inspectInJs;
