// ACPI system description tables: the common 36-byte header, checksums, and
// the only way a table gets from physical memory into the kernel — a
// length-bounded, checksummed copy in linear memory (AcpiTable.bytes).
// Owns: AcpiTable, the error list every ACPI module reports into
// (AcpiErrors), the copy budget, and the RSDT/XSDT entry walk.
// May call: hw.physCopyIn, console log. Never: parses a table in place in
// physical memory, reads before checking a bound, or traps on what firmware
// left in memory — a bad table becomes an error record and is skipped.

import { physCopyIn } from "../hw";
import { log } from "../console/log";
import { hex0x } from "../lib/fmt";

export const HEADER_LENGTH: u32 = 36;
/** No real table comes near this; a larger length is corrupt memory. */
export const MAX_TABLE_LENGTH: u32 = 1 << 20;
/**
 * Total bytes all copies may take. The kernel's linear memory is at most
 * 16 MiB, so garbage lengths in many entries must not be able to exhaust it.
 */
export const COPY_BUDGET: u64 = 4 << 20;
/** Real root tables list a few dozen tables; garbage can list thousands. */
export const MAX_ROOT_ENTRIES: u32 = 256;
/** The loader identity-maps the low 4 GiB; tables must lie inside it. */
export const PHYS_LIMIT: u64 = <u64>1 << 32;

const FACS_MIN_LENGTH: u32 = 64;
const FACS_VERSION_OFFSET: u32 = 32;
const UNKNOWN_SIGNATURE = "????";

// Problem reasons: short fixed words (no spaces), so the `acpi` command can
// print them as `bad=<reason>` and tests can match them.
export const REASON_NULL_ADDRESS = "null-address";
export const REASON_BEYOND_4GIB = "beyond-4gib";
export const REASON_LENGTH_TOO_SMALL = "length-too-small";
export const REASON_LENGTH_TOO_LARGE = "length-too-large";
export const REASON_BAD_SIGNATURE = "bad-signature";
export const REASON_WRONG_SIGNATURE = "wrong-signature";
export const REASON_CHECKSUM = "checksum";
export const REASON_COPY_BUDGET = "copy-budget";
export const REASON_DUPLICATE = "duplicate";
export const REASON_PARTIAL_ENTRY = "partial-entry";
export const REASON_TOO_MANY_ENTRIES = "too-many-entries";

// ---- bounded little-endian field access on a copy ------------------------

/** True when `size` bytes at `offset` lie wholly inside `bytes`. */
export function fieldFits(bytes: Uint8Array, offset: u32, size: u32): bool {
  return <u64>offset + <u64>size <= <u64>bytes.length;
}

/** The byte at `offset`, or 0 when it lies outside `bytes`. */
export function readU8(bytes: Uint8Array, offset: u32): u8 {
  return fieldFits(bytes, offset, 1) ? load<u8>(bytes.dataStart + <usize>offset) : 0;
}

/** Little-endian u16 at `offset`, or 0 when it does not fit. */
export function readU16(bytes: Uint8Array, offset: u32): u16 {
  return fieldFits(bytes, offset, 2) ? load<u16>(bytes.dataStart + <usize>offset) : 0;
}

/** Little-endian u32 at `offset`, or 0 when it does not fit. */
export function readU32(bytes: Uint8Array, offset: u32): u32 {
  return fieldFits(bytes, offset, 4) ? load<u32>(bytes.dataStart + <usize>offset) : 0;
}

/** Little-endian u64 at `offset`, or 0 when it does not fit. */
export function readU64(bytes: Uint8Array, offset: u32): u64 {
  return fieldFits(bytes, offset, 8) ? load<u64>(bytes.dataStart + <usize>offset) : 0;
}

/** Byte sum modulo 256 of the first `count` bytes; a valid table sums to 0. */
export function byteSum(bytes: Uint8Array, count: u32): u8 {
  const end = count < <u32>bytes.length ? count : <u32>bytes.length;
  const at = bytes.dataStart;
  // Eight bytes a step, as four 16-bit lanes of byte pairs (a lane gains at
  // most 510 a step: folded every 64 steps, long before it could carry over).
  const LANES: u64 = 0x00ff00ff00ff00ff;
  let sum: u64 = 0;
  let i: u32 = 0;
  while (i + 8 <= end) {
    let lanes: u64 = 0;
    const stop = min(end & ~7, i + 64 * 8);
    for (; i < stop; i += 8) {
      const w = load<u64>(at + <usize>i);
      lanes += (w & LANES) + ((w >> 8) & LANES);
    }
    sum += (lanes & 0xffff) + ((lanes >> 16) & 0xffff) + ((lanes >> 32) & 0xffff) + (lanes >> 48);
  }
  for (; i < end; i++) sum += <u64>load<u8>(at + <usize>i);
  return <u8>sum;
}

/**
 * `length` bytes at `offset` as text: printable ASCII kept, anything else
 * shown as '?'. With `trim`, trailing spaces and NULs (ACPI's padding of OEM
 * fields) are dropped.
 */
export function asciiField(bytes: Uint8Array, offset: u32, length: u32, trim: bool): string {
  if (!fieldFits(bytes, offset, length)) return "";
  let end = length;
  if (trim) {
    while (end > 0) {
      const c = load<u8>(bytes.dataStart + <usize>(offset + end - 1));
      if (c != 0x20 && c != 0) break;
      end--;
    }
  }
  // One allocation: the string's UTF-16 units stored in place (a `+=` per
  // character made one string per character, at every table's headline).
  const text = changetype<string>(__new(<usize>end << 1, idof<string>()));
  for (let i: u32 = 0; i < end; i++) {
    const c = load<u8>(bytes.dataStart + <usize>(offset + i));
    store<u16>(changetype<usize>(text) + (<usize>i << 1), c >= 0x20 && c <= 0x7e ? c : 0x3f);
  }
  return text;
}

/** A signature is four printable ASCII characters; garbage rarely is. */
function isPrintableSignature(bytes: Uint8Array): bool {
  if (!fieldFits(bytes, 0, 4)) return false;
  for (let i: u32 = 0; i < 4; i++) {
    const c = load<u8>(bytes.dataStart + <usize>i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Copies `length` bytes at physical `phys` into a new array. */
export function copyPhysical(phys: u64, length: u32): Uint8Array {
  const bytes = new Uint8Array(<i32>length);
  if (length > 0) physCopyIn(bytes.dataStart, phys, length);
  return bytes;
}

// ---- errors ----------------------------------------------------------------

/** One thing that was wrong with what firmware put in memory. */
export class AcpiError {
  constructor(
    /** Table signature ("RSDP" for a root pointer candidate, "????" if unreadable). */
    public signature: string,
    public phys: u64,
    /** A short fixed word without spaces (the REASON_* constants and the decoders' own). */
    public reason: string,
    /** Human-readable specifics for the log line. */
    public detail: string,
  ) {}
}

/** Collects errors and logs each one as it is found. */
export class AcpiErrors {
  readonly list: Array<AcpiError> = new Array<AcpiError>();

  report(signature: string, phys: u64, reason: string, detail: string): void {
    this.list.push(new AcpiError(signature, phys, reason, detail));
    log("acpi", signature + "@" + hex0x(phys) + " " + reason + ": " + detail);
  }
}

// ---- tables ----------------------------------------------------------------

/**
 * One table the walk reached. Header fields are as found in memory; `bytes`
 * is the whole table (header included) copied into linear memory, empty when
 * the length was rejected before copying. `badReason` is "" for a table that
 * is safe to parse, else the reason it was skipped.
 */
export class AcpiTable {
  constructor(
    /** As found; non-printable bytes shown as '?'. */
    public signature: string,
    public phys: u64,
    /** The header's length field, as found (also when it was rejected). */
    public length: u32,
    /** Header revision; for the FACS, its version byte. */
    public revision: u8,
    public oemId: string,
    public oemTableId: string,
    public oemRevision: u32,
    /** False only when the bytes were copied and did not sum to zero. FACS has no checksum. */
    public checksumOk: bool,
    /** True for tables with the standard 36-byte header (all but FACS). */
    public hasStandardHeader: bool,
    public bytes: Uint8Array,
    public badReason: string,
  ) {}

  get ok(): bool {
    return this.badReason.length == 0;
  }
}

function unreadTable(signature: string, phys: u64, badReason: string): AcpiTable {
  return new AcpiTable(signature, phys, 0, 0, "", "", 0, true, true, new Uint8Array(0), badReason);
}

/**
 * Loads tables by physical address, in the order the walk reaches them, and
 * keeps every one (good or bad) for the listing. Callers ask `loadedAt`
 * first so that an address listed twice is not copied twice.
 */
export class TableLoader {
  readonly tables: Array<AcpiTable> = new Array<AcpiTable>();
  private copiedBytes: u64 = 0;

  constructor(public errors: AcpiErrors) {}

  /** The table already loaded from `phys`, if any. */
  loadedAt(phys: u64): AcpiTable | null {
    for (let i = 0; i < this.tables.length; i++) {
      if (this.tables[i].phys == phys) return this.tables[i];
    }
    return null;
  }

  /**
   * Loads the table at `phys`. `expected` is the signature the pointer
   * promised ("" when any signature is fine, as for RSDT/XSDT entries).
   * Always returns a table, recorded in `tables`; check `ok` before parsing.
   */
  load(phys: u64, expected: string): AcpiTable {
    const table = this.loadUnchecked(phys, expected);
    this.tables.push(table);
    return table;
  }

  private loadUnchecked(phys: u64, expected: string): AcpiTable {
    const named = expected.length > 0 ? expected : UNKNOWN_SIGNATURE;
    const located = this.locate(named, phys, HEADER_LENGTH);
    if (located.length > 0) return unreadTable(named, phys, located);

    const header = copyPhysical(phys, HEADER_LENGTH);
    const signature = asciiField(header, 0, 4, false);
    const length = readU32(header, 4);
    // The FACS has its own layout: signature and length, then no checksum
    // and no OEM fields. Old firmware sometimes lists it in the RSDT too.
    const isFacs = signature == "FACS";
    const table = isFacs
      ? new AcpiTable(signature, phys, length, 0, "", "", 0, true, false, new Uint8Array(0), "")
      : new AcpiTable(signature, phys, length, readU8(header, 8),
        asciiField(header, 10, 6, true), asciiField(header, 16, 8, true), readU32(header, 24),
        true, true, new Uint8Array(0), "");

    if (!isPrintableSignature(header)) {
      table.badReason = this.reject(table, REASON_BAD_SIGNATURE, "no table here (signature bytes are not ASCII)");
      return table;
    }
    if (expected.length > 0 && signature != expected) {
      table.badReason = this.reject(table, REASON_WRONG_SIGNATURE, "expected " + expected + ", found " + signature);
      return table;
    }
    const bounded = this.checkLength(table, isFacs ? FACS_MIN_LENGTH : HEADER_LENGTH);
    if (bounded.length > 0) {
      table.badReason = bounded;
      return table;
    }

    table.bytes = copyPhysical(phys, length);
    this.copiedBytes += <u64>length;
    if (isFacs) {
      table.revision = readU8(table.bytes, FACS_VERSION_OFFSET);
      return table;
    }
    const sum = byteSum(table.bytes, length);
    if (sum != 0) {
      table.checksumOk = false;
      table.badReason = this.reject(table, REASON_CHECKSUM, "bytes sum to " + hex0x(sum) + " (must be 0); skipped");
    }
    return table;
  }

  /** "" when `minimum` bytes at `phys` may be read, else the reported reason. */
  private locate(signature: string, phys: u64, minimum: u32): string {
    if (phys == 0) {
      this.errors.report(signature, phys, REASON_NULL_ADDRESS, "pointer is zero; skipped");
      return REASON_NULL_ADDRESS;
    }
    if (phys >= PHYS_LIMIT || PHYS_LIMIT - phys < <u64>minimum) {
      this.errors.report(signature, phys, REASON_BEYOND_4GIB, "table would lie above 4 GiB, outside the identity map; skipped");
      return REASON_BEYOND_4GIB;
    }
    return "";
  }

  /** Bounds the header's length field before anything is copied. */
  private checkLength(table: AcpiTable, minimum: u32): string {
    const length = table.length;
    if (length < minimum) {
      return this.reject(table, REASON_LENGTH_TOO_SMALL,
        "length " + length.toString() + " is below the " + minimum.toString() + "-byte minimum");
    }
    if (length > MAX_TABLE_LENGTH) {
      return this.reject(table, REASON_LENGTH_TOO_LARGE,
        "length " + length.toString() + " exceeds the " + MAX_TABLE_LENGTH.toString() + "-byte limit");
    }
    if (PHYS_LIMIT - table.phys < <u64>length) {
      return this.reject(table, REASON_BEYOND_4GIB,
        "length " + length.toString() + " runs past 4 GiB");
    }
    if (this.copiedBytes + <u64>length > COPY_BUDGET) {
      return this.reject(table, REASON_COPY_BUDGET,
        "copying " + length.toString() + " more bytes would exceed the " + COPY_BUDGET.toString() + "-byte budget");
    }
    return "";
  }

  private reject(table: AcpiTable, reason: string, detail: string): string {
    this.errors.report(table.signature, table.phys, reason, detail);
    return reason;
  }
}

// ---- root table --------------------------------------------------------------

/**
 * The table addresses listed in an RSDT (4-byte entries) or XSDT (8-byte
 * entries), in order. A trailing partial entry and entries past
 * MAX_ROOT_ENTRIES are reported and ignored.
 */
export function rootEntries(root: AcpiTable, errors: AcpiErrors): Array<u64> {
  const entries = new Array<u64>();
  if (!root.ok) return entries;
  const entrySize: u32 = root.signature == "XSDT" ? 8 : 4;
  const body = <u32>root.bytes.length - HEADER_LENGTH;
  let count = body / entrySize;
  if (body % entrySize != 0) {
    errors.report(root.signature, root.phys, REASON_PARTIAL_ENTRY,
      (body % entrySize).toString() + " bytes after the last whole entry; ignored");
  }
  if (count > MAX_ROOT_ENTRIES) {
    errors.report(root.signature, root.phys, REASON_TOO_MANY_ENTRIES,
      count.toString() + " entries; only the first " + MAX_ROOT_ENTRIES.toString() + " are used");
    count = MAX_ROOT_ENTRIES;
  }
  for (let i: u32 = 0; i < count; i++) {
    const offset = HEADER_LENGTH + i * entrySize;
    entries.push(entrySize == 8 ? readU64(root.bytes, offset) : <u64>readU32(root.bytes, offset));
  }
  return entries;
}
