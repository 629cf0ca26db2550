// The restore fence: what a restore leaves readable in the machine, read
// before every draw and before every character of random output.
// Owns: the watched restore-signal registers (GPE status bytes), the watched
// generation-ID window and the value last acted on, and the boot line that
// says which of them this platform has (fenceCoverage). May call: hw (one
// read of each watched register per check; the TSC). Never: serves a signal
// itself — the SCI's dispatch (kernel.ts) and the generation handler
// (drivers/vmgenid) do, through the two functions they registered — nor
// lets a draw start while a watched signal is raised or the ID has moved.
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

import { inb, physRead, rdtsc } from "../hw";

/** Serves raised restore signals (the SCI's own dispatch). */
export type SignalServer = () => void;
/** Handles a generation-ID change the fence saw (mix it in, reseed, acknowledge). */
export type GenerationHandler = () => void;

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
  if (watchWindow == 0) {
    return "no restore signal: no VM generation ID device, so a restored snapshot is not detected (clones of one snapshot serve the same bytes)";
  }
  if (signals > 0) {
    return "complete: " + signals.toString() + " GPE status register" + (signals == 1 ? "" : "s") +
      " (raised on every incoming state) and the GUID, read before every draw";
  }
  return "the GUID only, read before every draw: complete where every restore writes a new ID (Firecracker); " +
    "a restore that keeps the ID is caught by its notify, not before the first draw";
}

/** Restore-signal registers watched (for stats and tests). */
export function restoreSignalCount(): i32 {
  return (firstMask != 0 ? 1 : 0) + otherCount;
}

function otherSignalRaised(): bool {
  for (let i = 0; i < otherCount; i++) {
    const a = unchecked(otherAddress[i]);
    const v = unchecked(otherIsIo[i]) ? inb(<u32>a) : <u32>physRead(a, 1);
    if ((v & unchecked(otherMask[i])) != 0) return true;
  }
  return false;
}

// @ts-ignore: decorator
@inline function signalRaised(): bool {
  return (firstMask != 0 && (inb(firstPort) & firstMask) != 0) || (otherCount != 0 && otherSignalRaised());
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
  return signalRaised() || guidChanged();
}

/** Restore signals the fence served before a draw (ahead of their interrupt): stats `signal_before_draw`. */
export let signalCatches: u64 = 0;
/** Generation-ID changes the fence handled before a draw (ahead of their notify): stats `fastpath`. */
export let generationCatches: u64 = 0;
/** The TSC when the fence last caught a restore (crng.ts measures the draw that follows from it). */
export let caughtAt: u64 = 0;

/** What serveRestoreBeforeDraw did: nothing, or a bit for each restore signal it served. */
export const CAUGHT_NOTHING: u32 = 0;
export const CAUGHT_SIGNAL: u32 = 1;
export const CAUGHT_GENERATION: u32 = 2;

/**
 * The every-draw fence: serves a raised restore signal (the SCI's work,
 * whose notify reseeds), then a generation ID that moved without that work
 * acknowledging it. Returns CAUGHT_NOTHING, or the CAUGHT_* bits of what it
 * served; either way the next key is derived after the restore.
 */
// @ts-ignore: decorator
@inline export function serveRestoreBeforeDraw(): u32 {
  let caught = CAUGHT_NOTHING;
  if (signalRaised()) caught = serveRaisedSignals();
  if (guidChanged()) caught |= handleGenerationChange();
  return caught;
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
