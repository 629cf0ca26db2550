// Host-build entry points for the memory manager's unit tests (never linked
// into the machine image): run memoryInit on the simulated machine, map and
// unmap windows, and translate addresses, with results as strings.

import { memoryInit, windows } from "../mm/index";

export function mmInit(magic: u32, mbi: u32): void {
  memoryInit(magic, mbi);
}

/** Maps a window (TYPE_WB 6 or TYPE_UC 0); returns its linear address or 0 (see mmError). */
export function mmMap(phys: u64, type: u8, cacheableOnly: bool): usize {
  const w = windows!;
  if (cacheableOnly) w.requireCacheable(phys);
  return w.map(phys, type, "test");
}

export function mmUnmap(linear: usize): void {
  windows!.unmap(linear);
}

export function mmError(): string {
  return windows!.error;
}

export function mmDescribe(): string {
  return windows!.describe();
}

/** "present phys=0x… level=N entry=0x…" or "absent". */
export function mmTranslate(va: u64): string {
  const t = windows!.pages.translate(va);
  if (!t.present) return "absent";
  return "present phys=0x" + t.phys.toString(16) + " level=" + t.level.toString() + " entry=0x" + t.entry.toString(16);
}

export function mmFramesAllocated(): i32 {
  return windows!.pages.frames.allocated;
}
