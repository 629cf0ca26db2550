// Named-object definitions at load and in methods: Name, Alias, Scope,
// Device/Processor/PowerResource/ThermalZone, Method, Mutex, Event, and the
// node creation they share (method temporaries recorded in the frame).
// Owns: where a new node goes and whether it may, and which Packages are
// deferred (a Name's fixed Package at load: only skipped here, decoded by
// evaluate.ts where it is used). May call: evaluate.ts, decode.ts, the
// machine, the namespace, the meter. Never: replaces an existing node;
// fails any way but Interpreter.fail.

import { OBJECT_BYTES, chargeAmlBytes } from "./meter";
import { AmlContainer, AmlMethod, AmlMutex, AmlObject, AmlPackage, ObjectType, typeName } from "./objects";
import { NamePath, segmentText } from "./names";
import { AmlAlias, NamespaceNode } from "./namespace";
import { Interpreter } from "./machine";
import { peekByte, readByte, readNameString, readNameStringInto, readPkgEnd } from "./decode";
import { TablePackage, evaluateOperand, executeTermList } from "./evaluate";
import * as op from "./opcodes";

/** The node a definition of `path` goes under, or null (failed: an empty name, or no such scope). */
export function definitionParent(it: Interpreter, path: NamePath): NamespaceNode | null {
  if (path.length == 0) { it.fail("cannot define an object with an empty name"); return null; }
  const parent = it.ns.parentFor(path, it.frame.scope);
  if (parent == null) it.fail("the scope of " + path.toString() + " does not exist");
  return parent;
}

/** Adds `obj` as `parent`'s child named `key`, or fails if that name exists. */
export function addNode(it: Interpreter, parent: NamespaceNode, key: u32, obj: AmlObject): NamespaceNode | null {
  if (parent.childByKey(key) != null) {
    it.fail((parent.parent == null ? "\\" : parent.path() + ".") + segmentText(key) + " already exists");
    return null;
  }
  const node = new NamespaceNode(key, parent);
  chargeAmlBytes(OBJECT_BYTES * 2); // the node (its children are a list through it)
  node.object = obj;
  parent.addChild(node);
  if (it.frame.inMethod) {
    node.temporary = true;
    const frame = it.frame;
    if (frame.temporaries == null) frame.temporaries = new Array<NamespaceNode>();
    frame.temporaries!.push(node);
  }
  return node;
}

/** Creates the node for `path` in the current scope, or fails. */
export function createNode(it: Interpreter, path: NamePath, obj: AmlObject): NamespaceNode | null {
  const parent = definitionParent(it, path);
  return parent == null ? null : addNode(it, parent, path.lastKey(), obj);
}

export function defineName(it: Interpreter): AmlObject | null {
  // Where it goes is settled before the value is decoded (which may read
  // names into definitionPath: a Package's references).
  const path = readNameStringInto(it, it.definitionPath);
  if (it.failed) return null;
  const parent = definitionParent(it, path);
  if (parent == null) return null;
  const key = path.lastKey();
  const value = it.frame.inMethod ? evaluateOperand(it) : deferredPackage(it) || evaluateOperand(it);
  if (it.failed) return null;
  addNode(it, parent, key, value!);
  return null;
}

/**
 * At load, a Name's fixed-size Package is deferred (objects.ts AmlPackage):
 * only its PkgLength is read, to skip it. A VarPackage is not: its count is
 * a term that may have effects. Null for anything else.
 */
function deferredPackage(it: Interpreter): AmlObject | null {
  if (peekByte(it) != op.PACKAGE_OP || it.table == null) return null;
  const start = it.pc;
  it.pc++;
  const end = readPkgEnd(it);
  if (it.failed) return null;
  it.pc = end;
  return new AmlPackage(null, new TablePackage(it.table!, start, end, it.frame.scope));
}

export function defineAlias(it: Interpreter): AmlObject | null {
  const source = readNameString(it);
  const alias = readNameString(it);
  if (it.failed) return null;
  const node = it.ns.lookup(source, it.frame.scope);
  if (node == null) return it.fail("Alias source " + source.toString() + " is undefined");
  createNode(it, alias, new AmlAlias(node));
  return null;
}

/** Runs `end`-bounded body with `node` as the scope. */
export function executeInScope(it: Interpreter, node: NamespaceNode, end: i32): void {
  const savedScope = it.frame.scope;
  it.frame.scope = node;
  executeTermList(it, end);
  it.frame.scope = savedScope;
  it.pc = end;
}

/** Scope, its PkgLength's `end` read by dispatch (as for every SHAPE_PKG row below). */
export function defineScope(it: Interpreter, end: i32): AmlObject | null {
  const savedLimit = it.limit;
  it.limit = end;
  const path = readNameStringInto(it, it.definitionPath);
  it.limit = savedLimit;
  if (it.failed) return null;
  const node = it.ns.lookup(path, it.frame.scope);
  if (node == null) return it.fail("Scope " + path.toString() + " does not exist");
  const t = node.type;
  if (t != ObjectType.Scope && t != ObjectType.Device && t != ObjectType.Processor &&
      t != ObjectType.Thermal && t != ObjectType.Power) {
    return it.fail("Scope " + path.toString() + " names a " + typeName(t) + ", not a scope");
  }
  executeInScope(it, node, end);
  return null;
}

export function defineContainer(it: Interpreter, end: i32, type: ObjectType, fixedBytes: i32): AmlObject | null {
  const savedLimit = it.limit;
  it.limit = end;
  const path = readNameStringInto(it, it.definitionPath);
  for (let i = 0; i < fixedBytes; i++) readByte(it); // ProcID/PBLK, level/order
  it.limit = savedLimit;
  if (it.failed) return null;
  const node = createNode(it, path, new AmlContainer(type));
  if (node == null) return null;
  executeInScope(it, node, end);
  return null;
}

export function defineMethod(it: Interpreter, end: i32): AmlObject | null {
  const savedLimit = it.limit;
  it.limit = end;
  const path = readNameStringInto(it, it.definitionPath);
  const flags = readByte(it);
  it.limit = savedLimit;
  if (it.failed) return null;
  createNode(it, path, new AmlMethod(flags & 7, (flags & 8) != 0, it.table, it.pc, end));
  it.pc = end;
  return null;
}

export function defineMutex(it: Interpreter): AmlObject | null {
  const path = readNameStringInto(it, it.definitionPath);
  const flags = readByte(it);
  if (it.failed) return null;
  createNode(it, path, new AmlMutex(<u8>(flags & 0xf)));
  return null;
}

export function defineSimple(it: Interpreter, obj: AmlObject): AmlObject | null {
  const path = readNameStringInto(it, it.definitionPath);
  if (it.failed) return null;
  createNode(it, path, obj);
  return null;
}
