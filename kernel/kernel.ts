// The kernel proper: boot sequence and the interrupt-driven event loop body.
// Owns: the order in which subsystems start and which IRQ lines are served.
// May call: every subsystem. Never: sleeps itself — kmain (main.ts) owns the
// idle loop, so the host build can drive step() from a test.

import { rxDropped, txDropped, txWaitTicks, uartGetByte, uartInit, uartQueued, uartReceive, COM1_IRQ } from "./console/uart";
import { log, writeLine } from "./console/log";
import { shellFeedByte } from "./console/shell";
import { irqController, irqInit, irqRouteIsa, irqRouteOf, irqUnmask } from "./irq/index";
import { AcpiEvents, EventRegisters } from "./acpi/events";
import { addStats, registerStatsCommand } from "./stats";
import { heapStats } from "./mm/heap";
import { registerExitCommand } from "./machine/exit";
import { registerPanicCommand } from "./machine/panic";
import { AcpiDiscovery, AcpiTable, discoverAcpi, registerAcpiCommand } from "./acpi/index";
import {
  amlInterpreter, amlLoadAcpiTable, amlNotifyCount, deliverPendingNotifies,
  registerAmlCommand,
} from "./aml/index";
import { bootRsdp, memoryInit, memoryMapBytes, registerMmCommand } from "./mm/index";
import { currentGuidText, registerVmgenidCommands, vmgenidInit, vmgenidStats } from "./drivers/vmgenid/index";
import {
  entropyWaitTicks, epoch, fenceCoverage, randomInit, randomStart, randomInterrupt, randomStats, registerRandomCommands,
  setInterruptPoller, setRestoreSignalHandler, watchRestoreSignal,
} from "./random/index";
import { registerVmclockCommands, vmclockInit, vmclockStats } from "./drivers/vmclock/index";
import { gedInit, gedServe, gedStats } from "./drivers/ged/index";
import { powerButtonPressed, powerInit, servePowerButton } from "./drivers/power/index";
import { entryTsc, lastIrqTsc, pollIrq, rdtsc } from "./hw";

function loadDefinitionBlock(table: AcpiTable): void {
  const problem = amlLoadAcpiTable(table);
  if (problem.length > 0) log("aml", table.signature + " " + table.oemTableId + ": " + problem);
}

/** DSDT first, then every SSDT, into one namespace. */
function loadNamespace(acpi: AcpiDiscovery): void {
  const dsdt = acpi.dsdt;
  if (dsdt == null) {
    log("aml", "no valid DSDT; the namespace holds only the predefined objects");
  } else {
    loadDefinitionBlock(dsdt);
  }
  for (let i = 0; i < acpi.ssdts.length; i++) loadDefinitionBlock(acpi.ssdts[i]);
  const count = amlInterpreter().ns.count();
  log("aml", "namespace: " + count.toString() + " objects from " +
    ((dsdt == null ? 0 : 1) + acpi.ssdts.length).toString() + " tables");
}

/** Unique-but-public boot data for the pool: every table's header and address, and the memory map. */
function bootData(acpi: AcpiDiscovery): Uint8Array {
  const map = memoryMapBytes();
  const out = new Uint8Array(acpi.tables.length * 44 + map.length);
  out.set(map, acpi.tables.length * 44);
  for (let i = 0; i < acpi.tables.length; i++) {
    const t = acpi.tables[i];
    const n = min(36, t.bytes.length);
    for (let k = 0; k < n; k++) out[i * 44 + k] = t.bytes[k];
    for (let k = 0; k < 8; k++) out[i * 44 + 36 + k] = <u8>(t.phys >> (<u64>(8 * k)));
  }
  return out;
}

let events: AcpiEvents | null = null;
const NO_LINE: u32 = 0xffffffff;
const LINE_COUNT: u32 = 32;

function has(lines: u32, line: u32): bool {
  return line < LINE_COUNT && (lines & (<u32>1 << line)) != 0;
}

function inputStats(): string {
  return "rx_dropped=" + rxDropped.toString() + " tx_dropped=" + txDropped.toString();
}

/**
 * TSC ticks from the loader's entry into the kernel to the ready line
 * written (instructions under -icount shift=0), and of those the waits:
 * for timer entropy (a CPU without RDSEED/RDRAND) and for the serial
 * transmit FIFO to drain (the console's pace, and the host's when its
 * reader falls behind) — time the boot spends polling, not work.
 */
let bootTicks: u64 = 0;
let bootWaitTicks: u64 = 0;

function bootStats(): string {
  return "boot_tsc=" + bootTicks.toString() + " boot_wait_tsc=" + bootWaitTicks.toString();
}

let sciLine: u32 = NO_LINE;
/** COM1's line: ISA IRQ 4 through whichever controller irq/ chose. */
let comLine: u32 = NO_LINE;

function routeConsole(): void {
  const line = irqRouteIsa(COM1_IRQ, "COM1");
  if (line < 0) { log("irq", "COM1 has no interrupt line: the shell will not answer"); return; }
  comLine = <u32>line;
  irqUnmask(comLine);
  if (irqController() != "8259") log("irq", "COM1 on " + irqRouteOf(comLine)!.describe());
}

function eventStats(): string {
  const e = events;
  const sci = e == null ? 0 : e.sciCount, gpe = e == null ? 0 : e.gpeCount;
  return "sci=" + sci.toString() + " gpe=" + gpe.toString() + " notify=" + amlNotifyCount().toString();
}

/**
 * Starts ACPI events and routes the SCI: FADT.SCI_INT is an ISA IRQ whose
 * MADT override gives its GSI and trigger mode (level unless it says edge,
 * ACPI's default for the SCI). A hardware-reduced FADT has no SCI.
 */
function startAcpiEvents(acpi: AcpiDiscovery): void {
  const fadt = acpi.fadt;
  if (fadt == null) { log("acpi", "no FADT: no SCI, no GPEs"); return; }
  const e = new AcpiEvents(EventRegisters.fromFadt(fadt));
  e.init();
  events = e;
  // A restore raises vmgenid's GPE status before the vCPU runs again: every
  // draw reads these registers first and serves what they show (random/fence.ts).
  const watched = e.forEachHandledStatus(watchRestoreSignal);
  if (watched > 0) setRestoreSignalHandler(servePendingGpes);
  log("acpi", "restore fence: " + watched.toString() + " GPE status register" + (watched == 1 ? "" : "s") +
    " watched (the random line says when the fence reads them)");
  if (fadt.hardwareReduced) return;
  const line = irqRouteIsa(<u32>fadt.sciInt, "SCI", true);
  if (line < 0) return;
  sciLine = <u32>line;
  irqUnmask(sciLine);
  log("irq", "SCI on " + irqRouteOf(sciLine)!.describe());
}

export function boot(magic: u32, mbi: u32): void {
  uartInit();
  log("clonesafe", "booting");
  memoryInit(magic, mbi);
  const acpi = discoverAcpi(bootRsdp);
  irqInit(acpi.madt, acpi.fadt);
  randomStart(); // the entropy timer ticks while the boot works, until randomInit
  loadNamespace(acpi);
  vmgenidInit();
  vmclockInit();
  startAcpiEvents(acpi);
  gedInit();
  powerInit(acpi.fadt);
  randomInit(bootData(acpi)); // seeded before anything can ask for output
  log("random", "restore fence: " + fenceCoverage());
  addStats(eventStats);
  addStats(randomStats);
  addStats(vmgenidStats);
  addStats(vmclockStats);
  addStats(heapStats);
  addStats(inputStats);
  addStats(bootStats);
  addStats(gedStats); // last: the keys before it are read by position (tests, tools)
  registerAcpiCommand(acpi);
  registerStatsCommand();
  registerAmlCommand();
  registerMmCommand();
  registerVmgenidCommands();
  registerVmclockCommands();
  registerRandomCommands();
  setInterruptPoller(serveWhileBusy);
  registerExitCommand();
  registerPanicCommand();
  deliverPendingNotifies();
  routeConsole();
  writeLine("clonesafe ready guid=" + currentGuidText() + " epoch=" + epoch.toString());
  bootTicks = rdtsc() - entryTsc();
  bootWaitTicks = entropyWaitTicks() + txWaitTicks;
}

/**
 * The SCI's work, run before a draw when a watched GPE status is raised
 * (whatever the interrupt order): the same dispatch as the interrupt's. The
 * line itself, if it was raised, is served later and finds nothing left.
 */
function servePendingGpes(): void {
  const e = events;
  if (e == null) return;
  e.handleSci();
  deliverPendingNotifies();
  if (e.takePowerButton()) powerButtonPressed("PM1 PWRBTN_STS");
}

/** Serves the SCI if it is among `lines`; returns the lines left. */
function serveSci(lines: u32): u32 {
  const e = events;
  if (e != null && has(lines, sciLine)) {
    e.handleSci();
    deliverPendingNotifies();
    if (e.takePowerButton()) powerButtonPressed("PM1 PWRBTN_STS");
    irqUnmask(sciLine); // the GPEs that raised it are cleared by now
    lines &= ~(<u32>1 << sciLine);
  }
  return lines;
}

/**
 * For commands that keep the CPU busy (stream): lets pending interrupts in
 * and serves the SCI; COM1 is reopened with its bytes left for the command.
 */
function serveWhileBusy(): void {
  const lines = pollIrq();
  if (lines == 0) return;
  randomInterrupt(lastIrqTsc(), lines);
  const left = serveSci(lines);
  gedServe(left);
  if (has(left, comLine)) irqUnmask(comLine);
}

/** True when received input waits for the next step (the idle loop must not sleep). */
export function inputPending(): bool {
  return uartQueued() > 0;
}

/**
 * Serves the interrupt lines in `lines` (bit n = line n, irq/index.ts), then reopens them, and
 * at most one command line from the receive queue. The
 * SCI goes first: after a restore it carries the generation change, and a
 * request waiting in COM1 must meet the reseeded key (the draw's own fence
 * makes this hold in any order; serving the SCI first keeps the log in the
 * order things happened). Returns true when it ran a command or served an
 * SCI: work that leaves garbage worth collecting (a keystroke leaves none).
 */
export function step(lines: u32): bool {
  let worked = false;
  if (lines != 0) randomInterrupt(lastIrqTsc(), lines);
  const sciServed = has(lines, sciLine);
  lines = serveSci(lines);
  if (sciServed) worked = true;
  const gedServed = gedServe(lines);
  if (gedServed != 0) worked = true;
  if (gedServed != 0 && (has(lines, comLine) || uartQueued() > 0)) {
    // A GED's _EVT is an event of its own: a command must not inherit the
    // AML budget a hostile _EVT used up. COM1's bytes go to the receive
    // queue, and the next step (after main.ts's collection) runs the command.
    uartReceive();
    irqUnmask(comLine);
    lines &= ~(<u32>1 << comLine);
  } else if (has(lines, comLine) || uartQueued() > 0) {
    // One command per event: the AML budget and the garbage it may leave
    // belong to one command (main.ts collects between events). Bytes after
    // the command's line end wait in the queue for the next step.
    for (let byte = uartGetByte(); byte >= 0; byte = uartGetByte()) {
      if (shellFeedByte(<u32>byte)) { worked = true; break; }
    }
    uartReceive(); // empty the UART, so a byte arriving later raises a new edge
    deliverPendingNotifies();
    irqUnmask(comLine);
    if (has(lines, comLine)) lines &= ~(<u32>1 << comLine);
  }
  lines &= ~gedServed;
  for (let line: u32 = 0; line < LINE_COUNT; line++) {
    // Lines nobody owns stay masked; say so once each time one fires.
    if ((lines & (<u32>1 << line)) != 0) log("irq", "line " + line.toString() + " fired with no handler; left masked");
  }
  // A press is served after the event that delivered it (drivers/power).
  if (servePowerButton()) worked = true;
  return worked;
}
