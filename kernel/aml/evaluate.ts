// AML evaluation: term lists, one term (the meter charged, the work counted,
// nesting capped) and its dispatch through the interpreter's opcode table
// (it.ops): the row's decode shape says what dispatch decodes before the
// handler runs (a PkgLength) and which opcodes are integer constants read in
// place; the row's handler decodes and runs the rest. Operands: a TermArg
// that must produce a value, an integer, a reference followed, a deferred
// Package decoded where it becomes a value (decodedValue).
// Owns: the innermost term's opcode/offset for errors
// (Interpreter.opcode/opStart). May call: decode.ts, the machine, the meter,
// objects; every handler, only through it.ops. Never: imports a handler;
// reads past Interpreter.limit; fails any way but Interpreter.fail.

import {
  CONTROL_NONE, Interpreter, MAX_NESTING, SHAPE_BYTES, SHAPE_INTEGER, SHAPE_NAME, SHAPE_PKG, TERM_BYTES,
} from "./machine";
import { amlBudgetExceeded, amlBudgetProblem, amlWorkProblem, chargeAmlBytes, countAmlWork } from "./meter";
import {
  AmlBuffer, AmlInteger, AmlObject, AmlPackage, AmlReference, AmlString, AmlTableRef, PackageSource, RefKind,
  conversionError, toInteger,
} from "./objects";
import { NamespaceNode } from "./namespace";
import * as op from "./opcodes";
import { peekByte, readByte, readInt, readPkgEnd } from "./decode";

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

/**
 * Reads one term's opcode and runs its row: a name's lead byte is its own
 * row (SHAPE_NAME, not consumed: the handler reads the whole NameString);
 * for a SHAPE_PKG row the PkgLength is read and checked here and its end
 * handed to the handler.
 */
function dispatch(it: Interpreter, wantValue: bool): AmlObject | null {
  const start = it.pc;
  const first = peekByte(it);
  if (first < 0) return it.fail("AML ends where an operand was expected");
  // Errors name the innermost term being decoded: remember the outer one.
  const savedStart = it.opStart, savedOpcode = it.opcode;
  it.opStart = start;
  const ops = it.ops;
  let code = first, slot = first; // a one-byte opcode's slot is its code
  let shape = unchecked(ops.shapes[first]);
  if ((shape & SHAPE_NAME) == 0) {
    it.pc = start + 1;
    if (first == op.EXT_PREFIX) {
      const second = readByte(it);
      if (it.failed) return null;
      code = 0x5b00 | second;
      slot = 0x100 | second;
      shape = unchecked(ops.shapes[slot]);
    }
  }
  it.opcode = code;
  const handler = unchecked(ops.handlers[slot]);
  if (handler == null) return it.fail("unknown opcode 0x" + (<u32>code).toString(16));
  let end = -1;
  if ((shape & SHAPE_PKG) != 0) {
    end = readPkgEnd(it);
    if (it.failed) return null;
  }
  const result = handler(it, code, end, wantValue);
  if (!it.failed) { it.opStart = savedStart; it.opcode = savedOpcode; }
  return result;
}

/** A TermArg that must produce a value. */
export function evaluateOperand(it: Interpreter): AmlObject | null {
  const result = evaluateTerm(it, true);
  if (result == null && !it.failed) return it.fail("operand produced no value");
  return result;
}

export function evaluateInteger(it: Interpreter): u64 {
  const c = peekByte(it);
  if (c >= 0 && (unchecked(it.ops.shapes[c]) & SHAPE_INTEGER) != 0) return constantInteger(it, c);
  const obj = evaluateOperand(it);
  if (it.failed) return 0;
  const i = toInteger(dereference(it, obj), it.ones);
  if (i == null) { it.fail(conversionError); return 0; }
  return i.value & it.ones;
}

/**
 * The value of the integer constant `code` (a SHAPE_INTEGER row: Zero, One,
 * Ones, Byte/Word/DWord/QWordConst), its immediate read from the code
 * window (as wide as the row's shape says) once the opcode is consumed.
 */
export function constantValue(it: Interpreter, code: i32): u64 {
  const width = <i32>(unchecked(it.ops.shapes[code]) & SHAPE_BYTES);
  if (width > 0) return readInt(it, width) & it.ones;
  return code == op.ONE_OP ? 1 : code == op.ONES_OP ? it.ones : 0;
}

/**
 * An integer constant operand read in place: the same term as evaluateTerm
 * and the constant's handler make of it (charged, counted, nesting checked,
 * errors located at it), but no AmlInteger built for a value that is used
 * at once (Notify's value, an SCI's path).
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
  const v = constantValue(it, code);
  if (it.failed) return 0;
  it.opStart = savedStart;
  it.opcode = savedOpcode;
  return v;
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
  if (ref.kind == RefKind.Named && ref.target != null) return decodedValue(it, ref.target);
  return obj;
}

/** A Package in a table, by its table, its PackageOp's offset and end, and the scope its names resolve from. */
export class TablePackage extends PackageSource {
  constructor(public table: AmlTableRef, public start: i32, public end: i32, public scope: NamespaceNode) { super(); }
}

/**
 * `obj` as a value: a deferred Package (objects.ts; define.ts defers a
 * table's Name()d Packages) is decoded here, where a node's object becomes
 * an operand or a result (store.ts readNodeValue, dereference above,
 * interpreter.ts's results): nothing past this point sees a deferred one.
 * Null, with the interpreter failed, when the decode fails.
 */
export function decodedValue(it: Interpreter, obj: AmlObject | null): AmlObject | null {
  if (!(obj instanceof AmlPackage) || !(obj as AmlPackage).deferred) return obj;
  return decodeDeferredPackage(it, obj as AmlPackage) ? obj : null;
}

/**
 * Decodes a deferred Package where its table put it, with the scope it was
 * defined in, in the middle of whatever the interpreter is doing: everything
 * the decode moves is put back. On failure the interpreter's error says why
 * and the Package stays deferred.
 */
function decodeDeferredPackage(it: Interpreter, pkg: AmlPackage): bool {
  const source = pkg.source;
  if (!(source instanceof TablePackage) || it.failed) {
    if (!it.failed) it.fail("a deferred Package has no table to decode it from");
    return false;
  }
  const where = source as TablePackage;
  const table = it.table, code = it.code, pc = it.pc, limit = it.limit;
  const opStart = it.opStart, opcode = it.opcode, control = it.control, returnValue = it.returnValue;
  const scope = it.frame.scope;
  it.enterCode(where.table, where.start, where.end);
  it.frame.scope = where.scope;
  it.control = CONTROL_NONE;
  const built = evaluateTerm(it, true);
  it.frame.scope = scope;
  it.control = control;
  it.returnValue = returnValue;
  it.opcode = opcode;
  it.opStart = opStart;
  it.resumeCode(table, code, pc, limit);
  if (it.failed) return false;
  if (!(built instanceof AmlPackage) || (built as AmlPackage).deferred) {
    it.fail("a deferred Package did not decode to a Package");
    return false;
  }
  pkg.decoded((built as AmlPackage).elements);
  return true;
}

export function logical(it: Interpreter, value: bool): AmlInteger {
  return new AmlInteger(value ? it.ones : 0);
}
