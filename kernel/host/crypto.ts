// Host-build entry points for the crypto unit tests (never linked into the
// machine image): hex strings in, hex strings out. A malformed hex argument
// gives "bad hex"; a length the primitive rejects shows as its untouched
// output (an empty digest, a zero block, unchanged data).

import { Blake2s, blake2s } from "../random/blake2s";
import { chacha20Block, chacha20Xor } from "../random/chacha20";

const HEX_DIGITS = "0123456789abcdef";

function nibble(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** The bytes of an even-length hex string, or null. */
function fromHex(text: string): Uint8Array | null {
  if (text.length & 1) return null;
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = <u8>((hi << 4) | lo);
  }
  return out;
}

function toHex(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = <i32>bytes[i];
    parts[i] = HEX_DIGITS.charAt(b >> 4) + HEX_DIGITS.charAt(b & 15);
  }
  return parts.join("");
}

/**
 * BLAKE2s of `dataHex` (keyed with `keyHex` unless it is empty), fed to one
 * Blake2s object in chunks of `chunk` bytes (chunk <= 0: through blake2s()
 * in one call). "" when the lengths are rejected.
 */
export function blake2sHex(dataHex: string, outLength: i32, keyHex: string, chunk: i32): string {
  const data = fromHex(dataHex), key = fromHex(keyHex);
  if (!data || !key) return "bad hex";
  if (chunk <= 0) return toHex(blake2s(data, outLength, key.length ? key : null));
  const hash = new Blake2s(outLength, key.length ? key : null);
  for (let i = 0; i < data.length; i += chunk) {
    hash.update(data.subarray(i, min(i + chunk, data.length)));
  }
  const out = new Uint8Array(outLength > 0 ? outLength : 0);
  hash.final(out);
  return hash.valid ? toHex(out) : "";
}

/** BLAKE2s-256 of `prefixHex` followed by `value` through updateU64. */
export function blake2sU64Hex(prefixHex: string, value: u64): string {
  const prefix = fromHex(prefixHex);
  if (!prefix) return "bad hex";
  const hash = new Blake2s();
  hash.update(prefix);
  hash.updateU64(value);
  const out = new Uint8Array(32);
  hash.final(out);
  return toHex(out);
}

/**
 * Blake2s's behaviour at its edges, as "<digest>|<after second final>|<short out>":
 * final() into a buffer one byte short writes nothing, a second final()
 * writes nothing, update() after final() changes nothing.
 */
export function blake2sEdgesHex(dataHex: string, outLength: i32): string {
  const data = fromHex(dataHex);
  if (!data) return "bad hex";
  if (outLength < 1 || outLength > 32) return "";
  const hash = new Blake2s(outLength);
  hash.update(data);
  const short = new Uint8Array(outLength - 1);
  hash.final(short);                // too short: nothing written, still usable
  const out = new Uint8Array(outLength);
  hash.final(out);
  hash.update(data);                // ignored
  const again = new Uint8Array(outLength);
  hash.final(again);                // ignored
  return toHex(out) + "|" + toHex(again) + "|" + toHex(short);
}

/** The keystream block for (key, counter, nonce), written into a zeroed buffer of `outLength` bytes. */
export function chacha20BlockHex(keyHex: string, counter: u32, nonceHex: string, outLength: i32): string {
  const key = fromHex(keyHex), nonce = fromHex(nonceHex);
  if (!key || !nonce || outLength < 0) return "bad hex";
  const out = new Uint8Array(outLength);
  chacha20Block(key, counter, nonce, out);
  return toHex(out);
}

/** `dataHex` XORed with the keystream from block `counter`. */
export function chacha20XorHex(keyHex: string, counter: u32, nonceHex: string, dataHex: string): string {
  const key = fromHex(keyHex), nonce = fromHex(nonceHex), data = fromHex(dataHex);
  if (!key || !nonce || !data) return "bad hex";
  chacha20Xor(key, counter, nonce, data);
  return toHex(data);
}

/** Throughput probe: `blocks` chacha20Block calls into one buffer; returns a word of the last block. */
export function chacha20Blocks(blocks: i32): u32 {
  const key = new Uint8Array(32), nonce = new Uint8Array(12), out = new Uint8Array(64);
  for (let i = 0; i < blocks; i++) chacha20Block(key, <u32>i, nonce, out);
  return load<u32>(out.dataStart);
}

/** Throughput probe: BLAKE2s-256 over `bytes` zero bytes fed in 4 KiB updates; returns the digest's first word. */
export function blake2sBytes(bytes: i32): u32 {
  const chunk = new Uint8Array(4096);
  const hash = new Blake2s();
  for (let done = 0; done < bytes; done += chunk.length) hash.update(chunk.subarray(0, min(chunk.length, bytes - done)));
  const out = new Uint8Array(32);
  hash.final(out);
  return load<u32>(out.dataStart);
}
