// The VM Generation ID driver: finds the device in the ACPI namespace, maps
// its GUID page write-back, reads the GUID, and follows generation changes.
// Owns: the cached GUID and the generation count, and the generation
// change: mix the GUID (no entropy credit: it is unique, not secret) with
// fresh CPU randomness and a timestamp, reseed at once, advance the epoch.
// May call: the AML subsystem (evaluation, notify registration), the memory
// manager's windows, the random subsystem, the console. Never: maps the
// GUID page uncached (spec R1e), trusts an ADDR it has not validated, or
// lets a draw happen on a stale generation (the CRNG's every-draw check
// calls onGenerationSeen first).
//
// Discovery is general on purpose (test/aml/cases/vmgenid-*.asl): hypervisors write the
// device differently — _HID/_CID as a String, an EISA-id Integer, a Package
// of either, or a Method returning one; ADDR as a Method or a Name; _STA
// missing (meaning present).

import { NamespaceNode } from "../../aml/namespace";
import { AmlInteger, AmlObject, AmlPackage, ObjectType, typeName } from "../../aml/objects";
import { amlInterpreter, registerNotifyHandler } from "../../aml/index";
import { jsonLengthBound, objectJson } from "../../aml/json";
import { frames, memoryTypeAt, windows } from "../../mm/index";
import { TYPE_WB } from "../../mm/memtype";
import { log } from "../../console/log";
import { lastIrqTsc, rdtsc } from "../../hw";
import { addDeviceRandomness, addGenerationRandomness, epoch, watchGeneration } from "../../random/index";
import { Answer, fail, ok, registerCommand } from "../../console/shell";
import { hex } from "../../lib/fmt";
import { deviceMatches, deviceStatus, evaluateChild, findDevices } from "../ids";

export { eisaIdText } from "../ids";
import { TextBuilder } from "../../lib/text";

const IDS: string[] = [
  "QEMUVGID", "VM_GEN_COUNTER", "VMGENCTR", "HYPER_V_GEN_COUNTER_V1", "MSFT1002", "FCVMGID",
];
const GUID_BYTES: u64 = 16;
const STABLE_READ_ATTEMPTS: i32 = 16;
/** ADDR is a two-Integer Package: anything whose JSON is longer is summarized in the boot log. */
const ADDR_LOG_LIMIT: i64 = 1024;

/** The GUID's bytes in text order; -1 is a dash. */
const GUID_TEXT_ORDER: StaticArray<i32> = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];

export class GenerationId {
  constructor(public low: u64, public high: u64) {}

  equals(other: GenerationId): bool {
    return this.low == other.low && this.high == other.high;
  }

  private byte(i: i32): u64 {
    const word = i < 8 ? this.low : this.high;
    return (word >> (<u64>(8 * (i & 7)))) & 0xff;
  }

  /** QEMU's text form: the first three fields are stored little-endian. */
  toString(): string {
    const b = new TextBuilder(36);
    for (let i = 0; i < GUID_TEXT_ORDER.length; i++) {
      const at = unchecked(GUID_TEXT_ORDER[i]);
      if (at < 0) b.char(0x2d);
      else b.hex(this.byte(at), 2);
    }
    return b.toString();
  }
}

export class VmGenIdDevice {
  generation: u32 = 0;
  /** The GUID at the previous notify (or at boot): what `changed=` compares with; never the same object as `guid`. */
  notifiedGuid: GenerationId = new GenerationId(0, 0);
  constructor(
    public node: NamespaceNode,
    public matchedId: string,
    public phys: u64,
    /** Linear-memory address of the GUID, through a write-back window. */
    public window: usize,
    public guid: GenerationId,
  ) {}
}

export let device: VmGenIdDevice | null = null;
/** TSC ticks from the last IRQ's entry to this driver's notify handler (the dispatch cost). */
export let lastDispatchTicks: u64 = 0;
/** TSC ticks of the last generation change: mixing and reseeding. */
export let lastReseedTicks: u64 = 0;
/** TSC ticks from the SCI's entry to the reseed's end: what a restore costs until output is fresh. */
export let lastSciToReseedTicks: u64 = 0;

/**
 * Reads the GUID through the window into `guid` until two consecutive reads
 * agree (the last read if none do). Allocates nothing: a restore's reseed
 * reads into the device's own object.
 */
export function readGuidInto(window: usize, guid: GenerationId): GenerationId {
  let low = load<u64>(window), high = load<u64>(window, 8);
  for (let i = 0; i < STABLE_READ_ATTEMPTS; i++) {
    const l = load<u64>(window), h = load<u64>(window, 8);
    if (l == low && h == high) break;
    low = l;
    high = h;
  }
  guid.low = low;
  guid.high = high;
  return guid;
}

/** The GUID through the window, as readGuidInto, in a new object. */
export function readGuid(window: usize): GenerationId {
  return readGuidInto(window, new GenerationId(0, 0));
}

/**
 * Validates ADDR's result; returns the GUID's physical address or 0 with a
 * reason. ADDR points 40 bytes into the blob QEMU's linker/loader placed
 * (QEMU's docs/specs/vmgenid.txt: the first 40 bytes are OVMF's "SDT header
 * probe suppressor"); only the 16 bytes at ADDR are read. Where firmware
 * puts the blob, seen under QEMU 7.2: SeaBIOS in memory its e820 map
 * reserves; OVMF 2022.11 in EfiACPIMemoryNVS (the boot line names the
 * map's type), the 40 bytes before the GUID zero, and the page WB by
 * OVMF's MTRRs like the rest of RAM (windows.requireCacheable checks it):
 * either way not RAM the frame allocator hands out, which is what the
 * check below requires.
 */
function validateAddress(result: AmlObject | null, problem: Array<string>): u64 {
  if (!(result instanceof AmlPackage)) { problem.push("ADDR did not yield a Package"); return 0; }
  const e = (result as AmlPackage).elements;
  if (e.length != 2 || !(e[0] instanceof AmlInteger) || !(e[1] instanceof AmlInteger)) {
    problem.push("ADDR must yield a Package of two Integers (low, high)");
    return 0;
  }
  const address = ((e[0] as AmlInteger).value & 0xffffffff) | (((e[1] as AmlInteger).value & 0xffffffff) << 32);
  if (address == 0) { problem.push("ADDR is 0"); return 0; }
  if ((address & 7) != 0) { problem.push("ADDR 0x" + hex(address) + " is not 8-byte aligned"); return 0; }
  if ((address & 0xfff) + GUID_BYTES > 0x1000) { problem.push("the GUID at 0x" + hex(address) + " crosses a page"); return 0; }
  if (frames.isUsableRam(address) || frames.isUsableRam(address + GUID_BYTES - 1)) {
    problem.push("ADDR 0x" + hex(address) + " lies in usable RAM, not firmware-reserved memory");
    return 0;
  }
  return address;
}

function tryDevice(node: NamespaceNode): VmGenIdDevice | null {
  const problem = new Array<string>();
  const matched = deviceMatches(node, IDS, problem);
  if (matched.length == 0) return null;
  const status = deviceStatus(node, problem);
  if ((status & 1) == 0) {
    log("vmgenid", node.path() + " (" + matched + ") is not present (_STA 0x" + hex(status) + ")" +
      (problem.length > 0 ? ": " + problem.join("; ") : ""));
    return null;
  }
  const addr = evaluateChild(node, "ADDR", problem);
  log("vmgenid", node.path() + ".ADDR = " +
    (jsonLengthBound(amlInterpreter(), addr, ADDR_LOG_LIMIT) > ADDR_LOG_LIMIT ? "(a " + typeName(addr!.type) + " too large to print)" : objectJson(amlInterpreter(), addr)));
  const address = validateAddress(addr, problem);
  if (address == 0) {
    log("vmgenid", node.path() + " (" + matched + "): " + problem.join("; ") + "; running without vmgenid");
    return null;
  }
  const w = windows!;
  w.requireCacheable(address);
  const window = w.map(address, TYPE_WB, "vmgenid GUID");
  if (window == 0) {
    log("vmgenid", node.path() + ": cannot map the GUID page: " + w.error + "; running without vmgenid");
    return null;
  }
  return new VmGenIdDevice(node, matched, address, window, readGuid(window));
}

/** Mixes the new generation into the pool and reseeds at once. */
function generationChange(d: VmGenIdDevice): void {
  const start = rdtsc();
  readGuidInto(d.window, d.guid);
  addGenerationRandomness(d.guid.low, d.guid.high, <u64>d.generation);
  lastReseedTicks = rdtsc() - start;
}

/**
 * Called by the CRNG's every-draw check (two 64-bit loads of the window
 * against the GUID last acted on) when they differ. QEMU writes a new GUID
 * while the vCPU is stopped, so a draw after a restore sees it before the
 * first output byte.
 */
function onGenerationSeen(): void {
  const d = device;
  if (d != null) generationChange(d);
}

function onNotify(node: NamespaceNode, value: u32): void {
  lastDispatchTicks = rdtsc() - lastIrqTsc();
  const d = device;
  if (d == null || value != 0x80) return;
  // Reseed on every notify, changed or not: a same-process loadvm keeps the
  // GUID but still brings back an old CRNG state.
  generationChange(d);
  lastSciToReseedTicks = rdtsc() - lastIrqTsc();
  const changed = !d.guid.equals(d.notifiedGuid);
  d.notifiedGuid.low = d.guid.low; // its own object: d.guid is read into in place
  d.notifiedGuid.high = d.guid.high;
  d.generation++;
  log("vmgenid", "notify gen=" + d.generation.toString() + " guid=" + d.guid.toString() +
    " changed=" + (changed ? "1" : "0") + " epoch=" + epoch.toString());
}

/** Walks every Device in the namespace for a generation counter; the first one found is used. */
export function vmgenidInit(): void {
  device = null;
  const candidates = findDevices(IDS);
  for (let i = 0; i < candidates.length && device == null; i++) device = tryDevice(candidates[i]);
  const d = device;
  if (d == null) { log("vmgenid", "no VM generation ID device"); return; }
  d.notifiedGuid = new GenerationId(d.guid.low, d.guid.high);
  // Unique, not secret: into the pool with no credit, before the first
  // seeding, so clones booted from one image differ from their first draw
  // (Linux's vmgenid_add does the same).
  addDeviceRandomness(d.guid.low, d.guid.high);
  registerNotifyHandler(d.node, onNotify);
  watchGeneration(d.window, d.guid.low, d.guid.high, onGenerationSeen);
  log("vmgenid", d.node.path() + " (" + d.matchedId + ") guid=" + d.guid.toString() + " at 0x" + hex(d.phys) +
    ", window 0x" + hex(<u64>d.window) + " WB; the firmware's map: " + memoryTypeAt(d.phys));
}

export function currentGuidText(): string {
  const d = device;
  return d == null ? "none" : d.guid.toString();
}

export function vmgenidStats(): string {
  return "dispatch_tsc=" + lastDispatchTicks.toString() + " reseed_tsc=" + lastReseedTicks.toString() +
    " sci_reseed_tsc=" + lastSciToReseedTicks.toString();
}

function guidCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  return ok(currentGuidText());
}

export function registerVmgenidCommands(): void {
  registerCommand("guid", "guid", guidCommand);
}
