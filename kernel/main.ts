// Kernel entry, called by the loader (boot/loader.c) with the multiboot values.
// Owns: the idle loop, which is also the kernel's only garbage-collection
// point (mm/heap.ts says why). Nothing collects while an event is served,
// so interrupt paths pay for their own allocations and nothing else; each
// collection begins a new AML event (aml/meter.ts): the interpreter's
// allocation budget and work limit cover what one event — boot, an SCI, a
// command — does between two collections.

import { pollIrq, waitIrq } from "./hw";
import { boot, inputPending, step } from "./kernel";
import { collectAtIdle } from "./mm/heap";
import { amlNewEvent } from "./aml/index";

function collect(): void {
  collectAtIdle();
  amlNewEvent();
}

/** Idle steps that ran no command nor SCI (keystrokes, stray lines) between collections at most. */
const COLLECT_EVERY_QUIET_STEPS: i32 = 64;

export function kmain(magic: u32, mbi: u32): void {
  boot(magic, mbi);
  collect(); // boot's garbage, before the first event
  let quietSteps = 0;
  while (true) {
    // Queued input is served without sleeping, one command per step.
    if (step(inputPending() ? pollIrq() : waitIrq())) {
      collect();
      quietSteps = 0;
    } else if (++quietSteps >= COLLECT_EVERY_QUIET_STEPS) {
      collect();
      quietSteps = 0;
    }
  }
}
