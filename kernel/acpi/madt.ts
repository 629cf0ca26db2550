// Decoding the Multiple APIC Description Table ("APIC", ACPI 6.5 §5.2.12):
// the local APIC address, PCAT_COMPAT, processor local APICs, IOAPICs and
// interrupt source overrides. NMI entries and types this kernel has no use
// for are counted and stepped over.
// Owns: the MADT's meaning. May call: the bounded readers of tables.ts and
// the error list. Never: reads an entry before checking that its length
// is at least 2 and that it ends inside the table — a zero length would loop
// forever, an overrunning one would read past the copy; either stops the
// walk with an error naming the offset. Never touches an APIC either: the
// irq subsystem decides what to program.

import { AcpiErrors, AcpiTable, readU16, readU32, readU64, readU8 } from "./tables";
import { hex0x } from "../lib/fmt";

export const MADT_FLAG_PCAT_COMPAT: u32 = 1;

// Interrupt source override MPS INTI flags: polarity in bits 0-1, trigger
// mode in bits 2-3. "Conforms" means the bus's default (ISA: edge, high).
export const POLARITY_CONFORMS: u8 = 0;
export const POLARITY_ACTIVE_HIGH: u8 = 1;
export const POLARITY_RESERVED: u8 = 2;
export const POLARITY_ACTIVE_LOW: u8 = 3;
export const TRIGGER_CONFORMS: u8 = 0;
export const TRIGGER_EDGE: u8 = 1;
export const TRIGGER_RESERVED: u8 = 2;
export const TRIGGER_LEVEL: u8 = 3;

export const ISA_BUS: u8 = 0;

export const REASON_MADT_TOO_SHORT = "madt-too-short";
export const REASON_ENTRY_LENGTH = "entry-length";
export const REASON_ENTRY_OVERRUN = "entry-overrun";
export const REASON_ENTRY_TOO_SHORT = "entry-too-short";

const LOCAL_APIC_ADDRESS: u32 = 36;
const FLAGS: u32 = 40;
const FIRST_ENTRY: u32 = 44;
const ENTRY_HEADER_LENGTH: u32 = 2;

const TYPE_LOCAL_APIC: u8 = 0;
const TYPE_IO_APIC: u8 = 1;
const TYPE_INTERRUPT_OVERRIDE: u8 = 2;
const TYPE_NMI_SOURCE: u8 = 3;
const TYPE_LOCAL_APIC_NMI: u8 = 4;
const TYPE_LOCAL_APIC_ADDRESS_OVERRIDE: u8 = 5;

const LOCAL_APIC_LENGTH: u32 = 8;
const IO_APIC_LENGTH: u32 = 12;
const INTERRUPT_OVERRIDE_LENGTH: u32 = 10;
const LOCAL_APIC_ADDRESS_OVERRIDE_LENGTH: u32 = 12;

const LOCAL_APIC_ENABLED: u32 = 1;
const LOCAL_APIC_ONLINE_CAPABLE: u32 = 2;

export class LocalApic {
  constructor(public processorUid: u8, public apicId: u8, public flags: u32) {}

  get enabled(): bool {
    return (this.flags & LOCAL_APIC_ENABLED) != 0;
  }

  /** Disabled now but may be brought online (CPU hotplug). */
  get onlineCapable(): bool {
    return (this.flags & LOCAL_APIC_ONLINE_CAPABLE) != 0;
  }
}

export class IoApic {
  constructor(public id: u8, public address: u32, public gsiBase: u32) {}
}

export class InterruptOverride {
  constructor(public bus: u8, public source: u8, public gsi: u32, public flags: u16) {}

  /** POLARITY_*: bits 0-1 of the flags. */
  get polarity(): u8 {
    return <u8>(this.flags & 3);
  }

  /** TRIGGER_*: bits 2-3 of the flags. */
  get trigger(): u8 {
    return <u8>((this.flags >> 2) & 3);
  }
}

export function polarityName(polarity: u8): string {
  if (polarity == POLARITY_CONFORMS) return "conforms";
  if (polarity == POLARITY_ACTIVE_HIGH) return "active-high";
  if (polarity == POLARITY_ACTIVE_LOW) return "active-low";
  return "reserved";
}

export function triggerName(trigger: u8): string {
  if (trigger == TRIGGER_CONFORMS) return "conforms";
  if (trigger == TRIGGER_EDGE) return "edge";
  if (trigger == TRIGGER_LEVEL) return "level";
  return "reserved";
}

export class Madt {
  /** The 32-bit header field, or a type-5 entry's 64-bit override. */
  localApicAddress: u64 = 0;
  flags: u32 = 0;
  readonly localApics: Array<LocalApic> = new Array<LocalApic>();
  readonly ioApics: Array<IoApic> = new Array<IoApic>();
  readonly overrides: Array<InterruptOverride> = new Array<InterruptOverride>();
  /** NMI source (type 3) and local APIC NMI (type 4) entries, stepped over. */
  nmiEntries: u32 = 0;
  /** Entries of other types (x2APIC, GIC, …), stepped over. */
  otherEntries: u32 = 0;
  /** False when a bad entry stopped the walk before the table's end. */
  complete: bool = true;

  /** True when the machine also has dual 8259 PICs (which must then be masked). */
  get pcatCompat(): bool {
    return (this.flags & MADT_FLAG_PCAT_COMPAT) != 0;
  }

  /** The override for ISA IRQ `irq`, or null when it maps to GSI `irq` with ISA defaults. */
  overrideForIsaIrq(irq: u8): InterruptOverride | null {
    for (let i = 0; i < this.overrides.length; i++) {
      const o = this.overrides[i];
      if (o.bus == ISA_BUS && o.source == irq) return o;
    }
    return null;
  }
}

/** Decodes a MADT that passed its checksum. */
export function decodeMadt(table: AcpiTable, errors: AcpiErrors): Madt {
  const madt = new Madt();
  const b = table.bytes;
  const end = <u32>b.length;
  if (end < FIRST_ENTRY) {
    errors.report(table.signature, table.phys, REASON_MADT_TOO_SHORT,
      "only " + end.toString() + " bytes; a MADT has at least " + FIRST_ENTRY.toString());
    madt.complete = false;
    return madt;
  }
  madt.localApicAddress = <u64>readU32(b, LOCAL_APIC_ADDRESS);
  madt.flags = readU32(b, FLAGS);

  let offset = FIRST_ENTRY;
  while (offset < end) {
    if (end - offset < ENTRY_HEADER_LENGTH) {
      stopWalk(madt, table, errors, REASON_ENTRY_OVERRUN,
        "entry header at offset " + hex0x(offset) + " runs past the table's end (" + end.toString() + " bytes)");
      break;
    }
    const type = readU8(b, offset);
    const length = <u32>readU8(b, offset + 1);
    if (length < ENTRY_HEADER_LENGTH) {
      stopWalk(madt, table, errors, REASON_ENTRY_LENGTH,
        "entry at offset " + hex0x(offset) + " (type " + type.toString() + ") has length " + length.toString());
      break;
    }
    if (length > end - offset) {
      stopWalk(madt, table, errors, REASON_ENTRY_OVERRUN,
        "entry at offset " + hex0x(offset) + " (type " + type.toString() + ", length " + length.toString() +
        ") runs past the table's end (" + end.toString() + " bytes)");
      break;
    }
    decodeEntry(madt, table, errors, type, offset, length);
    offset += length;
  }
  return madt;
}

function stopWalk(madt: Madt, table: AcpiTable, errors: AcpiErrors, reason: string, detail: string): void {
  madt.complete = false;
  errors.report(table.signature, table.phys, reason, detail + "; rest of the table ignored");
}

/** Decodes one entry whose [offset, offset + length) is known to lie inside the table. */
function decodeEntry(madt: Madt, table: AcpiTable, errors: AcpiErrors, type: u8, offset: u32, length: u32): void {
  const b = table.bytes;
  let needed: u32 = 0;
  if (type == TYPE_LOCAL_APIC) needed = LOCAL_APIC_LENGTH;
  else if (type == TYPE_IO_APIC) needed = IO_APIC_LENGTH;
  else if (type == TYPE_INTERRUPT_OVERRIDE) needed = INTERRUPT_OVERRIDE_LENGTH;
  else if (type == TYPE_LOCAL_APIC_ADDRESS_OVERRIDE) needed = LOCAL_APIC_ADDRESS_OVERRIDE_LENGTH;
  if (length < needed) {
    errors.report(table.signature, table.phys, REASON_ENTRY_TOO_SHORT, "type " + type.toString() +
      " entry at offset " + hex0x(offset) + " has length " + length.toString() + ", needs " +
      needed.toString() + "; entry skipped");
    return;
  }

  if (type == TYPE_LOCAL_APIC) {
    madt.localApics.push(new LocalApic(readU8(b, offset + 2), readU8(b, offset + 3), readU32(b, offset + 4)));
  } else if (type == TYPE_IO_APIC) {
    madt.ioApics.push(new IoApic(readU8(b, offset + 2), readU32(b, offset + 4), readU32(b, offset + 8)));
  } else if (type == TYPE_INTERRUPT_OVERRIDE) {
    madt.overrides.push(new InterruptOverride(
      readU8(b, offset + 2), readU8(b, offset + 3), readU32(b, offset + 4), readU16(b, offset + 8)));
  } else if (type == TYPE_LOCAL_APIC_ADDRESS_OVERRIDE) {
    madt.localApicAddress = readU64(b, offset + 4);
  } else if (type == TYPE_NMI_SOURCE || type == TYPE_LOCAL_APIC_NMI) {
    madt.nmiEntries++;
  } else {
    madt.otherEntries++;
  }
}
