// A simulated QEMU 7.2 `-machine pc -m 128 -device vmgenid` for the host
// build: the real guest-memory capture (BIOS area with the RSDP, top of RAM
// with the tables and the GUID page), the two tables that lie just below the
// capture (DSDT, FACS) from the table fixtures, page tables as the loader
// leaves them, a multiboot memory map as SeaBIOS reports it, SeaBIOS-like
// MTRRs, and optionally RDRAND/RDSEED. The GUID "page" a device window shows
// is linear memory in the host build: guidWindowWrite() plays QEMU writing
// a new GUID while the vCPU is stopped.

import { join } from "node:path";
import { QEMU_TABLES, readFixture } from "../fixtures.js";
import { SimMachine } from "./machine.js";
import { loadPhysmemFixture } from "./physmem.js";

export const MULTIBOOT_MAGIC = 0x2badb002;
export const MBI_ADDRESS = 0x9500;
const MMAP_ADDRESS = 0x9000;
// The loader's page tables (boot/entry.S), placed inside the image range.
const PML4 = 0x300000, PDPT_LOW = 0x301000, PD_LOW = 0x302000, PT_LINEAR = 0x303000;
const PDPT_DIRECT = 0x30b000, PD_DIRECT = 0x30c000;
/** Where linear memory starts (hw.linear_base), and the pages boot leaves present: 8 Wasm pages. */
export const LINEAR_BASE = 0x1000000n;
const LINEAR_PRESENT_BYTES = 8 * 65536;
/** The low page directory: entries 8..15 point at the 4 KiB tables of linear memory. */
export const LOADER_PD_LOW = PD_LOW;
/** Where the first device window puts the GUID (window base 0x10000 + page offset 0x28). */
export const GUID_WINDOW_LINEAR = 0x10028;

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

export interface SimPcOptions {
  fixtures: string;            // the fixture root (tools/fixtures.ts)
  rdrand?: boolean;            // CPUID reports RDRAND (values from machine.rdrandValues)
  rdseed?: boolean;
}

/** QEMU's GUID text → the 16 bytes vmgenid stores. */
export function guidBytes(guid: string): Uint8Array {
  const h = guid.replace(/-/g, "");
  const b = Array.from({ length: 16 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
  return new Uint8Array([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.slice(8)]);
}

/**
 * The page tables as boot/entry.S builds them and boot/runtime.c extends them
 * for linear memory: 0..16 MiB identity in 2 MiB pages; 16..32 MiB in 4 KiB
 * pages, present as far as linear memory has grown; nothing else below
 * 512 GiB; physical 0..4 GiB at the direct map (PML4 entry 256).
 */
export function writeLoaderPageTables(m: SimMachine): void {
  m.writePhys(PML4, u64(BigInt(PDPT_LOW) | 3n));
  m.writePhys(PML4 + 8 * 256, u64(BigInt(PDPT_DIRECT) | 3n));
  m.writePhys(PDPT_LOW, u64(BigInt(PD_LOW) | 3n));
  for (let i = 0; i < 8; i++) m.writePhys(PD_LOW + 8 * i, u64((BigInt(i) << 21n) | 0x83n));
  for (let i = 0; i < 8; i++) m.writePhys(PD_LOW + 8 * (8 + i), u64(BigInt(PT_LINEAR + 4096 * i) | 3n));
  for (let off = 0; off < LINEAR_PRESENT_BYTES; off += 4096) {
    m.writePhys(PT_LINEAR + 8 * (off / 4096), u64((LINEAR_BASE + BigInt(off)) | 3n));
  }
  for (let i = 0; i < 4; i++) m.writePhys(PDPT_DIRECT + 8 * i, u64(BigInt(PD_DIRECT + 4096 * i) | 3n));
  for (let i = 0; i < 2048; i++) m.writePhys(PD_DIRECT + 8 * i, u64((BigInt(i) << 21n) | 0x83n));
  m.cr3 = BigInt(PML4);
  m.imageRange = [0x100000n, 0x400000n];
}

/** A multiboot info block with memory sizes and a memory map. */
export function writeMultiboot(m: SimMachine, entries: Array<[bigint, bigint, number]>): void {
  const map = new Uint8Array(entries.length * 24);
  const dv = new DataView(map.buffer);
  entries.forEach(([base, len, type], i) => {
    dv.setUint32(i * 24, 20, true);
    dv.setBigUint64(i * 24 + 4, base, true);
    dv.setBigUint64(i * 24 + 12, len, true);
    dv.setUint32(i * 24 + 20, type, true);
  });
  m.writePhys(MMAP_ADDRESS, map);
  const mbi = new Uint8Array(52);
  const mv = new DataView(mbi.buffer);
  mv.setUint32(0, 1 | (1 << 6), true);
  mv.setUint32(4, 639, true);
  mv.setUint32(8, 129912, true);
  mv.setUint32(44, map.length, true);
  mv.setUint32(48, MMAP_ADDRESS, true);
  m.writePhys(MBI_ADDRESS, mbi);
}

/** SeaBIOS-like MTRRs: WB by default, the PCI hole from 2 GiB up UC; PAT and MTRR in CPUID. */
export function writeCpuModel(m: SimMachine, o: { rdrand?: boolean; rdseed?: boolean } = {}): void {
  m.cpuidLeaves.set("0:0", [7, 0, 0, 0]);
  m.cpuidLeaves.set("1:0", [0, 0, o.rdrand ? 1 << 30 : 0, (1 << 12) | (1 << 16)]);
  m.cpuidLeaves.set("7:0", [0, o.rdseed ? 1 << 18 : 0, 0, 0]);
  m.msrs.set(0xfe, 0x8n);
  m.msrs.set(0x2ff, 0xc06n);
  m.msrs.set(0x200, 0x80000000n);
  m.msrs.set(0x201, 0xf80000800n);
}

export function simulatedQemuPc(o: SimPcOptions): SimMachine {
  const m = new SimMachine();
  loadPhysmemFixture(m, join(o.fixtures, "physmem/qemu-7.2-pc-128M"));
  const tables = join(o.fixtures, QEMU_TABLES, "pc");
  m.writePhys(0x7fdf000, new Uint8Array(readFixture(join(tables, "facs.dat"))));
  m.writePhys(0x7fdf040, new Uint8Array(readFixture(join(tables, "dsdt.dat"))));
  writeLoaderPageTables(m);
  writeMultiboot(m, [
    [0n, 0x9fc00n, 1], [0x9fc00n, 0x400n, 2], [0xf0000n, 0x10000n, 2],
    [0x100000n, 0x7ee0000n, 1], [0x7fe0000n, 0x20000n, 2], [0xfffc0000n, 0x40000n, 2],
  ]);
  writeCpuModel(m, o);
  return m;
}

/** Writes `guid` where the kernel's GUID window shows it (QEMU updating the GUID page). */
export function guidWindowWrite(m: SimMachine, guid: string): void {
  if (!m.memory) throw new Error("memory not attached");
  new Uint8Array(m.memory.buffer, GUID_WINDOW_LINEAR, 16).set(guidBytes(guid));
}
