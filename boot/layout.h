/*
 * The loader's address-space layout, shared by entry.S (which builds the
 * page tables) and the C loader (which maps linear memory as it grows, and
 * reaches physical memory through the direct map). See entry.S's header.
 */
#ifndef CLONESAFE_LAYOUT_H
#define CLONESAFE_LAYOUT_H

#ifdef __ASSEMBLER__
#define LAYOUT_U64(x) x
#else
#define LAYOUT_U64(x) x##ull
#endif

/* Wasm linear memory: identity-mapped RAM above the image. The kernel learns
 * both through hw.linear_base()/linear_limit() so it keeps these frames out
 * of its allocator. */
#define LINEAR_MEMORY_BASE  LAYOUT_U64(0x01000000)   /* 16 MiB */
#define LINEAR_MEMORY_LIMIT LAYOUT_U64(0x02000000)   /* 32 MiB: at most 256 Wasm pages */
/* What a Wasm address can reach above LINEAR_MEMORY_BASE: a u32 address
 * plus a u32 offset. All of it outside the memory's current size is absent. */
#define LINEAR_GUARD_SPAN   LAYOUT_U64(0x200000000)  /* 8 GiB */

/* Physical memory 0 .. 4 GiB at DIRECT_MAP_BASE + phys (PML4 entry 256). */
#define DIRECT_MAP_PML4_INDEX 256
#define DIRECT_MAP_BASE     LAYOUT_U64(0xffff800000000000)
#define DIRECT_MAP_SIZE     LAYOUT_U64(0x100000000)

#endif
