// The page-table editor and device windows, run as the host build against a
// simulated physical memory laid out as the loader leaves it.
import { describe, expect, it } from "vitest";
import { hostKernel, SimMachine, type HostKernel } from "../support/host.js";

const PML4 = 0x300000, PDPT = 0x301000, PD = 0x302000;
const MBI = 0x9500, MMAP = 0x9000;

interface MmExports {
  mmInit(magic: number, mbi: number): void;
  mmMap(phys: bigint, type: number, cacheableOnly: number): number;
  mmUnmap(linear: number): void;
  mmError(): number;
  mmDescribe(): number;
  mmTranslate(va: bigint): number;
  mmFramesAllocated(): number;
}

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

/** The loader's identity map of 4 GiB in 2 MiB pages, a multiboot map, and SeaBIOS-like MTRRs. */
function machineLikeTheLoaderLeavesIt(): SimMachine {
  const m = new SimMachine();
  m.writePhys(PML4, u64(BigInt(PDPT) | 3n));
  for (let i = 0; i < 4; i++) m.writePhys(PDPT + 8 * i, u64(BigInt(PD + 4096 * i) | 3n));
  for (let i = 0; i < 2048; i++) m.writePhys(PD + 8 * i, u64((BigInt(i) << 21n) | 0x83n));
  m.cr3 = BigInt(PML4);
  m.imageRange = [0x100000n, 0x400000n];
  const entries: Array<[bigint, bigint, number]> = [
    [0n, 0x9fc00n, 1], [0xf0000n, 0x10000n, 2], [0x100000n, 0x7ee0000n, 1], [0x7fe0000n, 0x20000n, 2],
  ];
  const map = new Uint8Array(entries.length * 24);
  const dv = new DataView(map.buffer);
  entries.forEach(([base, len, type], i) => {
    dv.setUint32(i * 24, 20, true);
    dv.setBigUint64(i * 24 + 4, base, true);
    dv.setBigUint64(i * 24 + 12, len, true);
    dv.setUint32(i * 24 + 20, type, true);
  });
  m.writePhys(MMAP, map);
  const mbi = new Uint8Array(52);
  const mv = new DataView(mbi.buffer);
  mv.setUint32(0, 1 | (1 << 6), true);
  mv.setUint32(4, 639, true);
  mv.setUint32(8, 129912, true);
  mv.setUint32(44, map.length, true);
  mv.setUint32(48, MMAP, true);
  m.writePhys(MBI, mbi);
  m.cpuidLeaves.set("1:0", [0, 0, 0, (1 << 12) | (1 << 16)]); // MTRR, PAT
  m.msrs.set(0xfe, 0x8n);                                       // 8 variable MTRRs
  m.msrs.set(0x2ff, 0xc06n);                                    // enabled, default WB
  m.msrs.set(0x200, 0x80000000n);                               // 2 GiB.. : UC (the PCI hole)
  m.msrs.set(0x201, 0xf80000800n);
  return m;
}

function booted(): { m: SimMachine; k: HostKernel & MmExports } {
  const m = machineLikeTheLoaderLeavesIt();
  const k = hostKernel(m).kernel as unknown as HostKernel & MmExports;
  k.mmInit(0x2badb002, MBI);
  return { m, k };
}

const LINEAR_BASE = 0x1000000n;

describe("page tables and device windows", () => {
  it("maps the GUID page write-back into the window region by splitting one 2 MiB page", () => {
    const { m, k } = booted();
    const linear = k.mmMap(0x7fff028n, 6, 1);
    expect(k.__getString(k.mmError())).toBe("");
    expect(linear).toBe(0x10028);
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x10000n))).toMatch(/^present phys=0x7fff000 level=1 entry=0x7fff003$/);
    // The rest of the split 2 MiB page still maps itself, with the same attributes.
    expect(k.__getString(k.mmTranslate(LINEAR_BASE + 0x5000n))).toBe("present phys=0x1005000 level=1 entry=0x1005003");
    expect(k.__getString(k.mmTranslate(0x1200000n))).toBe("present phys=0x1200000 level=2 entry=0x1200083");
    expect(k.mmFramesAllocated()).toBe(1);
    expect(m.invalidated).toContain(LINEAR_BASE + 0x10000n);
    expect(k.__getString(k.mmDescribe())).toBe("window=0x10028 phys=0x7fff028 type=WB");
    // The page table came from usable RAM outside the image and linear memory.
    const pde = new DataView(m.readPhys(PD + 8 * 8, 8).buffer).getBigUint64(0, true);
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
