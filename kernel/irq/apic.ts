// The local APIC and the IOAPICs, as the MADT describes them: how interrupts
// reach the CPU on a machine whose 8259 is not wired to it (QEMU microvm,
// Firecracker, cloud-hypervisor) — hardware-reduced ACPI has no PC-AT
// legacy to lean on.
// Owns: the local APIC's registers (spurious vector, task priority, LINT0,
// the error LVT, the timer) and every IOAPIC redirection entry. May call: hw
// physical access and the loader's delivery mechanics (irqUseApic,
// irqMaskOnEntry), mm/phys.ts, the console. Never: delivers an interrupt to
// a vector the loader has no stub for, leaves a redirection entry it did not
// program unmasked, or touches an APIC outside the direct map.
//
// Registers are reached through the loader's direct map with single 32-bit
// accesses, as both devices require. Under QEMU the direct map's write-back
// page type does not matter (device regions are dispatched by address);
// on hardware the MTRRs make 0xFEC00000-0xFEEFFFFF uncached.

import { irqMaskOnEntry, irqUseApic, physRead, physWrite, rdmsr } from "../hw";
import { physRangeMapped } from "../mm/phys";

// Local APIC registers (Intel SDM vol. 3, table 11-1).
const LAPIC_ID: u64 = 0x20;
const LAPIC_VERSION: u64 = 0x30;
const LAPIC_TPR: u64 = 0x80;
const LAPIC_SVR: u64 = 0xf0;
const LAPIC_LVT_TIMER: u64 = 0x320;
const LAPIC_LVT_LINT0: u64 = 0x350;
const LAPIC_LVT_ERROR: u64 = 0x370;
const LAPIC_TIMER_INITIAL: u64 = 0x380;
const LAPIC_TIMER_DIVIDE: u64 = 0x3e0;
const LAPIC_SVR_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const LVT_TIMER_PERIODIC: u32 = 1 << 17;
const TIMER_DIVIDE_BY_1: u32 = 0xb;
/** IA32_APIC_BASE: bit 11 is the APIC's global enable, which only firmware or a WRMSR sets. */
const IA32_APIC_BASE: u32 = 0x1b;
const APIC_GLOBAL_ENABLE: u64 = 1 << 11;

// IOAPIC: an index register and a data window; redirection entries from 0x10.
const IOREGSEL: u64 = 0x00;
const IOWIN: u64 = 0x10;
const IOAPIC_VERSION: u32 = 0x01;
const REDIRECTION: u32 = 0x10;
const RTE_ACTIVE_LOW: u32 = 1 << 13;
const RTE_LEVEL: u32 = 1 << 15;
const RTE_MASKED: u32 = 1 << 16;

/** Vectors of the loader's line stubs (boot/isr.S): line n is vector 0x20 + n. */
export const VECTOR_BASE: u32 = 0x20;
export const LINES: u32 = 32;
export const SPURIOUS_VECTOR: u32 = 0xff;

export class IoApicUnit {
  constructor(public id: u8, public phys: u64, public gsiBase: u32, public pins: u32) {}

  read(register: u32): u32 {
    physWrite(this.phys + IOREGSEL, 4, <u64>register);
    return <u32>physRead(this.phys + IOWIN, 4);
  }

  write(register: u32, value: u32): void {
    physWrite(this.phys + IOREGSEL, 4, <u64>register);
    physWrite(this.phys + IOWIN, 4, <u64>value);
  }

  covers(gsi: u32): bool {
    return gsi >= this.gsiBase && gsi - this.gsiBase < this.pins;
  }
}

export class LocalApicUnit {
  constructor(public phys: u64) {}

  read(register: u64): u32 { return <u32>physRead(this.phys + register, 4); }
  write(register: u64, value: u32): void { physWrite(this.phys + register, 4, <u64>value); }
  get id(): u32 { return this.read(LAPIC_ID) >> 24; }
  get version(): u32 { return this.read(LAPIC_VERSION) & 0xff; }
}

/** Why the local APIC cannot be used at `phys`, or "" when it can. */
export function localApicProblem(phys: u64): string {
  if (phys == 0) return "the MADT gives no local APIC address";
  if (!physRangeMapped(phys, 0x400)) return "the local APIC at 0x" + phys.toString(16) + " is outside the direct map";
  if ((rdmsr(IA32_APIC_BASE) & APIC_GLOBAL_ENABLE) == 0) return "the local APIC is globally disabled (IA32_APIC_BASE bit 11 clear)";
  return "";
}

/** Why an IOAPIC entry cannot be used, or "" when it can. */
export function ioApicProblem(phys: u64): string {
  if (phys == 0 || (phys & 0xf) != 0) return "its address 0x" + phys.toString(16) + " is not a 16-byte aligned register block";
  if (!physRangeMapped(phys, 0x20)) return "its address 0x" + phys.toString(16) + " is outside the direct map";
  return "";
}

/**
 * Reads an IOAPIC's pin count from its version register; 0 when the
 * register reads as no IOAPIC would (all ones: nothing decodes the address).
 */
export function ioApicPins(phys: u64): u32 {
  physWrite(phys + IOREGSEL, 4, <u64>IOAPIC_VERSION);
  const version = <u32>physRead(phys + IOWIN, 4);
  if (version == 0xffffffff) return 0;
  return ((version >> 16) & 0xff) + 1;
}

/** Masks every redirection entry (firmware may leave some open). */
export function maskAllPins(unit: IoApicUnit): void {
  for (let pin: u32 = 0; pin < unit.pins; pin++) {
    unit.write(REDIRECTION + 2 * pin, RTE_MASKED);
    unit.write(REDIRECTION + 2 * pin + 1, 0);
  }
}

/**
 * Software-enables the local APIC with the loader's spurious vector, lets
 * every priority through, masks LINT0 (the 8259's virtual-wire input: the
 * 8259 is not used on this path) and the error LVT, and hands EOIs to the
 * loader. LINT1 (NMI) is left as firmware set it.
 */
export function enableLocalApic(lapic: LocalApicUnit): void {
  lapic.write(LAPIC_TPR, 0);
  lapic.write(LAPIC_LVT_LINT0, LVT_MASKED);
  lapic.write(LAPIC_LVT_ERROR, LVT_MASKED);
  lapic.write(LAPIC_LVT_TIMER, LVT_MASKED);
  lapic.write(LAPIC_SVR, LAPIC_SVR_ENABLE | SPURIOUS_VECTOR);
  irqUseApic(lapic.phys);
}

/**
 * Routes `pin` of `unit` to `line` (vector VECTOR_BASE + line) on the CPU
 * whose APIC id is `destination`, masked; a level line is one the loader
 * masks on entry, until the kernel has served its source.
 */
export function programPin(unit: IoApicUnit, pin: u32, line: u32, level: bool, activeLow: bool, destination: u32): void {
  const low = (VECTOR_BASE + line) | (level ? RTE_LEVEL : 0) | (activeLow ? RTE_ACTIVE_LOW : 0) | RTE_MASKED;
  unit.write(REDIRECTION + 2 * pin, RTE_MASKED);
  unit.write(REDIRECTION + 2 * pin + 1, destination << 24);
  unit.write(REDIRECTION + 2 * pin, low);
  irqMaskOnEntry(line, level ? unit.phys : 0, pin);
}

export function setPinMasked(unit: IoApicUnit, pin: u32, masked: bool): void {
  const low = unit.read(REDIRECTION + 2 * pin);
  unit.write(REDIRECTION + 2 * pin, masked ? low | RTE_MASKED : low & ~RTE_MASKED);
}

/** The local APIC timer, periodic on `line`, every `count` ticks of its (undivided) clock. */
export function startApicTimer(lapic: LocalApicUnit, line: u32, count: u32): void {
  lapic.write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
  lapic.write(LAPIC_LVT_TIMER, (VECTOR_BASE + line) | LVT_TIMER_PERIODIC);
  lapic.write(LAPIC_TIMER_INITIAL, count);
}

export function stopApicTimer(lapic: LocalApicUnit): void {
  lapic.write(LAPIC_LVT_TIMER, LVT_MASKED);
  lapic.write(LAPIC_TIMER_INITIAL, 0);
}
