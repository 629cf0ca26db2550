// Device windows: physical pages mapped into a reserved region of Wasm
// linear memory with an explicit cache type, so kernel code reads device
// memory with ordinary (bounds-checked) loads.
// Owns: linear-memory bytes [WINDOW_BASE, WINDOW_LIMIT) — kept free of the
// AssemblyScript heap by asconfig's memoryBase — and the pages that must
// never be mapped uncached (the vmgenid GUID page, spec requirement R1e;
// the vmclock page).
// May call: paging, memtype, hw linearBase. Never: maps a window whose
// effective memory type differs from the one asked for — except through
// mapWriteBackPte, which asks for the page-table entry's type only (WB) and
// records, and reports, the effective type the MTRRs make of it.

import { linearBase } from "../hw";
import { PageTables, PTE_WRITABLE } from "./paging";
import { TYPE_UC, TYPE_WB, combine, mtrrType, patIndex, patType, pteBitsFor, typeName } from "./memtype";

export const WINDOW_BASE: usize = 0x10000;
export const WINDOW_LIMIT: usize = 0x20000;
const PAGE: u64 = 4096;

export class DeviceWindow {
  constructor(
    /** Linear-memory address of the mapped byte `phys`. */
    public linear: usize,
    public phys: u64,
    /** The effective memory type (PTE × PAT × MTRR). */
    public type: u8,
    public purpose: string,
    /** The type the page-table entry selects through the PAT (the same as `type` except for mapWriteBackPte). */
    public pteType: u8 = type,
  ) {}
}

export class WindowManager {
  readonly windows: Array<DeviceWindow> = new Array<DeviceWindow>();
  readonly mustStayCacheable: Array<u64> = new Array<u64>();
  error: string = "";

  constructor(public pages: PageTables) {}

  /** Marks a physical page as one that may only ever be mapped write-back. */
  requireCacheable(phys: u64): void {
    this.mustStayCacheable.push(phys & ~(PAGE - 1));
  }

  private slotFree(linear: usize): bool {
    for (let i = 0; i < this.windows.length; i++) {
      if ((this.windows[i].linear & ~(<usize>PAGE - 1)) == linear) return false;
    }
    return true;
  }

  /**
   * Maps the page holding `phys` with cache type `type` (TYPE_WB or TYPE_UC)
   * and returns the linear address of `phys`, or 0 with `error` set.
   */
  map(phys: u64, type: u8, purpose: string): usize {
    return this.place(phys, type, purpose, true);
  }

  /**
   * Maps the page holding `phys` with a write-back page-table entry, whatever
   * the MTRRs make of it, and returns the linear address of `phys`, or 0 with
   * `error` set. For a hypervisor's page in the PCI hole, which SeaBIOS's
   * MTRRs mark UC up to 4 GiB (QEMU's vmclock page at 0xfeffb000). The
   * page is the hypervisor's RAM, written through its cache: the entry is
   * the guest's part in reading it coherently (a UC entry is refused for a
   * page marked requireCacheable), the MTRRs are the firmware's, and a
   * hypervisor that does not pass guest MTRRs through keeps the page WB.
   * Linux's vmclock driver maps it the same way (memremap MEMREMAP_WB). The window's `type` is the effective type,
   * `pteType` WB, and `mm` shows both when they differ.
   */
  mapWriteBackPte(phys: u64, purpose: string): usize {
    return this.place(phys, TYPE_WB, purpose, false);
  }

  /** map() when `exact` (the effective type must be `type`); else only the entry's type is `type`. */
  private place(phys: u64, type: u8, purpose: string, exact: bool): usize {
    const page = phys & ~(PAGE - 1);
    if (type != TYPE_WB && type != TYPE_UC) { this.error = "only WB and UC windows exist"; return 0; }
    if (type != TYPE_WB && this.mustStayCacheable.includes(page)) {
      this.error = "refusing a " + typeName(type) + " mapping of 0x" + page.toString(16) +
        ": it must stay cacheable (" + purpose + ")";
      return 0;
    }
    const bits = pteBitsFor(type);
    if (bits == ~(<u64>0)) { this.error = "the PAT has no " + typeName(type) + " entry"; return 0; }
    let linear: usize = 0;
    for (let l = WINDOW_BASE; l < WINDOW_LIMIT; l += <usize>PAGE) {
      if (this.slotFree(l)) { linear = l; break; }
    }
    if (linear == 0) { this.error = "all window slots are in use"; return 0; }
    const va = linearBase() + <u64>linear;
    if (!this.pages.map(va, page, PTE_WRITABLE | bits)) { this.error = this.pages.error; return 0; }
    // Check what the processor will really do, from the entry just written.
    const t = this.pages.translate(va);
    const selected = patType(patIndex(t.entry, t.level == 2));
    const effective = combine(mtrrType(page), selected);
    if (!t.present || (t.phys & ~(PAGE - 1)) != page || (exact ? effective != type : selected != type)) {
      this.pages.restoreIdentity(va);
      this.error = "window for 0x" + page.toString(16) + " would be " + typeName(effective) +
        ", not " + typeName(type) + " (MTRR " + typeName(mtrrType(page)) + ")";
      return 0;
    }
    const window = new DeviceWindow(linear + <usize>(phys - page), phys, effective, purpose, selected);
    this.windows.push(window);
    return window.linear;
  }

  /** The window whose linear address is `linear`, or null. */
  find(linear: usize): DeviceWindow | null {
    for (let i = 0; i < this.windows.length; i++) if (this.windows[i].linear == linear) return this.windows[i];
    return null;
  }

  unmap(linear: usize): void {
    for (let i = 0; i < this.windows.length; i++) {
      if (this.windows[i].linear == linear) {
        this.pages.restoreIdentity(linearBase() + <u64>(linear & ~(<usize>PAGE - 1)));
        this.windows.splice(i, 1);
        return;
      }
    }
  }

  describe(): string {
    const parts = new Array<string>();
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i];
      parts.push("window=0x" + (<u64>w.linear).toString(16) + " phys=0x" + w.phys.toString(16) + " type=" + typeName(w.type) +
        (w.pteType != w.type ? " pte=" + typeName(w.pteType) : ""));
    }
    return parts.length == 0 ? "no windows" : parts.join(" ");
  }
}
