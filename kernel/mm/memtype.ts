// Effective memory types, derived — not assumed — from the page-table entry's
// PAT/PCD/PWT bits, the PAT MSR and the MTRRs (Intel SDM vol. 3, §12.11–12.12).
// Owns: decoding those registers and combining them. May call: hw rdmsr and
// cpuid. Never: writes an MSR.

import { cpuid, rdmsr } from "../hw";

export const TYPE_UC: u8 = 0;
export const TYPE_WC: u8 = 1;
export const TYPE_WT: u8 = 4;
export const TYPE_WP: u8 = 5;
export const TYPE_WB: u8 = 6;
export const TYPE_UC_MINUS: u8 = 7; // PAT only
export const TYPE_INVALID: u8 = 0xff;

export function typeName(t: u8): string {
  switch (t) {
    case TYPE_UC: return "UC";
    case TYPE_WC: return "WC";
    case TYPE_WT: return "WT";
    case TYPE_WP: return "WP";
    case TYPE_WB: return "WB";
    case TYPE_UC_MINUS: return "UC-";
  }
  return "invalid";
}

const MSR_MTRRCAP: u32 = 0xfe;
const MSR_MTRR_PHYSBASE0: u32 = 0x200;
const MSR_MTRR_FIX64K: u32 = 0x250;
const MSR_MTRR_FIX16K_80000: u32 = 0x258;
const MSR_MTRR_FIX4K_C0000: u32 = 0x268;
const MSR_PAT: u32 = 0x277;
const MSR_MTRR_DEF_TYPE: u32 = 0x2ff;

export const PTE_PWT: u64 = 1 << 3;
export const PTE_PCD: u64 = 1 << 4;
export const PTE_PAT_4K: u64 = 1 << 7;
export const PDE_PAT_2M: u64 = 1 << 12;

/** The PAT entry a 4 KiB PTE selects (or a 2 MiB PDE, with `large`). */
export function patIndex(entry: u64, large: bool): i32 {
  const pat = large ? (entry & PDE_PAT_2M) != 0 : (entry & PTE_PAT_4K) != 0;
  return (pat ? 4 : 0) | ((entry & PTE_PCD) != 0 ? 2 : 0) | ((entry & PTE_PWT) != 0 ? 1 : 0);
}

export function patType(index: i32): u8 {
  const cpuHasPat = (cpuid(1, 0, 3) & (1 << 16)) != 0;
  // Without PAT the PCD/PWT bits alone give WB, WT, UC-, UC.
  const pat = cpuHasPat ? rdmsr(MSR_PAT) : <u64>0x0007040600070406;
  return <u8>((pat >> (<u64>(index * 8))) & 7);
}

/** PTE cache bits (PWT/PCD, plus PAT when `large` is false) selecting `type`, or ~0 if the PAT has none. */
export function pteBitsFor(type: u8): u64 {
  for (let i = 0; i < 4; i++) { // PCD/PWT only: the same encoding for 4K and 2M entries
    if (patType(i) == type) return ((i & 1) != 0 ? PTE_PWT : 0) | ((i & 2) != 0 ? PTE_PCD : 0);
  }
  return ~(<u64>0);
}

/** The MTRR memory type of one physical address. */
export function mtrrType(phys: u64): u8 {
  if ((cpuid(1, 0, 3) & (1 << 12)) == 0) return TYPE_WB; // no MTRRs: they cannot restrict
  const defType = rdmsr(MSR_MTRR_DEF_TYPE);
  if ((defType & (1 << 11)) == 0) return TYPE_UC; // MTRRs disabled: all UC
  const cap = rdmsr(MSR_MTRRCAP);
  if ((defType & (1 << 10)) != 0 && (cap & (1 << 8)) != 0 && phys < 0x100000) {
    let msr: u32, shift: u64;
    if (phys < 0x80000) { msr = MSR_MTRR_FIX64K; shift = (phys >> 16) * 8; }
    else if (phys < 0xc0000) { msr = MSR_MTRR_FIX16K_80000 + <u32>((phys - 0x80000) >> 17); shift = ((phys >> 14) & 7) * 8; }
    else { msr = MSR_MTRR_FIX4K_C0000 + <u32>((phys - 0xc0000) >> 15); shift = ((phys >> 12) & 7) * 8; }
    return <u8>((rdmsr(msr) >> shift) & 0xff);
  }
  const count = <u32>(cap & 0xff);
  let found: u8 = TYPE_INVALID;
  for (let n: u32 = 0; n < count; n++) {
    const mask = rdmsr(MSR_MTRR_PHYSBASE0 + 2 * n + 1);
    if ((mask & (1 << 11)) == 0) continue;
    const base = rdmsr(MSR_MTRR_PHYSBASE0 + 2 * n);
    const m = mask & ~(<u64>0xfff);
    if ((phys & m) != (base & m)) continue;
    const t = <u8>(base & 0xff);
    if (found == TYPE_INVALID) found = t;
    else if (t == TYPE_UC || found == TYPE_UC) found = TYPE_UC;       // UC wins any overlap
    else if ((t == TYPE_WT && found == TYPE_WB) || (t == TYPE_WB && found == TYPE_WT)) found = TYPE_WT;
    else if (t != found) found = TYPE_UC;                             // undefined overlap: be safe
  }
  return found == TYPE_INVALID ? <u8>(defType & 0xff) : found;
}

/** The processor's effective type for PAT type `pat` over MTRR type `mtrr` (SDM table 12-7). */
export function combine(mtrr: u8, pat: u8): u8 {
  if (pat == TYPE_UC) return TYPE_UC;
  if (pat == TYPE_UC_MINUS) return mtrr == TYPE_WC ? TYPE_WC : TYPE_UC;
  if (pat == TYPE_WC) return TYPE_WC;
  if (mtrr == TYPE_UC) return TYPE_UC;
  if (pat == TYPE_WB) return mtrr;
  if (pat == TYPE_WT) return mtrr == TYPE_WC ? TYPE_UC : (mtrr == TYPE_WP ? TYPE_WP : TYPE_WT);
  if (pat == TYPE_WP) return mtrr == TYPE_WC ? TYPE_UC : (mtrr == TYPE_WT ? TYPE_WT : TYPE_WP);
  return TYPE_UC;
}
