// Benchmark entry (not kernel code): the kernel's ChaCha20 (kernel/random/
// chacha20.ts), compiled asc → wasm2c → gcc like the kernel, generating a
// keystream for bench/native/main.c to time against a portable C ChaCha20.

import { chacha20Block } from "../../kernel/random/chacha20";

const key = new Uint8Array(32);
const nonce = new Uint8Array(12);
const block = new Uint8Array(64);

/** Generates `blocks` keystream blocks from counter 0; returns a checksum of them. */
export function keystream(blocks: u32): u32 {
  for (let i = 0; i < 32; i++) key[i] = <u8>i;
  for (let i = 0; i < 12; i++) nonce[i] = <u8>(0x40 + i);
  let sum: u32 = 0;
  for (let counter: u32 = 0; counter < blocks; counter++) {
    chacha20Block(key, counter, nonce, block);
    sum = (sum * 31) ^ load<u32>(block.dataStart) ^ load<u32>(block.dataStart + 60);
  }
  return sum;
}
