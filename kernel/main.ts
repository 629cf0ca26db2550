// Kernel entry, called by the loader (boot/hw.c) with the multiboot values.
// Owns: the idle loop. Interrupts are enabled only inside waitIrq().

import { waitIrq } from "./hw";
import { boot, step } from "./kernel";

export function kmain(magic: u32, mbi: u32): void {
  boot(magic, mbi);
  while (true) step(waitIrq());
}
