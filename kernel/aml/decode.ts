// AML decoding and dispatch: bytes, PkgLengths, names and opcodes read from
// the current code window (Interpreter.code/pc/limit), term lists, one term
// evaluated (the meter charged, nesting capped), operands, data objects
// (String/Buffer/Package constants), and the opcode table's handlers run.
// Owns: the decoding position and the innermost term's opcode/offset for
// errors (Interpreter.opcode/opStart). May call: every other interpreter
// module through the opcode table, the meter, objects, names, the namespace.
// Never: reads past Interpreter.limit; reports errors any way but
// Interpreter.fail (one AmlError per evaluation, the first).

import { CONTROL_NONE, MAX_NESTING, TERM_BYTES } from "./constants";
import {
  OBJECT_BYTES, amlBudgetExceeded, amlBudgetProblem, amlCanAllocate, amlWorkProblem, chargeAmlBytes, countAmlWork,
} from "./meter";
import { TextBuilder } from "../lib/text";
import {
  AmlBuffer, AmlInteger, AmlMethod, AmlObject, AmlPackage, AmlReference, AmlString, RefKind, conversionError,
  toInteger,
} from "./objects";
import { NamePath, isLeadNameChar, isNameChar } from "./names";
import * as op from "./opcodes";
import { opcodeHandler } from "./optable";
import { AmlAlias, Interpreter } from "./interpreter";
import { callMethod } from "./control";
import { readNodeValue } from "./store";

let timerTicks: u64 = 0;

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

export function readOpcode(it: Interpreter): i32 {
  const b = readByte(it);
  if (b == op.EXT_PREFIX) return 0x5b00 | readByte(it);
  return b;
}

export function executeTermList(it: Interpreter, end: i32): void {
  const savedLimit = it.limit;
  it.limit = end;
  while (it.pc < end && !it.failed && it.control == CONTROL_NONE) evaluateTerm(it, false);
  it.limit = savedLimit;
}

/** Decodes and runs one term; returns its value when `wantValue`. */
export function evaluateTerm(it: Interpreter, wantValue: bool): AmlObject | null {
  chargeAmlBytes(TERM_BYTES);
  if (amlBudgetExceeded()) return it.fail(amlBudgetProblem("this evaluation", 0));
  if (!countAmlWork(1)) return it.fail(amlWorkProblem());
  if (++it.nesting > MAX_NESTING) {
    it.nesting--;
    return it.fail("expression and call nesting deeper than " + MAX_NESTING.toString());
  }
  const result = dispatch(it, wantValue);
  it.nesting--;
  return result;
}

export function dispatch(it: Interpreter, wantValue: bool): AmlObject | null {
  const start = it.pc;
  const first = peekByte(it);
  if (first < 0) return it.fail("AML ends where an operand was expected");
  // Errors name the innermost term being decoded: remember the outer one.
  const savedStart = it.opStart, savedOpcode = it.opcode;
  it.opStart = start;
  let result: AmlObject | null;
  if (isNameStart(first)) {
    it.opcode = first; // reported as "NameString": a name or a method call
    result = evaluateNameTerm(it, wantValue);
  } else {
    const code = readOpcode(it);
    if (it.failed) return null;
    it.opcode = code;
    const handler = opcodeHandler(code);
    result = handler == null ? it.fail("unknown opcode 0x" + (<u32>code).toString(16)) : handler(it, code, wantValue);
  }
  if (!it.failed) { it.opStart = savedStart; it.opcode = savedOpcode; }
  return result;
}

export function evaluateNameTerm(it: Interpreter, wantValue: bool): AmlObject | null {
  const path = readNameString(it);
  if (it.failed) return null;
  const node = it.ns.lookup(path, it.frame.scope);
  if (node == null) {
    return it.fail("undefined name " + path.toString() + " (from " + it.frame.scope.path() + ")");
  }
  let target = node;
  const aliased = node.object;
  if (aliased instanceof AmlAlias) target = (aliased as AmlAlias).target;
  const obj = target.object;
  if (obj instanceof AmlMethod) {
    const method = obj as AmlMethod;
    const args = new Array<AmlObject | null>();
    chargeAmlBytes(OBJECT_BYTES * 2);
    for (let i = 0; i < method.argCount && !it.failed; i++) args.push(evaluateOperand(it));
    if (it.failed) return null;
    return callMethod(it, target, method, args);
  }
  return readNodeValue(it, target, false);
}

/** A TermArg that must produce a value. */
export function evaluateOperand(it: Interpreter): AmlObject | null {
  const result = evaluateTerm(it, true);
  if (result == null && !it.failed) return it.fail("operand produced no value");
  return result;
}

export function evaluateInteger(it: Interpreter): u64 {
  const c = peekByte(it);
  if (c == op.ZERO_OP || c == op.ONE_OP || c == op.ONES_OP || c == op.BYTE_PREFIX || c == op.WORD_PREFIX ||
      c == op.DWORD_PREFIX || c == op.QWORD_PREFIX) {
    return constantInteger(it, c);
  }
  const obj = evaluateOperand(it);
  if (it.failed) return 0;
  const i = toInteger(dereference(it, obj), it.ones);
  if (i == null) { it.fail(conversionError); return 0; }
  return i.value & it.ones;
}

/**
 * An integer constant operand (Zero, One, Ones, Byte/Word/DWord/QWordConst)
 * read in place: the same term as evaluateTerm and dataObject make of it
 * (charged, counted, nesting checked, errors located at it), but no
 * AmlInteger built for a value that is used at once (Notify's value, an
 * SCI's path).
 */
function constantInteger(it: Interpreter, code: i32): u64 {
  chargeAmlBytes(TERM_BYTES);
  if (amlBudgetExceeded()) { it.fail(amlBudgetProblem("this evaluation", 0)); return 0; }
  if (!countAmlWork(1)) { it.fail(amlWorkProblem()); return 0; }
  if (it.nesting + 1 > MAX_NESTING) { it.fail("expression and call nesting deeper than " + MAX_NESTING.toString()); return 0; }
  const savedStart = it.opStart, savedOpcode = it.opcode;
  it.opStart = it.pc;
  it.opcode = code;
  it.pc++;
  let v: u64 = 0;
  if (code == op.ONE_OP) v = 1;
  else if (code == op.ONES_OP) v = it.ones;
  else if (code == op.BYTE_PREFIX) v = readInt(it, 1);
  else if (code == op.WORD_PREFIX) v = readInt(it, 2);
  else if (code == op.DWORD_PREFIX) v = readInt(it, 4);
  else if (code == op.QWORD_PREFIX) v = readInt(it, 8);
  if (it.failed) return 0;
  it.opStart = savedStart;
  it.opcode = savedOpcode;
  return v & it.ones;
}

/** An operand's value, with references (from Index, RefOf) followed. */
export function dereference(it: Interpreter, obj: AmlObject | null): AmlObject | null {
  if (!(obj instanceof AmlReference)) return obj;
  const ref = obj as AmlReference;
  if (ref.kind == RefKind.PackageElement) {
    const pkg = ref.container as AmlPackage;
    return ref.index < pkg.elements.length ? pkg.elements[ref.index] : null;
  }
  if (ref.kind == RefKind.BufferByte) {
    const buf = ref.container as AmlBuffer;
    return new AmlInteger(<u64>buf.data[ref.index]);
  }
  if (ref.kind == RefKind.StringChar) {
    const s = ref.container as AmlString;
    return new AmlInteger(<u64>s.value.charCodeAt(ref.index));
  }
  if (ref.kind == RefKind.Named && ref.target != null) return ref.target;
  return obj;
}

export function logical(it: Interpreter, value: bool): AmlInteger {
  return new AmlInteger(value ? it.ones : 0);
}

export function timer(it: Interpreter): u64 {
  // 100 ns units, monotonic; a counter suffices for the uses AML makes of it.
  timerTicks += 10;
  return timerTicks & it.ones;
}

export function readStringConstant(it: Interpreter): AmlObject | null {
  let n = 0;
  while (it.pc + n < it.limit && unchecked(it.code[it.pc + n]) != 0) n++;
  if (!(amlCanAllocate(<u64>n * 4 + OBJECT_BYTES) || it.refuse("a " + n.toString() + "-character String constant", <u64>n * 4 + OBJECT_BYTES))) return null;
  const s = new TextBuilder(n);
  for (;;) {
    const c = readByte(it);
    if (it.failed) return null;
    if (c == 0) break;
    if (c > 0x7f) return it.fail("String constant has the non-ASCII byte 0x" + c.toString(16));
    s.char(c);
  }
  return new AmlString(s.toString());
}

export function buildBuffer(it: Interpreter): AmlObject | null {
  const end = readPkgEnd(it);
  if (it.failed) return null;
  const savedLimit = it.limit;
  it.limit = end;
  const size = evaluateInteger(it);
  it.limit = savedLimit;
  if (it.failed) return null;
  const initLength = end - it.pc;
  if (size > 0x100000) return it.fail("Buffer size " + size.toString() + " is larger than 1 MiB");
  const length = max(<i32>size, initLength);
  if (!(amlCanAllocate(<u64>length + OBJECT_BYTES * 2) || it.refuse("Buffer of " + length.toString() + " bytes", <u64>length + OBJECT_BYTES * 2))) return null;
  const data = new Uint8Array(length);
  for (let i = 0; i < initLength; i++) unchecked(data[i] = it.code[it.pc + i]);
  it.pc = end;
  return new AmlBuffer(data);
}

export function buildPackage(it: Interpreter, variable: bool): AmlObject | null {
  const end = readPkgEnd(it);
  if (it.failed) return null;
  const savedLimit = it.limit;
  it.limit = end;
  let count: i32;
  if (variable) {
    const n = evaluateInteger(it);
    if (n > 0x10000) { it.limit = savedLimit; return it.fail("VarPackage of " + n.toString() + " elements"); }
    count = <i32>n;
  } else {
    count = readByte(it);
  }
  if (!(amlCanAllocate((<u64>count << 2) + OBJECT_BYTES * 2) || it.refuse("Package of " + count.toString() + " elements", (<u64>count << 2) + OBJECT_BYTES * 2))) {
    it.limit = savedLimit;
    return null;
  }
  // Sized once (the meter allowed `count` slots above): elements past the
  // declared count, which only a VarPackage may list, are appended.
  let elements = new StaticArray<AmlObject | null>(count);
  let extra: Array<AmlObject | null> | null = null;
  let listed = 0;
  while (it.pc < end && !it.failed) {
    const c = peekByte(it);
    const element = isNameStart(c) ? packageNameElement(it) : evaluateOperand(it);
    if (listed < count) unchecked(elements[listed] = element);
    else {
      if (extra == null) extra = new Array<AmlObject | null>();
      extra.push(element);
    }
    listed++;
  }
  it.limit = savedLimit;
  if (it.failed) return null;
  if (extra != null) {
    if (!variable) return it.fail("Package declares " + count.toString() + " elements but lists " + listed.toString());
    const all = new StaticArray<AmlObject | null>(listed);
    for (let i = 0; i < count; i++) unchecked(all[i] = elements[i]);
    for (let i = 0; i < extra.length; i++) unchecked(all[count + i] = extra[i]);
    elements = all;
  }
  return new AmlPackage(elements);
}

/** A name inside a Package is a reference to the object, not its value. */
export function packageNameElement(it: Interpreter): AmlObject | null {
  const path = readNameString(it);
  if (it.failed) return null;
  const node = it.ns.lookup(path, it.frame.scope);
  // A name may be defined after the Package (q35's _PRT names LNKx before
  // they exist): keep the scope so it can be resolved when it is used.
  const ref = new AmlReference(node == null ? RefKind.Unresolved : RefKind.Named);
  ref.nodePath = node == null ? path.toString() : node.path();
  ref.scopePath = it.frame.scope.path();
  if (node != null) ref.target = node.object;
  return ref;
}
