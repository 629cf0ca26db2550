// Host-build entry points for the CRNG unit tests (never linked into the
// machine image): seed a fresh CRNG from given bytes, and draw. Fast key
// erasure is checked from the output alone (test/unit/random.test.ts): the
// test derives the seeded key itself, and each draw must be the keystream of
// the key the previous draw's first block left.
// Owns: the hex form of a draw. May call: crng.ts's seeding and
// getRandom. Never: reads the CRNG's key or any state a draw does not show.

import { epoch, getRandom, mixBytes, reseed } from "../random/crng";
import { hex } from "../lib/fmt";

function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += hex(<u64>b[i], 2);
  return s;
}

export function crngSeedForTest(seed: Uint8Array): u64 {
  mixBytes(seed, 256);
  reseed();
  return epoch;
}

/** `n` random bytes as hex, or "" when the CRNG refuses. */
export function crngDrawHex(n: i32): string {
  const out = new Uint8Array(n);
  return getRandom(out, 0, n) ? toHex(out) : "";
}
