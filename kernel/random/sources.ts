// Entropy sources for the input pool.
// Owns: CPU random-instruction detection, bounded retries and their failure
// counts, TSC sampling, and the timing-jitter collector used when the CPU
// has no RDSEED/RDRAND. May call: hw (cpuid, rdrand64, rdseed64, rdtsc),
// the CRNG's mixing functions. Never: treats a failed RDRAND/RDSEED (carry
// clear) as a value, or credits entropy to data that is unique but not
// secret (boot data, the VM generation ID).
//
// Credit policy: a delivered RDSEED or RDRAND word counts 64 bits (the CPU
// is trusted, as Linux's random.trust_cpu=on does); a TSC delta that differs
// from the previous one counts 1 bit; everything else counts 0.

import { cpuid, rdrand64, rdseed64, rdtsc } from "../hw";
import { mixBytes, mixU64 } from "./crng";

const RDRAND_RETRIES: i32 = 10;   // Intel's guidance for RDRAND
const RDSEED_RETRIES: i32 = 100;  // RDSEED may be drained; give it longer
const JITTER_MAX_SAMPLES: i32 = 8192;

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

/**
 * Collects timing jitter until `bits` are credited (or a sample cap): TSC
 * deltas across a small, data-dependent workload. Returns the bits credited.
 */
export function collectJitter(bits: i32): i32 {
  let credited = 0;
  let previous = rdtsc();
  let previousDelta: u64 = 0;
  let churn: u64 = previous;
  for (let n = 0; n < JITTER_MAX_SAMPLES && credited < bits; n++) {
    for (let i: u64 = 0; i < (churn & 31) + 8; i++) churn = churn * 6364136223846793005 + 1442695040888963407;
    const now = rdtsc();
    const delta = now - previous;
    const changed = delta != previousDelta && delta != 0;
    mixU64(delta ^ churn, changed ? 1 : 0);
    if (changed) credited++;
    previousDelta = delta;
    previous = now;
  }
  return credited;
}

/** Unique-but-public boot data: mixed, never credited. */
export function mixBootData(data: Uint8Array): void {
  mixBytes(data, 0);
}
