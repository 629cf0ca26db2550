// ChaCha20 (RFC 8439): 20 rounds, 32-bit block counter, 96-bit nonce.
// Owns: the block function and in-place XOR with its keystream.
// May call: nothing but pure computation on the caller's buffers (no
// hardware, no logging, no allocation).
// Never: traps on bad input (a key that is not 32 bytes, a nonce that is not
// 12 bytes, an output shorter than 64 bytes, or data that would run the
// 32-bit counter past 2^32 blocks all return without writing anything);
// keeps key material beyond the call (the key lives in locals, and the one
// scratch block used for a partial tail is zeroed before returning).
// chacha20Block's out may alias its key or nonce (both are read before
// anything is written); chacha20Xor's data must not overlap its key or nonce.

const C0: u32 = 0x61707865; // "expand 32-byte k"
const C1: u32 = 0x3320646e;
const C2: u32 = 0x79622d32;
const C3: u32 = 0x6b206574;

export const CHACHA20_KEY_BYTES = 32;
export const CHACHA20_NONCE_BYTES = 12;
export const CHACHA20_BLOCK_BYTES = 64;

// The keystream of a partial final block, for chacha20Xor; zeroed after use.
const tail = new StaticArray<u8>(64);

/**
 * One keystream block of `key` (32 bytes at `key`), `counter` and `nonce`
 * (12 bytes at `nonce`): written to the 64 bytes at `dst`, or XORed into them
 * when `xor` is set. No checks: callers have checked the lengths.
 */
// @ts-ignore: decorator
@inline
function block(key: usize, counter: u32, nonce: usize, dst: usize, xor: bool): void {
  const k0 = load<u32>(key, 0), k1 = load<u32>(key, 4), k2 = load<u32>(key, 8), k3 = load<u32>(key, 12);
  const k4 = load<u32>(key, 16), k5 = load<u32>(key, 20), k6 = load<u32>(key, 24), k7 = load<u32>(key, 28);
  const n0 = load<u32>(nonce, 0), n1 = load<u32>(nonce, 4), n2 = load<u32>(nonce, 8);
  let x0 = C0, x1 = C1, x2 = C2, x3 = C3;
  let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
  let x12 = counter, x13 = n0, x14 = n1, x15 = n2;
  for (let i = 0; i < 10; i++) {
    // Column round.
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16);
    x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8);
    x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16);
    x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8);
    x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16);
    x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8);
    x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16);
    x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8);
    x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    // Diagonal round.
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16);
    x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8);
    x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16);
    x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8);
    x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16);
    x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8);
    x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16);
    x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8);
    x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
  }
  if (xor) {
    store<u32>(dst, load<u32>(dst, 0) ^ (x0 + C0), 0);
    store<u32>(dst, load<u32>(dst, 4) ^ (x1 + C1), 4);
    store<u32>(dst, load<u32>(dst, 8) ^ (x2 + C2), 8);
    store<u32>(dst, load<u32>(dst, 12) ^ (x3 + C3), 12);
    store<u32>(dst, load<u32>(dst, 16) ^ (x4 + k0), 16);
    store<u32>(dst, load<u32>(dst, 20) ^ (x5 + k1), 20);
    store<u32>(dst, load<u32>(dst, 24) ^ (x6 + k2), 24);
    store<u32>(dst, load<u32>(dst, 28) ^ (x7 + k3), 28);
    store<u32>(dst, load<u32>(dst, 32) ^ (x8 + k4), 32);
    store<u32>(dst, load<u32>(dst, 36) ^ (x9 + k5), 36);
    store<u32>(dst, load<u32>(dst, 40) ^ (x10 + k6), 40);
    store<u32>(dst, load<u32>(dst, 44) ^ (x11 + k7), 44);
    store<u32>(dst, load<u32>(dst, 48) ^ (x12 + counter), 48);
    store<u32>(dst, load<u32>(dst, 52) ^ (x13 + n0), 52);
    store<u32>(dst, load<u32>(dst, 56) ^ (x14 + n1), 56);
    store<u32>(dst, load<u32>(dst, 60) ^ (x15 + n2), 60);
  } else {
    store<u32>(dst, x0 + C0, 0);
    store<u32>(dst, x1 + C1, 4);
    store<u32>(dst, x2 + C2, 8);
    store<u32>(dst, x3 + C3, 12);
    store<u32>(dst, x4 + k0, 16);
    store<u32>(dst, x5 + k1, 20);
    store<u32>(dst, x6 + k2, 24);
    store<u32>(dst, x7 + k3, 28);
    store<u32>(dst, x8 + k4, 32);
    store<u32>(dst, x9 + k5, 36);
    store<u32>(dst, x10 + k6, 40);
    store<u32>(dst, x11 + k7, 44);
    store<u32>(dst, x12 + counter, 48);
    store<u32>(dst, x13 + n0, 52);
    store<u32>(dst, x14 + n1, 56);
    store<u32>(dst, x15 + n2, 60);
  }
}

/**
 * The RFC 8439 §2.3 block function: writes the 64-byte keystream block for
 * (key, counter, nonce) to out[0..64). Returns without writing if the key is
 * not 32 bytes, the nonce not 12 bytes, or out shorter than 64 bytes.
 */
export function chacha20Block(key: Uint8Array, counter: u32, nonce: Uint8Array, out: Uint8Array): void {
  // byteLength (a field) rather than length (a getter, so a call with its
  // shadow-stack spills): this function then makes no calls at all.
  if (key.byteLength != CHACHA20_KEY_BYTES || nonce.byteLength != CHACHA20_NONCE_BYTES || out.byteLength < CHACHA20_BLOCK_BYTES) return;
  block(key.dataStart, counter, nonce.dataStart, out.dataStart, false);
}

/**
 * RFC 8439 §2.4 encryption (and decryption): XORs `data` in place with the
 * keystream starting at block `counter`. Returns without writing if the key
 * is not 32 bytes, the nonce not 12 bytes, or the data needs blocks beyond
 * counter 2^32-1 (the counter never wraps onto keystream already used).
 */
export function chacha20Xor(key: Uint8Array, counter: u32, nonce: Uint8Array, data: Uint8Array): void {
  if (key.byteLength != CHACHA20_KEY_BYTES || nonce.byteLength != CHACHA20_NONCE_BYTES) return;
  const length = data.byteLength;
  const blocks = (<u64>length + 63) >> 6;
  if (<u64>counter + blocks > 0x1_0000_0000) return;
  const k = key.dataStart, n = nonce.dataStart;
  let p = data.dataStart;
  const whole = length >> 6;
  for (let i = 0; i < whole; i++) {
    block(k, counter, n, p, true);
    counter++;
    p += 64;
  }
  const rest = length & 63;
  if (rest != 0) {
    const t = changetype<usize>(tail);
    block(k, counter, n, t, false);
    for (let i = 0; i < rest; i++) store<u8>(p + i, load<u8>(p + i) ^ load<u8>(t + i));
    memory.fill(t, 0, 64);
  }
}
