// The restore fence: what a restore leaves readable in the machine, read
// before every draw and before every character of random output.
// Owns: the watched restore-signal registers (GPE status bytes), the watched
// generation-ID window and the value last acted on, the watched restore
// counter's sequence count and the value last acknowledged, the count of
// the fence's port reads, and the boot line that says which of them this
// platform has (fenceCoverage). May call: hw (one read of each watched
// register per check; the TSC), the functions registered with it. Never:
// serves a signal itself — the SCI's dispatch (kernel.ts), the generation
// handler (drivers/vmgenid) and the counter check (drivers/vmclock) do,
// through the functions they registered — nor lets a draw start while a
// watched signal is raised, the ID has moved or the counter's sequence
// count has moved unread.
//
// The restore fence, and why it is complete (QEMU 7.2, hw/acpi/vmgenid.c):
// every incoming state — same-process loadvm, a new process's -loadvm,
// -incoming — runs vmgenid's post_load while the vCPU is stopped. It writes
// the GUID (changed or not) and raises GPE0 status bit 5 with
// acpi_send_event(). So from the first guest instruction after any restore,
// two things are readable without an interrupt: the GPE status bit (always)
// and the GUID (when the restore changed it). The status bit stays set until
// the kernel writes 1 to it, which only the GPE dispatch does, immediately
// before running `\_GPE._E05`, whose Notify reseeds before anything can draw.
// An interrupt is only a hint that these are set; which interrupt comes
// first (the SCI or a waiting request's COM1) does not matter, because:
//   - every draw first reads the restore-signal registers (the status bytes
//     of the GPEs the kernel handles) and the GUID; a raised signal is served
//     (the SCI's own dispatch runs, synchronously) and a changed GUID reseeds,
//     before the first block is computed;
//   - every character of random output is preceded by the same reads
//     (restorePending); if the snapshot was taken after a draw, or in the
//     middle of a line, the restored kernel stops that line at once (the
//     caller ends it with a "cut by restore" marker) instead of sending bytes
//     computed before the restore.
// What remains: a snapshot taken between the read and the port write of one
// character lets that one character (4 bits of a hex digit) through, and
// characters already handed to the UART before the snapshot are QEMU's to
// deliver. A hypervisor that raises no GPE and keeps the GUID (none known)
// would leave no readable signal at all.
//
// Platforms without GPE blocks (hardware-reduced ACPI: Firecracker, cloud-
// hypervisor, QEMU microvm), where the notify arrives through a Generic
// Event Device's interrupt and nothing is latched for a draw to read: the
// fence is the GUID comparison alone. It is complete where the hypervisor
// writes a new ID on every restore before the vCPUs run — Firecracker does
// (src/vmm/src/devices/acpi/vmgenid.rs: a fresh ID on every snapshot load) —
// and incomplete for a restore that keeps the ID, which only the GED notify
// then catches, after whatever drew first. With no VM generation ID device
// at all (QEMU microvm has none) there is no restore signal: a restored
// snapshot is not detected and its clones serve the same bytes.
// fenceCoverage() gives the boot line that says which of these holds.
//
// A restore counter in memory (a VMClock page, kernel/drivers/vmclock):
// where the platform has one that changes on every incoming state, the
// fence is that counter alone — one load of its sequence count and one
// compare, before every draw and every character — and the GPE read is
// dropped from both (the GPE is still served, by its SCI). Why it is
// complete: the VMClock ABI (Linux include/uapi/linux/vmclock-abi.h, the
// UAPI group's VMClock specification) has the hypervisor change
// disruption_marker on every disruption, a snapshot load included ("in
// addition to handling a disruption in time (which will also be signalled
// through the disruption_marker field)", the vm_generation_counter
// amendment of 2025), and vm_generation_counter, when its flag says it is
// present, on every load of a saved state. QEMU 10.0's vmclock_post_load
// (hw/acpi/vmclock.c) raises disruption_marker under the sequence count on
// every incoming state — loadvm, -loadvm, -incoming — while the vCPU is
// stopped (test/integration/vmclock.test.ts sees it); Firecracker 1.15
// raises both and sets VM_GEN_COUNTER_PRESENT. Any update moves the
// sequence count, so an unchanged count means an unchanged page; a moved
// one is read out of line under the count by the driver's CounterCheck,
// which says whether the counter the fence trusts moved; a moved counter is
// served by a reseed at once (after mixing a moved GUID into it), and the
// GPE's SCI, when it follows, reseeds once more. A page whose count
// stays odd or keeps moving (COUNTER_UNSTABLE) is given up for good: the
// fence falls back to the GPE read and the GUID at once, in the same draw,
// so no draw is served on the strength of a page that was being written.
// A counter the driver does not call complete is read in addition to the
// registers, never instead of them. With a vmclock and no vmgenid, the
// counter is the whole fence.
//
// fence_port_reads (stats) counts the port reads of the draw and output
// fences together: none on a platform whose counter is complete.


import { inb, physRead, rdtsc } from "../hw";

/** Serves raised restore signals (the SCI's own dispatch). */
export type SignalServer = () => void;
/** Handles a generation-ID change the fence saw (mix it in, reseed, acknowledge). */
export type GenerationHandler = () => void;
/**
 * Reads the restore counter's page after its sequence count moved, and
 * returns a COUNTER_* value. `how` is a CHECK_* value: only report a moved
 * counter; serve it (its owner hands it to the random face, which reseeds
 * and acknowledges); or absorb it into a reseed already under way (mixed
 * and acknowledged, no reseed of its own). A count that moved with the
 * counter still is acknowledged whatever `how` is.
 */
export type CounterCheck = (how: u32) => u32;
export const CHECK_REPORT: u32 = 0;
export const CHECK_SERVE: u32 = 1;
export const CHECK_ABSORB: u32 = 2;
export const COUNTER_QUIET: u32 = 0;
/** The counter moved: a restore (served when asked to). */
export const COUNTER_RESTORED: u32 = 1;
/** The page could not be read under its sequence count: the fence gives it up and falls back. */
export const COUNTER_UNSTABLE: u32 = 2;

let generationHandler: GenerationHandler | null = null;

// The watched VM generation: where its GUID is readable (a linear-memory
// window), the value last acted on, and who handles a change. Kept here so
// the every-draw check is inline loads and compares; only a change costs a
// call.
let watchWindow: usize = 0;
let watchLow: u64 = 0;
let watchHigh: u64 = 0;

/** Watches the 16-byte generation ID at `window`; `onChange` handles a change (and acknowledges it). */
export function watchGeneration(window: usize, low: u64, high: u64, onChange: GenerationHandler): void {
  watchWindow = window;
  watchLow = low;
  watchHigh = high;
  generationHandler = onChange;
}

/** Records the generation ID the owner has now acted on. */
export function acknowledgeGeneration(low: u64, high: u64): void {
  watchLow = low;
  watchHigh = high;
}

// The watched restore counter: the linear address of its page's u32
// sequence count, the count last acknowledged, whether the counter changes
// on every incoming state (then it is the whole fence), who reads the page
// when the count moves, and its name for the boot line.
let counterWindow: usize = 0;
let counterSeq: u32 = 0;
let counterComplete = false;
let counterCheck: CounterCheck | null = null;
let counterName = "";

/**
 * Watches a restore counter whose page's u32 sequence count is at
 * `seqWindow` (acknowledged value `seq`); `check` reads the page when the
 * count moves. `complete`: the counter changes on every incoming state
 * (the header), so the registers are no longer read by the draw and output
 * fences. `name` says which counter, for the boot line.
 */
export function watchRestoreCounter(seqWindow: usize, seq: u32, complete: bool, name: string, check: CounterCheck): void {
  counterWindow = seqWindow;
  counterSeq = seq;
  counterComplete = complete;
  counterName = name;
  counterCheck = check;
  updateSlowSignals();
}

/** Records the sequence count whose page the counter's owner has now read and acted on. */
export function acknowledgeRestoreCounter(seq: u32): void {
  counterSeq = seq;
}

/** Counter pages given up (COUNTER_UNSTABLE): stats `counter_given_up`. */
export let countersGivenUp: u64 = 0;

/** Stops reading the counter: the registers and the GUID are the fence again. */
function giveUpCounter(): void {
  counterWindow = 0;
  counterComplete = false;
  counterCheck = null;
  countersGivenUp++;
  updateSlowSignals();
}

/** Port reads by the draw and output fences (stats `fence_port_reads`). */
export let fencePortReads: u64 = 0;

// The restore signals: status registers whose masked bits a restore raises
// (the GPE status bytes of every GPE with a method; see the header). QEMU pc
// and q35 have one, an I/O port: it gets its own two globals, so the check
// is one port read and a test; any others (memory-mapped, or more blocks)
// are read after it, out of line. `serveSignals` runs the pending event
// work — the SCI's dispatch — and returns whether it served anything.
const MAX_SIGNALS: i32 = 8;
let firstPort: u32 = 0;
let firstMask: u32 = 0;
const otherAddress = new StaticArray<u64>(MAX_SIGNALS);
const otherMask = new StaticArray<u32>(MAX_SIGNALS);
const otherIsIo = new StaticArray<bool>(MAX_SIGNALS);
let otherCount: i32 = 0;
/**
 * Work past the first register and the GUID: other registers, or a restore
 * counter that is read alongside them (not complete). One flag, so the
 * common draw (one port, the GUID) pays one test for all of it.
 */
let slowSignals = false;

function updateSlowSignals(): void {
  slowSignals = otherCount != 0 || (counterWindow != 0 && !counterComplete);
}
let serveSignals: SignalServer | null = null;

/** Adds a status register (I/O port or physical address) whose `mask` bits a restore raises. */
export function watchRestoreSignal(isIo: bool, address: u64, mask: u32): bool {
  if (mask == 0) return false;
  if (isIo && firstMask == 0) {
    firstPort = <u32>address;
    firstMask = mask;
    return true;
  }
  if (otherCount >= MAX_SIGNALS) return false;
  otherAddress[otherCount] = address;
  otherMask[otherCount] = mask;
  otherIsIo[otherCount] = isIo;
  otherCount++;
  updateSlowSignals();
  return true;
}

/** Who serves a raised restore signal (the SCI's dispatch). */
export function setRestoreSignalHandler(handler: SignalServer): void {
  serveSignals = handler;
}

/**
 * What the fence reads on this platform and whether that is complete (the
 * header's last paragraph): one boot line, which the README explains.
 */
export function fenceCoverage(): string {
  const signals = restoreSignalCount();
  if (counterWindow != 0 && counterComplete) {
    const after = (signals > 0 ? signals.toString() + " GPE status register" + (signals == 1 ? "" : "s") + (watchWindow != 0 ? " and " : "") : "") +
      (watchWindow != 0 ? "the GUID" : "");
    return "complete: the " + counterName + " (changed on every incoming state), one load before every draw" +
      (after.length > 0 ? "; " + after + " read only once it moved" : "");
  }
  const counter = counterWindow != 0 ? "; the " + counterName + " is read too, not trusted alone" : "";
  if (watchWindow == 0 && counterWindow != 0) {
    return "the " + counterName + " only, not known to change on every restore: a restore that leaves it is not detected";
  }
  if (watchWindow == 0) {
    return "no restore signal: no VM generation ID device, so a restored snapshot is not detected (clones of one snapshot serve the same bytes)";
  }
  if (signals > 0) {
    return "complete: " + signals.toString() + " GPE status register" + (signals == 1 ? "" : "s") +
      " (raised on every incoming state) and the GUID, read before every draw" + counter;
  }
  return "the GUID only, read before every draw: complete where every restore writes a new ID (Firecracker); " +
    "a restore that keeps the ID is caught by its notify, not before the first draw" + counter;
}

/** Restore-signal registers watched (for stats and tests). */
export function restoreSignalCount(): i32 {
  return (firstMask != 0 ? 1 : 0) + otherCount;
}

function otherSignalRaised(): bool {
  for (let i = 0; i < otherCount; i++) {
    const a = unchecked(otherAddress[i]);
    let v: u32;
    if (unchecked(otherIsIo[i])) {
      fencePortReads++;
      v = inb(<u32>a);
    } else {
      v = <u32>physRead(a, 1);
    }
    if ((v & unchecked(otherMask[i])) != 0) return true;
  }
  return false;
}

// @ts-ignore: decorator
@inline function firstSignalRaised(): bool {
  if (firstMask == 0) return false;
  fencePortReads++;
  return (inb(firstPort) & firstMask) != 0;
}

/** The output fence's slow half: another register raised, or a counter read alongside them moved. */
function slowSignalPending(): bool {
  return (otherCount != 0 && otherSignalRaised()) || (counterMoved() && counterPending());
}

// @ts-ignore: decorator
@inline function counterMoved(): bool {
  const w = counterWindow;
  return w != 0 && load<u32>(w) != counterSeq;
}

/** The output fence's out-of-line half: the count moved; did the counter? */
function counterPending(): bool {
  const r = counterCheck!(CHECK_REPORT);
  if (r == COUNTER_UNSTABLE) {
    giveUpCounter();
    return true; // unknown: the line stops, and the next draw reads the registers
  }
  return r == COUNTER_RESTORED;
}

// @ts-ignore: decorator
@inline function guidChanged(): bool {
  const w = watchWindow;
  return w != 0 && (load<u64>(w) != watchLow || load<u64>(w, 8) != watchHigh);
}

/**
 * The output fence: true when a restore may have happened since the last
 * draw (a signal is raised or the GUID moved). Reads only; the next draw
 * serves it. Random output checks this before every character.
 */
// @ts-ignore: decorator
@inline export function restorePending(): bool {
  if (counterComplete) return counterMoved() && counterPending();
  return firstSignalRaised() || (slowSignals && slowSignalPending()) || guidChanged();
}

/** Restore signals the fence served before a draw (ahead of their interrupt): stats `signal_before_draw`. */
export let signalCatches: u64 = 0;
/** Generation-ID changes the fence handled before a draw (ahead of their notify): stats `fastpath`. */
export let generationCatches: u64 = 0;
/** Restore-counter changes the fence served before a draw (ahead of any interrupt): stats `counter_before_draw`. */
export let counterCatches: u64 = 0;
/** The TSC when the fence last caught a restore (crng.ts measures the draw that follows from it). */
export let caughtAt: u64 = 0;

/** What serveRestoreBeforeDraw did: nothing, or a bit for each restore signal it served. */
export const CAUGHT_NOTHING: u32 = 0;
export const CAUGHT_SIGNAL: u32 = 1;
export const CAUGHT_GENERATION: u32 = 2;
export const CAUGHT_COUNTER: u32 = 4;

/**
 * The every-draw fence: serves a raised restore signal (the SCI's work,
 * whose notify reseeds), then a generation ID that moved without that work
 * acknowledging it. Returns CAUGHT_NOTHING, or the CAUGHT_* bits of what it
 * served; either way the next key is derived after the restore.
 */
// @ts-ignore: decorator
@inline export function serveRestoreBeforeDraw(): u32 {
  if (counterComplete) return counterMoved() ? serveMovedCounter() : CAUGHT_NOTHING;
  return serveRegisters();
}

/** The fence without a complete counter: the registers, the GUID, then any counter read alongside. */
// @ts-ignore: decorator
@inline function serveRegisters(): u32 {
  let caught = CAUGHT_NOTHING;
  if (firstSignalRaised()) caught = serveRaisedSignals();
  if (slowSignals) caught |= serveSlowSignals();
  if (guidChanged()) caught |= handleGenerationChange();
  return caught;
}

/** Other raised registers (the SCI's dispatch serves them all), then a counter read alongside them. */
function serveSlowSignals(): u32 {
  let caught = CAUGHT_NOTHING;
  if (otherCount != 0 && otherSignalRaised()) caught = serveRaisedSignals();
  if (counterMoved()) caught |= serveMovedCounter();
  return caught;
}

function serveMovedCounter(): u32 {
  const at = rdtsc();
  let caught = CAUGHT_NOTHING;
  let r = counterCheck!(CHECK_REPORT); // a clock update that leaves the counter ends here, acknowledged
  if (r == COUNTER_QUIET) return caught;
  if (r == COUNTER_RESTORED) {
    if (counterComplete) {
      // A new GUID (a memory load) is mixed first: it is what makes clones
      // of one snapshot differ on a CPU without RDRAND; its handler absorbs
      // the counter into the same reseed. The GPE is not read: its SCI
      // serves it afterwards (and reseeds once more), and the key is fresh
      // without waiting for the AML.
      if (guidChanged()) caught = handleGenerationChange();
      if (!counterMoved()) return caught;
    }
    r = counterCheck!(CHECK_SERVE);
    if (r == COUNTER_RESTORED) {
      caughtAt = at;
      counterCatches++;
      return caught | CAUGHT_COUNTER;
    }
  }
  if (r == COUNTER_UNSTABLE) {
    const wasComplete = counterComplete;
    giveUpCounter();
    if (wasComplete && caught == CAUGHT_NOTHING) return serveRegistersOutOfLine(); // this draw reads the registers instead
  }
  return caught;
}

/**
 * For a reseed under way for another restore signal (the random face's
 * addGenerationRandomness): a moved counter belongs to the same restore, so
 * it is mixed into that reseed and acknowledged rather than served again.
 */
export function absorbMovedCounter(): void {
  if (!counterMoved()) return;
  if (counterCheck!(CHECK_ABSORB) == COUNTER_UNSTABLE) giveUpCounter();
}

function serveRegistersOutOfLine(): u32 {
  return serveRegisters();
}

function serveRaisedSignals(): u32 {
  const serve = serveSignals;
  if (serve == null) return CAUGHT_NOTHING;
  caughtAt = rdtsc();
  serve!();
  signalCatches++;
  return CAUGHT_SIGNAL;
}

function handleGenerationChange(): u32 {
  const handle = generationHandler;
  if (handle == null) return CAUGHT_NOTHING;
  caughtAt = rdtsc();
  handle!();
  generationCatches++;
  return CAUGHT_GENERATION;
}
