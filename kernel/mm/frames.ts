// Physical frame allocator.
// Owns: which 4 KiB frames of RAM the kernel may use. Built from the
// multiboot memory map's available ranges, minus the first MiB, the loaded
// image and the Wasm linear memory; reserved and ACPI ranges (including the
// vmgenid GUID page) are never in it. May call: hw physical access.
// Never: hands out a frame twice, or one it was not given.

import { physWrite } from "../hw";

export const FRAME_SIZE: u64 = 4096;

class Range {
  constructor(public start: u64, public end: u64) {}
}

export class FrameAllocator {
  readonly available: Array<Range> = new Array<Range>();
  private readonly excluded: Array<Range> = new Array<Range>();
  private readonly freed: Array<u64> = new Array<u64>();
  private rangeIndex: i32 = 0;
  private cursor: u64 = 0;
  allocated: i32 = 0;

  /** Adds RAM the firmware reports usable. */
  addAvailable(start: u64, end: u64): void {
    const s = (start + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    const e = end & ~(FRAME_SIZE - 1);
    if (e > s) this.available.push(new Range(s, e));
  }

  /** Keeps [start, end) out of the allocator even if it is usable RAM. */
  exclude(start: u64, end: u64): void {
    this.excluded.push(new Range(start & ~(FRAME_SIZE - 1), (end + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1)));
  }

  /** True when `phys` is RAM the firmware reports usable (excluded or not). */
  isUsableRam(phys: u64): bool {
    for (let i = 0; i < this.available.length; i++) {
      if (phys >= this.available[i].start && phys < this.available[i].end) return true;
    }
    return false;
  }

  private excludedEnd(frame: u64): u64 {
    for (let i = 0; i < this.excluded.length; i++) {
      const r = this.excluded[i];
      if (frame < r.end && frame + FRAME_SIZE > r.start) return r.end;
    }
    return 0;
  }

  /** A zeroed frame, or 0 when memory is exhausted. */
  alloc(): u64 {
    let frame: u64 = 0;
    if (this.freed.length > 0) {
      frame = this.freed.pop();
    } else {
      while (this.rangeIndex < this.available.length) {
        const r = this.available[this.rangeIndex];
        if (this.cursor < r.start) this.cursor = r.start;
        const skipTo = this.cursor + FRAME_SIZE <= r.end ? this.excludedEnd(this.cursor) : 0;
        if (skipTo != 0) { this.cursor = skipTo; continue; }
        if (this.cursor + FRAME_SIZE <= r.end) {
          frame = this.cursor;
          this.cursor += FRAME_SIZE;
          break;
        }
        this.rangeIndex++;
      }
      if (frame == 0) return 0;
    }
    for (let off: u64 = 0; off < FRAME_SIZE; off += 8) physWrite(frame + off, 8, 0);
    this.allocated++;
    return frame;
  }

  free(frame: u64): void {
    this.freed.push(frame);
    this.allocated--;
  }

  totalBytes(): u64 {
    let total: u64 = 0;
    for (let i = 0; i < this.available.length; i++) total += this.available[i].end - this.available[i].start;
    return total;
  }
}
