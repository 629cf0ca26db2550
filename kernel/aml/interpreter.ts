// The AML interpreter's entry points: an interpreter bound to the opcode
// table, a definition block loaded into its namespace, a node evaluated (a
// method called, an object's value read), and a Package's name resolved for
// printing. The layers below are listed in machine.ts; this is their top.
// Owns: how a load and an evaluation begin (the state they reset) and end
// (an evaluation's result decoded while it is still the evaluation).
// May call: every layer below. Never: is imported by any of them.

import {
  CONTROL_NONE, Frame, HEADER_LENGTH, Interpreter,
} from "./machine";
import { AmlMethod, AmlObject, AmlReference, AmlTableRef, ObjectType, RefKind } from "./objects";
import { NamespaceNode, resolveAlias } from "./namespace";
import { parseTextPath } from "./names";
import { decodedValue, executeTermList } from "./evaluate";
import { callMethod } from "./control";
import { readNodeValue } from "./store";
import { opcodeTable } from "./optable";

/** A new interpreter, with an empty namespace, decoding with the opcode table. */
export function newInterpreter(): Interpreter {
  return new Interpreter(opcodeTable());
}

/** Loads a definition block (the whole table, header included) into `it`'s namespace. Returns "" or the error. */
export function loadDefinitionBlock(it: Interpreter, bytes: Uint8Array, signature: string, oemTableId: string): string {
  it.error = null;
  if (bytes.length < HEADER_LENGTH) return "table shorter than its 36-byte header";
  const revision = <i32>unchecked(bytes[8]);
  if (signature == "DSDT") {
    it.ones = revision < 2 ? 0xffffffff : 0xffffffffffffffff;
    it.byteWidth = revision < 2 ? 4 : 8;
  }
  // No meter reset here: the tables of one namespace share one budget
  // (nothing is collected between them at boot). amlReset() resets it.
  const ref = new AmlTableRef(bytes, signature, oemTableId, it.tables.length);
  it.tables.push(ref);
  it.enterCode(ref, HEADER_LENGTH, bytes.length);
  it.frame = new Frame(it.ns.root, false);
  it.control = CONTROL_NONE;
  it.nesting = 0;
  it.callDepth = 0;
  executeTermList(it, bytes.length);
  const err = it.error;
  it.error = null;
  return err == null ? "" : err.toString();
}

/**
 * Evaluates `node`: calls a method with `args`, or yields the object (a
 * field's current value). Leaves queued notifies in `it.notifies`. The
 * result is never a deferred Package: readNodeValue decodes one (as for
 * every operand) while this is still the evaluation, so a failure to decode
 * it is the evaluation's error.
 */
export function evaluateNode(it: Interpreter, node: NamespaceNode, args: Array<AmlObject | null>): AmlObject | null {
  // No meter reset: the budget and the work count belong to the event
  // (meter.ts); an event that runs many evaluations adds them all up.
  it.error = null;
  it.control = CONTROL_NONE;
  it.nesting = 0;
  it.callDepth = 0;
  it.opcode = -1;
  it.opStart = 0;
  const target = resolveAlias(node);
  const targetObj = target.object;
  let result: AmlObject | null;
  if (targetObj instanceof AmlMethod) {
    const method = targetObj as AmlMethod;
    if (args.length != method.argCount) {
      // Located at the method, in its own table (not the last one loaded).
      it.table = method.table;
      it.opStart = method.start;
      return it.fail(target.path() + " takes " + method.argCount.toString() + " arguments, got " + args.length.toString());
    }
    result = callMethod(it, target, method, args);
  } else {
    result = readNodeValue(it, target, true);
  }
  return it.failed ? null : result;
}

const NO_ARGS = new Array<AmlObject | null>(0);

/**
 * What a name inside a Package stands for when the Package is printed
 * (json.ts): a field's current value (read: hardware), any other object
 * itself, decoded; null when the name does not resolve or the read fails.
 */
export function resolvePackageName(it: Interpreter, ref: AmlReference): AmlObject | null {
  let node: NamespaceNode | null = null;
  const p = parseTextPath(ref.nodePath);
  if (p != null) {
    if (ref.kind == RefKind.Named) {
      node = it.ns.lookup(p, it.ns.root);
    } else {
      const sp = parseTextPath(ref.scopePath);
      const scope: NamespaceNode | null = sp == null ? null : it.ns.lookup(sp, it.ns.root);
      if (scope != null) node = it.ns.lookup(p, scope);
    }
  }
  if (node == null) return null;
  const t = node.type;
  if (t == ObjectType.RegionField || t == ObjectType.BufferField || t == ObjectType.IndexField || t == ObjectType.BankField) {
    return evaluateNode(it, node, NO_ARGS);
  }
  const value = decodedValue(it, node.object);
  it.error = null; // a printing is not an evaluation: an undecodable Package prints as null
  return value;
}
