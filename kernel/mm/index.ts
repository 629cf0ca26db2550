// Memory management at boot: the boot protocol's memory map (multiboot's,
// or PVH's hvm_start_info) → frame allocator,
// the loader's page tables → PageTables, and device windows; the `mm` shell
// command. Owns: the kernel's single instances of those. May call: hw
// physical access, the console.

import { imageEnd, imageStart, linearBase, linearLimit, physCopyIn } from "../hw";
import { log } from "../console/log";
import { Answer, fail, ok, registerCommand } from "../console/shell";
import { hex0x } from "../lib/fmt";
import { FrameAllocator } from "./frames";
import { PageTables } from "./paging";
import { WindowManager } from "./windows";

const MULTIBOOT_MAGIC: u32 = 0x2badb002;
/** struct hvm_start_info's magic, which boot/entry.S passes as PVH's protocol magic. */
const PVH_MAGIC: u32 = 0x336ec578;
const PVH_INFO_BYTES: u32 = 56;
const PVH_ENTRY_BYTES: u32 = 24;
const MBI_FLAG_MEMORY: u32 = 1 << 0;
const MBI_FLAG_MMAP: u32 = 1 << 6;
const MMAP_AVAILABLE: u32 = 1;
const MAX_MMAP_BYTES: u32 = 4096;

const header = memory.data(52);
const mapBuffer = memory.data(MAX_MMAP_BYTES);

export let frames = new FrameAllocator();
let mapBytes: u32 = 0;

/** A copy of the multiboot memory map as the firmware gave it (boot data for the entropy pool). */
export function memoryMapBytes(): Uint8Array {
  const out = new Uint8Array(mapBytes);
  memory.copy(out.dataStart, mapBuffer, mapBytes);
  return out;
}
export let windows: WindowManager | null = null;

/** How the kernel was started: "multiboot", "pvh", or "unknown". */
export let bootProtocol = "unknown";
/** The RSDP the boot protocol named (PVH's rsdp_paddr); 0 when it named none, and then ACPI scans for it. */
export let bootRsdp: u64 = 0;

/**
 * PVH (Xen's hvm_start_info, version 1 and later): magic, version, flags,
 * nr_modules, modlist, cmdline, rsdp_paddr at 32, memmap_paddr at 40,
 * memmap_entries at 48; each entry {addr u64, size u64, type u32, u32}.
 * The map is kept in the multiboot layout ({size, addr, len, type}) so the
 * boot data mixed into the pool has one shape.
 */
function readPvhInfo(info: u32): void {
  physCopyIn(header, <u64>info, PVH_INFO_BYTES);
  const version = load<u32>(header, 4);
  bootRsdp = load<u64>(header, 32);
  log("boot", "PVH start info at " + hex0x(info) + ": version " + version.toString() +
    (bootRsdp != 0 ? ", RSDP at " + hex0x(bootRsdp) : ", no RSDP"));
  if (version < 1) { log("mm", "PVH start info version 0 has no memory map; no RAM to allocate"); return; }
  const mapAt = load<u64>(header, 40);
  const entries = min(load<u32>(header, 48), MAX_MMAP_BYTES / PVH_ENTRY_BYTES);
  const entry = memory.data(24);
  let regions = 0;
  for (let i: u32 = 0; i < entries; i++) {
    physCopyIn(entry, mapAt + <u64>(i * PVH_ENTRY_BYTES), PVH_ENTRY_BYTES);
    const base = load<u64>(entry), bytes = load<u64>(entry, 8), type = load<u32>(entry, 16);
    if (type == MMAP_AVAILABLE) frames.addAvailable(base, base + bytes);
    store<u32>(mapBuffer + mapBytes, 20);
    store<u64>(mapBuffer + mapBytes, base, 4);
    store<u64>(mapBuffer + mapBytes, bytes, 12);
    store<u32>(mapBuffer + mapBytes, type, 20);
    mapBytes += 24;
    regions++;
  }
  log("mm", regions.toString() + " memory map regions, " + (frames.totalBytes() >> 10).toString() + " KiB usable RAM");
}

function readMemoryMap(mbi: u32): void {
  physCopyIn(header, <u64>mbi, 52);
  const flags = load<u32>(header);
  if ((flags & MBI_FLAG_MEMORY) != 0) {
    log("boot", "multiboot info at " + hex0x(mbi) + ": " + load<u32>(header, 4).toString() + " KiB low, " +
      load<u32>(header, 8).toString() + " KiB above 1 MiB");
  }
  if ((flags & MBI_FLAG_MMAP) == 0) {
    log("mm", "multiboot info has no memory map; using mem_upper only");
    if ((flags & MBI_FLAG_MEMORY) != 0) frames.addAvailable(0x100000, 0x100000 + <u64>load<u32>(header, 8) * 1024);
    return;
  }
  const length = min(load<u32>(header, 44), MAX_MMAP_BYTES);
  physCopyIn(mapBuffer, <u64>load<u32>(header, 48), length);
  mapBytes = length;
  let regions = 0;
  for (let off: u32 = 0; off + 24 <= length; ) {
    const size = load<u32>(mapBuffer + off);
    const base = load<u64>(mapBuffer + off, 4);
    const bytes = load<u64>(mapBuffer + off, 12);
    const type = load<u32>(mapBuffer + off, 20);
    if (type == MMAP_AVAILABLE) frames.addAvailable(base, base + bytes);
    regions++;
    if (size < 20) { log("mm", "memory map entry at offset " + off.toString() + " has size " + size.toString() + "; stopped"); break; }
    off += size + 4;
  }
  log("mm", regions.toString() + " memory map regions, " + (frames.totalBytes() >> 10).toString() + " KiB usable RAM");
}

export function memoryInit(magic: u32, mbi: u32): void {
  frames = new FrameAllocator();
  mapBytes = 0;
  bootRsdp = 0;
  if (magic == MULTIBOOT_MAGIC) {
    bootProtocol = "multiboot";
    readMemoryMap(mbi);
  } else if (magic == PVH_MAGIC) {
    bootProtocol = "pvh";
    readPvhInfo(mbi);
  } else {
    bootProtocol = "unknown";
    log("boot", "not started by a multiboot or PVH loader (magic " + hex0x(magic) + "); no memory map");
  }
  frames.exclude(0, 0x100000);
  frames.exclude(imageStart(), imageEnd());
  frames.exclude(linearBase(), linearLimit());
  windows = new WindowManager(PageTables.current(frames));
}

function mmCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  const w = windows;
  return ok(w == null ? "not initialised" : w.describe());
}

export function registerMmCommand(): void {
  registerCommand("mm", "mm", mmCommand);
}
