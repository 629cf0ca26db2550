// Which physical addresses the kernel may touch. The loader reaches physical
// memory through its direct map, which covers [0, hw.directMapLimit()) (4 GiB)
// and nothing else: an access outside it would be a page fault, which the
// kernel does not survive. Owns: that decision, and the one wording of the
// error for it. Every physical access an input decides — AML SystemMemory
// regions, FADT register blocks, table pointers — asks here first.
// May call: hw.directMapLimit. Never: accesses memory itself, or decides
// anything about I/O ports or PCI (aml/region.ts does).

import { directMapLimit } from "../hw";

let limit: u64 = 0;

/** The end of the directly mapped physical range (exclusive). */
export function physMapLimit(): u64 {
  if (limit == 0) limit = directMapLimit();
  return limit;
}

/** True when every byte of [address, address + length) is directly mapped (no wrap-around). */
export function physRangeMapped(address: u64, length: u64): bool {
  const end = physMapLimit();
  return length <= end && address <= end - length;
}

/** The mapped range as the errors name it, e.g. "0-4 GiB". */
export function physMapText(): string {
  const end = physMapLimit();
  if ((end & ((<u64>1 << 30) - 1)) == 0) return "0-" + (end >> 30).toString() + " GiB";
  return "0-0x" + end.toString(16);
}

/** The named error for an access of `length` bytes at `address` outside the map. */
export function physUnmappedError(what: string, address: u64, length: u64): string {
  return what + " at 0x" + address.toString(16) + " width " + length.toString() +
    " is outside the physical memory the kernel maps (" + physMapText() + ")";
}
