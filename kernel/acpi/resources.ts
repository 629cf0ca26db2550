// Decoding ACPI resource templates (ACPI 6.5 §6.4): the Buffer a device's
// _CRS returns, as the interrupts, memory ranges and I/O ranges a driver
// needs (a Generic Event Device's Interrupt descriptors, vmclock's
// QWordMemory window). Pure: bytes in, a ResourceList out.
// Owns: the meaning of resource descriptors. May call: the bounded readers
// of tables.ts and hex0x. Never: touches hardware or the console, reads an
// item's fields before knowing that the item lies inside `bytes` and is at
// least as long as its fixed part, or traps on what firmware returned — a
// malformed template stops the walk with `error` set, keeping what was
// decoded before it.

import { asciiField, readU16, readU32, readU64, readU8 } from "./tables";
import { hex0x } from "../lib/fmt";

/** Memory cache types: the _MEM field of an address-space descriptor (ACPI 6.5 Table 6.50). */
export const CACHE_NONCACHEABLE: u8 = 0, CACHE_CACHEABLE: u8 = 1, CACHE_WRITE_COMBINING: u8 = 2, CACHE_PREFETCHABLE: u8 = 3;

/**
 * One interrupt. From an IRQ descriptor `gsi` is an ISA IRQ (`isaIrq`),
 * which the MADT's interrupt source overrides may move; from an Extended
 * Interrupt descriptor it is a GSI, unless `source` names another
 * interrupt controller, whose number it then is.
 */
export class IrqResource {
  gsi: u32 = 0;
  /** _HE: edge-triggered; false is level-triggered. */
  edge: bool = true;
  /** _LL: active-low; false is active-high. */
  activeLow: bool = false;
  /** _SHR: may be shared with other devices. */
  shared: bool = false;
  /** _WKC: can wake the system. */
  wake: bool = false;
  /** The device consumes the interrupt (always true for IRQ descriptors). */
  consumer: bool = true;
  /** True when it came from an IRQ descriptor (small item 4). */
  isaIrq: bool = false;
  /** The Extended Interrupt descriptor's ResourceSource path; "" when the numbers are GSIs. */
  source: string = "";
  /** byte offset of its descriptor */
  offset: u32 = 0;
}

/**
 * One memory range. `base` is the descriptor's minimum (_MIN or _BAS).
 * Descriptors without a cache type (Memory32Fixed, Memory32) report
 * CACHE_NONCACHEABLE.
 */
export class MemoryResource {
  base: u64 = 0;
  length: u64 = 0;
  /** CACHE_*: bits 1–2 of an address-space descriptor's type-specific flags. */
  cache: u8 = CACHE_NONCACHEABLE;
  writable: bool = false;
  /** "QWordMemory" | "DWordMemory" | "WordMemory" | "Memory32Fixed" | "Memory32" | "ExtendedMemory" */
  kind: string = "";
  /**
   * _MAX as the descriptor writes it: for address-space descriptors the
   * range's highest address, for Memory32 the highest base address; for
   * Memory32Fixed (which has none) the base.
   */
  maximum: u64 = 0;
  /** _GRA of an address-space descriptor, _ALN of Memory32; 0 for Memory32Fixed. */
  granularity: u64 = 0;
  /** _TRA: added to `base` to get the address on the other side of a bridge. */
  translation: u64 = 0;
  /**
   * `base` and `length` are the assignment itself, not a window to place it
   * in: always for Memory32Fixed, for Memory32 when _MIN == _MAX, for an
   * address-space descriptor when _MIF and _MAF are set and _LEN is
   * _MAX - _MIN + 1 (ACPI 6.5 Table 6.44).
   */
  fixed: bool = false;
  /** General flags bit 0 of an address-space descriptor; true for the others. */
  consumer: bool = true;
  offset: u32 = 0;
}

/**
 * One I/O port range: _MIN, _MAX and _LEN. For IO descriptors `maximum` is
 * the highest base address, for address-space descriptors the range's
 * highest port; FixedIO has minimum == maximum.
 */
export class IoResource {
  minimum: u32 = 0;
  maximum: u32 = 0;
  length: u32 = 0;
  /** "IO" | "FixedIO" | "WordIO" | "DWordIO" | "QWordIO" | "ExtendedIO" */
  kind: string = "";
  /** General flags bit 0 of an address-space descriptor; true for IO and FixedIO. */
  consumer: bool = true;
  offset: u32 = 0;
}

export class ResourceList {
  irqs: Array<IrqResource> = new Array<IrqResource>();
  memory: Array<MemoryResource> = new Array<MemoryResource>();
  io: Array<IoResource> = new Array<IoResource>();
  /**
   * Items stepped over by their length: types this decoder does not decode
   * (DMA, GPIO, vendor, serial bus, Memory24, …), address-space descriptors
   * of bus-number, reserved or vendor resource types, and I/O ranges whose
   * numbers do not fit 32 bits.
   */
  skipped: u32 = 0;
  /** "" when the template decoded; else one sentence naming what is wrong and the byte offset */
  error: string = "";
}

// Small item names (tag bits 3–6), ACPI 6.5 Table 6.37.
const SMALL_IRQ: u8 = 0x4;
const SMALL_IO: u8 = 0x8;
const SMALL_FIXED_IO: u8 = 0x9;
const SMALL_END_TAG: u8 = 0xf;

// Large item names (tag bits 0–6), ACPI 6.5 Table 6.38.
const LARGE_MEMORY32: u8 = 0x05;
const LARGE_MEMORY32_FIXED: u8 = 0x06;
const LARGE_DWORD_ADDRESS: u8 = 0x07;
const LARGE_WORD_ADDRESS: u8 = 0x08;
const LARGE_EXTENDED_INTERRUPT: u8 = 0x09;
const LARGE_QWORD_ADDRESS: u8 = 0x0a;
const LARGE_EXTENDED_ADDRESS: u8 = 0x0b;

const SMALL_HEADER: u32 = 1;
const LARGE_HEADER: u32 = 3;

// The fixed part of each decoded descriptor: bytes after its header.
const IRQ_MIN_LENGTH: u32 = 2;
const IRQ_FLAGS_LENGTH: u32 = 3;
const IO_LENGTH: u32 = 7;
const FIXED_IO_LENGTH: u32 = 3;
const MEMORY32_LENGTH: u32 = 17;
const MEMORY32_FIXED_LENGTH: u32 = 9;
/** Flags, count and at least one interrupt number. */
const EXTENDED_INTERRUPT_FIXED_LENGTH: u32 = 2;
/** Resource type, general flags, type-specific flags, then five fields of the width. */
const ADDRESS_FIELDS_OFFSET: u32 = 6;
/** Extended Address Space adds a revision and a reserved byte before the fields, and _ATT after. */
const EXTENDED_ADDRESS_FIELDS_OFFSET: u32 = 8;
const EXTENDED_ADDRESS_ATTRIBUTE_LENGTH: u32 = 8;

// IRQ descriptor flags (ACPI 6.5 §6.4.2.1).
const IRQ_EDGE: u8 = 1 << 0;
const IRQ_ACTIVE_LOW: u8 = 1 << 3;
const IRQ_SHARED: u8 = 1 << 4;
const IRQ_WAKE: u8 = 1 << 5;

// Extended Interrupt descriptor flags (ACPI 6.5 §6.4.3.6).
const EXT_CONSUMER: u8 = 1 << 0;
const EXT_EDGE: u8 = 1 << 1;
const EXT_ACTIVE_LOW: u8 = 1 << 2;
const EXT_SHARED: u8 = 1 << 3;
const EXT_WAKE: u8 = 1 << 4;

// Address-space descriptors (ACPI 6.5 §6.4.3.5): resource types and flags.
const RESOURCE_TYPE_MEMORY: u8 = 0;
const RESOURCE_TYPE_IO: u8 = 1;
const GENERAL_CONSUMER: u8 = 1 << 0;
const GENERAL_MIN_FIXED: u8 = 1 << 2;
const GENERAL_MAX_FIXED: u8 = 1 << 3;
const MEMORY_WRITABLE: u8 = 1 << 0;

/** Memory24, Memory32 and Memory32Fixed information byte: bit 0 read-write. */
const MEMORY_INFO_WRITABLE: u8 = 1 << 0;

/** A FixedIO base decodes 10 address bits; bits 10–15 are ignored (ACPI 6.5 §6.4.2.6). */
const FIXED_IO_ADDRESS_MASK: u32 = 0x3ff;

/**
 * Decodes a resource template. The walk ends at the End Tag (its checksum
 * is not checked, and the bytes after it are ignored); anything wrong
 * before it sets `error` and stops the walk there.
 */
export function parseResourceTemplate(bytes: Uint8Array): ResourceList {
  const list = new ResourceList();
  const end = <u32>bytes.length;
  let offset: u32 = 0;
  while (offset < end) {
    const tag = readU8(bytes, offset);
    const large = (tag & 0x80) != 0;
    let type: u8;
    let header: u32;
    let length: u32;
    if (!large) {
      type = (tag >> 3) & 0xf;
      // The End Tag ends the list as soon as it is seen, so one whose
      // checksum byte is missing still ends it.
      if (type == SMALL_END_TAG) return list;
      header = SMALL_HEADER;
      length = <u32>(tag & 7);
    } else {
      type = tag & 0x7f;
      header = LARGE_HEADER;
      if (end - offset < LARGE_HEADER) {
        list.error = itemName(large, type) + " item at offset " + hex0x(offset) +
          " has no room for its 2-byte length before the template's end at " + end.toString() + " bytes";
        return list;
      }
      length = <u32>readU16(bytes, offset + 1);
    }
    if (<u64>length > <u64>(end - offset - header)) {
      list.error = itemName(large, type) + " item at offset " + hex0x(offset) + " (length " + length.toString() +
        ") runs past the template's end at " + end.toString() + " bytes";
      return list;
    }
    // From here the item's header + length bytes lie inside `bytes`.
    const problem = large ? decodeLarge(list, bytes, type, offset, length) : decodeSmall(list, bytes, type, offset, length);
    if (problem.length > 0) {
      list.error = problem;
      return list;
    }
    offset += header + length;
  }
  list.error = "no End Tag before the template's end at offset " + hex0x(end);
  return list;
}

/** Decodes small item `type` at `offset` (inside `bytes`); returns "" or the error. */
function decodeSmall(list: ResourceList, bytes: Uint8Array, type: u8, offset: u32, length: u32): string {
  if (type == SMALL_IRQ) {
    if (length < IRQ_MIN_LENGTH) return tooShort(false, type, offset, length, IRQ_MIN_LENGTH);
    const mask = <u32>readU16(bytes, offset + 1);
    // Without the flags byte: edge-triggered, active-high, exclusive.
    const flags = length >= IRQ_FLAGS_LENGTH ? readU8(bytes, offset + 3) : IRQ_EDGE;
    for (let irq: u32 = 0; irq < 16; irq++) {
      if ((mask & (1 << irq)) == 0) continue;
      const r = new IrqResource();
      r.gsi = irq;
      r.edge = (flags & IRQ_EDGE) != 0;
      r.activeLow = (flags & IRQ_ACTIVE_LOW) != 0;
      r.shared = (flags & IRQ_SHARED) != 0;
      r.wake = (flags & IRQ_WAKE) != 0;
      r.consumer = true;
      r.isaIrq = true;
      r.offset = offset;
      list.irqs.push(r);
    }
    return "";
  }
  if (type == SMALL_IO) {
    if (length < IO_LENGTH) return tooShort(false, type, offset, length, IO_LENGTH);
    const r = new IoResource();
    r.minimum = <u32>readU16(bytes, offset + 2);
    r.maximum = <u32>readU16(bytes, offset + 4);
    r.length = <u32>readU8(bytes, offset + 7);
    r.kind = "IO";
    r.offset = offset;
    list.io.push(r);
    return "";
  }
  if (type == SMALL_FIXED_IO) {
    if (length < FIXED_IO_LENGTH) return tooShort(false, type, offset, length, FIXED_IO_LENGTH);
    const r = new IoResource();
    r.minimum = <u32>readU16(bytes, offset + 1) & FIXED_IO_ADDRESS_MASK;
    r.maximum = r.minimum;
    r.length = <u32>readU8(bytes, offset + 3);
    r.kind = "FixedIO";
    r.offset = offset;
    list.io.push(r);
    return "";
  }
  list.skipped++;
  return "";
}

/** Decodes large item `type` at `offset` (inside `bytes`); returns "" or the error. */
function decodeLarge(list: ResourceList, bytes: Uint8Array, type: u8, offset: u32, length: u32): string {
  if (type == LARGE_EXTENDED_INTERRUPT) return decodeExtendedInterrupt(list, bytes, offset, length);
  if (type == LARGE_MEMORY32_FIXED) {
    if (length < MEMORY32_FIXED_LENGTH) return tooShort(true, type, offset, length, MEMORY32_FIXED_LENGTH);
    const r = new MemoryResource();
    r.writable = (readU8(bytes, offset + 3) & MEMORY_INFO_WRITABLE) != 0;
    r.base = <u64>readU32(bytes, offset + 4);
    r.length = <u64>readU32(bytes, offset + 8);
    r.maximum = r.base;
    r.fixed = true;
    r.kind = "Memory32Fixed";
    r.offset = offset;
    list.memory.push(r);
    return "";
  }
  if (type == LARGE_MEMORY32) {
    if (length < MEMORY32_LENGTH) return tooShort(true, type, offset, length, MEMORY32_LENGTH);
    const r = new MemoryResource();
    r.writable = (readU8(bytes, offset + 3) & MEMORY_INFO_WRITABLE) != 0;
    r.base = <u64>readU32(bytes, offset + 4);
    r.maximum = <u64>readU32(bytes, offset + 8);
    r.granularity = <u64>readU32(bytes, offset + 12);
    r.length = <u64>readU32(bytes, offset + 16);
    r.fixed = r.base == r.maximum;
    r.kind = "Memory32";
    r.offset = offset;
    list.memory.push(r);
    return "";
  }
  if (type == LARGE_QWORD_ADDRESS) return decodeAddressSpace(list, bytes, type, offset, length, ADDRESS_FIELDS_OFFSET, 8, 0, "QWord");
  if (type == LARGE_DWORD_ADDRESS) return decodeAddressSpace(list, bytes, type, offset, length, ADDRESS_FIELDS_OFFSET, 4, 0, "DWord");
  if (type == LARGE_WORD_ADDRESS) return decodeAddressSpace(list, bytes, type, offset, length, ADDRESS_FIELDS_OFFSET, 2, 0, "Word");
  if (type == LARGE_EXTENDED_ADDRESS) {
    return decodeAddressSpace(list, bytes, type, offset, length, EXTENDED_ADDRESS_FIELDS_OFFSET, 8,
      EXTENDED_ADDRESS_ATTRIBUTE_LENGTH, "Extended");
  }
  list.skipped++;
  return "";
}

function decodeExtendedInterrupt(list: ResourceList, bytes: Uint8Array, offset: u32, length: u32): string {
  if (length < EXTENDED_INTERRUPT_FIXED_LENGTH) {
    return tooShort(true, LARGE_EXTENDED_INTERRUPT, offset, length, EXTENDED_INTERRUPT_FIXED_LENGTH + 4);
  }
  const flags = readU8(bytes, offset + 3);
  const count = <u32>readU8(bytes, offset + 4);
  if (count == 0) {
    return "ExtendedInterrupt descriptor at offset " + hex0x(offset) + " lists no interrupts (count 0)";
  }
  const listLength = EXTENDED_INTERRUPT_FIXED_LENGTH + count * 4;
  if (listLength > length) {
    return "ExtendedInterrupt descriptor at offset " + hex0x(offset) + " lists " + count.toString() +
      " interrupts (" + listLength.toString() + " bytes with flags and count) but has length " + length.toString();
  }
  // What follows the list, if anything: ResourceSourceIndex, then the
  // ResourceSource path up to its NUL (or the item's end).
  let source = "";
  const itemEnd = offset + LARGE_HEADER + length;
  const sourceStart = offset + LARGE_HEADER + listLength + 1;
  if (sourceStart < itemEnd) {
    let stop = sourceStart;
    while (stop < itemEnd && readU8(bytes, stop) != 0) stop++;
    source = asciiField(bytes, sourceStart, stop - sourceStart, false);
  }
  for (let i: u32 = 0; i < count; i++) {
    const r = new IrqResource();
    r.gsi = readU32(bytes, offset + 5 + i * 4);
    r.consumer = (flags & EXT_CONSUMER) != 0;
    r.edge = (flags & EXT_EDGE) != 0;
    r.activeLow = (flags & EXT_ACTIVE_LOW) != 0;
    r.shared = (flags & EXT_SHARED) != 0;
    r.wake = (flags & EXT_WAKE) != 0;
    r.source = source;
    r.offset = offset;
    list.irqs.push(r);
  }
  return "";
}

/** A `width`-byte little-endian field; the caller has checked that it lies inside the item. */
function readWidth(bytes: Uint8Array, at: u32, width: u32): u64 {
  if (width == 8) return readU64(bytes, at);
  if (width == 4) return <u64>readU32(bytes, at);
  return <u64>readU16(bytes, at);
}

/**
 * QWord, DWord, Word and Extended Address Space descriptors: resource type,
 * general flags, type-specific flags, then _GRA, _MIN, _MAX, _TRA and _LEN
 * of `width` bytes each from `fieldsOffset` (counted from the tag), then
 * `trailer` more fixed bytes. Memory and I/O ranges are recorded.
 */
function decodeAddressSpace(
  list: ResourceList, bytes: Uint8Array, type: u8, offset: u32, length: u32,
  fieldsOffset: u32, width: u32, trailer: u32, prefix: string,
): string {
  const needed = fieldsOffset - LARGE_HEADER + 5 * width + trailer;
  if (length < needed) return tooShort(true, type, offset, length, needed);
  const resourceType = readU8(bytes, offset + 3);
  const general = readU8(bytes, offset + 4);
  const specific = readU8(bytes, offset + 5);
  const at = offset + fieldsOffset;
  const granularity = readWidth(bytes, at, width);
  const minimum = readWidth(bytes, at + width, width);
  const maximum = readWidth(bytes, at + 2 * width, width);
  const translation = readWidth(bytes, at + 3 * width, width);
  const rangeLength = readWidth(bytes, at + 4 * width, width);
  const consumer = (general & GENERAL_CONSUMER) != 0;

  if (resourceType == RESOURCE_TYPE_MEMORY) {
    const r = new MemoryResource();
    r.base = minimum;
    r.length = rangeLength;
    r.cache = (specific >> 1) & 3;
    r.writable = (specific & MEMORY_WRITABLE) != 0;
    r.kind = prefix + "Memory";
    r.maximum = maximum;
    r.granularity = granularity;
    r.translation = translation;
    r.fixed = (general & GENERAL_MIN_FIXED) != 0 && (general & GENERAL_MAX_FIXED) != 0 &&
      rangeLength != 0 && maximum >= minimum && maximum - minimum == rangeLength - 1;
    r.consumer = consumer;
    r.offset = offset;
    list.memory.push(r);
    return "";
  }
  if (resourceType == RESOURCE_TYPE_IO && minimum <= <u64>u32.MAX_VALUE && maximum <= <u64>u32.MAX_VALUE &&
    rangeLength <= <u64>u32.MAX_VALUE) {
    const r = new IoResource();
    r.minimum = <u32>minimum;
    r.maximum = <u32>maximum;
    r.length = <u32>rangeLength;
    r.kind = prefix + "IO";
    r.consumer = consumer;
    r.offset = offset;
    list.io.push(r);
    return "";
  }
  list.skipped++;
  return "";
}

function tooShort(large: bool, type: u8, offset: u32, length: u32, needed: u32): string {
  return itemName(large, type) + " descriptor at offset " + hex0x(offset) + " has length " + length.toString() +
    ", shorter than its " + needed.toString() + "-byte fixed part";
}

/** The descriptor's name in ACPI 6.5 Tables 6.37 and 6.38, for error sentences. */
function itemName(large: bool, type: u8): string {
  if (!large) {
    if (type == SMALL_IRQ) return "IRQ";
    if (type == SMALL_IO) return "IO";
    if (type == SMALL_FIXED_IO) return "FixedIO";
    return "small type " + hex0x(<u64>type);
  }
  if (type == LARGE_MEMORY32) return "Memory32";
  if (type == LARGE_MEMORY32_FIXED) return "Memory32Fixed";
  if (type == LARGE_DWORD_ADDRESS) return "DWordAddressSpace";
  if (type == LARGE_WORD_ADDRESS) return "WordAddressSpace";
  if (type == LARGE_EXTENDED_INTERRUPT) return "ExtendedInterrupt";
  if (type == LARGE_QWORD_ADDRESS) return "QWordAddressSpace";
  if (type == LARGE_EXTENDED_ADDRESS) return "ExtendedAddressSpace";
  return "large type " + hex0x(<u64>type);
}
