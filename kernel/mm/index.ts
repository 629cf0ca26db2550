// Memory management at boot: the boot protocol's memory map (multiboot's,
// PVH's hvm_start_info, or clonesafe.efi's UEFI map) → frame allocator,
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
import { EFI_DESCRIPTOR_MIN_BYTES, EFI_HANDOFF_BYTES, EFI_HANDOFF_MAGIC, efiTypeIsRam, efiTypeName } from "./efi";

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

/** How the kernel was started: "multiboot", "pvh", "uefi", or "unknown". */
export let bootProtocol = "unknown";
/** The RSDP the boot protocol named (PVH's rsdp_paddr, UEFI's configuration table); 0 when it named none, and then ACPI scans for it. */
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
    keepEntry(base, bytes, type);
    regions++;
  }
  log("mm", regions.toString() + " memory map regions, " + (frames.totalBytes() >> 10).toString() + " KiB usable RAM");
}

/** One map entry kept for the pool and for memoryTypeAt, in the multiboot layout ({size, addr, len, type}). */
function keepEntry(base: u64, bytes: u64, type: u32): void {
  if (mapBytes + 24 > MAX_MMAP_BYTES) return;
  store<u32>(mapBuffer + mapBytes, 20);
  store<u64>(mapBuffer + mapBytes, base, 4);
  store<u64>(mapBuffer + mapBytes, bytes, 12);
  store<u32>(mapBuffer + mapBytes, type, 20);
  mapBytes += 24;
}

/**
 * clonesafe.efi's hand-off (boot/efi/handoff.h): version, descriptor
 * version, rsdp at 8, memmap at 16, memmap_size at 24, desc_size at 32,
 * system_table at 40, exit_attempts at 48. The UEFI map is read once, here,
 * before any frame is allocated (its pages are LoaderData, RAM from now on:
 * mm/efi.ts); entries are kept with their EFI types.
 */
function readEfiHandoff(info: u32): void {
  physCopyIn(header, <u64>info, EFI_HANDOFF_BYTES);
  const version = load<u32>(header);
  bootRsdp = load<u64>(header, 8);
  const mapAt = load<u64>(header, 16), mapSize = load<u64>(header, 24), descSize = load<u64>(header, 32);
  log("boot", "UEFI hand-off at " + hex0x(info) + ": version " + version.toString() + ", ExitBootServices after " +
    load<u32>(header, 48).toString() + " attempt(s), " + (bootRsdp != 0 ? "RSDP at " + hex0x(bootRsdp) : "no RSDP"));
  if (descSize < <u64>EFI_DESCRIPTOR_MIN_BYTES || descSize > 4096) {
    log("mm", "UEFI memory descriptors of " + descSize.toString() + " bytes; no RAM to allocate");
    return;
  }
  const entry = memory.data(EFI_DESCRIPTOR_MIN_BYTES);
  let regions = 0, kept = 0;
  for (let off: u64 = 0; off + descSize <= mapSize && regions < 4096; off += descSize) {
    physCopyIn(entry, mapAt + off, EFI_DESCRIPTOR_MIN_BYTES);
    const type = load<u32>(entry), base = load<u64>(entry, 8), bytes = load<u64>(entry, 24) << 12;
    if (efiTypeIsRam(type)) frames.addAvailable(base, base + bytes);
    // Adjacent entries of one type are kept as one (OVMF's map has ~100).
    if (mapBytes >= 24 && load<u32>(mapBuffer + mapBytes - 24, 20) == type &&
        load<u64>(mapBuffer + mapBytes - 24, 4) + load<u64>(mapBuffer + mapBytes - 24, 12) == base) {
      store<u64>(mapBuffer + mapBytes - 24, load<u64>(mapBuffer + mapBytes - 24, 12) + bytes, 12);
    } else { keepEntry(base, bytes, type); kept++; }
    regions++;
  }
  log("mm", regions.toString() + " UEFI memory descriptors (" + kept.toString() + " runs), " +
    (frames.totalBytes() >> 10).toString() + " KiB usable RAM");
}

/**
 * The boot map's type of `address` as text ("ACPINVS", "reserved", …), or
 * "not in the memory map": for logs that say where firmware put something.
 */
export function memoryTypeAt(address: u64): string {
  for (let off: u32 = 0, size: u32 = 20; off + 24 <= mapBytes && size >= 20; off += size + 4) {
    size = load<u32>(mapBuffer + off);
    const base = load<u64>(mapBuffer + off, 4), bytes = load<u64>(mapBuffer + off, 12);
    if (address >= base && address - base < bytes) {
      const type = load<u32>(mapBuffer + off, 20);
      if (bootProtocol == "uefi") return "UEFI " + efiTypeName(type);
      return type == 1 ? "e820 RAM" : type == 2 ? "e820 reserved" : type == 3 ? "e820 ACPI" : type == 4 ? "e820 NVS" : "e820 type " + type.toString();
    }
  }
  return "not in the memory map";
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
  } else if (magic == EFI_HANDOFF_MAGIC) {
    bootProtocol = "uefi";
    readEfiHandoff(mbi);
  } else {
    bootProtocol = "unknown";
    log("boot", "not started by a multiboot or PVH loader or clonesafe.efi (magic " + hex0x(magic) + "); no memory map");
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
