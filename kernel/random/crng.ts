// The kernel's random number generator, after Linux random.c (5.18+):
// a BLAKE2s input pool and a ChaCha20 CRNG with fast key erasure.
// Owns: the pool, the CRNG key, the entropy credit, the epoch (advanced by
// every reseed), the generation-check hook and the notifier chain.
// May call: BLAKE2s, ChaCha20, the TSC (to time a caught change). Never:
// hands out a byte before the first seeding, or produces output from a key
// that a later request could still be derived from (each request's first
// block replaces the key before any output leaves).
//
// The generation check runs before every draw: a VM generation change that
// happened while the vCPU was stopped (a snapshot restore) is noticed and
// acted on before the first byte of the draw, not when the notify arrives.

import { Blake2s } from "./blake2s";
import { chacha20Block } from "./chacha20";
import { rdtsc } from "../hw";

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
/** Generation changes caught by the check before a draw (ahead of their notify). */
export let fastpathCatches: u64 = 0;
/** TSC ticks of the last caught change: from the check seeing it to the draw's output ready. */
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
// the every-draw check is two inline loads and compares; only a change
// costs a call.
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

/** The every-draw check; true when it found (and had the owner handle) a change. */
// @ts-ignore: decorator
@inline export function checkGeneration(): bool {
  const w = watchWindow;
  if (w == 0 || (load<u64>(w) == watchLow && load<u64>(w, 8) == watchHigh)) return false;
  return generationChanged();
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
export function getRandom(dst: Uint8Array, offset: i32, length: i32): bool {
  if (!checkGeneration()) return draw(dst, offset, length); // a changed generation reseeds before any output
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
