// Control flow: If/Else, While (iteration cap), Return, and method calls
// (frames reused per depth, temporaries removed on return, call depth
// capped). Owns: Interpreter.control/returnValue/callDepth and the saved
// code window across a call. May call: decode.ts, osi.ts. Never: lets a
// frame outlive its call; fails any way but Interpreter.fail.

import {
  CONTROL_BREAK, CONTROL_CONTINUE, CONTROL_NONE, CONTROL_RETURN, MAX_CALL_DEPTH, MAX_WHILE_ITERATIONS,
} from "./constants";
import { AmlMethod, AmlObject } from "./objects";
import { NATIVE_OSI, NamespaceNode } from "./namespace";
import * as op from "./opcodes";
import { Frame, Interpreter } from "./interpreter";
import { evaluateInteger, evaluateOperand, executeTermList, peekByte, readPkgEnd } from "./decode";
import { nativeOsi } from "./osi";

export function executeIf(it: Interpreter): AmlObject | null {
  const end = readPkgEnd(it);
  if (it.failed) return null;
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

export function executeWhile(it: Interpreter): AmlObject | null {
  const end = readPkgEnd(it);
  if (it.failed) return null;
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
  const v = dereferenceForReturn(it, value);
  if (it.failed) return null;
  it.returnValue = v;
  it.control = CONTROL_RETURN;
  return null;
}

export function dereferenceForReturn(it: Interpreter, value: AmlObject | null): AmlObject | null {
  return value;
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
  it.table = savedTable;
  it.code = savedCode;
  it.pc = savedPc;
  it.limit = savedLimit;
  if (it.failed) return null;
  it.opStart = savedStart;
  it.opcode = savedOpcode;
  return result;
}
