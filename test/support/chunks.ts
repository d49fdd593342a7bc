/** Feeding a streaming reader its input in pieces, cut wherever a test says. */

export async function* chunks(parts: readonly (Uint8Array | string)[]): AsyncGenerator<Uint8Array | string> {
  for (const p of parts) yield p;
}

/** Cuts bytes at the given offsets (sorted, deduplicated, within range). */
export function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

/** Cuts text at the given UTF-16 offsets, which may fall between the halves of a surrogate pair. */
export function splitText(text: string, cuts: number[]): string[] {
  let from = 0;
  return split(new Uint8Array(text.length), cuts).map((piece) => text.slice(from, (from += piece.length)));
}
