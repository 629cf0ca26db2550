// Field and region I/O: OperationRegion, Field/IndexField/BankField and
// CreateXField definitions, and every read and write of a field unit or
// buffer field (access width, update rule, PCI config addressing, IndexField
// and BankField chains capped when defined). Owns: the unit-by-unit access
// pattern. May call: evaluate.ts, decode.ts, the machine, define.ts (node
// creation), region.ts (which
// checks every access before it is made), the meter. Never: makes an access region.ts
// refused; fails any way but Interpreter.fail.

import { Interpreter, MAX_FIELD_CHAIN } from "./machine";
import { OBJECT_BYTES, amlWorkProblem, countAmlWork } from "./meter";
import {
  ACCESS_BUFFER, ACCESS_DWORD, ACCESS_QWORD, ACCESS_WORD, AmlBuffer, AmlBufferField, AmlField, AmlInteger, AmlObject,
  AmlRegion, ObjectType, UPDATE_PRESERVE, UPDATE_WRITE_AS_ONES, bufferToInteger, conversionError, describe,
  integerToBuffer, toBuffer, toInteger, typeName,
} from "./objects";
import { NamePath, segmentText } from "./names";
import { NamespaceNode } from "./namespace";
import { regionAccessProblem, regionRead, regionWrite, SPACE_PCI_CONFIG } from "./region";
import { peekByte, readByte, readNameSeg, readNameString } from "./decode";
import { dereference, evaluateInteger, evaluateOperand } from "./evaluate";
import { addNode, createNode } from "./define";

export function defineRegion(it: Interpreter): AmlObject | null {
  const path = readNameString(it);
  const space = readByte(it);
  const offset = evaluateInteger(it);
  const length = evaluateInteger(it);
  if (it.failed) return null;
  const region = new AmlRegion(<u8>space, offset, length);
  const node = createNode(it, path, region);
  if (node != null) it.regionNodes.set(region, node);
  return null;
}

/** Field, IndexField, BankField: their PkgLength's `end` read by dispatch (SHAPE_PKG rows). */
export function defineFields(it: Interpreter, end: i32, kind: ObjectType): AmlObject | null {
  const savedLimit = it.limit;
  it.limit = end;
  let region: AmlRegion | null = null;
  let indexField: AmlField | null = null, dataField: AmlField | null = null, bankField: AmlField | null = null;
  let bankValue: u64 = 0;
  if (kind == ObjectType.IndexField) {
    indexField = fieldByName(it, readNameString(it));
    dataField = fieldByName(it, readNameString(it));
  } else {
    const regionPath = readNameString(it);
    if (!it.failed) {
      const node = it.ns.lookup(regionPath, it.frame.scope);
      if (node != null && node.object instanceof AmlRegion) region = node.object as AmlRegion;
      else it.fail("Field region " + regionPath.toString() + " is " + (node == null ? "undefined" : "a " + typeName(node.type)));
    }
    if (kind == ObjectType.BankField && !it.failed) {
      bankField = fieldByName(it, readNameString(it));
      if (!it.failed) bankValue = evaluateInteger(it);
    }
  }
  // Chains are bounded here, when they are defined: an access to a field
  // built on others makes one access to each of them, recursively.
  let chainDepth = 0;
  if (!it.failed && kind != ObjectType.RegionField) {
    const below = max(max(indexField == null ? 0 : indexField!.chainDepth, dataField == null ? 0 : dataField!.chainDepth),
      bankField == null ? 0 : bankField!.chainDepth);
    chainDepth = below + 1;
    if (chainDepth > MAX_FIELD_CHAIN) {
      it.fail(typeName(kind) + " chain " + chainDepth.toString() + " fields deep; at most " + MAX_FIELD_CHAIN.toString() +
        " (each level doubles the accesses of every read and write)");
    }
  }
  const flags = readByte(it);
  let accessType = <u8>(flags & 0xf);
  const updateRule = <u8>((flags >> 5) & 3);
  if (accessType > ACCESS_BUFFER) it.fail("field access type " + accessType.toString() + " is reserved");
  let bit: u64 = 0;
  while (it.pc < end && !it.failed) {
    const c = peekByte(it);
    if (c == 0x00) { // ReservedField
      it.pc++;
      bit += <u64>readFieldLength(it);
    } else if (c == 0x01) { // AccessField
      it.pc++;
      accessType = <u8>(readByte(it) & 0xf);
      readByte(it);
    } else if (c == 0x02) { // ConnectField
      it.pc++;
      it.fail("ConnectField (GPIO/serial-bus connections) is not supported");
    } else if (c == 0x03) { // ExtendedAccessField
      it.pc++;
      accessType = <u8>(readByte(it) & 0xf);
      readByte(it);
      readByte(it);
    } else {
      const key = readNameSeg(it);
      const length = readFieldLength(it);
      if (it.failed) break;
      if (bit + <u64>length > 0xffffffff) {
        it.fail("field " + segmentText(key) + " ends at bit " + (bit + <u64>length).toString() + ", past the 2^32 bits a field list can address");
        break;
      }
      const field = new AmlField(kind, <u32>bit, length, accessType, updateRule);
      field.region = region;
      field.indexField = indexField;
      field.dataField = dataField;
      field.bankField = bankField;
      field.bankValue = bankValue;
      field.chainDepth = chainDepth;
      const parent = it.frame.scope;
      addNode(it, parent, key, field);
      bit += <u64>length;
    }
  }
  it.limit = savedLimit;
  it.pc = end;
  return null;
}

/** A field element's bit length: a PkgLength-encoded number. */
export function readFieldLength(it: Interpreter): u32 {
  const lead = readByte(it);
  const follow = lead >> 6;
  let length: u32 = follow == 0 ? <u32>(lead & 0x3f) : <u32>(lead & 0x0f);
  for (let i = 0; i < follow; i++) length |= <u32>readByte(it) << (4 + 8 * i);
  return length;
}

export function fieldByName(it: Interpreter, path: NamePath): AmlField | null {
  if (it.failed) return null;
  const node = it.ns.lookup(path, it.frame.scope);
  if (node != null && node.object instanceof AmlField) return node.object as AmlField;
  it.fail(path.toString() + " is not a field");
  return null;
}

export function defineBufferField(it: Interpreter, bits: u32, bitIndexed: bool): AmlObject | null {
  const source = dereference(it, evaluateOperand(it));
  const index = evaluateInteger(it);
  let length: u64 = bits;
  if (bits == 0) length = evaluateInteger(it);
  const path = readNameString(it);
  if (it.failed) return null;
  if (!(source instanceof AmlBuffer)) return it.fail("buffer field source must be a Buffer, got " + describe(source));
  const buffer = source as AmlBuffer;
  const bufferBits = <u64>buffer.data.length * 8;
  if (length == 0) return it.fail("buffer field of zero bits");
  // Checked without wrapping: an index of 2^61 bytes is 2^64 bits, not 0.
  const indexTooLarge = !bitIndexed && index > (<u64>0xffffffffffffffff >> 3);
  const bitOffset = bitIndexed ? index : index << 3;
  if (indexTooLarge || bitOffset > bufferBits || length > bufferBits - bitOffset) {
    return it.fail("buffer field at " + (bitIndexed ? "bit " + index.toString() : (indexTooLarge ? "byte " + index.toString() : "bit " + bitOffset.toString())) +
      " length " + length.toString() + " runs past the end of a " + buffer.data.length.toString() + "-byte Buffer");
  }
  createNode(it, path, new AmlBufferField(buffer, <u32>bitOffset, <u32>length, bits == 0));
  return null;
}

export function accessBytes(accessType: u8): i32 {
  if (accessType == ACCESS_WORD) return 2;
  if (accessType == ACCESS_DWORD) return 4;
  if (accessType == ACCESS_QWORD) return 8;
  return 1; // AnyAcc, ByteAcc, BufferAcc
}

export function pciAddressOf(it: Interpreter, region: AmlRegion): u32 {
  // PCI_Config regions address the device the region is declared in:
  // its _ADR gives device and function; the bus comes from the root's _BBN.
  if (region.space != SPACE_PCI_CONFIG || !it.regionNodes.has(region)) return 0;
  const node = it.regionNodes.get(region);
  let adr: u64 = 0, bus: u64 = 0;
  const device = node.parent;
  if (device != null) {
    const adrNode = device.child("_ADR");
    if (adrNode != null && adrNode.object instanceof AmlInteger) adr = (adrNode.object as AmlInteger).value;
    for (let s: NamespaceNode | null = device; s != null; s = s.parent) {
      const bbn = s.child("_BBN");
      if (bbn != null && bbn.object instanceof AmlInteger) { bus = (bbn.object as AmlInteger).value; break; }
    }
  }
  return (<u32>(bus & 0xff) << 16) | (<u32>((adr >> 16) & 0x1f) << 11) | (<u32>(adr & 0x7) << 8);
}

/**
 * The address of a `width`-byte access at `byteOffset` into a region
 * field's region, after every check: the access counts as work, lies in
 * the region, does not wrap, and is one the kernel can make (region.ts).
 */
export function unitAddress(it: Interpreter, field: AmlField, byteOffset: u64, width: i32): u64 {
  if (!countAmlWork(1)) { it.fail(amlWorkProblem()); return 0; }
  const region = field.region!;
  if (byteOffset + <u64>width > region.length || byteOffset > region.length) {
    it.fail("field access at byte " + byteOffset.toString() + " width " + width.toString() +
      " is outside its " + region.length.toString() + "-byte region");
    return 0;
  }
  const address = region.offset + byteOffset;
  if (address < region.offset) {
    it.fail("field access at byte " + byteOffset.toString() + " of a region at 0x" + region.offset.toString(16) + " wraps past 2^64");
    return 0;
  }
  const problem = regionAccessProblem(region.space, address, width);
  if (problem.length > 0) { it.fail(problem); return 0; }
  return address;
}

/** Reads `width`-byte unit `unit` (byte offset) of a field's space. */
export function readUnit(it: Interpreter, field: AmlField, byteOffset: u64, width: i32): u64 {
  if (field.type != ObjectType.RegionField && !countAmlWork(1)) { it.fail(amlWorkProblem()); return 0; }
  if (field.type == ObjectType.IndexField) {
    writeIntegerToField(it, field.indexField!, byteOffset);
    if (it.failed) return 0;
    const v = readField(it, field.dataField!, null);
    if (v == null) return 0;
    const i = toInteger(v, 0xffffffffffffffff);
    return i == null ? 0 : i.value;
  }
  if (field.type == ObjectType.BankField) {
    writeIntegerToField(it, field.bankField!, field.bankValue);
    if (it.failed) return 0;
  }
  const address = unitAddress(it, field, byteOffset, width);
  if (it.failed) return 0;
  const region = field.region!;
  return regionRead(region.space, address, width, pciAddressOf(it, region));
}

export function writeUnit(it: Interpreter, field: AmlField, byteOffset: u64, width: i32, value: u64): void {
  if (field.type != ObjectType.RegionField && !countAmlWork(1)) { it.fail(amlWorkProblem()); return; }
  if (field.type == ObjectType.IndexField) {
    writeIntegerToField(it, field.indexField!, byteOffset);
    if (!it.failed) writeIntegerToField(it, field.dataField!, value);
    return;
  }
  if (field.type == ObjectType.BankField) {
    writeIntegerToField(it, field.bankField!, field.bankValue);
    if (it.failed) return;
  }
  const address = unitAddress(it, field, byteOffset, width);
  if (it.failed) return;
  const region = field.region!;
  regionWrite(region.space, address, width, value, pciAddressOf(it, region));
}

export function writeIntegerToField(it: Interpreter, field: AmlField, value: u64): void {
  writeFieldBits(it, field, integerToBuffer(value, 8));
}

export function readField(it: Interpreter, field: AmlField, node: NamespaceNode | null): AmlObject | null {
  const width = accessBytes(field.accessType);
  const unitBits = <u32>width * 8;
  const bytes = (<u64>field.bitLength + 7) / 8;
  if (!it.allows(bytes + OBJECT_BYTES * 2, "reading a {}-bit field", <u64>field.bitLength)) return null;
  const out = new Uint8Array(<i32>bytes);
  let unitIndex: i64 = -1;
  let unit: u64 = 0;
  for (let i: u32 = 0; i < field.bitLength && !it.failed; i++) {
    const bit = field.bitOffset + i;
    const u = <i64>(bit / unitBits);
    if (u != unitIndex) {
      unitIndex = u;
      unit = readUnit(it, field, <u64>u * <u64>width, width);
    }
    if (((unit >> <u64>(bit % unitBits)) & 1) != 0) out[<i32>(i >> 3)] |= <u8>(<u32>1 << (i & 7));
  }
  if (it.failed) return null;
  if (field.bitLength <= <u32>it.byteWidth * 8) return new AmlInteger(bufferToInteger(out, 8));
  return new AmlBuffer(out);
}

/** The bytes a field store writes: an Integer's eight, or the value converted to a Buffer; null (failed) when it cannot be. */
function storedBytes(it: Interpreter, value: AmlObject | null): Uint8Array | null {
  if (value instanceof AmlInteger) return integerToBuffer((value as AmlInteger).value, 8);
  const b = toBuffer(value, it.byteWidth);
  if (b == null) { it.fail(conversionError); return null; }
  return b.data;
}

export function writeField(it: Interpreter, field: AmlField, node: NamespaceNode, value: AmlObject | null): void {
  const bytes = storedBytes(it, value);
  if (bytes != null) writeFieldBits(it, field, bytes);
}

export function writeFieldBits(it: Interpreter, field: AmlField, bytes: Uint8Array): void {
  const width = accessBytes(field.accessType);
  const unitBits = <u32>width * 8;
  const first = field.bitOffset / unitBits;
  const last = (field.bitOffset + field.bitLength - 1) / unitBits;
  for (let u = first; u <= last && !it.failed; u++) {
    const unitStart = u * unitBits;
    const covers = field.bitOffset <= unitStart && field.bitOffset + field.bitLength >= unitStart + unitBits;
    let unit: u64 = 0;
    if (!covers) {
      if (field.updateRule == UPDATE_PRESERVE) unit = readUnit(it, field, <u64>u * <u64>width, width);
      else if (field.updateRule == UPDATE_WRITE_AS_ONES) unit = 0xffffffffffffffff;
    }
    for (let b: u32 = 0; b < unitBits; b++) {
      const bit = unitStart + b;
      if (bit < field.bitOffset || bit >= field.bitOffset + field.bitLength) continue;
      const i = bit - field.bitOffset;
      const set = (i >> 3) < <u32>bytes.length && ((bytes[<i32>(i >> 3)] >> <u8>(i & 7)) & 1) != 0;
      if (set) unit |= <u64>1 << <u64>b; else unit &= ~(<u64>1 << <u64>b);
    }
    if (width < 8) unit &= (<u64>1 << <u64>unitBits) - 1;
    writeUnit(it, field, <u64>u * <u64>width, width, unit);
  }
}

export function readBufferField(it: Interpreter, field: AmlBufferField): AmlObject | null {
  const bytes = (<u64>field.bitLength + 7) / 8;
  if (!it.allows(bytes + OBJECT_BYTES * 2, "reading a {}-bit buffer field", <u64>field.bitLength)) return null;
  const out = new Uint8Array(<i32>bytes);
  const data = field.buffer.data;
  for (let i: u32 = 0; i < field.bitLength; i++) {
    const bit = field.bitOffset + i;
    if (<i32>(bit >> 3) >= data.length) return it.fail("buffer field outside its Buffer (it shrank)");
    if (((data[<i32>(bit >> 3)] >> <u8>(bit & 7)) & 1) != 0) out[<i32>(i >> 3)] |= <u8>(<u32>1 << (i & 7));
  }
  if (!field.alwaysBuffer && field.bitLength <= <u32>it.byteWidth * 8) return new AmlInteger(bufferToInteger(out, 8));
  return new AmlBuffer(out);
}

export function writeBufferField(it: Interpreter, field: AmlBufferField, value: AmlObject | null): void {
  const bytes = storedBytes(it, value);
  if (bytes == null) return;
  const data = field.buffer.data;
  for (let i: u32 = 0; i < field.bitLength; i++) {
    const bit = field.bitOffset + i;
    if (<i32>(bit >> 3) >= data.length) { it.fail("buffer field outside its Buffer"); return; }
    const set = (i >> 3) < <u32>bytes.length && ((bytes[<i32>(i >> 3)] >> <u8>(i & 7)) & 1) != 0;
    if (set) data[<i32>(bit >> 3)] |= <u8>(<u32>1 << (bit & 7));
    else data[<i32>(bit >> 3)] &= ~<u8>(<u32>1 << (bit & 7));
  }
}
