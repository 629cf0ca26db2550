// Store semantics: reading a named object as an operand, decoding
// SuperName/Target operands, storing to Locals, Args, named objects (with
// implicit conversion to the target's type), references and Debug; Store and
// CopyObject; RefOf's targets and names given as operands. Owns: which
// conversion a store applies (ACPI 6.5 §19.3.5). May call: evaluate.ts,
// decode.ts, the machine, fields.ts (field reads and writes), objects. Never: stores an object
// without copying it; fails any way but Interpreter.fail.

import {
  Interpreter, TARGET_ARG, TARGET_DEBUG, TARGET_LOCAL, TARGET_NODE, TARGET_NONE, TARGET_REF, TARGET_VALUE, Target,
} from "./machine";
import {
  AmlBuffer, AmlBufferField, AmlField, AmlInteger, AmlObject, AmlPackage, AmlReference, AmlString, ObjectType,
  RefKind, conversionError, copyValue, describe, toBuffer, toInteger, toStringImplicit, typeName,
} from "./objects";
import { NamePath, segmentKey } from "./names";
import { NamespaceNode, resolveAlias } from "./namespace";
import * as op from "./opcodes";
import { isNameStart, peekByte, readNameString, readNameStringInto } from "./decode";
import { decodedValue, dereference, evaluateOperand } from "./evaluate";
import { readBufferField, readField, writeBufferField, writeField } from "./fields";

/** A value copy for a store; fails by name when it does not fit the budget. */
export function copyForStore(it: Interpreter, value: AmlObject | null): AmlObject | null {
  const copy = copyValue(value);
  if (copy == null && value != null) it.fail(conversionError);
  return copy;
}

/** A named object's value as an operand: fields are read, data returned (a deferred Package decoded). */
export function readNodeValue(it: Interpreter, node: NamespaceNode, topLevel: bool): AmlObject | null {
  const obj = node.object;
  if (obj instanceof AmlField) return readField(it, (obj as AmlField), node);
  if (obj instanceof AmlBufferField) return readBufferField(it, (obj as AmlBufferField));
  if (obj == null) return it.fail(node.path() + " has no value");
  const t = obj.type;
  if (!topLevel && (t == ObjectType.Device || t == ObjectType.Scope || t == ObjectType.Processor ||
      t == ObjectType.Thermal || t == ObjectType.Power || t == ObjectType.Mutex ||
      t == ObjectType.Event || t == ObjectType.Region)) {
    return it.fail(node.path() + " is a " + typeName(t) + ", not a value");
  }
  return decodedValue(it, obj);
}

/** Decodes a Target: NullName, a SuperName, or a Type6 reference expression.
 * With `allowValue`, an expression yielding a plain value (DerefOf) is
 * accepted too, for operators that only read their operand. */
export function readTarget(it: Interpreter, allowNull: bool, allowValue: bool = false): Target | null {
  const t = new Target();
  const c = peekByte(it);
  if (c < 0) { it.fail("AML ends where a target was expected"); return null; }
  if (c == 0x00) {
    it.pc++;
    if (!allowNull) { it.fail("a name is required here, got NullName"); return null; }
    return t;
  }
  if (c >= op.LOCAL0 && c <= op.LOCAL7) { it.pc++; t.kind = TARGET_LOCAL; t.slot = c - op.LOCAL0; return t; }
  if (c >= op.ARG0 && c <= op.ARG6) { it.pc++; t.kind = TARGET_ARG; t.slot = c - op.ARG0; return t; }
  if (c == op.EXT_PREFIX && it.pc + 1 < it.limit && it.code[it.pc + 1] == 0x31) {
    it.pc += 2;
    t.kind = TARGET_DEBUG;
    return t;
  }
  if (isNameStart(c)) {
    const path = readNameString(it);
    if (it.failed) return null;
    const node = it.ns.lookup(path, it.frame.scope);
    if (node == null) { it.fail("undefined name " + path.toString() + " (from " + it.frame.scope.path() + ")"); return null; }
    t.kind = TARGET_NODE;
    t.node = resolveAlias(node);
    return t;
  }
  // RefOf, DerefOf, Index or a method call yielding a reference.
  const value = evaluateOperand(it);
  if (it.failed) return null;
  if (value instanceof AmlReference) {
    t.kind = TARGET_REF;
    t.ref = value as AmlReference;
    return t;
  }
  if (allowValue) {
    t.kind = TARGET_VALUE;
    t.value = value;
    return t;
  }
  it.fail("target is a " + describe(value) + ", not a reference");
  return null;
}

/** The object a Target currently holds (for Increment, SizeOf, …). */
export function targetValue(it: Interpreter, t: Target): AmlObject | null {
  if (t.kind == TARGET_LOCAL) return it.frame.locals[t.slot];
  if (t.kind == TARGET_ARG) return dereference(it, it.frame.args[t.slot]);
  if (t.kind == TARGET_NODE) return readNodeValue(it, t.node!, true);
  if (t.kind == TARGET_REF) return dereference(it, t.ref);
  if (t.kind == TARGET_VALUE) return t.value;
  return null;
}

export function store(it: Interpreter, t: Target, value: AmlObject | null): void {
  if (it.failed || t.kind == TARGET_NONE) return;
  if (value == null) { it.fail("cannot store an uninitialized object"); return; }
  switch (t.kind) {
    case TARGET_LOCAL: {
      const copy = copyForStore(it, value);
      if (!it.failed) it.frame.locals[t.slot] = copy;
      return;
    }
    case TARGET_ARG: {
      const held = it.frame.args[t.slot];
      if (held instanceof AmlReference) { storeThroughReference(it, (held as AmlReference), value); return; }
      const copy = copyForStore(it, value);
      if (!it.failed) it.frame.args[t.slot] = copy;
      return;
    }
    case TARGET_DEBUG: it.debugLines.push(it.describeValue(value)); return;
    case TARGET_NODE: storeToNode(it, t.node!, value); return;
    case TARGET_REF: storeThroughReference(it, t.ref!, value); return;
  }
}

export function storeThroughReference(it: Interpreter, ref: AmlReference, value: AmlObject): void {
  if (ref.kind == RefKind.PackageElement) {
    const pkg = ref.container as AmlPackage;
    const copy = copyForStore(it, value);
    if (!it.failed) pkg.elements[ref.index] = copy;
  } else if (ref.kind == RefKind.BufferByte) {
    const i = toInteger(dereference(it, value), it.ones);
    if (i == null) { it.fail(conversionError); return; }
    (ref.container as AmlBuffer).data[ref.index] = <u8>i.value;
  } else if (ref.kind == RefKind.Named && ref.nodePath.length > 0) {
    const node = lookupText(it, ref.nodePath);
    if (node == null) { it.fail("reference to " + ref.nodePath + " no longer resolves"); return; }
    storeToNode(it, node, value);
  } else {
    it.fail("cannot store through a reference to " + ref.nodePath);
  }
}

export function lookupText(it: Interpreter, path: string): NamespaceNode | null {
  const body = path.substring(1);
  const parts = body.length > 0 ? body.split(".") : new Array<string>(0);
  const p = new NamePath(parts.length);
  p.absolute = true;
  for (let i = 0; i < parts.length; i++) p.setKey(i, segmentKey(parts[i]));
  return it.ns.lookup(p, it.ns.root);
}

/** Store to a named object, with ACPI's implicit conversion to its type. */
export function storeToNode(it: Interpreter, node: NamespaceNode, value: AmlObject): void {
  const v = dereference(it, value);
  const current = node.object;
  if (current instanceof AmlField) { writeField(it, (current as AmlField), node, v); return; }
  if (current instanceof AmlBufferField) { writeBufferField(it, (current as AmlBufferField), v); return; }
  if (current instanceof AmlInteger) {
    const i = toInteger(v, it.ones);
    if (i == null) { it.fail(conversionError); return; }
    node.object = new AmlInteger(i.value & it.ones);
    return;
  }
  if (current instanceof AmlString) {
    const s = toStringImplicit(v, it.byteWidth);
    if (s == null) { it.fail(conversionError); return; }
    node.object = new AmlString(s.value);
    return;
  }
  if (current instanceof AmlBuffer) {
    const b = toBuffer(v, it.byteWidth);
    if (b == null) { it.fail(conversionError); return; }
    // The target keeps its length: truncate or zero-fill, as ACPICA does.
    const data = (current as AmlBuffer).data;
    for (let i = 0; i < data.length; i++) data[i] = i < b.data.length ? b.data[i] : 0;
    return;
  }
  if (current == null || current instanceof AmlPackage || current instanceof AmlReference) {
    const copy = copyForStore(it, v);
    if (!it.failed) node.object = copy;
    return;
  }
  it.fail("cannot store into " + node.path() + ", a " + typeName(current.type));
}

export function executeStore(it: Interpreter): AmlObject | null {
  const value = evaluateOperand(it);
  if (it.failed) return null;
  const t = readTarget(it, false);
  if (it.failed) return null;
  store(it, t!, value);
  return value;
}

export function executeCopyObject(it: Interpreter): AmlObject | null {
  const value = evaluateOperand(it);
  const t = readTarget(it, false);
  if (it.failed) return null;
  const target = t!;
  const copy = copyForStore(it, dereference(it, value));
  if (it.failed) return null;
  if (target.kind == TARGET_NODE) { target.node!.object = copy; return copy; }
  store(it, target, copy);
  return copy;
}

export function referenceTo(it: Interpreter, t: Target): AmlObject | null {
  if (t.kind == TARGET_NODE) {
    const ref = new AmlReference(RefKind.Named);
    ref.nodePath = t.node!.path();
    ref.target = t.node!.object;
    return ref;
  }
  if (t.kind == TARGET_REF) return t.ref;
  if (t.kind == TARGET_ARG) {
    const held = it.frame.args[t.slot];
    if (held instanceof AmlReference) return (held as AmlReference);
  }
  return it.fail("RefOf a Local or Arg is not supported");
}

/**
 * A SuperName that must be a named object (Notify, Acquire, Release, …).
 * A NameString, the usual case, is read into the interpreter's lookupPath
 * and looked up with no Target built (an SCI's Notify comes this way);
 * anything else goes through readTarget and fails there or here as before.
 */
export function namedObjectTarget(it: Interpreter, what: string): NamespaceNode | null {
  const c = peekByte(it);
  if (c >= 0 && isNameStart(c)) {
    const path = readNameStringInto(it, it.lookupPath);
    if (it.failed) return null;
    const node = it.ns.lookup(path, it.frame.scope);
    if (node == null) { it.fail("undefined name " + path.toString() + " (from " + it.frame.scope.path() + ")"); return null; }
    return resolveAlias(node);
  }
  const t = readTarget(it, false);
  if (it.failed) return null;
  if (t!.kind != TARGET_NODE) { it.fail(what + " needs a named object"); return null; }
  return t!.node;
}
