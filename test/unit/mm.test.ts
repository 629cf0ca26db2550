// The page-table editor and device windows, run as the host build against a
// simulated physical memory laid out as the loader leaves it.
import { describe, expect, it } from "vitest";
import { hostKernel, SimMachine, type HostKernel } from "../support/host.js";
import {
  LINEAR_BASE, LOADER_PD_LOW, MBI_ADDRESS, MULTIBOOT_MAGIC, writeCpuModel, writeLoaderPageTables, writeMultiboot,
} from "../../tools/sim/qemu-pc.js";


/** The loader's page tables, a multiboot map and SeaBIOS-like MTRRs (tools/sim/qemu-pc.ts). */
function machineLikeTheLoaderLeavesIt(): SimMachine {
  const m = new SimMachine();
  writeLoaderPageTables(m);
  writeMultiboot(m, [[0n, 0x9fc00n, 1], [0xf0000n, 0x10000n, 2], [0x100000n, 0x7ee0000n, 1], [0x7fe0000n, 0x20000n, 2]]);
  writeCpuModel(m); // MTRR and PAT; WB by default, 2 GiB.. UC (the PCI hole)
  return m;
}

function booted(): { m: SimMachine; k: HostKernel } {
  const m = machineLikeTheLoaderLeavesIt();
  const k = hostKernel(m).kernel;
  k.mmInit(MULTIBOOT_MAGIC, MBI_ADDRESS);
  return { m, k };
}


describe("page tables and device windows", () => {
  it("maps the GUID page write-back into the window region, in the loader's 4 KiB linear-memory tables", () => {
    const { m, k } = booted();
    const linear = k.mmMap(0x7fff028n, 6, 1);
    expect(k.__getString(k.mmError())).toBe("");
    expect(linear).toBe(0x10028);
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x10000n))).toMatch(/^present phys=0x7fff000 level=1 entry=0x7fff003$/);
    // The neighbours still map linear memory; past its size nothing is mapped (the out-of-bounds guard).
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x5000n))).toBe("present phys=0x1005000 level=1 entry=0x1005003");
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x80000n))).toBe("absent");
    expect(k.__getString(k.mmTranslate(0x40000000n))).toBe("absent");
    expect(k.mmFramesAllocated()).toBe(0); // no table to split
    expect(m.invalidated).toContain(LINEAR_BASE + 0x10000n);
    expect(k.__getString(k.mmDescribe())).toBe("window=0x10028 phys=0x7fff028 type=WB");
  });

  it("splits a 2 MiB page when a window falls inside one", () => {
    const { m, k } = booted();
    // A layout where linear memory sits in a 2 MiB page, as it did before the 4 KiB tables.
    m.writePhys(LOADER_PD_LOW + 8 * 8, new Uint8Array(new BigUint64Array([0x1000000n | 0x83n]).buffer));
    expect(k.mmMap(0x7fff028n, 6, 1)).toBe(0x10028);
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x10000n))).toBe("present phys=0x7fff000 level=1 entry=0x7fff003");
    // The rest of the split page still maps itself, with the same attributes.
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x5000n))).toBe("present phys=0x1005000 level=1 entry=0x1005003");
    expect(k.mmFramesAllocated()).toBe(1);
    // The page table came from usable RAM outside the image and linear memory.
    const pde = new DataView(m.readPhys(LOADER_PD_LOW + 8 * 8, 8).buffer).getBigUint64(0, true);
    const table = pde & ~0xfffn;
    expect(pde & 0x80n).toBe(0n);
    expect(table >= 0x400000n && (table < 0x1000000n || table >= 0x2000000n)).toBe(true);
  });

  it("refuses an uncached mapping of a page that must stay cacheable", () => {
    const { k } = booted();
    expect(k.mmMap(0x7fff028n, 6, 1)).toBe(0x10028);
    expect(k.mmMap(0x7fff028n, 0, 0)).toBe(0);
    expect(k.__getString(k.mmError())).toBe("refusing a UC mapping of 0x7fff000: it must stay cacheable (test)");
  });

  it("maps MMIO uncached, and refuses write-back where the MTRRs make it UC", () => {
    const { k } = booted();
    const ioapic = k.mmMap(0xfec00000n, 0, 0);
    expect(ioapic).toBe(0x10000);
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x10000n))).toBe("present phys=0xfec00000 level=1 entry=0xfec0001b"); // PCD|PWT: PAT entry 3, UC
    expect(k.mmMap(0xfed00000n, 6, 0)).toBe(0);
    expect(k.__getString(k.mmError())).toBe("window for 0xfed00000 would be UC, not WB (MTRR UC)");
    // The refused slot went back to its identity mapping.
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x11000n))).toBe("present phys=0x1011000 level=1 entry=0x1011003");
  });

  it("unmapping restores the identity mapping and frees the slot", () => {
    const { k } = booted();
    const a = k.mmMap(0x7fff000n, 6, 0);
    k.mmUnmap(a);
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x10000n))).toBe("present phys=0x1010000 level=1 entry=0x1010003");
    expect(k.__getString(k.mmDescribe())).toBe("no windows");
    expect(k.mmMap(0x7ffe000n, 6, 0)).toBe(0x10000);
  });
});
