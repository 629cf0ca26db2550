// The random subsystem's face: first seeding at boot, the one entry through
// which a driver hands over a generation change (addGenerationRandomness,
// as Linux's add_vmfork_randomness), the restore fence's registration, the
// shell commands of the serial protocol (epoch, rand, uuid, stream), and its
// stats keys. Nothing outside random/ imports crng.ts, fence.ts or
// sources.ts (the host build's test hooks in kernel/host/ aside).
// Owns: the UUID generator's batch of random bytes — the first member of the
// reseed notifier chain. May call: the CRNG, the fence, the sources, the console.
// Never: prints random output drawn before a pending generation change was
// handled (every draw goes through getRandom's check), or sends a character
// of random output without reading the restore fence just before it
// (writeRandomHex / writeRandomText; crng.ts says why that is complete).

import { log } from "../console/log";
import { rdtsc } from "../hw";
import { uartGetByte, uartHasByte, uartTxByte, uartTxDropped, uartTxRoom, uartWrite, uartWriteDecimal } from "../console/uart";
import { Answer, fail, ok, printed, registerCommand } from "../console/shell";
import { hex, parseUnsigned } from "../lib/fmt";
import { TextBuilder } from "../lib/text";
import {
  addReseedNotifier, creditedBits, draw, epoch, lastFastpathTicks, getRandom, isSeeded, mixU64, reseed, reseeds,
  seedIfReady, SEED_BITS,
} from "./crng";
import {
  absorbMovedCounter, acknowledgeGeneration, acknowledgeRestoreCounter, counterCatches, countersGivenUp, fencePortReads, generationCatches,
  restorePending, restoreSignalCount, serveRestoreBeforeDraw, signalCatches,
} from "./fence";
import {
  detectCpuSources, finishTimerEntropy, hasRdrand, hasRdseed, mixBootData, mixCpuRandom, mixTimestamp,
  rdrandFailures, rdseedFailures, startTimerEntropy, timerTicks, timerTicksOverlapped, timerWaitTsc,
} from "./sources";

export { epoch } from "./crng";
export {
  acknowledgeRestoreCounter, CHECK_ABSORB, CHECK_REPORT, COUNTER_QUIET, COUNTER_RESTORED, COUNTER_UNSTABLE, fenceCoverage, setRestoreSignalHandler,
  watchGeneration, watchRestoreCounter, watchRestoreSignal,
} from "./fence";

/**
 * A generation change (a restore, a clone): the new ID is mixed in without
 * credit (unique, not secret), with fresh CPU randomness and a timestamp;
 * the fence records the ID as acted on; the CRNG reseeds at once and the
 * epoch advances, so no later byte derives from the state before it.
 */
export function addGenerationRandomness(low: u64, high: u64, generation: u64): void {
  mixU64(low, 0);
  mixU64(high, 0);
  mixCpuRandom(2);
  mixTimestamp(generation);
  acknowledgeGeneration(low, high);
  absorbMovedCounter(); // the same restore, seen in a restore counter too: one reseed for both
  reseed();
}

/**
 * A restore counter moved (a VMClock page's disruption_marker or
 * vm_generation_counter; the page's sequence count `seq`): the values are
 * mixed in without credit, with fresh CPU randomness and a timestamp; the
 * fence records the count as acted on; the CRNG reseeds at once. The same
 * steps as addGenerationRandomness, for the other kind of signal.
 */
export function addRestoreCounterRandomness(seq: u32, marker: u64, counter: u64): void {
  absorbRestoreCounter(seq, marker, counter);
  mixCpuRandom(2);
  mixTimestamp(<u64>seq);
  reseed();
}

/** A restore counter that moved with a restore another signal is reseeding for: mixed (no credit) and acknowledged. */
export function absorbRestoreCounter(seq: u32, marker: u64, counter: u64): void {
  mixU64(marker, 0);
  mixU64(counter, 0);
  acknowledgeRestoreCounter(seq);
}

/** Unique-but-public data (a generation ID at boot): mixed, never credited. */
export function addDeviceRandomness(low: u64, high: u64): void {
  mixU64(low, 0);
  mixU64(high, 0);
}

/** TSC ticks the boot spent waiting for timer entropy (none with a CPU source). */
export function entropyWaitTicks(): u64 {
  return timerWaitTsc;
}

export const RAND_MAX_BYTES: i32 = 4096;

let cpuWords: i32 = 0;

/**
 * The first half of the seeding, as early as the timer can run (after the
 * interrupt controller is chosen): CPU randomness, and without enough of
 * it the timer whose ticks are sampled while the boot goes on.
 */
export function randomStart(): void {
  detectCpuSources();
  mixTimestamp(0);
  cpuWords = mixCpuRandom(SEED_BITS / 64);
  if (creditedBits() < SEED_BITS) startTimerEntropy();
}

/** Seeds the CRNG before anything can ask for output: the ticks sampled since randomStart, and more if they are not enough. */
export function randomInit(bootData: Uint8Array): void {
  mixBootData(bootData);
  const words = cpuWords;
  let how = words > 0 ? (hasRdseed ? "rdseed" : "rdrand") + " " + words.toString() + " words" : "no cpu source";
  if (creditedBits() < SEED_BITS) {
    const timer = finishTimerEntropy(SEED_BITS - creditedBits());
    how += ", timer interrupts " + timer.toString() + " bits"; // the ticks behind them: stats timer_ticks, timer_overlapped
  }
  if (seedIfReady()) {
    log("random", "seeded epoch=" + epoch.toString() + " (" + how + ")");
  } else {
    log("random", "not seeded: only " + creditedBits().toString() + " of " + SEED_BITS.toString() +
      " bits could be credited (" + how + "); random output is refused (a CPU with RDSEED or RDRAND, " +
      "e.g. -cpu max, or a timer that is not in lockstep with the TSC, seeds it)");
  }
}

/** Called on every interrupt: its timing is mixed in, never credited. */
export function randomInterrupt(tsc: u64, lines: u32): void {
  mixTimestamp(tsc ^ <u64>lines);
}

export function randomStats(): string {
  return "reseed=" + reseeds.toString() + " fastpath=" + generationCatches.toString() + " fastpath_tsc=" + lastFastpathTicks.toString() + " epoch=" + epoch.toString() +
    " rdrand=" + (hasRdrand ? "ok" : "absent") + " rdseed=" + (hasRdseed ? "ok" : "absent") +
    " rdrand_fail=" + rdrandFailures.toString() + " rdseed_fail=" + rdseedFailures.toString() +
    " signal_before_draw=" + signalCatches.toString() + " cut=" + cutLines.toString() + " timer_ticks=" + timerTicks.toString() +
    " timer_overlapped=" + timerTicksOverlapped.toString() +
    " counter_before_draw=" + counterCatches.toString() + " counter_given_up=" + countersGivenUp.toString() +
    " fence_port_reads=" + fencePortReads.toString();
}

function hexBytes(data: Uint8Array, offset: i32, length: i32): string {
  const text = new TextBuilder(length * 2);
  for (let i = 0; i < length; i++) text.hex(<u64>data[offset + i], 2);
  return text.toString();
}

// ---- fenced output: no character of random output crosses a restore ----

/** Ends a line of random output that a restore cut short. */
export const CUT_MARKER = " [cut by restore]";
/** Lines of random output cut by a restore (stats `cut=`). */
export let cutLines: u64 = 0;

// @ts-ignore: decorator
@inline function hexDigit(nibble: u32): u32 {
  return nibble < 10 ? 0x30 + nibble : 0x57 + nibble;
}

/**
 * Writes the character `c` unless the restore fence is up; false (and the
 * cut marker written) when it is. The fence is read after the wait for room
 * and just before the port write, so a snapshot taken anywhere before that
 * read is seen by the restored kernel.
 */
// @ts-ignore: decorator
@inline function fencedPut(c: u32, room: i32): i32 {
  if (room == 0) room = uartTxRoom();
  if (restorePending()) return -1;
  if (room == 0) {
    uartTxDropped(); // a stalled console: dropped and counted, never overwritten
    return 0;
  }
  uartTxByte(c);
  return room - 1;
}

function cut(): bool {
  uartWrite(CUT_MARKER);
  cutLines++;
  return false;
}

/**
 * `length` bytes of `data` as lowercase hex, each character behind the
 * restore fence. False when a restore cut the output (the rest is dropped,
 * the cut marker written; the caller ends the line). Allocates nothing.
 */
export function writeRandomHex(data: Uint8Array, offset: i32, length: i32): bool {
  let room = 0;
  for (let i = offset, end = offset + length; i < end; i++) {
    const b = <u32>data[i];
    room = fencedPut(hexDigit(b >> 4), room);
    if (room < 0) return cut();
    room = fencedPut(hexDigit(b & 15), room);
    if (room < 0) return cut();
  }
  return true;
}

/** ASCII text derived from random bytes (a UUID), each character behind the restore fence. */
export function writeRandomText(text: string): bool {
  let room = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    room = fencedPut(<u32>text.charCodeAt(i), room);
    if (room < 0) return cut();
  }
  return true;
}

// ---- the UUID generator: random-derived state the notifier chain resets ----

const batch = new Uint8Array(64);
let batchUsed: i32 = 64;
let batchEpoch: u64 = 0;

function discardUuidBatch(_epoch: u64): void {
  batch.fill(0);
  batchUsed = batch.length;
}

/** A random version-4 UUID, or "" while the CRNG is not seeded. */
export function randomUuid(): string {
  serveRestoreBeforeDraw(); // a restore must not reuse bytes batched before it
  if (batchEpoch != epoch || batchUsed + 16 > batch.length) {
    if (!getRandom(batch, 0, batch.length)) return "";
    batchEpoch = epoch;
    batchUsed = 0;
  }
  const b = batch.subarray(batchUsed, batchUsed + 16);
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const text = hexBytes(b, 0, 4) + "-" + hexBytes(b, 4, 2) + "-" + hexBytes(b, 6, 2) + "-" +
    hexBytes(b, 8, 2) + "-" + hexBytes(b, 10, 6);
  b.fill(0);
  batchUsed += 16;
  return text;
}

// ---- commands ----------------------------------------------------------------

const NOT_SEEDED = "the CRNG is not seeded: no entropy source could be credited at boot (see the random: boot line)";

function epochCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  serveRestoreBeforeDraw();
  return ok(epoch.toString());
}

function randCommand(args: Array<string>): Answer {
  const n = args.length == 1 ? parseUnsigned(args[0]) : -1;
  if (n < 1 || n > <i64>RAND_MAX_BYTES) {
    return fail("expected a byte count 1.." + RAND_MAX_BYTES.toString() + (args.length == 1 ? ", got \"" + args[0] + "\"" : ""));
  }
  const out = new Uint8Array(<i32>n);
  if (!getRandom(out, 0, out.length)) return fail(NOT_SEEDED);
  // The epoch printed is the one the bytes were drawn under.
  uartWrite("rand: epoch=" + epoch.toString() + " ");
  writeRandomHex(out, 0, out.length);
  uartWrite("\r\n");
  out.fill(0);
  return printed();
}

function uuidCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  const u = randomUuid();
  if (u.length == 0) return fail(NOT_SEEDED);
  uartWrite("uuid: ");
  writeRandomText(u);
  uartWrite("\r\n");
  return printed();
}

/** Serves interrupts that arrive while `stream` keeps the CPU busy. */
export type InterruptPoller = () => void;
let poller: InterruptPoller | null = null;

export function setInterruptPoller(p: InterruptPoller): void {
  poller = p;
}

/**
 * `stream`: 32-byte draws without pause until any input byte arrives.
 * Prints its own lines; the final `stream: stopped` is its answer.
 */
function streamCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  if (!isSeeded()) return fail(NOT_SEEDED);
  const out = new Uint8Array(32);
  for (let seq: u64 = 0; !uartHasByte(); seq++) {
    const p = poller;
    if (p != null) p!();
    if (!getRandom(out, 0, 32)) return fail(NOT_SEEDED);
    // Written piecewise: the kernel collects garbage only when idle, and
    // stream may run for hours without returning there.
    uartWrite("stream: seq=");
    uartWriteDecimal(seq);
    uartWrite(" epoch=");
    uartWriteDecimal(epoch);
    uartWrite(" ");
    writeRandomHex(out, 0, 32); // a cut line ends here; the next draw serves the restore
    uartWrite("\r\n");
  }
  while (uartGetByte() >= 0) {} // the byte that stopped it is not a command
  return ok("stopped");
}

const PERF_ROUNDS: u64 = 64;

/**
 * `perf getrandom`: average TSC ticks of a 32-byte draw with and without the
 * restore fence's check, of the check alone, and of the output fence (the
 * read before each character of random output). Under `-icount shift=0` the TSC
 * counts instructions, which makes these exact and repeatable.
 */
function perfCommand(args: Array<string>): Answer {
  if (args.length != 1 || args[0] != "getrandom") return fail("expected: perf getrandom");
  if (!isSeeded()) return fail(NOT_SEEDED);
  const out = new Uint8Array(32);
  const portReadsBefore = fencePortReads;
  let t = rdtsc();
  for (let i: u64 = 0; i < PERF_ROUNDS; i++) getRandom(out, 0, 32);
  const withCheck = (rdtsc() - t) / PERF_ROUNDS;
  const drawPortReads = fencePortReads - portReadsBefore;
  t = rdtsc();
  for (let i: u64 = 0; i < PERF_ROUNDS; i++) draw(out, 0, 32);
  const withoutCheck = (rdtsc() - t) / PERF_ROUNDS;
  t = rdtsc();
  for (let i: u64 = 0; i < PERF_ROUNDS; i++) serveRestoreBeforeDraw();
  const check = (rdtsc() - t) / PERF_ROUNDS;
  let raised: u64 = 0;
  t = rdtsc();
  for (let i: u64 = 0; i < PERF_ROUNDS; i++) if (restorePending()) raised++;
  const fence = (rdtsc() - t) / PERF_ROUNDS;
  out.fill(0);
  return ok("getrandom32 with_check=" + withCheck.toString() + " without_check=" + withoutCheck.toString() +
    " check=" + check.toString() + " output_fence=" + fence.toString() + " signal_registers=" + restoreSignalCount().toString() +
    " rounds=" + PERF_ROUNDS.toString() + " draw_port_reads=" + drawPortReads.toString() +
    (raised != 0 ? " (a restore signal was raised during the measurement)" : ""));
}

export function registerRandomCommands(): void {
  registerCommand("perf", "perf getrandom", perfCommand);
  addReseedNotifier(discardUuidBatch);
  registerCommand("epoch", "epoch", epochCommand);
  registerCommand("rand", "rand <1.." + RAND_MAX_BYTES.toString() + ">", randCommand);
  registerCommand("uuid", "uuid", uuidCommand);
  registerCommand("stream", "stream", streamCommand);
}
