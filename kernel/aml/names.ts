// AML name strings: parsing from bytecode and canonical printing.
// Owns: the NameSeg rules (lead char A–Z or _, then A–Z, 0–9 or _) and the
// canonical path form `\_SB_.PCI0` used in every listing and message.
// Never: resolves names (namespace.ts does that).

import { OBJECT_BYTES, chargeAmlBytes } from "./meter";

/**
 * A name segment's four characters as one integer, the first in the top
 * byte (lookups compare these, never strings); 0 — which no segment has —
 * for a string that is not exactly four characters.
 */
export function segmentKey(name: string): u32 {
  if (name.length != 4) return 0;
  // The four UTF-16 code units in one load (charCodeAt is a call each).
  const units = load<u64>(changetype<usize>(name));
  return (<u32>(units & 0xffff) << 24) | (<u32>((units >> 16) & 0xffff) << 16) |
    (<u32>((units >> 32) & 0xffff) << 8) | <u32>(units >> 48);
}

/** A segment key's four UTF-16 units, stored at `at`. */
// @ts-ignore: decorator
@inline function storeSegment(at: usize, key: u32): void {
  store<u64>(at, <u64>(key >> 24) | (<u64>((key >> 16) & 0xff) << 16) |
    (<u64>((key >> 8) & 0xff) << 32) | (<u64>(key & 0xff) << 48));
}

/** The four-character string of a segment key (one allocation: for listings and messages, never lookups). */
export function segmentText(key: u32): string {
  const s = changetype<string>(__new(8, idof<string>()));
  storeSegment(changetype<usize>(s), key);
  return s;
}

/** Segments a NamePath holds in its own fields; longer paths (rare) add one array. */
const INLINE_SEGMENTS: i32 = 4;

/**
 * A parsed NameString: root/parent prefixes and segment keys (segmentKey).
 * One allocation for up to four segments: every name the interpreter reads
 * makes a path, and the allocator was most of the namespace load's cost.
 */
export class NamePath {
  absolute: bool = false;
  parentPrefixes: i32 = 0;
  private count: i32 = 0;
  // Keys 0–3, consecutive in the object (key() and setKey() index them).
  private k0: u32 = 0;
  private k1: u32 = 0;
  private k2: u32 = 0;
  private k3: u32 = 0;
  /** Keys 4 and up. */
  private more: StaticArray<u32> | null = null;

  constructor(count: i32 = 0) {
    chargeAmlBytes(OBJECT_BYTES);
    this.reset(count);
  }

  get length(): i32 {
    return this.count;
  }

  /**
   * Makes this an empty relative path of `count` segments (keys 0), for a
   * path object that is reused (the interpreter's definition path).
   */
  reset(count: i32): void {
    this.absolute = false;
    this.parentPrefixes = 0;
    this.count = count;
    this.k0 = this.k1 = this.k2 = this.k3 = 0;
    if (count > INLINE_SEGMENTS) {
      const more = this.more;
      if (more == null || more.length < count - INLINE_SEGMENTS) {
        this.more = new StaticArray<u32>(count - INLINE_SEGMENTS);
        chargeAmlBytes(OBJECT_BYTES + (<u64>(count - INLINE_SEGMENTS) << 2));
      } else {
        for (let i = 0; i < count - INLINE_SEGMENTS; i++) unchecked(more[i] = 0);
      }
    }
  }

  /** Segment `i`'s key (0 ≤ i < length). */
  key(i: i32): u32 {
    if (i < INLINE_SEGMENTS) return load<u32>(changetype<usize>(this) + offsetof<NamePath>("k0") + (<usize>i << 2));
    return unchecked(this.more![i - INLINE_SEGMENTS]);
  }

  setKey(i: i32, key: u32): void {
    if (i < INLINE_SEGMENTS) store<u32>(changetype<usize>(this) + offsetof<NamePath>("k0") + (<usize>i << 2), key);
    else unchecked(this.more![i - INLINE_SEGMENTS] = key);
  }

  /** The last segment's key: the name a definition creates. */
  lastKey(): u32 {
    return this.length == 0 ? 0 : this.key(this.length - 1);
  }

  /** True for a single bare segment, the case the ACPI search rules apply to. */
  isSimple(): bool {
    return !this.absolute && this.parentPrefixes == 0 && this.length == 1;
  }

  /** `\\_SB_.PCI0`, `^^LNKA`: built in one allocation (unresolved Package references keep one each). */
  toString(): string {
    const n = this.count;
    const units = (this.absolute ? 1 : 0) + this.parentPrefixes + (n == 0 ? 0 : n * 5 - 1);
    const s = changetype<string>(__new(<usize>units << 1, idof<string>()));
    let at = changetype<usize>(s);
    if (this.absolute) { store<u16>(at, 0x5c); at += 2; }
    for (let i = 0; i < this.parentPrefixes; i++) { store<u16>(at, 0x5e); at += 2; }
    for (let i = 0; i < n; i++) {
      if (i > 0) { store<u16>(at, 0x2e); at += 2; }
      storeSegment(at, this.key(i));
      at += 8;
    }
    return s;
  }
}

export function isLeadNameChar(c: i32): bool {
  return (c >= 0x41 && c <= 0x5a) || c == 0x5f;
}

export function isNameChar(c: i32): bool {
  return isLeadNameChar(c) || (c >= 0x30 && c <= 0x39);
}

/**
 * Parses a user-supplied path such as `\_SB.VGEN.ADDR` or `_SB_.PCI0`
 * (segments shorter than 4 characters are padded with `_`). Returns null for
 * a malformed path.
 */
export function parseTextPath(text: string): NamePath | null {
  let i = 0;
  const absolute = text.length > 0 && text.charCodeAt(0) == 0x5c;
  if (absolute) i = 1;
  let parentPrefixes = 0;
  while (i < text.length && text.charCodeAt(i) == 0x5e) { parentPrefixes++; i++; }
  if (i == text.length) {
    if (!absolute) return null;
    const root = new NamePath(0);
    root.absolute = true;
    return root;
  }
  const parts = text.substring(i).split(".");
  const path = new NamePath(parts.length);
  path.absolute = absolute;
  path.parentPrefixes = parentPrefixes;
  for (let p = 0; p < parts.length; p++) {
    let seg = parts[p].toUpperCase();
    if (seg.length == 0 || seg.length > 4) return null;
    if (!isLeadNameChar(seg.charCodeAt(0))) return null;
    for (let k = 1; k < seg.length; k++) if (!isNameChar(seg.charCodeAt(k))) return null;
    while (seg.length < 4) seg += "_";
    path.setKey(p, segmentKey(seg));
  }
  return path;
}
