// ACPI fixed-hardware register blocks (PM1, GPE, sleep control) as the FADT
// places them: I/O ports or memory, reached byte by byte.
// Owns: the check that a block is reachable, and its one wording.
// May call: hw port and physical access, mm/phys.ts, the console (the log
// line naming a block it refuses). Never: touches a block it refused.

import { inb, inw, outb, outw, physRead, physWrite } from "../hw";
import { log } from "../console/log";
import { hex } from "../lib/fmt";
import { ADDRESS_SPACE_MEMORY, RegisterBlock } from "./fadt";
import { physRangeMapped, physUnmappedError } from "../mm/phys";

/** Byte-wide access to an I/O or memory register block. */
export class Registers {
  constructor(public io: bool, public base: u64) {}

  read8(offset: u32): u32 {
    return this.io ? inb(<u32>this.base + offset) : <u32>physRead(this.base + <u64>offset, 1);
  }

  write8(offset: u32, value: u32): void {
    if (this.io) outb(<u32>this.base + offset, value & 0xff);
    else physWrite(this.base + <u64>offset, 1, <u64>(value & 0xff));
  }

  /**
   * One 16-bit access: PM1 registers are word registers (ACPI 6.5 §4.8.3),
   * and QEMU ignores a byte written to their upper half, so a byte pair
   * would neither enable PWRBTN_EN nor clear PWRBTN_STS (nor set SLP_EN).
   */
  read16(offset: u32): u32 {
    return this.io ? inw(<u32>this.base + offset) : <u32>physRead(this.base + <u64>offset, 2);
  }

  write16(offset: u32, value: u32): void {
    if (this.io) outw(<u32>this.base + offset, value & 0xffff);
    else physWrite(this.base + <u64>offset, 2, <u64>(value & 0xffff));
  }
}

const IO_PORT_LIMIT: u64 = 0x10000;

/** The block's registers, or null (logged, by name) when it is absent or outside what the kernel can reach. */
export function registersOf(block: RegisterBlock | null, length: u32, name: string): Registers | null {
  if (block == null || !block.present) return null;
  const bytes = <u64>max(length, 1);
  const a = block.address;
  if (block.isIo) {
    if (a >= IO_PORT_LIMIT || bytes > IO_PORT_LIMIT - a) {
      log("acpi", "FADT " + name + " at I/O port 0x" + hex(a) + " length " + bytes.toString() +
        " is outside the I/O port space (0-0xffff); ignored");
      return null;
    }
  } else if (block.addressSpace != ADDRESS_SPACE_MEMORY) {
    log("acpi", "FADT " + name + " is in address space " + block.addressSpace.toString() + ", neither memory nor I/O; ignored");
    return null;
  } else if (!physRangeMapped(a, bytes)) {
    log("acpi", "FADT " + physUnmappedError(name, a, bytes) + "; ignored");
    return null;
  }
  return new Registers(block.isIo, a);
}

