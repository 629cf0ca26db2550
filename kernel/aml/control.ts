// Control flow: If/Else, While (iteration cap), Return, a name as a term
// (a method call or the object's value), and method calls (frames reused
// per depth, temporaries removed on return, call depth capped).
// Owns: Interpreter.control/returnValue/callDepth and the saved code window
// across a call. May call: evaluate.ts, decode.ts, the machine, store.ts
// (a name's value), osi.ts. Never: lets a frame outlive its call; fails any
// way but Interpreter.fail.

import {
  CONTROL_BREAK, CONTROL_CONTINUE, CONTROL_NONE, CONTROL_RETURN, Frame, Interpreter, MAX_CALL_DEPTH,
  MAX_WHILE_ITERATIONS,
} from "./machine";
import { OBJECT_BYTES, chargeAmlBytes } from "./meter";
import { AmlMethod, AmlObject } from "./objects";
import { NATIVE_OSI, NamespaceNode, resolveAlias } from "./namespace";
import * as op from "./opcodes";
import { peekByte, readNameString, readPkgEnd } from "./decode";
import { evaluateInteger, evaluateOperand, executeTermList } from "./evaluate";
import { readNodeValue } from "./store";
import { nativeOsi } from "./osi";

/** A NameString as a term (the NameString rows' handler): a method called with its arguments, or the object's value. */
export function nameTerm(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  const path = readNameString(it);
  if (it.failed) return null;
  const node = it.ns.lookup(path, it.frame.scope);
  if (node == null) {
    return it.fail("undefined name " + path.toString() + " (from " + it.frame.scope.path() + ")");
  }
  const target = resolveAlias(node);
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

/** If (and the Else after it): its PkgLength's `end` read by dispatch, as for While. */
export function executeIf(it: Interpreter, end: i32): AmlObject | null {
  const savedLimit = it.limit;
  it.limit = end;
  const predicate = evaluateInteger(it);
  it.limit = savedLimit;
  if (it.failed) return null;
  if (predicate != 0) {
    executeTermList(it, end);
    if (it.failed || it.control != CONTROL_NONE) return null;
    it.pc = end;
    if (peekByte(it) == op.ELSE_OP) {
      it.pc++;
      it.pc = readPkgEnd(it);
    }
  } else {
    it.pc = end;
    if (peekByte(it) == op.ELSE_OP) {
      it.pc++;
      const elseEnd = readPkgEnd(it);
      if (it.failed) return null;
      executeTermList(it, elseEnd);
      if (!it.failed && it.control == CONTROL_NONE) it.pc = elseEnd;
    }
  }
  return null;
}

export function executeWhile(it: Interpreter, end: i32): AmlObject | null {
  const predicateStart = it.pc;
  const whileStart = it.opStart;
  for (let iteration = 0; ; iteration++) {
    if (iteration >= MAX_WHILE_ITERATIONS) {
      it.opStart = whileStart;
      it.opcode = op.WHILE_OP;
      return it.fail("While loop ran " + MAX_WHILE_ITERATIONS.toString() + " iterations without ending (runaway loop)");
    }
    it.pc = predicateStart;
    const savedLimit = it.limit;
    it.limit = end;
    const predicate = evaluateInteger(it);
    it.limit = savedLimit;
    if (it.failed || predicate == 0) break;
    executeTermList(it, end);
    if (it.failed) return null;
    if (it.control == CONTROL_BREAK) { it.control = CONTROL_NONE; break; }
    if (it.control == CONTROL_CONTINUE) it.control = CONTROL_NONE;
    if (it.control == CONTROL_RETURN) return null;
  }
  if (!it.failed) it.pc = end;
  return null;
}

export function executeReturn(it: Interpreter): AmlObject | null {
  const value = evaluateOperand(it);
  if (it.failed) return null;
  it.returnValue = value; // a reference stays one: the caller's DerefOf follows it
  it.control = CONTROL_RETURN;
  return null;
}

export function callMethod(it: Interpreter, node: NamespaceNode, method: AmlMethod, args: Array<AmlObject | null>): AmlObject | null {
  if (method.nativeId == NATIVE_OSI) return nativeOsi(it, args);
  if (it.callDepth >= MAX_CALL_DEPTH) {
    return it.fail("method calls nested deeper than " + MAX_CALL_DEPTH.toString() + " (runaway recursion?) calling " + node.path());
  }
  const savedTable = it.table, savedCode = it.code, savedPc = it.pc, savedLimit = it.limit;
  const savedFrame = it.frame, savedStart = it.opStart, savedOpcode = it.opcode;
  while (it.methodFrames.length <= it.callDepth) it.methodFrames.push(new Frame(node, true));
  const frame = unchecked(it.methodFrames[it.callDepth]);
  frame.scope = node;
  for (let i = 0; i < args.length && i < 7; i++) frame.args[i] = args[i];
  it.frame = frame;
  it.callDepth++;
  it.enterCode(method.table!, method.start, method.end);
  it.opStart = method.start;
  it.opcode = -1;
  executeTermList(it, method.end);
  it.callDepth--;
  let result: AmlObject | null = null;
  if (it.control == CONTROL_RETURN) result = it.returnValue;
  it.control = CONTROL_NONE;
  it.returnValue = null;
  const temporaries = frame.temporaries;
  for (let i = temporaries == null ? -1 : temporaries.length - 1; i >= 0; i--) {
    const t = temporaries![i];
    const parent = t.parent;
    if (parent != null) parent.removeChild(t);
  }
  frame.clear();
  it.frame = savedFrame;
  it.resumeCode(savedTable, savedCode, savedPc, savedLimit);
  if (it.failed) return null;
  it.opStart = savedStart;
  it.opcode = savedOpcode;
  return result;
}
