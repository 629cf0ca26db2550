// The VMClock driver: a page the hypervisor keeps, which says when the
// guest's clock was disrupted (disruption_marker: QEMU 10 raises it on every
// incoming state — loadvm, -loadvm, -incoming — while the vCPU is stopped)
// and, when its flag says so, when a snapshot was loaded
// (vm_generation_counter). QEMU 10's `-device vmclock` describes it in an
// SSDT: \_SB.VCLK, _HID "AMZNC10C", _CID "VMCLOCK", a QWordMemory _CRS
// (cacheable, read-only) for the page at 0xfeffb000.
// Layout (struct vmclock_abi, Linux include/uapi/linux/vmclock-abi.h; the
// UAPI group's VMClock specification): magic 0x4b4c4356 "VCLK" (u32 @0x00),
// size (u32 @0x04), version (u16 @0x08, 1), counter_id (u8 @0x0a),
// time_type (u8 @0x0b), seq_count (u32 @0x0c, odd while the hypervisor
// updates), disruption_marker (u64 @0x10), flags (u64 @0x18), clock_status
// (u8 @0x22), …, vm_generation_counter (u64 @0x68); 0x70 bytes in all.
// Flags: VMCLOCK_FLAG_VM_GEN_COUNTER_PRESENT bit 8,
// VMCLOCK_FLAG_NOTIFICATION_PRESENT bit 9 (the hypervisor notifies the
// device when seq_count becomes even; Linux's "ptp: vmclock: support device
// notifications" patch adds it to the header).
//
// Owns: finding the device (ids.ts, _STA, _CRS through acpi/resources.ts),
// validating and mapping its page, and reading it under its sequence count:
// the one reading the restore fence will ask for (vmclockRead). May call:
// the AML subsystem (evaluation), the resource decoder, the memory
// manager's windows and phys.ts, hw.readBarrier, the console. Never: maps
// the page uncached (it is marked requireCacheable and mapped with a
// write-back entry), reads a page it has not validated (reachable, not
// usable RAM, declared cacheable, magic, size, version, a stable sequence
// count at boot), hands out fields from a read whose sequence count moved,
// spins without bound, or reseeds by itself: it hands a moved counter to
// the random face (addRestoreCounterRandomness), the one entry for it.
//
// The restore fence (kernel/random/fence.ts says why this is complete):
// after boot the driver registers the page's sequence count with the fence
// and answers its CounterCheck when the count moves — vm_generation_counter
// when VM_GEN_COUNTER_PRESENT is set (it changes on every load of a saved
// state), else disruption_marker (every disruption, a snapshot load
// included, by the VMClock ABI; QEMU 10.0 raises it on every incoming
// state). Either is registered as complete. A page that stops being
// readable under its count is reported COUNTER_UNSTABLE with one log line,
// and the fence falls back to the GPE read and the GUID.

import { NamespaceNode } from "../../aml/namespace";
import { AmlBuffer, typeName } from "../../aml/objects";
import { CACHE_CACHEABLE, CACHE_NONCACHEABLE, CACHE_PREFETCHABLE, CACHE_WRITE_COMBINING, MemoryResource, parseResourceTemplate } from "../../acpi/resources";
import { frames, windows } from "../../mm/index";
import { physRangeMapped, physUnmappedError } from "../../mm/phys";
import { typeName as memoryTypeName } from "../../mm/memtype";
import { readBarrier } from "../../hw";
import { log } from "../../console/log";
import { Answer, fail, ok, registerCommand } from "../../console/shell";
import { hex } from "../../lib/fmt";
import { deviceMatches, deviceStatus, evaluateChild, findDevices } from "../ids";
import {
  absorbRestoreCounter, acknowledgeRestoreCounter, addRestoreCounterRandomness, CHECK_ABSORB, CHECK_REPORT, COUNTER_QUIET, COUNTER_RESTORED, COUNTER_UNSTABLE, epoch, watchRestoreCounter,
} from "../../random/index";

const IDS: string[] = ["AMZNC10C", "VMCLOCK"];

export const VMCLOCK_MAGIC: u32 = 0x4b4c4356; // "VCLK"
export const VMCLOCK_VERSION: u16 = 1;
const OFF_MAGIC: usize = 0x00;
const OFF_SIZE: usize = 0x04;
const OFF_VERSION: usize = 0x08;
const OFF_COUNTER_ID: usize = 0x0a;
const OFF_TIME_TYPE: usize = 0x0b;
const OFF_SEQ_COUNT: usize = 0x0c;
const OFF_DISRUPTION_MARKER: usize = 0x10;
const OFF_FLAGS: usize = 0x18;
const OFF_CLOCK_STATUS: usize = 0x22;
const OFF_VM_GENERATION_COUNTER: usize = 0x68;
/** sizeof(struct vmclock_abi): the driver reads up to vm_generation_counter's end. */
export const VMCLOCK_ABI_BYTES: u32 = 0x70;
const PAGE: u64 = 4096;

export const FLAG_TAI_OFFSET_VALID: u64 = 1 << 0;
export const FLAG_DISRUPTION_SOON: u64 = 1 << 1;
export const FLAG_DISRUPTION_IMMINENT: u64 = 1 << 2;
export const FLAG_PERIOD_ESTERROR_VALID: u64 = 1 << 3;
export const FLAG_PERIOD_MAXERROR_VALID: u64 = 1 << 4;
export const FLAG_TIME_ESTERROR_VALID: u64 = 1 << 5;
export const FLAG_TIME_MAXERROR_VALID: u64 = 1 << 6;
export const FLAG_TIME_MONOTONIC: u64 = 1 << 7;
export const FLAG_VM_GEN_COUNTER_PRESENT: u64 = 1 << 8;
export const FLAG_NOTIFICATION_PRESENT: u64 = 1 << 9;
const FLAG_NAMES: StaticArray<string> = [
  "tai_offset_valid", "disruption_soon", "disruption_imminent", "period_esterror_valid", "period_maxerror_valid",
  "time_esterror_valid", "time_maxerror_valid", "time_monotonic", "vm_gen_counter_present", "notification_present",
];

/**
 * Reads of an odd or moving seq_count before a read gives up. The hypervisor
 * holds it odd only while it writes a few fields (QEMU does so with the vCPU
 * stopped, so a guest never sees it odd there); a count that stays odd this
 * long is a page nobody finishes updating.
 */
export const SEQ_ATTEMPTS: i32 = 1024;

/** vmclockRead()'s results. */
export const READ_OK: i32 = 0;
export const READ_NO_DEVICE: i32 = 1;
export const READ_UNSTABLE: i32 = 2;

export class VmclockDevice {
  constructor(
    public node: NamespaceNode,
    public matchedId: string,
    public phys: u64,
    /** Linear-memory address of the page, through a window with a write-back entry. */
    public window: usize,
    public size: u32,
    public version: u16,
  ) {}
}

export let device: VmclockDevice | null = null;

// The last consistent read (vmclockRead() == READ_OK): the fields under the
// sequence count, copied out of the page while it held still.
export let seqCount: u32 = 0;
export let disruptionMarker: u64 = 0;
export let flags: u64 = 0;
/** vm_generation_counter; meaningful only when `flags` has FLAG_VM_GEN_COUNTER_PRESENT. */
export let vmGenerationCounter: u64 = 0;
let counterId: u8 = 0;
let timeType: u8 = 0;
let clockStatus: u8 = 0;
/** The seq_count of the last failed read (odd, or moving). */
let lastUnstableSeq: u32 = 0;

let reads: u64 = 0;
let retries: u64 = 0;
let unstableReads: u64 = 0;

/**
 * One read of the page at `window` under its sequence count: seq_count,
 * then (if even) the fields, then seq_count again; equal means nothing was
 * written in between. Retries an odd or moving count, at most SEQ_ATTEMPTS
 * times. Fills the exported fields and returns true when consistent;
 * allocates nothing (the fence may call it before every draw).
 */
function readUnderSeq(window: usize): bool {
  reads++;
  for (let attempt = 0; attempt < SEQ_ATTEMPTS; attempt++) {
    const seq = load<u32>(window + OFF_SEQ_COUNT);
    readBarrier();
    if ((seq & 1) == 0) {
      const marker = load<u64>(window + OFF_DISRUPTION_MARKER);
      const f = load<u64>(window + OFF_FLAGS);
      const generation = load<u64>(window + OFF_VM_GENERATION_COUNTER);
      const id = load<u8>(window + OFF_COUNTER_ID);
      const time = load<u8>(window + OFF_TIME_TYPE);
      const status = load<u8>(window + OFF_CLOCK_STATUS);
      readBarrier();
      if (load<u32>(window + OFF_SEQ_COUNT) == seq) {
        seqCount = seq;
        disruptionMarker = marker;
        flags = f;
        vmGenerationCounter = generation;
        counterId = id;
        timeType = time;
        clockStatus = status;
        return true;
      }
    }
    lastUnstableSeq = seq;
    retries++;
  }
  unstableReads++;
  return false;
}

/**
 * For the restore fence: reads the page under its sequence count. READ_OK
 * fills `disruptionMarker`, `vmGenerationCounter` and `flags` (exported
 * above; vmclockHasGenerationCounter() says whether the counter means
 * anything); READ_NO_DEVICE when boot found no usable vmclock; READ_UNSTABLE
 * when seq_count stayed odd or kept moving for SEQ_ATTEMPTS reads (the
 * previous values are left as they were, and must not be taken as current).
 * Allocates nothing.
 */
export function vmclockRead(): i32 {
  const d = device;
  if (d == null) return READ_NO_DEVICE;
  return readUnderSeq(d.window) ? READ_OK : READ_UNSTABLE;
}

/** The last consistent read's flags promise a vm_generation_counter that changes on every snapshot load. */
export function vmclockHasGenerationCounter(): bool {
  return (flags & FLAG_VM_GEN_COUNTER_PRESENT) != 0;
}

/** The last consistent read's flags promise an ACPI notify of the device whenever seq_count becomes even. */
export function vmclockNotifies(): bool {
  return (flags & FLAG_NOTIFICATION_PRESENT) != 0;
}

/**
 * What the last consistent read's flags promise a restore fence, in words.
 * disruption_marker is always there: it changes on a disruption of the
 * clock (a live migration, a restore); QEMU 10 raises it on every incoming
 * state, before the vCPU runs.
 */
export function vmclockPromise(): string {
  if (device == null) return "no vmclock";
  return "disruption_marker changes at every clock disruption (QEMU: every incoming state, written before the vCPU resumes); " +
    (vmclockHasGenerationCounter() ? "vm_generation_counter changes at every snapshot load" : "no vm_generation_counter") + "; " +
    (vmclockNotifies() ? "an ACPI notify of the device follows every update" : "no notify: the page must be read");
}

/** The flag bits by name, "none" for 0, unknown bits as hex. */
export function flagNames(value: u64): string {
  if (value == 0) return "none";
  const names = new Array<string>();
  for (let bit = 0; bit < FLAG_NAMES.length; bit++) {
    if ((value & (<u64>1 << <u64>bit)) != 0) names.push(unchecked(FLAG_NAMES[bit]));
  }
  const unknown = value & ~((<u64>1 << <u64>FLAG_NAMES.length) - 1);
  if (unknown != 0) names.push("unknown 0x" + hex(unknown));
  return names.join(",");
}

function cacheName(cache: u8): string {
  if (cache == CACHE_NONCACHEABLE) return "non-cacheable";
  if (cache == CACHE_CACHEABLE) return "cacheable";
  if (cache == CACHE_WRITE_COMBINING) return "write-combining";
  return "prefetchable";
}

function refuse(node: NamespaceNode, matched: string, why: string): void {
  log("vmclock", node.path() + " (" + matched + "): " + why + "; running without vmclock");
}

/** The page's memory resource: the first one of at least a page. */
function pageResource(node: NamespaceNode, matched: string, problem: Array<string>): MemoryResource | null {
  const crs = evaluateChild(node, "_CRS", problem);
  if (crs == null || !(crs instanceof AmlBuffer)) {
    refuse(node, matched, "_CRS " + (problem.length > 0 ? "failed: " + problem.join("; ") :
      "is " + (crs == null ? "missing" : "of type " + typeName(crs!.type) + ", not a resource template Buffer")));
    return null;
  }
  const resources = parseResourceTemplate((crs as AmlBuffer).data);
  for (let i = 0; i < resources.memory.length; i++) {
    if (resources.memory[i].length >= PAGE) return resources.memory[i];
  }
  refuse(node, matched, "_CRS lists no memory range of at least 4 KiB" +
    (resources.error.length > 0 ? " (" + resources.error + ")" : ""));
  return null;
}

function tryDevice(node: NamespaceNode): VmclockDevice | null {
  const problem = new Array<string>();
  const matched = deviceMatches(node, IDS, problem);
  if (matched.length == 0) return null;
  const status = deviceStatus(node, problem);
  if ((status & 1) == 0) {
    log("vmclock", node.path() + " (" + matched + ") is not present (_STA 0x" + hex(status) + ")" +
      (problem.length > 0 ? ": " + problem.join("; ") : ""));
    return null;
  }
  const r = pageResource(node, matched, problem);
  if (r == null) return null;
  const base = r.base;
  const range = r.kind + " 0x" + hex(base) + " length 0x" + hex(r.length);
  if (r.translation != 0) { refuse(node, matched, "_CRS " + range + " has a translation offset 0x" + hex(r.translation) + "; a page under \\_SB has none"); return null; }
  if ((base & (PAGE - 1)) != 0) { refuse(node, matched, "_CRS " + range + " does not start on a page boundary"); return null; }
  if (!physRangeMapped(base, PAGE)) { refuse(node, matched, physUnmappedError("the page of _CRS " + range, base, PAGE)); return null; }
  if (frames.isUsableRam(base)) { refuse(node, matched, "_CRS " + range + " lies in usable RAM, not firmware-reserved memory"); return null; }
  if (r.cache != CACHE_CACHEABLE && r.cache != CACHE_PREFETCHABLE) {
    refuse(node, matched, "_CRS " + range + " is " + cacheName(r.cache) +
      (r.kind.startsWith("Memory32") ? " (a " + r.kind + " descriptor has no cache type)" : "") +
      ": the page must be declared cacheable and is only mapped write-back");
    return null;
  }
  const w = windows!;
  w.requireCacheable(base);
  const window = w.mapWriteBackPte(base, "vmclock page");
  if (window == 0) { refuse(node, matched, "cannot map the page at 0x" + hex(base) + ": " + w.error); return null; }
  // The constant fields, outside the sequence count.
  const magic = load<u32>(window + OFF_MAGIC);
  const size = load<u32>(window + OFF_SIZE);
  const version = load<u16>(window + OFF_VERSION);
  let why = "";
  if (magic != VMCLOCK_MAGIC) why = "the page at 0x" + hex(base) + " has magic 0x" + hex(<u64>magic, 8) + ", not 0x" + hex(<u64>VMCLOCK_MAGIC, 8) + " (\"VCLK\")";
  else if (size < VMCLOCK_ABI_BYTES) why = "the page at 0x" + hex(base) + " says its size is " + size.toString() + " bytes, less than the " + VMCLOCK_ABI_BYTES.toString() + " the driver reads";
  else if (version != VMCLOCK_VERSION) why = "the page at 0x" + hex(base) + " is version " + version.toString() + ", not 1";
  else if (!readUnderSeq(window)) {
    why = "the page at 0x" + hex(base) + " is unstable: seq_count 0x" + hex(<u64>lastUnstableSeq) + " stayed odd or kept moving for " +
      SEQ_ATTEMPTS.toString() + " reads";
  }
  if (why.length > 0) {
    w.unmap(window);
    refuse(node, matched, why);
    return null;
  }
  return new VmclockDevice(node, matched, base, window, size, version);
}

// The values the fence last acted on (the restore counter's reading at boot
// or at the last restore it served).
let actedMarker: u64 = 0;
let actedGeneration: u64 = 0;
let actedWithCounter = false;
/** Restores this driver handed to the random face (stats `vmclock_restores`). */
let restoresServed: u64 = 0;

function recordActedOn(): void {
  actedMarker = disruptionMarker;
  actedGeneration = vmGenerationCounter;
  actedWithCounter = vmclockHasGenerationCounter();
}

/** The counter the fence trusts moved since it was last acted on. */
function counterMoved(): bool {
  if (actedWithCounter && vmclockHasGenerationCounter()) return vmGenerationCounter != actedGeneration;
  return disruptionMarker != actedMarker;
}

/**
 * The fence's CounterCheck (random/fence.ts): the page's sequence count
 * moved. Reads the page under it; a moved counter is reported (CHECK_REPORT),
 * absorbed into a reseed under way (CHECK_ABSORB) or served: handed to the
 * random face, which reseeds. Allocates nothing unless it serves or gives
 * up (one log line each).
 */
function fenceCheck(how: u32): u32 {
  const d = device;
  if (d == null) return COUNTER_UNSTABLE;
  if (!readUnderSeq(d.window)) {
    log("vmclock", d.node.path() + ": seq_count 0x" + hex(<u64>lastUnstableSeq) + " stayed odd or kept moving for " +
      SEQ_ATTEMPTS.toString() + " reads; the restore fence no longer reads the page and falls back to the GPE status and the GUID");
    return COUNTER_UNSTABLE;
  }
  if (!counterMoved()) {
    acknowledgeRestoreCounter(seqCount);
    return COUNTER_QUIET;
  }
  if (how == CHECK_REPORT) return COUNTER_RESTORED;
  const before = actedMarker;
  recordActedOn();
  if (how == CHECK_ABSORB) {
    absorbRestoreCounter(seqCount, disruptionMarker, vmGenerationCounter);
    return COUNTER_RESTORED;
  }
  restoresServed++;
  addRestoreCounterRandomness(seqCount, disruptionMarker, vmGenerationCounter);
  log("vmclock", "restore seen before a draw: disruption " + before.toString() + " -> " + disruptionMarker.toString() +
    (actedWithCounter ? " generation=" + vmGenerationCounter.toString() : "") + " seq=" + seqCount.toString() + "; reseeded epoch=" + epoch.toString());
  return COUNTER_RESTORED;
}

/** The counter's name for the fence's boot line. */
function counterName(): string {
  return "vmclock page's " + (vmclockHasGenerationCounter() ? "vm_generation_counter" : "disruption_marker");
}

/** Finds the vmclock device; the first usable one is used. Logs one line either way. */
export function vmclockInit(): void {
  device = null;
  const candidates = findDevices(IDS);
  for (let i = 0; i < candidates.length && device == null; i++) device = tryDevice(candidates[i]);
  const d = device;
  if (d == null) {
    if (candidates.length == 0) log("vmclock", "no vmclock device");
    return;
  }
  const win = windows!.find(d.window);
  const mapping = win == null ? "" : ", window 0x" + hex(<u64>d.window) + " PTE " + memoryTypeName(win.pteType) +
    (win.type != win.pteType ? " (" + memoryTypeName(win.type) + " by the MTRRs)" : "");
  log("vmclock", d.node.path() + " (" + d.matchedId + ") page 0x" + hex(d.phys) + " version " + d.version.toString() +
    " seq=" + seqCount.toString() + " disruption=" + disruptionMarker.toString() + " flags=0x" + hex(flags) +
    " (" + flagNames(flags) + ")" + (vmclockHasGenerationCounter() ? " generation=" + vmGenerationCounter.toString() : "") + mapping);
  recordActedOn();
  watchRestoreCounter(d.window + OFF_SEQ_COUNT, seqCount, true, counterName(), fenceCheck);
}

export function vmclockStats(): string {
  return "vmclock_reads=" + reads.toString() + " vmclock_retries=" + retries.toString() + " vmclock_unstable=" + unstableReads.toString() +
    " vmclock_restores=" + restoresServed.toString();
}

function vmclockCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  const d = device;
  if (d == null) return ok("none");
  const where = d.node.path() + " page=0x" + hex(d.phys);
  if (!readUnderSeq(d.window)) {
    return ok(where + " unstable: seq_count 0x" + hex(<u64>lastUnstableSeq) + " stayed odd or kept moving for " + SEQ_ATTEMPTS.toString() + " reads");
  }
  return ok(where + " version=" + d.version.toString() + " size=" + d.size.toString() + " seq=" + seqCount.toString() +
    " disruption=" + disruptionMarker.toString() + " generation=" + (vmclockHasGenerationCounter() ? vmGenerationCounter.toString() : "none") +
    " flags=0x" + hex(flags) + " (" + flagNames(flags) + ") counter_id=0x" + hex(<u64>counterId, 2) + " time_type=" + timeType.toString() +
    " clock_status=" + clockStatus.toString());
}

export function registerVmclockCommands(): void {
  registerCommand("vmclock", "vmclock", vmclockCommand);
}
