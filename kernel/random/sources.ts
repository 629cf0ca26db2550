// Entropy sources for the input pool.
// Owns: CPU random-instruction detection, bounded retries and their failure
// counts, TSC sampling, and the timer-interrupt collector used when the CPU
// has no RDSEED/RDRAND. May call: hw (cpuid, rdrand64, rdseed64, rdtsc,
// poll_irq, last_irq_tsc), the irq subsystem's timer (the PIT on the 8259,
// the local APIC timer through the APIC; during collection only), the CRNG's mixing functions. Never: treats a failed RDRAND/RDSEED
// (carry clear) as a value, credits entropy to data that is unique but not
// secret (boot data, the VM generation ID), or credits anything the sampling
// code itself produces (its own timing, loop counts).
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

import { cpuid, lastIrqTsc, pollIrq, rdrand64, rdseed64, rdtsc } from "../hw";
import { timerAck, timerStart, timerStop } from "../irq/index";
import { mixBytes, mixU64 } from "./crng";

const RDRAND_RETRIES: i32 = 10;   // Intel's guidance for RDRAND
const RDSEED_RETRIES: i32 = 100;  // RDSEED may be drained; give it longer
/** Timer ticks per second while collecting: 256 bits in about 13 ms. */
const TIMER_HZ: u32 = 20000;
/** Ticks at most: four tries per bit wanted. */
const TIMER_TICKS_PER_BIT: i32 = 4;
/** Interrupt polls at most (no PIT, or one that never ticks): well under a second under TCG. */
const TIMER_MAX_POLLS: i32 = 1 << 22;

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
/** TSC ticks spent waiting for timer interrupts (all calls): time, not work, so the boot figure leaves it out. */
export let timerWaitTsc: u64 = 0;

/**
 * Collects entropy from timer interrupts until `bits` are credited, or the
 * tick or poll cap is reached; returns the bits credited. Runs at boot,
 * before any other IRQ line is open, so the lines it takes are all its own.
 */
export function collectTimerEntropy(bits: i32): i32 {
  const started = rdtsc();
  let credited = 0;
  let ticks = 0;
  let previous: u64 = 0;
  let previousDelta: u64 = 0;
  const line = timerStart(TIMER_HZ);
  for (let polls = 0; credited < bits && ticks < bits * TIMER_TICKS_PER_BIT && polls < TIMER_MAX_POLLS; polls++) {
    if ((pollIrq() & (<u32>1 << <u32>line)) == 0) continue;
    const at = lastIrqTsc();
    const delta = at - previous;
    const credit = ticks >= 2 && delta != previousDelta ? 1 : 0;
    mixU64(at ^ (<u64>polls << 40), credit);
    credited += credit;
    previousDelta = delta;
    previous = at;
    ticks++;
    timerAck();
  }
  timerStop();
  pollIrq(); // a tick the local APIC had latched before its timer stopped: still ours
  timerTicks += <u32>ticks;
  timerWaitTsc += rdtsc() - started;
  return credited;
}

/** Unique-but-public boot data: mixed, never credited. */
export function mixBootData(data: Uint8Array): void {
  mixBytes(data, 0);
}
