// 8259 PIC line masks. The loader remapped both PICs to vectors 0x20..0x2F,
// masked every line, and masks each line again when it fires; this module
// decides which lines are open.
// Owns: the interrupt mask registers. May call: hw port I/O.

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
