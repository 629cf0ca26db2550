// 8259 PIC line masks and trigger modes. The loader remapped both PICs to
// vectors 0x20..0x2F, masked every line, and masks each line again when it
// fires (then acknowledges it); this module decides which lines are open and
// which are level-triggered.
// Owns: the interrupt mask registers and the ELCR. May call: hw port I/O.
//
// Used on PC-AT machines (irq/index.ts chooses from the tables; apic.ts is
// the other path): clonesafe runs one CPU and serves two legacy ISA lines
// there (COM1 on IRQ 4, the SCI on IRQ 9). The PIC reaches both through
// ports alone — no MMIO window, no LAPIC setup — and the chipset's ELCR
// gives the SCI the level trigger the MADT override asks for. (With the
// PIC, the chipset handles polarity; only the trigger mode is ours to set.)
// Level lines stay masked from the moment they fire until their handler has
// cleared the source, so a level SCI cannot storm and no edge is lost: the
// 8259 latches a masked edge in its IRR and delivers it on unmask.

import { inb, outb } from "../hw";

const PIC1_DATA: u32 = 0x21;
const PIC2_DATA: u32 = 0xa1;
const CASCADE_LINE: u32 = 2;

export function picUnmask(line: u32): void {
  if (line < 8) {
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(<u32>1 << line));
  } else {
    outb(PIC2_DATA, inb(PIC2_DATA) & ~(<u32>1 << (line - 8)));
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(<u32>1 << CASCADE_LINE));
  }
}

export function picMask(line: u32): void {
  if (line < 8) outb(PIC1_DATA, inb(PIC1_DATA) | (<u32>1 << line));
  else outb(PIC2_DATA, inb(PIC2_DATA) | (<u32>1 << (line - 8)));
}

// The Edge/Level Control Registers of PIIX and ICH chipsets (bit n = IRQ n).
const ELCR1: u32 = 0x4d0;
const ELCR2: u32 = 0x4d1;

export function picSetLevelTriggered(line: u32, level: bool): void {
  const port = line < 8 ? ELCR1 : ELCR2;
  const bit = <u32>1 << (line & 7);
  const current = inb(port);
  outb(port, level ? current | bit : current & ~bit);
}

export function picIsLevelTriggered(line: u32): bool {
  return (inb(line < 8 ? ELCR1 : ELCR2) & (<u32>1 << (line & 7))) != 0;
}
