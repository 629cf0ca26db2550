// AML decoding and dispatch: bytes, PkgLengths, names and opcodes read from
// the current code window (Interpreter.code/pc/limit), term lists, one term
// evaluated (the meter charged, nesting capped), operands, data objects
// (String/Buffer/Package constants), and the opcode table's handlers run.
// Owns: the decoding position and the innermost term's opcode/offset for
// errors (Interpreter.opcode/opStart). May call: every other interpreter
// module through the opcode table, the meter, objects, names, the namespace.
// Never: reads past Interpreter.limit; reports errors any way but
// Interpreter.fail (one AmlError per evaluation, the first).

import {
  OBJECT_BYTES, amlBudgetExceeded, amlBudgetProblem, amlCanAllocate, amlWorkProblem, chargeAmlBytes, countAmlWork,
} from "./meter";
import { TextBuilder } from "../lib/text";
import {
  AmlBuffer, AmlDebug, AmlEvent, AmlInteger, AmlMethod, AmlObject, AmlPackage, AmlReference, AmlString, ObjectType,
  RefKind, conversionError, toInteger,
} from "./objects";
import { NamePath, isLeadNameChar, isNameChar } from "./names";
import * as op from "./opcodes";
import {
  AmlAlias, CONTROL_BREAK, CONTROL_CONTINUE, CONTROL_NONE, INTERPRETER_REVISION, Interpreter, MAX_NESTING,
  TERM_BYTES,
} from "./interpreter";
import { callMethod, executeIf, executeReturn, executeWhile } from "./control";
import {
  defineAlias, defineContainer, defineMethod, defineMutex, defineName, defineScope, defineSimple,
} from "./define";
import { defineBufferField, defineFields, defineRegion } from "./fields";
import {
  executeBinary, executeCompare, executeConcat, executeConcatRes, executeCondRefOf, executeConversion,
  executeDerefOf, executeDivide, executeIncrement, executeIndex, executeMatch, executeMid, executeObjectType,
  executeRefOf, executeSizeOf, executeToString, executeUnary,
} from "./operators";
import { executeCopyObject, executeStore, readNodeValue } from "./store";
import { executeAcquire, executeEvent, executeNotify, executeRelease, executeWait } from "./sync";

let timerTicks: u64 = 0;

export function readByte(it: Interpreter): i32 {
  if (it.pc >= it.limit) { it.fail("AML ends in the middle of an object"); return 0; }
  return <i32>unchecked(it.code[it.pc++]);
}

export function peekByte(it: Interpreter): i32 {
  return it.pc < it.limit ? <i32>unchecked(it.code[it.pc]) : -1;
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

export function readNameSeg(it: Interpreter): string {
  if (it.pc + 4 > it.limit) { it.fail("name segment runs past the end of the AML"); return ""; }
  let key: u32 = 0;
  for (let i = 0; i < 4; i++) {
    const c = <i32>unchecked(it.code[it.pc + i]);
    if (i == 0 ? !isLeadNameChar(c) : !isNameChar(c)) {
      it.fail("bad name segment: byte 0x" + c.toString(16) + " at position " + i.toString());
      return "";
    }
    key = (key << 8) | <u32>c;
  }
  it.pc += 4;
  // Tables repeat the same few hundred names thousands of times: one string each.
  const names = it.segmentNames;
  if (names.has(key)) return names.get(key);
  const s = String.fromCharCodes([<i32>(key >> 24), <i32>((key >> 16) & 0xff), <i32>((key >> 8) & 0xff), <i32>(key & 0xff)]);
  it.segmentNames.set(key, s);
  return s;
}

export function readNameString(it: Interpreter): NamePath {
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
  const path = new NamePath(it.failed ? 0 : count);
  path.absolute = absolute;
  path.parentPrefixes = parentPrefixes;
  for (let i = 0; i < path.segments.length && !it.failed; i++) path.segments[i] = readNameSeg(it);
  return path;
}

export function isNameStart(c: i32): bool {
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
    result = executeOpcode(it, code, wantValue);
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
  const obj = evaluateOperand(it);
  if (it.failed) return 0;
  const i = toInteger(dereference(it, obj), it.ones);
  if (i == null) { it.fail(conversionError); return 0; }
  return i.value & it.ones;
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

export function executeOpcode(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  switch (code) {
    case op.ZERO_OP: return new AmlInteger(0);
    case op.ONE_OP: return new AmlInteger(1);
    case op.ONES_OP: return new AmlInteger(it.ones);
    case op.BYTE_PREFIX: return new AmlInteger(readInt(it, 1));
    case op.WORD_PREFIX: return new AmlInteger(readInt(it, 2));
    case op.DWORD_PREFIX: return new AmlInteger(readInt(it, 4));
    case op.QWORD_PREFIX: return new AmlInteger(readInt(it, 8) & it.ones);
    case op.STRING_PREFIX: return readStringConstant(it);
    case op.REVISION_OP: return new AmlInteger(INTERPRETER_REVISION & it.ones);
    case op.TIMER_OP: return new AmlInteger(timer(it));
    case op.DEBUG_OP: return new AmlDebug();
    case op.BUFFER_OP: return buildBuffer(it);
    case op.PACKAGE_OP: return buildPackage(it, false);
    case op.VAR_PACKAGE_OP: return buildPackage(it, true);
    case op.NAME_OP: return defineName(it);
    case op.ALIAS_OP: return defineAlias(it);
    case op.SCOPE_OP: return defineScope(it);
    case op.METHOD_OP: return defineMethod(it);
    case op.EXTERNAL_OP: readNameString(it); readByte(it); readByte(it); return null;
    case op.DEVICE_OP: return defineContainer(it, ObjectType.Device, 0);
    case op.PROCESSOR_OP: return defineContainer(it, ObjectType.Processor, 6);
    case op.POWER_RES_OP: return defineContainer(it, ObjectType.Power, 3);
    case op.THERMAL_ZONE_OP: return defineContainer(it, ObjectType.Thermal, 0);
    case op.MUTEX_OP: return defineMutex(it);
    case op.EVENT_OP: return defineSimple(it, new AmlEvent());
    case op.OP_REGION_OP: return defineRegion(it);
    case op.FIELD_OP: return defineFields(it, ObjectType.RegionField);
    case op.INDEX_FIELD_OP: return defineFields(it, ObjectType.IndexField);
    case op.BANK_FIELD_OP: return defineFields(it, ObjectType.BankField);
    case op.CREATE_BIT_FIELD_OP: return defineBufferField(it, 1, true);
    case op.CREATE_BYTE_FIELD_OP: return defineBufferField(it, 8, false);
    case op.CREATE_WORD_FIELD_OP: return defineBufferField(it, 16, false);
    case op.CREATE_DWORD_FIELD_OP: return defineBufferField(it, 32, false);
    case op.CREATE_QWORD_FIELD_OP: return defineBufferField(it, 64, false);
    case op.CREATE_FIELD_OP: return defineBufferField(it, 0, true);
    case op.IF_OP: return executeIf(it);
    case op.ELSE_OP: return it.fail("Else without a preceding If");
    case op.WHILE_OP: return executeWhile(it);
    case op.RETURN_OP: return executeReturn(it);
    case op.BREAK_OP: it.control = CONTROL_BREAK; return null;
    case op.CONTINUE_OP: it.control = CONTROL_CONTINUE; return null;
    case op.NOOP_OP: return null;
    case op.BREAKPOINT_OP: return null;
    case op.STORE_OP: return executeStore(it);
    case op.COPY_OBJECT_OP: return executeCopyObject(it);
    case op.ADD_OP: case op.SUBTRACT_OP: case op.MULTIPLY_OP: case op.SHIFT_LEFT_OP:
    case op.SHIFT_RIGHT_OP: case op.AND_OP: case op.NAND_OP: case op.OR_OP: case op.NOR_OP:
    case op.XOR_OP: case op.MOD_OP:
      return executeBinary(it, code);
    case op.DIVIDE_OP: return executeDivide(it);
    case op.NOT_OP: case op.FIND_SET_LEFT_BIT_OP: case op.FIND_SET_RIGHT_BIT_OP:
    case op.FROM_BCD_OP: case op.TO_BCD_OP:
      return executeUnary(it, code);
    case op.INCREMENT_OP: return executeIncrement(it, 1);
    case op.DECREMENT_OP: return executeIncrement(it, -1);
    case op.LAND_OP: case op.LOR_OP: {
      const a = evaluateInteger(it);
      const b = evaluateInteger(it);
      if (it.failed) return null;
      const r = code == op.LAND_OP ? (a != 0 && b != 0) : (a != 0 || b != 0);
      return logical(it, r);
    }
    case op.LNOT_OP: {
      const a = evaluateInteger(it);
      return it.failed ? null : logical(it, a == 0);
    }
    case op.LEQUAL_OP: case op.LGREATER_OP: case op.LLESS_OP: return executeCompare(it, code);
    case op.DEREF_OF_OP: return executeDerefOf(it);
    case op.REF_OF_OP: return executeRefOf(it);
    case op.COND_REF_OF_OP: return executeCondRefOf(it);
    case op.INDEX_OP: return executeIndex(it);
    case op.SIZE_OF_OP: return executeSizeOf(it);
    case op.OBJECT_TYPE_OP: return executeObjectType(it);
    case op.MATCH_OP: return executeMatch(it);
    case op.CONCAT_OP: return executeConcat(it);
    case op.CONCAT_RES_OP: return executeConcatRes(it);
    case op.MID_OP: return executeMid(it);
    case op.TO_BUFFER_OP: case op.TO_DECIMAL_STRING_OP: case op.TO_HEX_STRING_OP:
    case op.TO_INTEGER_OP: return executeConversion(it, code);
    case op.TO_STRING_OP: return executeToString(it);
    case op.NOTIFY_OP: return executeNotify(it);
    case op.ACQUIRE_OP: return executeAcquire(it);
    case op.RELEASE_OP: return executeRelease(it);
    case op.SIGNAL_OP: case op.RESET_OP: return executeEvent(it, code);
    case op.WAIT_OP: return executeWait(it);
    case op.SLEEP_OP: case op.STALL_OP: evaluateInteger(it); return null;
    case op.FATAL_OP: {
      const type = readByte(it);
      const fatalCode = readInt(it, 4);
      const arg = evaluateInteger(it);
      if (it.failed) return null;
      return it.fail("Fatal(0x" + type.toString(16) + ", 0x" + fatalCode.toString(16) + ", 0x" + arg.toString(16) + ") executed");
    }
    case op.LOAD_OP: case op.LOAD_TABLE_OP: case op.UNLOAD_OP: case op.DATA_REGION_OP:
      return it.fail(op.opcodeName(code) + " is not supported by this interpreter");
  }
  if (code >= op.LOCAL0 && code <= op.LOCAL7) {
    const value = it.frame.locals[code - op.LOCAL0];
    if (value == null && wantValue) return it.fail("Local" + (code - op.LOCAL0).toString() + " is used before it is set");
    return value;
  }
  if (code >= op.ARG0 && code <= op.ARG6) {
    const value = it.frame.args[code - op.ARG0];
    if (value == null && wantValue) return it.fail("Arg" + (code - op.ARG0).toString() + " is not passed to this method");
    return value;
  }
  return it.fail("unknown opcode 0x" + (<u32>code).toString(16));
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
  const elements = new Array<AmlObject | null>();
  while (it.pc < end && !it.failed) {
    const c = peekByte(it);
    if (isNameStart(c)) {
      elements.push(packageNameElement(it));
    } else {
      elements.push(evaluateOperand(it));
    }
  }
  it.limit = savedLimit;
  if (it.failed) return null;
  if (elements.length > count) {
    if (!variable) return it.fail("Package declares " + count.toString() + " elements but lists " + elements.length.toString());
  }
  while (elements.length < count) elements.push(null);
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
