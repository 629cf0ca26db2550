// A simulated QEMU 7.2 `-machine pc -m 128 -device vmgenid` for the host
// build: the real guest-memory capture (BIOS area with the RSDP, top of RAM
// with the tables and the GUID page), the two tables that lie just below the
// capture (DSDT, FACS) from the table fixtures, page tables as the loader
// leaves them, a multiboot memory map as SeaBIOS reports it, SeaBIOS-like
// MTRRs, and optionally RDRAND/RDSEED. The GUID "page" a device window shows
// is linear memory in the host build: guidWindowWrite() plays QEMU writing
// a new GUID while the vCPU is stopped. With `vmclock`, the machine is QEMU
// 10's `-device vmclock` too, as far as memory goes: its page at 0xfeffb000
// (a device page of the SimMachine, so the kernel's window shows it, and
// vmclockRestore() plays QEMU's post_load) and its reserved e820 entry;
// addSsdt() adds the device's SSDT (or any other) to the tables.

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
  /** QEMU 10's vmclock page (these fields over QEMU's after boot, VMCLOCK_AFTER_BOOT) and its e820 entry; not its SSDT (addSsdt). */
  vmclock?: VmclockFields;
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
    [0x100000n, 0x7ee0000n, 1], [0x7fe0000n, 0x20000n, 2],
    // QEMU's vmclock_realize(): e820_add_entry(VMCLOCK_ADDR, VMCLOCK_SIZE, E820_RESERVED).
    ...(o.vmclock ? [[BigInt(VMCLOCK_PAGE), 0x1000n, 2] as [bigint, bigint, number]] : []),
    [0xfffc0000n, 0x40000n, 2],
  ]);
  writeCpuModel(m, o);
  if (o.vmclock) writeVmclockPage(m, o.vmclock);
  return m;
}

// ---- QEMU 10's vmclock ----------------------------------------------------

/** VMCLOCK_ADDR in QEMU's include/hw/acpi/vmclock.h. */
export const VMCLOCK_PAGE = 0xfeffb000;

/** struct vmclock_abi's fields a test may set (Linux include/uapi/linux/vmclock-abi.h). */
export interface VmclockFields {
  magic?: number;
  size?: number;
  version?: number;
  counterId?: number;
  timeType?: number;
  seq?: number;
  disruption?: bigint;
  flags?: bigint;
  clockStatus?: number;
  generation?: bigint;
}

/**
 * The page as QEMU 10's vmclock_realize() leaves it: magic "VCLK", size
 * 4096, version 1, counter_id 0xff (invalid), everything else zero, then one
 * update (seq_count 0 → 1 → 2, disruption_marker 0 → 1).
 */
export const VMCLOCK_AFTER_BOOT: Required<VmclockFields> = {
  magic: 0x4b4c4356, size: 4096, version: 1, counterId: 0xff, timeType: 0, seq: 2, disruption: 1n, flags: 0n,
  clockStatus: 0, generation: 0n,
};

/** The page's 4096 bytes: VMCLOCK_AFTER_BOOT with `f` over it. */
export function vmclockPageBytes(f: VmclockFields = {}): Uint8Array {
  const v = { ...VMCLOCK_AFTER_BOOT, ...f };
  const page = new Uint8Array(4096);
  const d = new DataView(page.buffer);
  d.setUint32(0x00, v.magic, true);
  d.setUint32(0x04, v.size, true);
  d.setUint16(0x08, v.version, true);
  d.setUint8(0x0a, v.counterId);
  d.setUint8(0x0b, v.timeType);
  d.setUint32(0x0c, v.seq, true);
  d.setBigUint64(0x10, v.disruption, true);
  d.setBigUint64(0x18, v.flags, true);
  d.setUint8(0x22, v.clockStatus);
  d.setBigUint64(0x68, v.generation, true);
  return page;
}

/** Writes the vmclock page at `at` and makes it a device page (what a window of it shows). */
export function writeVmclockPage(m: SimMachine, f: VmclockFields = {}, at = VMCLOCK_PAGE): void {
  m.addDevicePage(at);
  m.writePhys(at, vmclockPageBytes(f));
}

function readU32(m: SimMachine, at: number): number {
  return new DataView(m.readPhys(at, 4).buffer).getUint32(0, true);
}

function readU64(m: SimMachine, at: number): bigint {
  return new DataView(m.readPhys(at, 8).buffer).getBigUint64(0, true);
}

function writeU32(m: SimMachine, at: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  m.writePhys(at, b);
}

function writeU64(m: SimMachine, at: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  m.writePhys(at, b);
}

/**
 * QEMU's vmclock_post_load() on an incoming state: seq_count made odd,
 * disruption_marker + 1 (and vm_generation_counter + 1 when `generation`,
 * as a hypervisor with VMCLOCK_FLAG_VM_GEN_COUNTER_PRESENT does), seq_count
 * + 1. With `leaveOdd` it stops after the odd write: an update in progress.
 */
export function vmclockRestore(m: SimMachine, o: { generation?: boolean; leaveOdd?: boolean } = {}, at = VMCLOCK_PAGE): void {
  const seq = readU32(m, at + 0x0c) | 1;
  writeU32(m, at + 0x0c, seq);
  if (o.leaveOdd) return;
  writeU64(m, at + 0x10, readU64(m, at + 0x10) + 1n);
  if (o.generation) writeU64(m, at + 0x68, readU64(m, at + 0x68) + 1n);
  writeU32(m, at + 0x0c, seq + 1);
}

// ---- extra ACPI tables ----------------------------------------------------

/**
 * Where addSsdt() puts tables and the RSDT that lists them: inside the
 * captured top-of-RAM reserved region (0x7fe0000-0x7ffffff), in pages the
 * capture leaves zero (checked before each write).
 */
const EXTRA_TABLES_START = 0x7ff0000;
const EXTRA_TABLES_END = 0x7fff000; // the vmgenid GUID page
const extraCursor = new WeakMap<SimMachine, number>();

function checksumFix(bytes: Uint8Array, at: number, length: number): void {
  bytes[at] = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) sum = (sum + bytes[i]) & 0xff;
  bytes[at] = (256 - sum) & 0xff;
}

function findRsdp(m: SimMachine): number {
  const area = m.readPhys(0xe0000, 0x20000);
  for (let off = 0; off + 20 <= area.length; off += 16) {
    if (String.fromCharCode(...area.subarray(off, off + 8)) === "RSD PTR ") return 0xe0000 + off;
  }
  throw new Error("addSsdt: no RSDP in 0xe0000-0xfffff");
}

/**
 * Adds `table` (a whole SSDT, header and checksum included) to the
 * machine's tables, as a firmware that had it from the start would: the
 * table and a new RSDT listing every old entry and it are written in unused
 * reserved memory, and the RSDP (revision 0, as SeaBIOS's) points at the new
 * RSDT, its checksum fixed. Returns the table's address.
 */
export function addSsdt(m: SimMachine, table: Uint8Array): number {
  const rsdpAt = findRsdp(m);
  const rsdp = m.readPhys(rsdpAt, 20);
  if (rsdp[15] !== 0) throw new Error(`addSsdt: RSDP revision ${rsdp[15]}: only revision 0 (an RSDT, no XSDT) is handled`);
  const rsdtAt = new DataView(rsdp.buffer).getUint32(16, true);
  const rsdtLength = readU32(m, rsdtAt + 4);
  const old = m.readPhys(rsdtAt, rsdtLength);
  const tableAt = extraCursor.get(m) ?? EXTRA_TABLES_START;
  const newRsdtAt = (tableAt + table.length + 15) & ~15;
  const rsdt = new Uint8Array(rsdtLength + 4);
  rsdt.set(old);
  new DataView(rsdt.buffer).setUint32(4, rsdt.length, true);
  new DataView(rsdt.buffer).setUint32(rsdtLength, tableAt, true);
  checksumFix(rsdt, 9, rsdt.length);
  const end = (newRsdtAt + rsdt.length + 15) & ~15;
  if (end > EXTRA_TABLES_END) throw new Error("addSsdt: no room left for more tables");
  if (m.readPhys(tableAt, end - tableAt).some((b) => b !== 0)) throw new Error(`addSsdt: 0x${tableAt.toString(16)} is not free in the capture`);
  m.writePhys(tableAt, table);
  m.writePhys(newRsdtAt, rsdt);
  new DataView(rsdp.buffer).setUint32(16, newRsdtAt, true);
  checksumFix(rsdp, 8, 20);
  m.writePhys(rsdpAt, rsdp);
  extraCursor.set(m, end);
  return tableAt;
}

/** Writes `guid` where the kernel's GUID window shows it (QEMU updating the GUID page). */
export function guidWindowWrite(m: SimMachine, guid: string): void {
  if (!m.memory) throw new Error("memory not attached");
  new Uint8Array(m.memory.buffer, GUID_WINDOW_LINEAR, 16).set(guidBytes(guid));
}
