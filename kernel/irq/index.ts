// The interrupt subsystem's face: which controller delivers interrupts, how
// a device's interrupt (an ISA IRQ or a GSI) becomes one of the loader's 32
// lines, opening and closing lines, and the timer the entropy collector
// samples.
// Owns: the choice of controller, the line numbering and every route.
// May call: irq/pic.ts, irq/pit.ts, irq/apic.ts, the ACPI decodes (MADT,
// FADT: read only), the console. Never: chooses by a machine's name — the
// firmware's tables decide — or routes a line nobody asked for.
//
// The choice. The 8259 when the FADT describes PC-AT fixed hardware and the
// MADT says PCAT_COMPAT: QEMU pc and q35, whose firmware (SeaBIOS) leaves
// the local APIC in virtual-wire mode. There it reaches COM1 and the SCI
// through ports alone, its ELCR gives the SCI its level trigger, and it is
// the path every restore race has been run on; the APIC path would serve
// the same two lines with an MMIO window and more setup for nothing, so it
// stays there. The local APIC and the IOAPICs when the FADT is
// hardware-reduced or the MADT has no PCAT_COMPAT: a hardware-reduced
// platform has no legacy wiring to rely on (QEMU microvm's firmware leaves
// LINT0 unprogrammed, so its 8259 reaches nothing; Firecracker and
// cloud-hypervisor have no 8259 wired at all), and its devices — the GED
// among them — are described by GSIs on IOAPICs.
//
// Lines: on the 8259, line n is ISA IRQ n. Through the APIC, a GSI below 31
// is line n = GSI (so logs and the ISA numbers agree), a higher one takes
// the first free line from 30 down, and line 31 is the local APIC timer.

import { log } from "../console/log";
import { Fadt } from "../acpi/fadt";
import {
  InterruptOverride, Madt, POLARITY_ACTIVE_LOW, POLARITY_CONFORMS, TRIGGER_CONFORMS, TRIGGER_EDGE, TRIGGER_LEVEL,
} from "../acpi/madt";
import { picMask, picSetLevelTriggered, picUnmask } from "./pic";
import { PIT_HZ, PIT_IRQ, pitStartPeriodic, pitStop } from "./pit";
import {
  enableLocalApic, ioApicPins, ioApicProblem, IoApicUnit, LINES, localApicProblem, LocalApicUnit, maskAllPins,
  programPin, setPinMasked, startApicTimer, stopApicTimer,
} from "./apic";

/** The local APIC timer's line on the APIC path. */
const APIC_TIMER_LINE: u32 = 31;
/** The local APIC timer counts its bus clock, 1 GHz under QEMU (and KVM's emulated APIC). */
const APIC_TIMER_HZ: u32 = 1000000000;

export class IrqRoute {
  constructor(
    public line: u32,
    public gsi: u32,
    public level: bool,
    public activeLow: bool,
    public what: string,
    /** The IOAPIC and pin on the APIC path; null on the 8259. */
    public unit: IoApicUnit | null,
    public pin: u32,
  ) {}

  /** How many routing requests share this line (a GED interrupt on COM1's GSI, say). */
  owners: u32 = 1;

  describe(): string {
    const u = this.unit;
    const mode = (this.level ? "level" : "edge") + (this.activeLow ? ", active-low" : ", active-high");
    if (u == null) return "IRQ " + this.line.toString() + " (" + mode + ", 8259 PIC)";
    return "GSI " + this.gsi.toString() + " (" + mode + ", IOAPIC " + u.id.toString() + " pin " + this.pin.toString() +
      ", line " + this.line.toString() + ")";
  }
}

let apic = false;
let lapic: LocalApicUnit | null = null;
let destination: u32 = 0;
const units = new Array<IoApicUnit>();
const routes = new Array<IrqRoute | null>(<i32>LINES);
let overrides: Madt | null = null;
let timerLine: i32 = -1;

/** "8259" or "apic": what delivers interrupts. */
export function irqController(): string {
  return apic ? "apic" : "8259";
}

/** The route of `line`, or null. */
export function irqRouteOf(line: u32): IrqRoute | null {
  return line < LINES ? routes[<i32>line] : null;
}

/** Chooses the controller from the tables (the header says how) and sets it up. */
export function irqInit(madt: Madt | null, fadt: Fadt | null): void {
  apic = false;
  lapic = null;
  units.length = 0;
  for (let i = 0; i < <i32>LINES; i++) routes[i] = null;
  overrides = madt;
  timerLine = -1;
  const reduced = fadt != null && fadt.hardwareReduced;
  const pcat = madt != null && madt.pcatCompat;
  if (!reduced && (pcat || madt == null)) {
    log("irq", "8259 PIC: " + (madt == null ? "no MADT" : "PC-AT compatible (MADT PCAT_COMPAT)") + " with ACPI fixed hardware");
    return;
  }
  const why = reduced ? "hardware-reduced ACPI" : "the MADT has no PCAT_COMPAT";
  if (madt == null) { log("irq", why + " but no MADT: no APIC to route through; trying the 8259"); return; }
  const problem = localApicProblem(madt.localApicAddress);
  if (problem.length > 0) { log("irq", why + ", but " + problem + "; trying the 8259"); return; }
  for (let i = 0; i < madt.ioApics.length; i++) {
    const entry = madt.ioApics[i];
    const bad = ioApicProblem(<u64>entry.address);
    if (bad.length > 0) { log("irq", "MADT IOAPIC " + entry.id.toString() + ": " + bad + "; ignored"); continue; }
    const pins = ioApicPins(<u64>entry.address);
    if (pins == 0) { log("irq", "MADT IOAPIC " + entry.id.toString() + " at 0x" + entry.address.toString(16) + " does not answer; ignored"); continue; }
    if (<u64>entry.gsiBase + <u64>pins > 0x100000000) { log("irq", "MADT IOAPIC " + entry.id.toString() + ": GSI base " + entry.gsiBase.toString() + " overflows; ignored"); continue; }
    let overlaps = false;
    for (let k = 0; k < units.length; k++) {
      const u = units[k];
      if (entry.gsiBase < u.gsiBase + u.pins && u.gsiBase < entry.gsiBase + pins) overlaps = true;
    }
    if (overlaps) { log("irq", "MADT IOAPIC " + entry.id.toString() + ": GSIs " + entry.gsiBase.toString() + "+ overlap another IOAPIC's; ignored"); continue; }
    const unit = new IoApicUnit(entry.id, <u64>entry.address, entry.gsiBase, pins);
    maskAllPins(unit);
    units.push(unit);
  }
  if (units.length == 0) { log("irq", why + ", but no usable IOAPIC; trying the 8259"); return; }
  const l = new LocalApicUnit(madt.localApicAddress);
  enableLocalApic(l);
  lapic = l;
  destination = l.id;
  apic = true;
  const parts = new Array<string>();
  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    parts.push("ioapic" + u.id.toString() + " GSI " + u.gsiBase.toString() + "-" + (u.gsiBase + u.pins - 1).toString());
  }
  log("irq", "local APIC 0x" + l.phys.toString(16) + " id " + destination.toString() + " version 0x" + l.version.toString(16) +
    ", " + parts.join(", ") + " (" + why + "; the 8259 stays masked)");
}

function unitFor(gsi: u32): IoApicUnit | null {
  for (let i = 0; i < units.length; i++) if (units[i].covers(gsi)) return units[i];
  return null;
}

function freeLine(gsi: u32): i32 {
  if (gsi < APIC_TIMER_LINE && routes[<i32>gsi] == null) return <i32>gsi;
  for (let line = <i32>APIC_TIMER_LINE - 1; line >= 16; line--) if (routes[line] == null) return line;
  return -1;
}

/**
 * Routes GSI `gsi` for `what` with the given trigger and polarity; returns
 * its line, masked (irqUnmask opens it), or -1 with one log line naming why.
 */
export function irqRouteGsi(gsi: u32, level: bool, activeLow: bool, what: string): i32 {
  if (!apic) {
    if (gsi >= 16) { log("irq", what + ": GSI " + gsi.toString() + " is not an 8259 input (0-15); not routed"); return -1; }
    const existing = routes[<i32>gsi];
    if (existing != null) { existing.owners++; return <i32>gsi; } // shared: the first route's mode stands
    picSetLevelTriggered(gsi, level);
    routes[<i32>gsi] = new IrqRoute(gsi, gsi, level, activeLow, what, null, gsi);
    return <i32>gsi;
  }
  const unit = unitFor(gsi);
  if (unit == null) { log("irq", what + ": GSI " + gsi.toString() + " is on no IOAPIC the MADT describes; not routed"); return -1; }
  for (let i = 0; i < <i32>LINES; i++) {
    const r = routes[i];
    if (r != null && r.unit != null && r.gsi == gsi) {
      if (r.level != level || r.activeLow != activeLow) {
        log("irq", what + ": GSI " + gsi.toString() + " is already routed for " + r.what + " with another trigger or polarity; sharing its route");
      }
      r.owners++;
      return i;
    }
  }
  const line = freeLine(gsi);
  if (line < 0) { log("irq", what + ": no free interrupt line for GSI " + gsi.toString() + "; not routed"); return -1; }
  const pin = gsi - unit.gsiBase;
  programPin(unit, pin, <u32>line, level, activeLow, destination);
  routes[line] = new IrqRoute(<u32>line, gsi, level, activeLow, what, unit, pin);
  return line;
}

/**
 * Routes ISA IRQ `irq`: the MADT's override gives its GSI, trigger and
 * polarity; without one (or where it "conforms") ISA's defaults hold, edge
 * and active-high, except for the SCI, which ACPI makes level and active-low.
 */
export function irqRouteIsa(irq: u32, what: string, isSci: bool = false): i32 {
  if (irq >= 16) { log("irq", what + ": " + irq.toString() + " is not an ISA IRQ (0-15); not routed"); return -1; }
  let gsi = irq;
  let level = isSci, activeLow = isSci;
  const madt = overrides;
  const o: InterruptOverride | null = madt != null ? madt.overrideForIsaIrq(<u8>irq) : null;
  if (o != null) {
    if (apic) gsi = o.gsi; // on the 8259 the line is the ISA IRQ whatever its GSI
    if (o.trigger == TRIGGER_EDGE) level = false;
    else if (o.trigger == TRIGGER_LEVEL) level = true;
    else if (o.trigger != TRIGGER_CONFORMS) log("irq", what + ": the MADT override of IRQ " + irq.toString() + " has a reserved trigger mode; using the bus default");
    if (o.polarity == POLARITY_ACTIVE_LOW) activeLow = true;
    else if (o.polarity != POLARITY_CONFORMS) activeLow = false;
  }
  if (!apic) gsi = irq;
  return irqRouteGsi(gsi, level, activeLow, what);
}

/** Opens `line`: first after routing, then after each service (the loader closed it on entry, a level line through the APIC, every line on the 8259). */
export function irqUnmask(line: u32): void {
  setLineMasked(line, false);
}

export function irqMask(line: u32): void {
  setLineMasked(line, true);
}

/** Masks or opens a routed line at whichever controller carries it; a line never routed is left alone. */
function setLineMasked(line: u32, masked: bool): void {
  if (line >= LINES) return;
  const r = routes[<i32>line];
  if (r == null) return;
  const u = r.unit;
  if (u != null) setPinMasked(u, r.pin, masked);
  else if (masked) picMask(line);
  else picUnmask(line);
}

/**
 * Starts a periodic timer interrupt at about `hz` for the entropy collector
 * and returns its line: the 8254 PIT on IRQ 0 on the 8259, the local APIC
 * timer through the APIC. Both run from a clock of their own, independent
 * of the TSC the collector samples.
 */
export function timerStart(hz: u32): i32 {
  const l = lapic;
  if (apic && l != null) {
    startApicTimer(l, APIC_TIMER_LINE, APIC_TIMER_HZ / hz);
    timerLine = <i32>APIC_TIMER_LINE;
    return timerLine;
  }
  pitStartPeriodic(PIT_HZ / hz);
  picUnmask(PIT_IRQ);
  timerLine = <i32>PIT_IRQ;
  return timerLine;
}

export function timerStop(): void {
  const l = lapic;
  if (apic && l != null) stopApicTimer(l);
  else { pitStop(); picMask(PIT_IRQ); }
  timerLine = -1;
}

/** The timer's name for log lines. */
export function timerName(): string {
  return apic ? "local APIC timer" : "PIT";
}
