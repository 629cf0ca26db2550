// The boot arena: while the kernel boots, small blocks are carved in order
// from 8 KiB chunks instead of each being searched for, unlinked, split and
// relinked by AssemblyScript's TLSF allocator (about 290 instructions a
// block, most of the boot's cost: the namespace alone is thousands of
// objects). The kernel's build routes the runtime's `__alloc` here
// (asconfig.json: "use": ["__alloc=kernelAlloc"]).
//
// Every carved block is an ordinary TLSF block — a size word with TLSF's tag
// bits, laid out exactly as TLSF's own splitting lays them out — so the
// collector frees it with `__free` and TLSF merges it with its neighbours as
// it would any block. The chunk's unused rest is itself a used TLSF block
// that the arena owns; it goes back to TLSF (`__free`) when a request no
// longer fits and when the arena closes.
//
// The arena closes at the first collection (mm/heap.ts): after boot, small
// blocks come from TLSF again, which reuses the holes that boot's garbage
// leaves. Carving for the kernel's whole life would strand those holes
// (a carved request never searches the free lists), and a heap that only
// grows is worse than a slow allocator.
//
// Owns: the chunk being carved. May call: TLSF (~lib/rt/tlsf) for chunks
// and every request it does not carve. Never: frees or moves a block it
// handed out; carves after it has closed.

import { __alloc as tlsfAlloc, __free as tlsfFree } from "~lib/rt/tlsf";
import { AL_MASK, BLOCK_OVERHEAD } from "~lib/rt/common";

// TLSF's block-size tags (rt/tlsf.ts, not exported): the size word's low bits.
// @ts-ignore: decorator
@inline const LEFTFREE: usize = 1 << 1;
// @ts-ignore: decorator
@inline const TAGS_MASK: usize = 3;
/** TLSF's smallest block: room for a free block's prev, next and back pointers. */
// @ts-ignore: decorator
@inline const BLOCK_MINSIZE: usize = ((3 * sizeof<usize>() + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;

/** Requests up to this many bytes are carved; larger ones go to TLSF. */
const CARVE_MAX: usize = 512;
/** A chunk's payload: one TLSF allocation serves about a hundred objects. */
const CHUNK_BYTES: usize = 8192 - BLOCK_OVERHEAD;

let open = true;
/** The chunk's rest: the address of a used TLSF block the arena owns, or 0. */
let rest: usize = 0;
/** Blocks carved, and chunks taken from TLSF (stats `arena_blocks`, `arena_chunks`). */
export let arenaBlocks: u64 = 0;
export let arenaChunks: u64 = 0;

/** TLSF's payload size for a request of `size` bytes (rt/tlsf.ts computeSize). */
// @ts-ignore: decorator
@inline function blockPayload(size: usize): usize {
  return size <= BLOCK_MINSIZE ? BLOCK_MINSIZE : ((size + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

/**
 * Splits `payload` bytes off the front of the rest block, as TLSF's own
 * split does: the carved block keeps the rest's LEFTFREE tag (its left
 * neighbour's state), and the new rest, a used block, has a used left
 * neighbour. 0 when the rest cannot give that and still be a valid block.
 */
// @ts-ignore: decorator
@inline function carve(payload: usize): usize {
  const block = rest;
  const info = load<usize>(block);
  const size = info & ~TAGS_MASK;
  if (size < payload + BLOCK_OVERHEAD + BLOCK_MINSIZE) return 0;
  store<usize>(block, payload | (info & LEFTFREE));
  const next = block + BLOCK_OVERHEAD + payload;
  store<usize>(next, size - payload - BLOCK_OVERHEAD);
  rest = next;
  arenaBlocks++;
  return block + BLOCK_OVERHEAD;
}

/** Returns the rest to TLSF, which merges it with a free left neighbour. */
function releaseRest(): void {
  const block = rest;
  if (block == 0) return;
  rest = 0;
  tlsfFree(block + BLOCK_OVERHEAD);
}

// @ts-ignore: decorator
@global @unsafe
export function kernelAlloc(size: usize): usize {
  if (!open || size > CARVE_MAX) return tlsfAlloc(size);
  const payload = blockPayload(size);
  if (rest != 0) {
    const carved = carve(payload);
    if (carved != 0) return carved;
    releaseRest();
  }
  rest = tlsfAlloc(CHUNK_BYTES) - BLOCK_OVERHEAD;
  arenaChunks++;
  return carve(payload);
}

/** Closes the arena for good: from now on every request goes to TLSF. */
export function closeBootArena(): void {
  if (!open) return;
  open = false;
  releaseRest();
}
