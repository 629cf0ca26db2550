// Host-build entry points for the CRNG unit tests (never linked into the
// machine image): seed from given bytes, draw, and read the key to check
// fast key erasure from outside.

import { epoch, getRandom, keyForTest, mixBytes, reseed } from "../random/crng";
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

export function crngKeyHex(): string {
  return toHex(keyForTest());
}

/** `n` random bytes as hex, or "" when the CRNG refuses. */
export function crngDrawHex(n: i32): string {
  const out = new Uint8Array(n);
  return getRandom(out, 0, n) ? toHex(out) : "";
}
