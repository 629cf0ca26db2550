// The kernel's random number generator, after Linux random.c (5.18+):
// a BLAKE2s input pool and a ChaCha20 CRNG with fast key erasure. Every
// draw first serves the restore fence (fence.ts says why that is complete).
// Owns: the pool, the CRNG key, the entropy credit, the epoch (advanced by
// every reseed) and the notifier chain.
// May call: BLAKE2s, ChaCha20, the restore fence (fence.ts: served before
// every draw), hw (the TSC). Never: hands out a byte before the first
// seeding, produces output from a key that a later request could still be
// derived from (each request's first block replaces the key before any
// output leaves), draws before the fence has served what it saw, or lets the
// key out (nothing here exists for tests: the host build checks fast key
// erasure from the output alone, test/unit/random.test.ts).
//
import { Blake2s } from "./blake2s";
import { chacha20Block } from "./chacha20";
import { rdtsc } from "../hw";
import { CAUGHT_NOTHING, caughtAt, serveRestoreBeforeDraw } from "./fence";

export const SEED_BITS: i32 = 256;
const KEY_BYTES: i32 = 32;
const BLOCK_BYTES: i32 = 64;

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
/** TSC ticks of the last restore the fence caught before a draw: from the fence seeing it to the draw's output ready. */
export let lastFastpathTicks: u64 = 0;
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

export function addReseedNotifier(notifier: ReseedNotifier): void {
  notifiers.push(notifier);
}

/**
 * Fills dst[offset, offset+length) with random bytes. Returns false (and
 * writes nothing) while the CRNG is not seeded.
 */
// @ts-ignore: decorator
@inline export function getRandom(dst: Uint8Array, offset: i32, length: i32): bool {
  // Inline: the fence's reads and one call, the same frames as a bare draw.
  if (serveRestoreBeforeDraw() != CAUGHT_NOTHING) return drawAfterRestore(dst, offset, length); // reseeded before any output
  return draw(dst, offset, length);
}

function drawAfterRestore(dst: Uint8Array, offset: i32, length: i32): bool {
  const drawn = draw(dst, offset, length);
  lastFastpathTicks = rdtsc() - caughtAt;
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
