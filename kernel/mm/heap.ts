// The kernel heap's collection policy. The kernel runs AssemblyScript's
// minimal runtime: TLSF allocation and a two-colour mark & sweep that does
// not scan the stack, so it may only run when no managed reference lives in
// a local. Owns: the one place that collects (the idle loop, between events)
// and the heap figures in `stats`. Never: collects from inside an event or a
// command; a loop that runs long without returning to idle must not allocate
// per iteration (see `stream`).

import { rdtsc } from "../hw";
import { arenaBlocks, arenaChunks, closeBootArena } from "./arena";

let collections: u64 = 0;
let lastCollectTicks: u64 = 0;

/** Collects garbage; called only by the idle loop, with nothing on the stack. */
export function collectAtIdle(): void {
  const start = rdtsc();
  closeBootArena(); // boot's allocations were carved (arena.ts); the rest reuse what this frees
  __collect();
  lastCollectTicks = rdtsc() - start;
  collections++;
}

/** Linear-memory pages (64 KiB) the kernel has grown to: its heap high-water mark. */
export function heapPages(): i32 {
  return memory.size();
}

export function heapStats(): string {
  return "heap_pages=" + heapPages().toString() + " gc=" + collections.toString() +
    " gc_tsc=" + lastCollectTicks.toString() + " arena_blocks=" + arenaBlocks.toString() +
    " arena_chunks=" + arenaChunks.toString();
}
