/** One slab: a unit of a positional write. */
export const SLAB_BYTES = 1024 * 1024;
/** Slabs per set: the bytes one upload may have in flight to the disk. */
export const SLABS_PER_SET = 16;
/** Sets kept for reuse once their upload is done; more are left to the garbage collector. */
const KEPT_SETS = 2;

const WASM_PAGE = 64 * 1024;

/** The one WebAssembly constructor used here (Node's type definitions leave it out without the DOM library). */
type MemoryConstructor = new (descriptor: { initial: number; maximum: number; shared: true }) => { readonly buffer: SharedArrayBuffer };
const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: MemoryConstructor } }).WebAssembly;

/**
 * Page-aligned buffers for direct (O_DIRECT) writes, which need memory aligned
 * to the device's block size. Node's Buffers carry no alignment guarantee; a
 * WebAssembly memory is mapped by V8 at a page boundary, so every slab cut from
 * it at a multiple of 1 MiB is page-aligned. The memory is shared, so the
 * hashing thread reads the slabs without a copy.
 */
export class SlabSet {
  /** Shared, so that the hashing thread reads the slabs where they are. */
  readonly memory: SharedArrayBuffer;
  readonly slabs: Buffer[];

  constructor() {
    const pages = (SLAB_BYTES * SLABS_PER_SET) / WASM_PAGE;
    this.memory = new Memory({ initial: pages, maximum: pages, shared: true }).buffer;
    this.slabs = Array.from({ length: SLABS_PER_SET }, (_, i) => Buffer.from(this.memory, i * SLAB_BYTES, SLAB_BYTES));
  }
}

const kept: SlabSet[] = [];

/** A set of slabs for one upload, reused from an earlier upload when one is free. */
export function takeSlabSet(): SlabSet {
  return kept.pop() ?? new SlabSet();
}

/** Gives a set back once none of its slabs is in use any more. */
export function returnSlabSet(set: SlabSet): void {
  if (kept.length < KEPT_SETS) kept.push(set);
}
