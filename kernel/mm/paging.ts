// Page-table editing over the loader's 4-level tables (identity map of the
// low 4 GiB in 2 MiB pages), through the hw physical-access functions.
// Owns: mapping and unmapping 4 KiB pages, splitting a 2 MiB page into a
// page table when a 4 KiB change falls inside it, and the invlpg after each
// edit. May call: hw physRead/physWrite/readCr3/invlpg, the frame allocator.
// Never: touches the translation of anything but the page it is asked to.

import { invlpg, physRead, physWrite, readCr3 } from "../hw";
import { FrameAllocator } from "./frames";
import { PDE_PAT_2M, PTE_PAT_4K } from "./memtype";

export const PTE_PRESENT: u64 = 1;
export const PTE_WRITABLE: u64 = 2;
export const PTE_LARGE: u64 = 1 << 7;
export const ADDRESS_MASK: u64 = 0x000ffffffffff000;
const LARGE_PAGE: u64 = 0x200000;

export class Translation {
  constructor(
    public present: bool,
    public phys: u64,
    public entry: u64,
    /** 1: 4 KiB page, 2: 2 MiB page, 3: 1 GiB page. */
    public level: i32,
  ) {}
}

export class PageTables {
  error: string = "";

  constructor(public root: u64, public frames: FrameAllocator) {}

  static current(frames: FrameAllocator): PageTables {
    return new PageTables(readCr3() & ADDRESS_MASK, frames);
  }

  private static index(va: u64, level: i32): u64 {
    return (va >> (<u64>(12 + 9 * (level - 1)))) & 511;
  }

  translate(va: u64): Translation {
    let table = this.root;
    for (let level = 4; level >= 1; level--) {
      const entry = physRead(table + PageTables.index(va, level) * 8, 8);
      if ((entry & PTE_PRESENT) == 0) return new Translation(false, 0, entry, level);
      if (level == 1 || (level <= 3 && (entry & PTE_LARGE) != 0)) {
        const pageMask = (<u64>1 << (<u64>(12 + 9 * (level - 1)))) - 1;
        return new Translation(true, (entry & ADDRESS_MASK & ~pageMask) | (va & pageMask), entry, level);
      }
      table = entry & ADDRESS_MASK;
    }
    return new Translation(false, 0, 0, 0);
  }

  /** Replaces the 2 MiB page at PDE address `pdeAddress` with a page table mapping the same memory. */
  private split(pdeAddress: u64, pde: u64, va: u64): u64 {
    const table = this.frames.alloc();
    if (table == 0) { this.error = "out of frames for a page table"; return 0; }
    const base = pde & ADDRESS_MASK & ~(LARGE_PAGE - 1);
    // Keep the large page's attributes; its PAT bit moves from bit 12 to bit 7.
    let attributes = pde & 0xfff & ~PTE_LARGE;
    if ((pde & PDE_PAT_2M) != 0) attributes |= PTE_PAT_4K;
    for (let i: u64 = 0; i < 512; i++) physWrite(table + i * 8, 8, (base + i * 4096) | attributes);
    physWrite(pdeAddress, 8, table | PTE_PRESENT | PTE_WRITABLE);
    invlpg(va & ~(LARGE_PAGE - 1));
    return table;
  }

  /** The address of the 4 KiB PTE for `va`, splitting a 2 MiB page if needed; 0 on failure. */
  private pteAddress(va: u64): u64 {
    let table = this.root;
    for (let level = 4; level >= 2; level--) {
      const entryAddress = table + PageTables.index(va, level) * 8;
      const entry = physRead(entryAddress, 8);
      if ((entry & PTE_PRESENT) == 0) {
        const fresh = this.frames.alloc();
        if (fresh == 0) { this.error = "out of frames for a page table"; return 0; }
        physWrite(entryAddress, 8, fresh | PTE_PRESENT | PTE_WRITABLE);
        table = fresh;
      } else if ((entry & PTE_LARGE) != 0) {
        if (level == 3) { this.error = "1 GiB pages are not split by this kernel"; return 0; }
        table = this.split(entryAddress, entry, va);
        if (table == 0) return 0;
      } else {
        table = entry & ADDRESS_MASK;
      }
    }
    return table + PageTables.index(va, 1) * 8;
  }

  /** Maps the 4 KiB page at `va` to `phys` with `flags` (cache bits included). */
  map(va: u64, phys: u64, flags: u64): bool {
    const pte = this.pteAddress(va);
    if (pte == 0) return false;
    physWrite(pte, 8, (phys & ADDRESS_MASK) | flags | PTE_PRESENT);
    invlpg(va);
    return true;
  }

  /** Restores the identity mapping of `va` (how the loader mapped it). */
  restoreIdentity(va: u64): bool {
    return this.map(va, va, PTE_WRITABLE);
  }
}
