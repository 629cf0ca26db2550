// Data objects (ACPI 6.5 §20.2.3) and the method's own objects: the integer
// constants (their immediates as wide as their rows' shape says), String,
// Revision, Timer, Debug, Buffer, Package and VarPackage, Local0–7 and
// Arg0–6. Owns: how a constant's bytes become a value, and the Package
// element rule (a name inside a Package is a reference, resolved at use).
// May call: evaluate.ts, decode.ts, objects, the meter (through
// Interpreter.allows). Never: defers anything (define.ts defers a Name's
// Package); fails any way but Interpreter.fail.

import { INTERPRETER_REVISION, Interpreter } from "./machine";
import { OBJECT_BYTES } from "./meter";
import { TextBuilder } from "../lib/text";
import { AmlBuffer, AmlDebug, AmlInteger, AmlObject, AmlPackage, AmlReference, AmlString, RefKind } from "./objects";
import * as op from "./opcodes";
import { isNameStart, peekByte, readByte, readNameString } from "./decode";
import { constantValue, evaluateInteger, evaluateOperand } from "./evaluate";

let timerTicks: u64 = 0;

/** Data objects: the integer constants, String, Revision, Timer, Debug, Buffer, Package, VarPackage. */
export function dataObject(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.STRING_PREFIX) return readStringConstant(it);
  if (code == op.REVISION_OP) return new AmlInteger(INTERPRETER_REVISION & it.ones);
  if (code == op.TIMER_OP) return new AmlInteger(timer(it));
  if (code == op.DEBUG_OP) return new AmlDebug();
  if (code == op.BUFFER_OP) return buildBuffer(it, end);
  if (code == op.PACKAGE_OP || code == op.VAR_PACKAGE_OP) return buildPackage(it, end, code == op.VAR_PACKAGE_OP);
  const value = constantValue(it, code); // Zero … QWordPrefix
  return it.failed ? null : new AmlInteger(value);
}

/** Local0–Local7 and Arg0–Arg6. */
export function localOrArg(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code <= op.LOCAL7) {
    const value = it.frame.locals[code - op.LOCAL0];
    if (value == null && wantValue) return it.fail("Local" + (code - op.LOCAL0).toString() + " is used before it is set");
    return value;
  }
  const value = it.frame.args[code - op.ARG0];
  if (value == null && wantValue) return it.fail("Arg" + (code - op.ARG0).toString() + " is not passed to this method");
  return value;
}

function timer(it: Interpreter): u64 {
  // 100 ns units, monotonic; a counter suffices for the uses AML makes of it.
  timerTicks += 10;
  return timerTicks & it.ones;
}

function readStringConstant(it: Interpreter): AmlObject | null {
  let n = 0;
  while (it.pc + n < it.limit && unchecked(it.code[it.pc + n]) != 0) n++;
  if (!it.allows(<u64>n * 4 + OBJECT_BYTES, "a {}-character String constant", <u64>n)) return null;
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

/** Buffer: its PkgLength's `end` read by dispatch (a SHAPE_PKG row). */
function buildBuffer(it: Interpreter, end: i32): AmlObject | null {
  const savedLimit = it.limit;
  it.limit = end;
  const size = evaluateInteger(it);
  it.limit = savedLimit;
  if (it.failed) return null;
  const initLength = end - it.pc;
  if (size > 0x100000) return it.fail("Buffer size " + size.toString() + " is larger than 1 MiB");
  const length = max(<i32>size, initLength);
  if (!it.allows(<u64>length + OBJECT_BYTES * 2, "Buffer of {} bytes", <u64>length)) return null;
  const data = new Uint8Array(length);
  for (let i = 0; i < initLength; i++) unchecked(data[i] = it.code[it.pc + i]);
  it.pc = end;
  return new AmlBuffer(data);
}

/** Package and VarPackage: their PkgLength's `end` read by dispatch (SHAPE_PKG rows). */
function buildPackage(it: Interpreter, end: i32, variable: bool): AmlObject | null {
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
  if (!it.allows((<u64>count << 2) + OBJECT_BYTES * 2, "Package of {} elements", <u64>count)) {
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
function packageNameElement(it: Interpreter): AmlObject | null {
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
