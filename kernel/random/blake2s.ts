// BLAKE2s (RFC 7693): 32-bit words, 10 rounds, 64-byte blocks, digests of
// 1..32 bytes, optionally keyed with 0..32 bytes.
// Owns: the hash state of each Blake2s object and the compression function.
// May call: nothing but pure computation on the caller's buffers (no
// hardware, no logging; the only allocations are a Blake2s object's own
// state and blake2s()'s result).
// Never: traps on bad input (an out-of-range digest or key length makes an
// invalid object whose update() and final() do nothing; final() into a
// buffer shorter than the digest writes nothing); keeps key material beyond
// the object's life (the padded key block and the chaining state are zeroed
// by final(); a keyed object that is dropped without final() leaves them to
// the collector).

const IV0: u32 = 0x6a09e667;
const IV1: u32 = 0xbb67ae85;
const IV2: u32 = 0x3c6ef372;
const IV3: u32 = 0xa54ff53a;
const IV4: u32 = 0x510e527f;
const IV5: u32 = 0x9b05688c;
const IV6: u32 = 0x1f83d9ab;
const IV7: u32 = 0x5be0cd19;

export const BLAKE2S_BLOCK_BYTES = 64;
export const BLAKE2S_MAX_OUT_BYTES = 32;
export const BLAKE2S_MAX_KEY_BYTES = 32;

// updateU64's eight bytes; zeroed after use.
const word = new StaticArray<u8>(8);

/**
 * The compression function F: folds the 64-byte block at `block` into the
 * chaining value (8 words at `h`). `t` counts the bytes hashed so far,
 * including this block; `last` marks the final block.
 */
function compress(h: usize, block: usize, t: u64, last: bool): void {
  const h0 = load<u32>(h, 0), h1 = load<u32>(h, 4), h2 = load<u32>(h, 8), h3 = load<u32>(h, 12);
  const h4 = load<u32>(h, 16), h5 = load<u32>(h, 20), h6 = load<u32>(h, 24), h7 = load<u32>(h, 28);
  let v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
  let v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
  let v12 = IV4 ^ <u32>t, v13 = IV5 ^ <u32>(t >> 32), v14 = last ? ~IV6 : IV6, v15 = IV7;
  const m0 = load<u32>(block, 0), m1 = load<u32>(block, 4), m2 = load<u32>(block, 8), m3 = load<u32>(block, 12);
  const m4 = load<u32>(block, 16), m5 = load<u32>(block, 20), m6 = load<u32>(block, 24), m7 = load<u32>(block, 28);
  const m8 = load<u32>(block, 32), m9 = load<u32>(block, 36), m10 = load<u32>(block, 40), m11 = load<u32>(block, 44);
  const m12 = load<u32>(block, 48), m13 = load<u32>(block, 52), m14 = load<u32>(block, 56), m15 = load<u32>(block, 60);
  // The ten rounds, unrolled with RFC 7693's message schedule SIGMA spelled
  // into the operands, so that every message word stays in a local (a table
  // lookup per word measured ~25% slower). Each group of four lines is one
  // G(a, b, c, d, x, y) mixing step.
  // Round 0.
  v0 += v4 + m0; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m1; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m2; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m3; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m4; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m5; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m6; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m7; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m8; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m9; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m10; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m11; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m12; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m13; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m14; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m15; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 1.
  v0 += v4 + m14; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m10; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m4; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m8; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m9; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m15; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m13; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m6; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m1; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m12; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m0; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m2; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m11; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m7; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m5; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m3; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 2.
  v0 += v4 + m11; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m8; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m12; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m0; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m5; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m2; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m15; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m13; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m10; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m14; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m3; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m6; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m7; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m1; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m9; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m4; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 3.
  v0 += v4 + m7; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m9; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m3; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m1; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m13; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m12; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m11; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m14; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m2; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m6; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m5; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m10; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m4; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m0; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m15; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m8; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 4.
  v0 += v4 + m9; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m0; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m5; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m7; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m2; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m4; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m10; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m15; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m14; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m1; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m11; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m12; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m6; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m8; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m3; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m13; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 5.
  v0 += v4 + m2; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m12; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m6; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m10; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m0; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m11; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m8; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m3; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m4; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m13; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m7; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m5; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m15; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m14; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m1; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m9; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 6.
  v0 += v4 + m12; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m5; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m1; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m15; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m14; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m13; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m4; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m10; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m0; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m7; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m6; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m3; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m9; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m2; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m8; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m11; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 7.
  v0 += v4 + m13; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m11; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m7; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m14; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m12; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m1; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m3; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m9; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m5; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m0; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m15; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m4; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m8; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m6; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m2; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m10; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 8.
  v0 += v4 + m6; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m15; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m14; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m9; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m11; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m3; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m0; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m8; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m12; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m2; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m13; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m7; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m1; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m4; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m10; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m5; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // Round 9.
  v0 += v4 + m10; v12 = rotr<u32>(v12 ^ v0, 16);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m2; v12 = rotr<u32>(v12 ^ v0, 8);
  v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m8; v13 = rotr<u32>(v13 ^ v1, 16);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m4; v13 = rotr<u32>(v13 ^ v1, 8);
  v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m7; v14 = rotr<u32>(v14 ^ v2, 16);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m6; v14 = rotr<u32>(v14 ^ v2, 8);
  v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m1; v15 = rotr<u32>(v15 ^ v3, 16);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m5; v15 = rotr<u32>(v15 ^ v3, 8);
  v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m15; v15 = rotr<u32>(v15 ^ v0, 16);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m11; v15 = rotr<u32>(v15 ^ v0, 8);
  v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m9; v12 = rotr<u32>(v12 ^ v1, 16);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m14; v12 = rotr<u32>(v12 ^ v1, 8);
  v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m3; v13 = rotr<u32>(v13 ^ v2, 16);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m12; v13 = rotr<u32>(v13 ^ v2, 8);
  v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m13; v14 = rotr<u32>(v14 ^ v3, 16);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m0; v14 = rotr<u32>(v14 ^ v3, 8);
  v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  store<u32>(h, h0 ^ v0 ^ v8, 0);
  store<u32>(h, h1 ^ v1 ^ v9, 4);
  store<u32>(h, h2 ^ v2 ^ v10, 8);
  store<u32>(h, h3 ^ v3 ^ v11, 12);
  store<u32>(h, h4 ^ v4 ^ v12, 16);
  store<u32>(h, h5 ^ v5 ^ v13, 20);
  store<u32>(h, h6 ^ v6 ^ v14, 24);
  store<u32>(h, h7 ^ v7 ^ v15, 28);
}

export class Blake2s {
  private h: StaticArray<u32> = new StaticArray<u32>(8);
  private buffer: StaticArray<u8> = new StaticArray<u8>(64);
  private buffered: i32 = 0;   // bytes in `buffer`, 0..64; a full buffer waits for more input or final()
  private counter: u64 = 0;    // bytes compressed so far
  private outLength: i32 = 0;
  private finished: bool = true; // finalized, or constructed with bad lengths

  /**
   * A hash with an `outLength`-byte digest (1..32), keyed when `key` has 1..32
   * bytes (null or empty: unkeyed). Bad lengths make an invalid object
   * (`valid` false) that ignores input and never writes output.
   */
  constructor(outLength: i32 = 32, key: Uint8Array | null = null) {
    this.start(outLength, key);
  }

  /**
   * Starts a new hash in this object, as the constructor would. Lets hot
   * paths (the reseed) reuse one object instead of allocating one per use.
   * Input absorbed before, and not finalized, is discarded.
   */
  restart(outLength: i32 = 32, key: Uint8Array | null = null): void {
    // A finished object's state is zero already (final() wiped it, or it
    // never held any): only a hash in progress needs wiping.
    if (!this.finished) {
      memory.fill(changetype<usize>(this.h), 0, 32);
      memory.fill(changetype<usize>(this.buffer), 0, BLAKE2S_BLOCK_BYTES);
    }
    this.buffered = 0;
    this.counter = 0;
    this.outLength = 0;
    this.finished = true;
    this.start(outLength, key);
  }

  private start(outLength: i32, key: Uint8Array | null): void {
    const keyLength = key ? key.byteLength : 0;
    if (outLength >= 1 && outLength <= BLAKE2S_MAX_OUT_BYTES && keyLength <= BLAKE2S_MAX_KEY_BYTES) {
      this.outLength = outLength;
      this.finished = false;
      const h = this.h;
      unchecked(h[0] = IV0 ^ 0x01010000 ^ (<u32>keyLength << 8) ^ <u32>outLength);
      unchecked(h[1] = IV1);
      unchecked(h[2] = IV2);
      unchecked(h[3] = IV3);
      unchecked(h[4] = IV4);
      unchecked(h[5] = IV5);
      unchecked(h[6] = IV6);
      unchecked(h[7] = IV7);
      if (key && keyLength > 0) {
        // The key, zero-padded, is the first block (the buffer is already zero).
        memory.copy(changetype<usize>(this.buffer), key.dataStart, <usize>keyLength);
        this.buffered = BLAKE2S_BLOCK_BYTES;
      }
    }
  }

  /** False when the constructor's lengths were out of range. */
  get valid(): bool {
    return this.outLength != 0;
  }

  /** Absorbs `data` (any length, any number of calls). */
  update(data: Uint8Array): void {
    this.absorb(data.dataStart, data.byteLength);
  }

  /** Absorbs `value` as 8 bytes, little-endian. */
  updateU64(value: u64): void {
    const buffered = this.buffered;
    if (!this.finished && buffered <= BLAKE2S_BLOCK_BYTES - 8) {
      // Room in the block: straight into the buffer, as absorb() would copy it.
      store<u64>(changetype<usize>(this.buffer) + <usize>buffered, value);
      this.buffered = buffered + 8;
      return;
    }
    const p = changetype<usize>(word);
    store<u64>(p, value);
    this.absorb(p, 8);
    store<u64>(p, 0);
  }

  /**
   * Writes the `outLength`-byte digest to out[0..outLength) and wipes the
   * state; afterwards the object ignores update() and final(). Writes nothing
   * if the object is invalid or finished, or `out` is shorter than the digest.
   */
  final(out: Uint8Array): void {
    if (this.finished || out.byteLength < this.outLength) return;
    const h = changetype<usize>(this.h);
    const buffer = changetype<usize>(this.buffer);
    const buffered = this.buffered;
    memory.fill(buffer + <usize>buffered, 0, <usize>(BLAKE2S_BLOCK_BYTES - buffered));
    compress(h, buffer, this.counter + <u64>buffered, true);
    memory.copy(out.dataStart, h, <usize>this.outLength);
    memory.fill(h, 0, 32);
    memory.fill(buffer, 0, BLAKE2S_BLOCK_BYTES);
    this.buffered = 0;
    this.counter = 0;
    this.finished = true;
  }

  private absorb(p: usize, n: i32): void {
    if (this.finished || n <= 0) return;
    const h = changetype<usize>(this.h);
    const buffer = changetype<usize>(this.buffer);
    let buffered = this.buffered;
    // Compress a block only once more input follows it: the last block,
    // even a full one, is compressed by final() with the final flag.
    if (buffered + n > BLAKE2S_BLOCK_BYTES) {
      const take = BLAKE2S_BLOCK_BYTES - buffered;
      memory.copy(buffer + <usize>buffered, p, <usize>take);
      p += <usize>take;
      n -= take;
      this.counter += BLAKE2S_BLOCK_BYTES;
      compress(h, buffer, this.counter, false);
      buffered = 0;
      while (n > BLAKE2S_BLOCK_BYTES) {
        this.counter += BLAKE2S_BLOCK_BYTES;
        compress(h, p, this.counter, false);
        p += BLAKE2S_BLOCK_BYTES;
        n -= BLAKE2S_BLOCK_BYTES;
      }
    }
    memory.copy(buffer + <usize>buffered, p, <usize>n);
    this.buffered = buffered + n;
  }
}

/**
 * BLAKE2s of `data`: an `outLength`-byte digest, keyed when `key` is given.
 * Returns an empty array if outLength is not 1..32 or the key is longer than
 * 32 bytes.
 */
export function blake2s(data: Uint8Array, outLength: i32 = 32, key: Uint8Array | null = null): Uint8Array {
  const hash = new Blake2s(outLength, key);
  if (!hash.valid) return new Uint8Array(0);
  hash.update(data);
  const out = new Uint8Array(outLength);
  hash.final(out);
  return out;
}
