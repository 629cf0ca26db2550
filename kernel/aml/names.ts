// AML name strings: parsing from bytecode and canonical printing.
// Owns: the NameSeg rules (lead char A–Z or _, then A–Z, 0–9 or _) and the
// canonical path form `\_SB_.PCI0` used in every listing and message.
// Never: resolves names (namespace.ts does that).

import { OBJECT_BYTES, chargeAmlBytes } from "./meter";

/** A parsed NameString: root/parent prefixes and 4-character segments. */
export class NamePath {
  absolute: bool = false;
  parentPrefixes: i32 = 0;
  /** Exactly `count` segments, each "" until set (one allocation: every name the interpreter reads makes a path). */
  segments: StaticArray<string>;

  constructor(count: i32 = 0) {
    const segments = new StaticArray<string>(count);
    for (let i = 0; i < count; i++) unchecked(segments[i] = "");
    this.segments = segments;
    chargeAmlBytes(OBJECT_BYTES * 2); // the path and its segments
  }

  /** True for a single bare segment, the case the ACPI search rules apply to. */
  isSimple(): bool {
    return !this.absolute && this.parentPrefixes == 0 && this.segments.length == 1;
  }

  toString(): string {
    let s = this.absolute ? "\\" : "";
    for (let i = 0; i < this.parentPrefixes; i++) s += "^";
    return s + this.segments.join(".");
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
    path.segments[p] = seg;
  }
  return path;
}
