// AML decoding: bytes, PkgLengths and names read from the current
// code window (Interpreter.code/pc/limit). Nothing here evaluates a term:
// evaluate.ts does, through the opcode table.
// Owns: the decoding position. May call: the machine (state and fail),
// names. Never: reads past Interpreter.limit; reports errors any way but
// Interpreter.fail (one AmlError per evaluation, the first).

import { NamePath, isLeadNameChar, isNameChar } from "./names";
import * as op from "./opcodes";
import { Interpreter } from "./machine";

// The byte readers are inlined (every opcode, name and operand goes through
// them: as calls they were a tenth of a table load); the rare failure is not.
function readPastEnd(it: Interpreter): i32 {
  it.fail("AML ends in the middle of an object");
  return 0;
}

// @ts-ignore: decorator
@inline export function readByte(it: Interpreter): i32 {
  const pc = it.pc;
  if (pc >= it.limit) return readPastEnd(it);
  it.pc = pc + 1;
  return <i32>unchecked(it.code[pc]);
}

// @ts-ignore: decorator
@inline export function peekByte(it: Interpreter): i32 {
  const pc = it.pc;
  return pc < it.limit ? <i32>unchecked(it.code[pc]) : -1;
}

export function readInt(it: Interpreter, bytes: i32): u64 {
  let v: u64 = 0;
  for (let i = 0; i < bytes; i++) v |= <u64>readByte(it) << (<u64>(8 * i));
  return v;
}

/** A PkgLength; returns the absolute end offset, checked against the enclosing object. */
export function readPkgEnd(it: Interpreter): i32 {
  const start = it.pc;
  const lead = readByte(it);
  const follow = lead >> 6;
  let length: i32;
  if (follow == 0) {
    length = lead & 0x3f;
  } else {
    if ((lead & 0x30) != 0) { it.fail("PkgLength lead byte 0x" + lead.toString(16) + " has reserved bits set"); return it.pc; }
    length = lead & 0x0f;
    for (let i = 0; i < follow; i++) length |= readByte(it) << (4 + 8 * i);
  }
  const end = start + length;
  if (it.failed) return it.pc;
  if (length < follow + 1 || end > it.limit) {
    it.fail("PkgLength " + length.toString() + " runs past the end of its enclosing object (" +
      (it.limit - start).toString() + " bytes left)");
    return it.pc;
  }
  return end;
}

/** A NameSeg's key (names.ts segmentKey); 0, with the interpreter failed, for a malformed one. */
export function readNameSeg(it: Interpreter): u32 {
  if (it.pc + 4 > it.limit) { it.fail("name segment runs past the end of the AML"); return 0; }
  let key: u32 = 0;
  for (let i = 0; i < 4; i++) {
    const c = <i32>unchecked(it.code[it.pc + i]);
    if (i == 0 ? !isLeadNameChar(c) : !isNameChar(c)) {
      it.fail("bad name segment: byte 0x" + c.toString(16) + " at position " + i.toString());
      return 0;
    }
    key = (key << 8) | <u32>c;
  }
  it.pc += 4;
  return key;
}

/** A NameString into a new path. */
export function readNameString(it: Interpreter): NamePath {
  return readNameStringInto(it, new NamePath());
}

/**
 * A NameString into `path`, which it overwrites (the interpreter's
 * definitionPath, for definitions that consume their name before they
 * decode anything else: no allocation per definition).
 */
export function readNameStringInto(it: Interpreter, path: NamePath): NamePath {
  let absolute = false, parentPrefixes = 0;
  let c = peekByte(it);
  if (c == op.ROOT_CHAR) { absolute = true; it.pc++; }
  else while (peekByte(it) == op.PARENT_PREFIX) { parentPrefixes++; it.pc++; }
  c = readByte(it);
  let count = 0;
  if (it.failed || c == 0x00) count = 0; // NullName
  else if (c == op.DUAL_NAME_PREFIX) count = 2;
  else if (c == op.MULTI_NAME_PREFIX) {
    count = readByte(it);
    if (count == 0) it.fail("MultiNamePrefix with a segment count of 0");
  } else { it.pc--; count = 1; }
  path.reset(it.failed ? 0 : count);
  path.absolute = absolute;
  path.parentPrefixes = parentPrefixes;
  for (let i = 0; i < path.length && !it.failed; i++) path.setKey(i, readNameSeg(it));
  return path;
}

// @ts-ignore: decorator
@inline export function isNameStart(c: i32): bool {
  return c == op.ROOT_CHAR || c == op.PARENT_PREFIX || c == op.DUAL_NAME_PREFIX ||
    c == op.MULTI_NAME_PREFIX || isLeadNameChar(c);
}
