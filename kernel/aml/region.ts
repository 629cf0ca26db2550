// Operation-region access: the one hook between AML and hardware.
// Owns: how SystemMemory, SystemIO and PCI_Config accesses become hw calls,
// and which of them are refused: memory outside the kernel's direct map
// (mm/phys.ts decides), ports past 0xFFFF, PCI configuration offsets past
// 0xFF. On the machine they reach real ports and memory; in the host build
// the same calls reach tools/sim/machine.ts, a zero-filled space that logs
// every access. May call: hw port and physical access, mm/phys.ts.
// Never: accesses anything regionAccessProblem() refuses (callers ask it
// first), decides field layout (the interpreter does) or caches.

import { inb, inl, inw, outb, outl, outw, physRead, physWrite } from "../hw";
import { physRangeMapped, physUnmappedError } from "../mm/phys";

export const SPACE_SYSTEM_MEMORY: u8 = 0;
export const SPACE_SYSTEM_IO: u8 = 1;
export const SPACE_PCI_CONFIG: u8 = 2;

export function spaceName(space: u8): string {
  switch (space) {
    case 0: return "SystemMemory"; case 1: return "SystemIO"; case 2: return "PCI_Config";
    case 3: return "EmbeddedControl"; case 4: return "SMBus"; case 5: return "SystemCMOS";
    case 6: return "PciBarTarget"; case 7: return "IPMI"; case 8: return "GeneralPurposeIo";
    case 9: return "GenericSerialBus"; case 10: return "PCC";
  }
  return "0x" + (<u32>space).toString(16);
}

export function spaceSupported(space: u8): bool {
  return space <= SPACE_PCI_CONFIG;
}

const IO_PORT_LIMIT: u64 = 0x10000;
const PCI_CONFIG_BYTES: u64 = 256;

/**
 * "" when a `width`-byte access at `address` of `space` may be made, else the
 * named error. Every regionRead/regionWrite must be preceded by this check.
 */
export function regionAccessProblem(space: u8, address: u64, width: i32): string {
  const w = <u64>width;
  if (space == SPACE_SYSTEM_MEMORY) {
    return physRangeMapped(address, w) ? "" : physUnmappedError("SystemMemory access", address, w);
  }
  if (space == SPACE_SYSTEM_IO) {
    if (address < IO_PORT_LIMIT && w <= IO_PORT_LIMIT - address) return "";
    return "SystemIO access at 0x" + address.toString(16) + " width " + width.toString() +
      " is outside the I/O port space (0-0xffff)";
  }
  if (space == SPACE_PCI_CONFIG) {
    if (address < PCI_CONFIG_BYTES && w <= PCI_CONFIG_BYTES - address) return "";
    return "PCI_Config access at 0x" + address.toString(16) + " width " + width.toString() +
      " is outside a function's 256-byte configuration space";
  }
  return "no handler for " + spaceName(space) + " regions";
}

const PCI_CONFIG_ADDRESS: u32 = 0xcf8;
const PCI_CONFIG_DATA: u32 = 0xcfc;

function pciSelect(pciAddress: u32, offset: u32): u32 {
  outl(PCI_CONFIG_ADDRESS, 0x80000000 | pciAddress | (offset & 0xfc));
  return PCI_CONFIG_DATA + (offset & 3);
}

/** pciAddress: bus << 16 | device << 11 | function << 8, for PCI_Config. */
export function regionRead(space: u8, address: u64, width: i32, pciAddress: u32): u64 {
  if (space == SPACE_SYSTEM_MEMORY) return physRead(address, <u32>width);
  if (space == SPACE_SYSTEM_IO) {
    const port = <u32>address;
    if (width == 1) return <u64>inb(port);
    if (width == 2) return <u64>inw(port);
    if (width == 4) return <u64>inl(port);
    return <u64>inl(port) | (<u64>inl(port + 4) << 32);
  }
  const offset = <u32>address;
  if (width == 8) return regionRead(space, address, 4, pciAddress) | (regionRead(space, address + 4, 4, pciAddress) << 32);
  const port = pciSelect(pciAddress, offset);
  if (width == 1) return <u64>inb(port);
  if (width == 2) return <u64>inw(port);
  return <u64>inl(port);
}

export function regionWrite(space: u8, address: u64, width: i32, value: u64, pciAddress: u32): void {
  if (space == SPACE_SYSTEM_MEMORY) { physWrite(address, <u32>width, value); return; }
  if (space == SPACE_SYSTEM_IO) {
    const port = <u32>address;
    if (width == 1) outb(port, <u32>value);
    else if (width == 2) outw(port, <u32>value);
    else if (width == 4) outl(port, <u32>value);
    else { outl(port, <u32>value); outl(port + 4, <u32>(value >> 32)); }
    return;
  }
  if (width == 8) {
    regionWrite(space, address, 4, value & 0xffffffff, pciAddress);
    regionWrite(space, address + 4, 4, value >> 32, pciAddress);
    return;
  }
  const port = pciSelect(pciAddress, <u32>address);
  if (width == 1) outb(port, <u32>value);
  else if (width == 2) outw(port, <u32>value);
  else outl(port, <u32>value);
}
