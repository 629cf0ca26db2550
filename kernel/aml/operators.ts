// Expression operators (Type 2 opcodes): arithmetic and logic, compare,
// concatenation, Mid, conversions, DerefOf/RefOf/CondRefOf/Index, SizeOf,
// ObjectType, Match. Owns: their result values. May call: evaluate.ts,
// decode.ts, store.ts, the machine, objects, the meter (every allocation
// whose size the AML decides asks first, through Interpreter.allows). Never: traps on an operand (sizes compared as u64); fails
// any way but Interpreter.fail.

import { Interpreter, TARGET_DEBUG, TARGET_NODE, Target } from "./machine";
import { OBJECT_BYTES } from "./meter";
import { TextBuilder } from "../lib/text";
import {
  AmlBuffer, AmlInteger, AmlObject, AmlPackage, AmlReference, AmlString, ObjectType, RefKind, acpiTypeCode,
  conversionError, describe, stringToIntegerExplicit, toBuffer, toDecimalString, toHexString, toInteger,
  toStringImplicit, typeName,
} from "./objects";
import * as op from "./opcodes";
import { isNameStart, peekByte, readByte, readNameString } from "./decode";
import { dereference, evaluateInteger, evaluateOperand, logical } from "./evaluate";
import { copyForStore, lookupText, readNodeValue, readTarget, referenceTo, store, targetValue } from "./store";

export function executeBinary(it: Interpreter, code: i32): AmlObject | null {
  const a = evaluateInteger(it);
  const b = evaluateInteger(it);
  const t = readTarget(it, true);
  if (it.failed) return null;
  let r: u64 = 0;
  switch (code) {
    case op.ADD_OP: r = a + b; break;
    case op.SUBTRACT_OP: r = a - b; break;
    case op.MULTIPLY_OP: r = a * b; break;
    case op.SHIFT_LEFT_OP: r = b >= 64 ? 0 : a << b; break;
    case op.SHIFT_RIGHT_OP: r = b >= 64 ? 0 : a >> b; break;
    case op.AND_OP: r = a & b; break;
    case op.NAND_OP: r = ~(a & b); break;
    case op.OR_OP: r = a | b; break;
    case op.NOR_OP: r = ~(a | b); break;
    case op.XOR_OP: r = a ^ b; break;
    case op.MOD_OP:
      if (b == 0) return it.fail("Mod by zero");
      r = a % b;
      break;
  }
  const result = new AmlInteger(r & it.ones);
  store(it, t!, result);
  return result;
}

export function executeDivide(it: Interpreter): AmlObject | null {
  const a = evaluateInteger(it);
  const b = evaluateInteger(it);
  const remainderTarget = readTarget(it, true);
  const quotientTarget = readTarget(it, true);
  if (it.failed) return null;
  if (b == 0) return it.fail("Divide by zero");
  const quotient = new AmlInteger(a / b);
  store(it, remainderTarget!, new AmlInteger(a % b));
  store(it, quotientTarget!, quotient);
  return quotient;
}

export function executeUnary(it: Interpreter, code: i32): AmlObject | null {
  const a = evaluateInteger(it);
  const t = readTarget(it, true);
  if (it.failed) return null;
  let r: u64 = 0;
  if (code == op.NOT_OP) r = ~a;
  else if (code == op.FIND_SET_LEFT_BIT_OP) r = a == 0 ? 0 : <u64>(64 - clz(a));
  else if (code == op.FIND_SET_RIGHT_BIT_OP) r = a == 0 ? 0 : <u64>(ctz(a) + 1);
  else if (code == op.FROM_BCD_OP) {
    let mul: u64 = 1;
    for (let v = a; v != 0; v >>= 4) {
      const digit = v & 0xf;
      if (digit > 9) return it.fail("FromBCD operand 0x" + a.toString(16) + " is not BCD");
      r += digit * mul;
      mul *= 10;
    }
  } else { // ToBCD
    let shift: u64 = 0;
    for (let v = a; v != 0; v /= 10) { r |= (v % 10) << shift; shift += 4; }
  }
  const result = new AmlInteger(r & it.ones);
  store(it, t!, result);
  return result;
}

export function executeIncrement(it: Interpreter, delta: i32): AmlObject | null {
  const t = readTarget(it, false);
  if (it.failed) return null;
  const current = toInteger(targetValue(it, t!), it.ones);
  if (it.failed) return null;
  if (current == null) return it.fail(conversionError);
  const result = new AmlInteger((current.value + <u64>delta) & it.ones);
  store(it, t!, result);
  return result;
}

export function executeCompare(it: Interpreter, code: i32): AmlObject | null {
  const a = dereference(it, evaluateOperand(it));
  const b = dereference(it, evaluateOperand(it));
  if (it.failed) return null;
  let order: i32;
  if (a instanceof AmlString || a instanceof AmlBuffer) {
    const left = (a instanceof AmlString) ? toBuffer((a as AmlString), it.byteWidth) : (a as AmlBuffer);
    const right = (a instanceof AmlString) ? toStringImplicit(b, it.byteWidth) : null;
    const rightBytes = right != null ? toBuffer(right, it.byteWidth) : toBuffer(b, it.byteWidth);
    if (left == null || rightBytes == null) return it.fail(conversionError);
    // Strings compare without their terminating NUL.
    const la = (a instanceof AmlString) ? left.data.length - 1 : left.data.length;
    const lb = (a instanceof AmlString) ? rightBytes.data.length - 1 : rightBytes.data.length;
    order = 0;
    for (let i = 0; i < min(la, lb) && order == 0; i++) order = <i32>left.data[i] - <i32>rightBytes.data[i];
    if (order == 0) order = la - lb;
  } else {
    const x = toInteger(a, it.ones), y = toInteger(b, it.ones);
    if (x == null || y == null) return it.fail(conversionError);
    order = x.value == y.value ? 0 : (x.value < y.value ? -1 : 1);
  }
  if (code == op.LEQUAL_OP) return logical(it, order == 0);
  if (code == op.LGREATER_OP) return logical(it, order > 0);
  return logical(it, order < 0);
}

export function executeDerefOf(it: Interpreter): AmlObject | null {
  const value = evaluateOperand(it);
  if (it.failed) return null;
  if (value instanceof AmlReference) {
    const ref = value as AmlReference;
    if (ref.kind == RefKind.Named) {
      const node = lookupText(it, ref.nodePath);
      if (node == null) return it.fail("DerefOf: " + ref.nodePath + " no longer resolves");
      return readNodeValue(it, node, true);
    }
    if (ref.kind == RefKind.Unresolved) return it.fail("DerefOf: " + ref.nodePath + " is undefined");
    const v = dereference(it, ref);
    if (v == null) return it.fail("DerefOf an uninitialized package element");
    return v;
  }
  if (value instanceof AmlString) {
    const node = lookupText(it, (value as AmlString).value.startsWith("\\") ? (value as AmlString).value : "\\" + (value as AmlString).value);
    if (node == null) return it.fail("DerefOf: no object named \"" + (value as AmlString).value + "\"");
    return readNodeValue(it, node, true);
  }
  return it.fail("DerefOf needs a reference or a name string, got " + describe(value));
}

export function executeRefOf(it: Interpreter): AmlObject | null {
  const t = readTarget(it, false);
  if (it.failed) return null;
  return referenceTo(it, t!);
}

export function executeCondRefOf(it: Interpreter): AmlObject | null {
  // An undefined name is an answer here, not an error.
  const c = peekByte(it);
  let t: Target | null = null;
  if (isNameStart(c)) {
    const path = readNameString(it);
    if (it.failed) return null;
    const node = it.ns.lookup(path, it.frame.scope);
    const result = readTarget(it, true);
    if (it.failed) return null;
    if (node == null) return logical(it, false);
    t = new Target();
    t.kind = TARGET_NODE;
    t.node = node;
    const ref = referenceTo(it, t);
    store(it, result!, ref);
    return logical(it, true);
  }
  t = readTarget(it, false);
  const result = readTarget(it, true);
  if (it.failed) return null;
  const value = targetValue(it, t!);
  if (value == null) return logical(it, false);
  store(it, result!, referenceTo(it, t!));
  return logical(it, true);
}

export function executeIndex(it: Interpreter): AmlObject | null {
  const source = dereference(it, evaluateOperand(it));
  const index = evaluateInteger(it);
  const t = readTarget(it, true);
  if (it.failed) return null;
  let ref: AmlReference;
  let length: i32;
  if (source instanceof AmlPackage) { ref = new AmlReference(RefKind.PackageElement); length = (source as AmlPackage).elements.length; }
  else if (source instanceof AmlBuffer) { ref = new AmlReference(RefKind.BufferByte); length = (source as AmlBuffer).data.length; }
  else if (source instanceof AmlString) { ref = new AmlReference(RefKind.StringChar); length = (source as AmlString).value.length; }
  else return it.fail("Index needs a Package, Buffer or String, got " + describe(source));
  if (index >= <u64>length) {
    return it.fail("Index " + index.toString() + " is beyond the end of a " + typeName(source!.type) +
      " of " + length.toString());
  }
  ref.container = source;
  ref.index = <i32>index;
  store(it, t!, ref);
  return ref;
}

export function executeSizeOf(it: Interpreter): AmlObject | null {
  const t = readTarget(it, false, true);
  if (it.failed) return null;
  const value = dereference(it, targetValue(it, t!));
  if (it.failed) return null;
  if (value instanceof AmlString) return new AmlInteger(<u64>(value as AmlString).value.length);
  if (value instanceof AmlBuffer) return new AmlInteger(<u64>(value as AmlBuffer).data.length);
  if (value instanceof AmlPackage) return new AmlInteger(<u64>(value as AmlPackage).elements.length);
  return it.fail("SizeOf needs a String, Buffer or Package, got " + describe(value));
}

export function executeObjectType(it: Interpreter): AmlObject | null {
  const t = readTarget(it, false, true);
  if (it.failed) return null;
  const target = t!;
  let value: AmlObject | null;
  if (target.kind == TARGET_NODE) value = target.node!.object;
  else if (target.kind == TARGET_DEBUG) return new AmlInteger(16);
  else value = dereference(it, targetValue(it, target));
  if (it.failed) return null;
  return new AmlInteger(value == null ? 0 : acpiTypeCode(value.type));
}

export function executeMatch(it: Interpreter): AmlObject | null {
  const source = dereference(it, evaluateOperand(it));
  const op1 = readByte(it);
  const value1 = evaluateInteger(it);
  const op2 = readByte(it);
  const value2 = evaluateInteger(it);
  const start = evaluateInteger(it);
  if (it.failed) return null;
  if (!(source instanceof AmlPackage)) return it.fail("Match needs a Package, got " + describe(source));
  if (op1 > 5 || op2 > 5) return it.fail("Match operator " + max(op1, op2).toString() + " is reserved");
  const pkg = source as AmlPackage;
  // Compared as the integer it is: a start of 0xFFFFFFFF is not -1.
  if (start >= <u64>pkg.elements.length) {
    return it.fail("Match start index 0x" + start.toString(16) + " is beyond the end of a Package of " + pkg.elements.length.toString());
  }
  for (let i = <i32>start; i < pkg.elements.length; i++) {
    const element = toInteger(dereference(it, pkg.elements[i]), it.ones);
    if (element == null) continue;
    if (matches(element.value, op1, value1) && matches(element.value, op2, value2)) {
      return new AmlInteger(<u64>i);
    }
  }
  return new AmlInteger(it.ones);
}

export function matches(element: u64, matchOp: i32, value: u64): bool {
  switch (matchOp) {
    case 0: return true;               // MTR
    case 1: return element == value;   // MEQ
    case 2: return element <= value;   // MLE
    case 3: return element < value;    // MLT
    case 4: return element >= value;   // MGE
    case 5: return element > value;    // MGT
  }
  return false;
}

export function executeConcat(it: Interpreter): AmlObject | null {
  const a = dereference(it, evaluateOperand(it));
  const b = dereference(it, evaluateOperand(it));
  const t = readTarget(it, true);
  if (it.failed) return null;
  let result: AmlObject | null = null;
  if (a instanceof AmlString) {
    const right = toStringImplicit(b, it.byteWidth);
    if (right == null) return it.fail(conversionError);
    const length = <u64>(a as AmlString).value.length + <u64>right.value.length;
    if (!it.allows(length * 2 + OBJECT_BYTES * 2, "Concatenate of two Strings of {} characters", length)) return null;
    result = new AmlString((a as AmlString).value + right.value);
  } else {
    const left = toBuffer(a, it.byteWidth);
    const right: AmlBuffer | null = left == null ? null : toBuffer(b, it.byteWidth);
    if (left == null || right == null) return it.fail(conversionError);
    if (!it.allows(<u64>left.data.length + <u64>right.data.length + OBJECT_BYTES * 2, "Concatenate of a {}-byte and a {}-byte Buffer", <u64>left.data.length, <u64>right.data.length)) return null;
    result = new AmlBuffer(joinBytes(left.data, left.data.length, right.data, right.data.length, 0));
  }
  store(it, t!, result);
  return result;
}

/** ConcatenateResTemplate: joins two resource templates, one end tag. */
export function executeConcatRes(it: Interpreter): AmlObject | null {
  const a = dereference(it, evaluateOperand(it));
  const b = dereference(it, evaluateOperand(it));
  const t = readTarget(it, true);
  if (it.failed) return null;
  if (!(a instanceof AmlBuffer) || !(b instanceof AmlBuffer)) return it.fail("ConcatenateResTemplate needs two Buffers");
  const left = (a as AmlBuffer).data, right = (b as AmlBuffer).data;
  const leftLength = left.length >= 2 ? left.length - 2 : left.length; // drop the end tag
  const rightLength = right.length >= 2 ? right.length - 2 : right.length;
  if (!it.allows(<u64>leftLength + <u64>rightLength + 2 + OBJECT_BYTES * 2, "ConcatenateResTemplate of {} bytes", <u64>leftLength + <u64>rightLength)) return null;
  const data = joinBytes(left, leftLength, right, rightLength, 2);
  data[leftLength + rightLength] = 0x79; // end tag, checksum 0
  const result = new AmlBuffer(data);
  store(it, t!, result);
  return result;
}

export function executeMid(it: Interpreter): AmlObject | null {
  const source = dereference(it, evaluateOperand(it));
  const index = evaluateInteger(it);
  const length = evaluateInteger(it);
  const t = readTarget(it, true);
  if (it.failed) return null;
  let result: AmlObject;
  if (source instanceof AmlString) {
    const s = (source as AmlString).value;
    const from = <i32>min(index, <u64>s.length);
    const to = from + <i32>min(length, <u64>(s.length - from)); // no wrap-around: length may be 2^64 - 1
    if (!it.allows(<u64>(to - from) * 2 + OBJECT_BYTES * 2, "Mid of {} characters", <u64>(to - from))) return null;
    result = new AmlString(s.substring(from, to));
  } else if (source instanceof AmlBuffer) {
    const d = (source as AmlBuffer).data;
    const from = <i32>min(index, <u64>d.length);
    const to = from + <i32>min(length, <u64>(d.length - from));
    if (!it.allows(<u64>(to - from) + OBJECT_BYTES * 2, "Mid of {} bytes", <u64>(to - from))) return null;
    result = new AmlBuffer(d.slice(from, to));
  } else {
    return it.fail("Mid needs a String or Buffer, got " + describe(source));
  }
  store(it, t!, result);
  return result;
}

export function executeConversion(it: Interpreter, code: i32): AmlObject | null {
  const value = dereference(it, evaluateOperand(it));
  const t = readTarget(it, true);
  if (it.failed) return null;
  let result: AmlObject | null = null;
  if (code == op.TO_BUFFER_OP) result = toBuffer(value, it.byteWidth);
  else if (code == op.TO_HEX_STRING_OP) result = toHexString(value, it.byteWidth);
  else if (code == op.TO_DECIMAL_STRING_OP) result = toDecimalString(value);
  else if (value instanceof AmlString) result = new AmlInteger(stringToIntegerExplicit((value as AmlString).value, it.ones));
  else result = toInteger(value, it.ones);
  if (result == null) return it.fail(conversionError);
  const copy = result instanceof AmlBuffer ? copyForStore(it, result) : result;
  if (it.failed) return null;
  store(it, t!, copy);
  return copy;
}

export function executeToString(it: Interpreter): AmlObject | null {
  const value = dereference(it, evaluateOperand(it));
  const length = evaluateInteger(it);
  const t = readTarget(it, true);
  if (it.failed) return null;
  if (!(value instanceof AmlBuffer)) return it.fail("ToString needs a Buffer, got " + describe(value));
  const data = (value as AmlBuffer).data;
  let n = 0;
  while (n < data.length && <u64>n < length && unchecked(data[n]) != 0) n++;
  if (!it.allows(<u64>n * 4 + OBJECT_BYTES * 2, "ToString of {} characters", <u64>n)) return null;
  const s = new TextBuilder(n);
  for (let i = 0; i < n; i++) s.char(data[i]);
  const result = new AmlString(s.toString());
  store(it, t!, result);
  return result;
}

/** The first `leftLength` bytes of `left`, then of `right`, then `extra` zero bytes. */
function joinBytes(left: Uint8Array, leftLength: i32, right: Uint8Array, rightLength: i32, extra: i32): Uint8Array {
  const data = new Uint8Array(leftLength + rightLength + extra);
  data.set(left.subarray(0, leftLength), 0);
  data.set(right.subarray(0, rightLength), leftLength);
  return data;
}
