// Memory management at boot: the multiboot memory map → frame allocator,
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
  if (magic != MULTIBOOT_MAGIC) {
    log("boot", "not started by a multiboot loader (magic " + hex0x(magic) + "); no memory map");
  } else {
    readMemoryMap(mbi);
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
