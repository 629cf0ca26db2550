// Finding the Root System Description Pointer on a PC BIOS machine: the
// first KiB of the EBDA, then 0xE0000–0xFFFFF, on 16-byte boundaries
// (ACPI 6.5 §5.2.5.1). A candidate counts only if its checksum (first 20
// bytes) and, for revision 2 and later, its extended checksum (over its
// `length` bytes) are right; a bad candidate is reported and the scan goes on.
// A boot protocol that names the RSDP (PVH) is believed only if that
// candidate passes the same checks.
// Owns: the scan and the RSDP's fields. May call: hw.physRead (the EBDA
// pointer), hw.physCopyIn (the scan's one buffer) and the copy helpers of
// tables.ts. Never: reads outside the two
// scan regions, or trusts a candidate's length before bounding it.

import { physCopyIn, physRead } from "../hw";
import { AcpiErrors, asciiField, byteSum, copyPhysical, readU32, readU64, readU8, REASON_CHECKSUM } from "./tables";
import { hex0x } from "../lib/fmt";

/** The BIOS data area word holding the EBDA's real-mode segment. */
const EBDA_SEGMENT_POINTER: u64 = 0x40e;
const EBDA_SCAN_LENGTH: u32 = 1024;
/** The EBDA lies in conventional memory, above the BIOS data area (0x400–0x4ff). */
const EBDA_LOWEST: u64 = 0x500;
const CONVENTIONAL_MEMORY_END: u64 = 0xa0000;
const BIOS_AREA_START: u64 = 0xe0000;
const BIOS_AREA_END: u64 = 0x100000;
const SCAN_STEP: u32 = 16;
/** The scan copies this much at a time; a multiple of SCAN_STEP. */
const SCAN_CHUNK: u32 = 4096;

/** "RSD PTR " as a little-endian u64. */
const RSDP_SIGNATURE: u64 = 0x2052545020445352;
const RSDP_V1_LENGTH: u32 = 20;
const RSDP_V2_LENGTH: u32 = 36;
/** Revision 2 introduced the length field, the XSDT address and the extended checksum. */
const RSDP_EXTENDED_REVISION: u8 = 2;

export const REASON_RSDP_EXTENDED_CHECKSUM = "extended-checksum";
export const REASON_RSDP_LENGTH = "rsdp-length";

export class Rsdp {
  constructor(
    public phys: u64,
    /** 0 for ACPI 1.0 (RSDT only); 2 and later carry an XSDT address. */
    public revision: u8,
    public oemId: string,
    public rsdtAddress: u32,
    /** 0 unless revision >= 2. */
    public xsdtAddress: u64,
    /** 20 for revision 0, else the length field. */
    public length: u32,
  ) {}

  /** The XSDT is used when present (revision >= 2 and a non-zero address). */
  get usesXsdt(): bool {
    return this.revision >= RSDP_EXTENDED_REVISION && this.xsdtAddress != 0;
  }
}

/**
 * The RSDP the boot protocol gave (PVH's rsdp_paddr) when it checks out;
 * else the first valid one of the scan: EBDA first, then the BIOS area.
 * Null when none.
 */
export function findRsdp(errors: AcpiErrors, given: u64 = 0): Rsdp | null {
  if (given != 0) {
    if (given >= 0x100000000 - <u64>RSDP_V2_LENGTH) {
      errors.report("RSDP", given, REASON_RSDP_LENGTH, "the boot protocol's RSDP address is above 4 GiB; scanning instead");
    } else {
      if (load<u64>(copyPhysical(given, 8).dataStart) != RSDP_SIGNATURE) {
        errors.report("RSDP", given, REASON_RSDP_LENGTH, "the boot protocol's RSDP address holds no \"RSD PTR \" signature; scanning instead");
      } else {
        const named = validateRsdp(given, given + <u64>RSDP_V2_LENGTH + 0x1000, errors);
        if (named != null) return named;
      }
    }
  }
  const ebda = ebdaAddress();
  if (ebda != 0) {
    const inEbda = scanForRsdp(ebda, ebda + <u64>EBDA_SCAN_LENGTH, errors);
    if (inEbda != null) return inEbda;
  }
  return scanForRsdp(BIOS_AREA_START, BIOS_AREA_END, errors);
}

/** The EBDA's physical address, or 0 when the BDA's pointer is implausible. */
function ebdaAddress(): u64 {
  const base = physRead(EBDA_SEGMENT_POINTER, 2) << 4;
  if (base < EBDA_LOWEST || base + <u64>EBDA_SCAN_LENGTH > CONVENTIONAL_MEMORY_END) return 0;
  return base;
}

/** Four scan boundaries: SCAN_GROUP bytes. */
const SCAN_GROUP: u32 = 4 * SCAN_STEP;

// @ts-ignore: decorator
@inline function noSignatureInGroup(at: usize): bool {
  return load<u64>(at) != RSDP_SIGNATURE && load<u64>(at, 16) != RSDP_SIGNATURE &&
    load<u64>(at, 32) != RSDP_SIGNATURE && load<u64>(at, 48) != RSDP_SIGNATURE;
}

/** Scans [start, end) on 16-byte boundaries; `start` is 16-byte aligned. */
function scanForRsdp(start: u64, end: u64, errors: AcpiErrors): Rsdp | null {
  const chunk = new Uint8Array(<i32>SCAN_CHUNK); // one buffer for the whole scan
  const base = chunk.dataStart;
  for (let chunkStart = start; chunkStart < end; chunkStart += <u64>SCAN_CHUNK) {
    const remaining = end - chunkStart;
    const chunkLength = remaining < <u64>SCAN_CHUNK ? <u32>remaining : SCAN_CHUNK;
    physCopyIn(base, chunkStart, chunkLength);
    // A signature is 8 bytes on a 16-byte boundary: it never straddles chunks.
    for (let offset: u32 = 0; offset + 8 <= chunkLength; offset += SCAN_STEP) {
      // Groups of four boundaries with no signature are passed over in one
      // step (the boot's most-run loop: about 5,600 boundaries on SeaBIOS).
      while (offset + SCAN_GROUP <= chunkLength && noSignatureInGroup(base + <usize>offset)) offset += SCAN_GROUP;
      if (offset + 8 > chunkLength) break;
      if (load<u64>(base + <usize>offset) != RSDP_SIGNATURE) continue;
      const found = validateRsdp(chunkStart + <u64>offset, end, errors);
      if (found != null) return found;
    }
  }
  return null;
}

/** The RSDP at `phys` if it lies inside the region ending at `end` and checks out. */
function validateRsdp(phys: u64, end: u64, errors: AcpiErrors): Rsdp | null {
  if (phys + <u64>RSDP_V1_LENGTH > end) {
    errors.report("RSDP", phys, REASON_RSDP_LENGTH, "candidate runs past the end of the scanned region; skipped");
    return null;
  }
  const v1 = copyPhysical(phys, RSDP_V1_LENGTH);
  const sum = byteSum(v1, RSDP_V1_LENGTH);
  if (sum != 0) {
    errors.report("RSDP", phys, REASON_CHECKSUM, "first 20 bytes sum to " + hex0x(sum) + " (must be 0); skipped");
    return null;
  }
  const revision = readU8(v1, 15);
  const oemId = asciiField(v1, 9, 6, true);
  const rsdtAddress = readU32(v1, 16);
  if (revision < RSDP_EXTENDED_REVISION) {
    return new Rsdp(phys, revision, oemId, rsdtAddress, 0, RSDP_V1_LENGTH);
  }

  if (phys + <u64>RSDP_V2_LENGTH > end) {
    errors.report("RSDP", phys, REASON_RSDP_LENGTH, "revision " + revision.toString() +
      " candidate runs past the end of the scanned region; skipped");
    return null;
  }
  const lengthField = readU32(copyPhysical(phys, RSDP_V2_LENGTH), 20);
  if (lengthField < RSDP_V2_LENGTH || <u64>lengthField > end - phys) {
    errors.report("RSDP", phys, REASON_RSDP_LENGTH, "length " + lengthField.toString() +
      " is below 36 or runs past the end of the scanned region; skipped");
    return null;
  }
  const whole = copyPhysical(phys, lengthField);
  const extendedSum = byteSum(whole, lengthField);
  if (extendedSum != 0) {
    errors.report("RSDP", phys, REASON_RSDP_EXTENDED_CHECKSUM, "its " + lengthField.toString() +
      " bytes sum to " + hex0x(extendedSum) + " (must be 0); skipped");
    return null;
  }
  return new Rsdp(phys, revision, oemId, rsdtAddress, readU64(whole, 24), lengthField);
}
