// The kernel's random number generator, after Linux random.c (5.18+):
// a BLAKE2s input pool and a ChaCha20 CRNG with fast key erasure.
// Owns: the pool, the CRNG key, the entropy credit, the epoch (advanced by
// every reseed), the restore fence (the signals read before every draw and
// before every character of random output) and the notifier chain.
// May call: BLAKE2s, ChaCha20, hw (the TSC, and one read of each registered
// restore-signal register per check). Never: hands out a byte before the
// first seeding, produces output from a key that a later request could still
// be derived from (each request's first block replaces the key before any
// output leaves), or draws while a registered restore signal is raised.
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

import { Blake2s } from "./blake2s";
import { chacha20Block } from "./chacha20";
import { inb, physRead, rdtsc } from "../hw";

export const SEED_BITS: i32 = 256;
const KEY_BYTES: i32 = 32;
const BLOCK_BYTES: i32 = 64;

/** Handles a generation change the every-draw check saw. */
export type GenerationCheck = () => bool;
/** Subsystems holding random-derived state re-derive it here. */
export type ReseedNotifier = (epoch: u64) => void;

const pool = new Blake2s();
const fold = new Blake2s();
const reseedDigest = new Uint8Array(32);
let credit: i32 = 0;
let seeded = false;
const key = new Uint8Array(KEY_BYTES);
const requestKey = new Uint8Array(KEY_BYTES);
const block = new Uint8Array(BLOCK_BYTES);
const zeroNonce = new Uint8Array(12);

export let epoch: u64 = 0;
export let reseeds: u64 = 0;
/** GUID changes caught by the check before a draw (ahead of their notify). */
export let fastpathCatches: u64 = 0;
/** TSC ticks of the last caught restore (signal or GUID): from the check seeing it to the draw's output ready. */
export let lastFastpathTicks: u64 = 0;
let fastpathStart: u64 = 0;
let generationCheck: GenerationCheck | null = null;
const notifiers = new Array<ReseedNotifier>();

/** Mixes bytes into the input pool; `bits` of entropy are credited for them. */
export function mixBytes(data: Uint8Array, bits: i32): void {
  pool.update(data);
  credit += bits;
}

export function mixU64(value: u64, bits: i32): void {
  pool.updateU64(value);
  credit += bits;
}

export function creditedBits(): i32 {
  return credit;
}

export function isSeeded(): bool {
  return seeded;
}

/**
 * Folds the pool into the key: key = BLAKE2s(pool || key). The old key is an
 * input, so a reseed never loses state it had; the pool restarts from its
 * own digest, so nothing mixed before is forgotten either.
 */
export function reseed(): void {
  // Preallocated: a reseed runs inside the SCI path and allocates nothing.
  const digest = reseedDigest;
  pool.final(digest);
  fold.restart();
  fold.update(digest);
  fold.update(key);
  fold.final(key);
  pool.restart();
  pool.update(digest);
  digest.fill(0);
  credit = 0;
  seeded = true;
  epoch++;
  reseeds++;
  for (let i = 0; i < notifiers.length; i++) notifiers[i](epoch);
}

/** Seeds for the first time once the pool holds SEED_BITS of credit. */
export function seedIfReady(): bool {
  if (!seeded && credit >= SEED_BITS) reseed();
  return seeded;
}

// The watched VM generation: where its GUID is readable (a linear-memory
// window), the value last acted on, and who handles a change. Kept here so
// the every-draw check is inline loads and compares; only a change costs a
// call.
let watchWindow: usize = 0;
let watchLow: u64 = 0;
let watchHigh: u64 = 0;

/** Watches the 16-byte generation ID at `window`; `onChange` handles a change. */
export function watchGeneration(window: usize, low: u64, high: u64, onChange: GenerationCheck): void {
  watchWindow = window;
  watchLow = low;
  watchHigh = high;
  generationCheck = onChange;
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
let serveSignals: GenerationCheck | null = null;

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
export function setRestoreSignalHandler(handler: GenerationCheck): void {
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

/** Restore signals served before a draw (ahead of their interrupt). */
export let signalCatches: u64 = 0;

/**
 * The every-draw check: serves a raised restore signal, then handles a GUID
 * the signal's work did not acknowledge. True when it acted.
 */
// @ts-ignore: decorator
@inline export function checkGeneration(): bool {
  let acted = false;
  if (signalRaised()) acted = serveRaisedSignals();
  if (guidChanged()) acted = generationChanged() || acted;
  return acted;
}

function serveRaisedSignals(): bool {
  const serve = serveSignals;
  if (serve == null) return false;
  fastpathStart = rdtsc();
  serve!();
  signalCatches++;
  return true;
}

function generationChanged(): bool {
  const handle = generationCheck;
  if (handle == null) return false;
  fastpathStart = rdtsc();
  handle!();
  fastpathCatches++;
  return true;
}

export function addReseedNotifier(notifier: ReseedNotifier): void {
  notifiers.push(notifier);
}

/**
 * Fills dst[offset, offset+length) with random bytes. Returns false (and
 * writes nothing) while the CRNG is not seeded.
 */
// @ts-ignore: decorator
@inline export function getRandom(dst: Uint8Array, offset: i32, length: i32): bool {
  // Inline: the check and one call, the same frames as a bare draw.
  if (checkGeneration()) return drawAfterRestore(dst, offset, length); // a restore reseeds before any output
  return draw(dst, offset, length);
}

function drawAfterRestore(dst: Uint8Array, offset: i32, length: i32): bool {
  const drawn = draw(dst, offset, length);
  lastFastpathTicks = rdtsc() - fastpathStart;
  return drawn;
}

/** The draw itself, without the generation check (getRandom and benchmarks only). */
export function draw(dst: Uint8Array, offset: i32, length: i32): bool {
  if (!seeded || offset < 0 || length < 0 || offset + length > dst.length) return false;
  // Fast key erasure: the request runs on a copy of the key; the first block
  // becomes the next key at once, and only the rest of it is output.
  requestKey.set(key);
  chacha20Block(requestKey, 0, zeroNonce, block);
  for (let i = 0; i < KEY_BYTES; i++) unchecked(key[i] = block[i]);
  let produced = min(length, BLOCK_BYTES - KEY_BYTES);
  for (let i = 0; i < produced; i++) unchecked(dst[offset + i] = block[KEY_BYTES + i]);
  for (let counter: u32 = 1; produced < length; counter++) {
    chacha20Block(requestKey, counter, zeroNonce, block);
    const n = min(length - produced, BLOCK_BYTES);
    for (let i = 0; i < n; i++) unchecked(dst[offset + produced + i] = block[i]);
    produced += n;
  }
  requestKey.fill(0);
  block.fill(0);
  return true;
}

/** The current key, for the host build's fast-key-erasure test only. */
export function keyForTest(): Uint8Array {
  return key.slice(0);
}
