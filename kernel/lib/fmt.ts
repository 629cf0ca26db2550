// Number formatting and strict parsing for the serial protocol.
// Owns: the textual forms of numbers (lowercase hex with 0x, decimal).
// Never: allocates more than the string it returns.

const HEX_DIGITS = "0123456789abcdef";

/** Lowercase hex without prefix, at least `width` digits. */
export function hex(value: u64, width: i32 = 1): string {
  if (width > 16) width = 16;
  let digits = 1;
  for (let v = value >> 4; v != 0; v >>= 4) digits++;
  if (digits < width) digits = width;
  for (let i = 0; i < digits; i++) {
    const nibble = <i32>((value >> (<u64>((digits - 1 - i) * 4))) & 0xf);
    unchecked(hexScratch[i] = <u16>HEX_DIGITS.charCodeAt(nibble));
  }
  return String.UTF16.decodeUnsafe(changetype<usize>(hexScratch), <usize>digits << 1);
}

const hexScratch = new StaticArray<u16>(16);

/** "0x" + lowercase hex, no leading zeros. */
export function hex0x(value: u64): string {
  return "0x" + hex(value);
}

export function dec(value: u64): string {
  return value.toString();
}

/**
 * Parses an unsigned decimal or 0x-prefixed hex integer. Returns -1 for
 * anything else (sign, junk, empty, or above 2^53), so callers can name the
 * bad token in their error line.
 */
export function parseUnsigned(token: string): i64 {
  let base: u64 = 10;
  let start = 0;
  if (token.length > 2 && token.charCodeAt(0) == 0x30 && (token.charCodeAt(1) | 0x20) == 0x78) {
    base = 16;
    start = 2;
  }
  if (token.length == start) return -1;
  let value: u64 = 0;
  for (let i = start; i < token.length; i++) {
    const c = token.charCodeAt(i);
    let digit: u64;
    if (c >= 0x30 && c <= 0x39) digit = <u64>(c - 0x30);
    else if (base == 16 && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) digit = <u64>((c | 0x20) - 0x61 + 10);
    else return -1;
    value = value * base + digit;
    if (value > (<u64>1 << 53)) return -1;
  }
  return <i64>value;
}
