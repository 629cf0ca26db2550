// Entropy sources for the input pool.
// Owns: CPU random-instruction detection, bounded retries and their failure
// counts, TSC sampling, and the timer-interrupt collector used when the CPU
// has no RDSEED/RDRAND. May call: hw (cpuid, rdrand64, rdseed64, rdtsc,
// irq_sample_line/count/tsc, irq_open, irq_close), the irq subsystem's timer
// (the PIT on the 8259, the local APIC timer through the APIC; between
// startTimerEntropy and finishTimerEntropy only), the CRNG's mixing
// functions. Never: treats a failed RDRAND/RDSEED
// (carry clear) as a value, credits entropy to data that is unique but not
// secret (boot data, the VM generation ID), or credits anything the sampling
// code itself produces (its own timing, loop counts).
//
// The collector overlaps the boot. startTimerEntropy starts the timer as
// soon as the interrupt controller is chosen and opens interrupts; the
// loader records the TSC at each tick and acknowledges it (the timer's line
// is sampled, never pending), while the boot goes on loading the namespace
// and starting its drivers. finishTimerEntropy, just before the ready line,
// credits what was recorded and waits only for the ticks still missing.
// Other lines the boot opens meanwhile (the SCI, a GED) are left pending for
// the idle loop: the collector reads only the sampled line's record.
//
// Credit policy: a delivered RDSEED or RDRAND word counts 64 bits (the CPU
// is trusted, as Linux's random.trust_cpu=on does). A timer tick counts 1 bit
// when the TSC at its interrupt, taken by the loader's ISR, moved by a
// different amount than at the tick before: the timer and the sampled clock
// are independent devices, so the interval between them varies only through
// what neither program controls (Linux's try_to_generate_entropy credits a
// timer interrupt the same way). A clock and a timer in lockstep (a
// fixed-step TSC, a tick every N reads) give equal intervals and no credit;
// the kernel then stays unseeded and refuses to serve random bytes rather
// than call itself seeded. No test can tell a deterministic but irregular
// machine from a noisy one: under QEMU's -icount with sleep=off the timer
// follows the instruction counter, so the intervals, though they vary, are
// the machine's own doing (two runs credited 256 bits in exactly 367 ticks
// each). Linux's collector cannot tell either. There only RDSEED/RDRAND (-cpu max)
// and the unique-but-public inputs (the GUID, boot data) make boots differ.
// Everything else counts 0.

import { cpuid, irqClose, irqOpen, irqSampleCount, irqSampleLine, irqSampleTsc, rdrand64, rdseed64, rdtsc } from "../hw";
import { timerStart, timerStop } from "../irq/index";
import { mixBytes, mixU64 } from "./crng";

const RDRAND_RETRIES: i32 = 10;   // Intel's guidance for RDRAND
const RDSEED_RETRIES: i32 = 100;  // RDSEED may be drained; give it longer
/** Timer ticks per second while collecting: 256 bits in about 13 ms. */
const TIMER_HZ: u32 = 20000;
/** Ticks at most: four tries per bit wanted. */
const TIMER_TICKS_PER_BIT: i32 = 4;
/** Interrupt polls at most (no PIT, or one that never ticks): well under a second under TCG. */
const TIMER_MAX_POLLS: i32 = 1 << 22;

/** The loader records at most this many sampled ticks (boot/irq.c IRQ_SAMPLES). */
const IRQ_SAMPLES: i32 = 1024;

const word = memory.data(8);

export let hasRdrand = false;
export let hasRdseed = false;
export let rdrandFailures: u64 = 0;
export let rdseedFailures: u64 = 0;

export function detectCpuSources(): void {
  hasRdrand = (cpuid(1, 0, 2) & (1 << 30)) != 0;
  const maxLeaf = cpuid(0, 0, 0);
  hasRdseed = maxLeaf >= 7 && (cpuid(7, 0, 1) & (1 << 18)) != 0;
}

/** Mixes up to `words` RDSEED (else RDRAND) words; returns how many arrived. */
export function mixCpuRandom(words: i32): i32 {
  let delivered = 0;
  for (let w = 0; w < words; w++) {
    let ok = false;
    if (hasRdseed) {
      for (let i = 0; i < RDSEED_RETRIES && !ok; i++) ok = rdseed64(word) != 0;
      if (!ok) rdseedFailures++;
    }
    if (!ok && hasRdrand) {
      for (let i = 0; i < RDRAND_RETRIES && !ok; i++) ok = rdrand64(word) != 0;
      if (!ok) rdrandFailures++;
    }
    if (!ok) break;
    mixU64(load<u64>(word), 64);
    store<u64>(word, 0);
    delivered++;
  }
  return delivered;
}

/** A TSC sample, uncredited (interrupt timing, boot). */
export function mixTimestamp(extra: u64): void {
  mixU64(rdtsc() ^ (extra << 32), 0);
}

export let timerTicks: u32 = 0;
/** Of those, the ticks that arrived while the boot worked, before the collector waited for any. */
export let timerTicksOverlapped: u32 = 0;
/** TSC ticks spent waiting for timer interrupts (all calls): time, not work, so the boot figure leaves it out. */
export let timerWaitTsc: u64 = 0;

let timerLine: i32 = -1;

/**
 * Starts the timer whose interrupts the collector samples, and opens
 * interrupts so that it ticks while the boot goes on working: the loader
 * records the TSC at each tick (hw irqSampleLine) and acknowledges it, and
 * nothing else is done with it until finishTimerEntropy. Runs before any
 * other IRQ line is open, so the lines open until then are its own.
 */
export function startTimerEntropy(): void {
  if (timerLine >= 0) return;
  timerLine = timerStart(TIMER_HZ);
  irqSampleLine(timerLine);
  irqOpen();
}

/**
 * Credits the ticks recorded since startTimerEntropy, waits for more until
 * `bits` are credited or the tick or poll cap is reached, stops the timer,
 * and returns the bits credited (0 if the timer was never started).
 */
export function finishTimerEntropy(bits: i32): i32 {
  if (timerLine < 0) return 0;
  const started = rdtsc();
  const cap = min(bits * TIMER_TICKS_PER_BIT, IRQ_SAMPLES);
  let credited = 0;
  let ticks = 0;
  let previous: u64 = 0;
  let previousDelta: u64 = 0;
  let overlapped: i32 = -1;
  for (let polls = 0; credited < bits && ticks < cap && polls < TIMER_MAX_POLLS; polls++) {
    const recorded = <i32>irqSampleCount();
    if (overlapped < 0) overlapped = recorded;
    for (; ticks < recorded && ticks < cap && credited < bits; ticks++) {
      const at = irqSampleTsc(<u32>ticks);
      const delta = at - previous;
      const credit = ticks >= 2 && delta != previousDelta ? 1 : 0;
      mixU64(at ^ (<u64>ticks << 40), credit);
      credited += credit;
      previousDelta = delta;
      previous = at;
    }
  }
  timerStop();
  irqClose(); // a tick the local APIC had latched before its timer stopped is still sampled; other lines stay pending
  irqSampleLine(-1);
  timerLine = -1;
  timerTicks += <u32>ticks;
  timerTicksOverlapped += <u32>min(overlapped, ticks);
  timerWaitTsc += rdtsc() - started;
  return credited;
}

/** Unique-but-public boot data: mixed, never credited. */
export function mixBootData(data: Uint8Array): void {
  mixBytes(data, 0);
}
