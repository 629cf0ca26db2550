// The AML interpreter: loads definition blocks into the namespace and
// evaluates objects and methods. This module is its state and entry points;
// the work is split by concern, each module opening with its own contract:
//   decode.ts     bytes, names, opcodes, terms, operands, data objects
//   define.ts     named-object definitions (Name, Scope, Device, Method, …)
//   control.ts    If/Else, While, Return, method calls
//   store.ts      targets and store semantics, reading named objects
//   fields.ts     OperationRegion, fields and buffer fields, their I/O
//   sync.ts       Mutex, Event, Notify
//   operators.ts  expression operators
//   osi.ts        the native _OSI
// Owns: the interpreter's state (code window, frames, control, held mutexes,
// notify queue) and the one error convention of the AML subsystem: a failure
// is Interpreter.fail(problem), which records the first AmlError of the
// evaluation (problem, innermost opcode, table and offset) and returns null;
// every caller checks `failed` and unwinds. A failure aborts only the current
// evaluation (a table load keeps what it created). Below the interpreter
// (meter.ts, region.ts, objects.ts' conversions) nothing fails on its own: a
// check returns a problem string ("" when fine) or null, and the interpreter
// module that asked passes it to fail(); above it (index.ts) an evaluation's
// AmlError is returned as its string, "" when there was none. Never traps: every read is
// bound-checked, every integer that indexes or sizes is compared as the u64
// it is (never cast first), every allocation whose size the AML decides asks
// the meter first (meter.ts), and every region access is checked by
// region.ts before it is made. Loops, expression nesting, method calls and
// IndexField/BankField chains (when defined) are capped; terms and field
// accesses count against the event's work limit.
// May call: the modules above, the meter, objects, names, the namespace.

import { CONTROL_NONE, HEADER_LENGTH, TARGET_NONE, TARGET_VALUE } from "./constants";
import { OBJECT_BYTES, amlBudgetProblem, amlCanAllocate, chargeAmlBytes } from "./meter";
import {
  AmlBuffer, AmlInteger, AmlMethod, AmlMutex, AmlObject, AmlPackage, AmlReference, AmlRegion, AmlString, AmlTableRef,
  ObjectType, describe, upperHex,
} from "./objects";
import { Namespace, NamespaceNode } from "./namespace";
import { NamePath } from "./names";
import { opcodeName } from "./optable";
import { callMethod } from "./control";
import { executeTermList } from "./decode";
import { readNodeValue } from "./store";

export class AmlError {
  constructor(
    public problem: string,
    public opcode: i32,
    public offset: i32,
    public table: string,
  ) {}

  toString(): string {
    const opText = this.opcode < 0 ? "" :
      "opcode 0x" + (<u32>this.opcode).toString(16) + " " + opcodeName(this.opcode) + " at ";
    return this.problem + " (" + opText + this.table + " offset 0x" + (<u32>this.offset).toString(16) + ")";
  }
}

export class PendingNotify {
  constructor(public node: NamespaceNode, public value: u32) { chargeAmlBytes(OBJECT_BYTES); }
}

/** An Alias: another name for an existing node. */
export class AmlAlias extends AmlObject {
  constructor(public target: NamespaceNode) { super(ObjectType.Alias); }
}


/** Where a result goes: a SuperName or Target operand, decoded. */
export class Target {
  constructor() { chargeAmlBytes(OBJECT_BYTES); }
  kind: i32 = TARGET_NONE;
  slot: i32 = 0;
  node: NamespaceNode | null = null;
  ref: AmlReference | null = null;
  value: AmlObject | null = null; // TARGET_VALUE: an operand that is read, never written
}

export class Frame {
  args: StaticArray<AmlObject | null> = new StaticArray<AmlObject | null>(7);
  locals: StaticArray<AmlObject | null> = new StaticArray<AmlObject | null>(8);
  temporaries: Array<NamespaceNode> | null = null; // created on first use: most calls make none
  constructor(public scope: NamespaceNode, public inMethod: bool) {}

  /** Forgets everything the call held, so a pooled frame keeps nothing alive. */
  clear(): void {
    for (let i = 0; i < 7; i++) unchecked(this.args[i] = null);
    for (let i = 0; i < 8; i++) unchecked(this.locals[i] = null);
    this.temporaries = null;
  }
}


export class Interpreter {
  ns: Namespace = new Namespace();
  /** Integer width: 32 bits for DSDT revision < 2, as ACPI requires. */
  ones: u64 = 0xffffffffffffffff;
  byteWidth: i32 = 8;
  error: AmlError | null = null;
  notifies: Array<PendingNotify> = new Array<PendingNotify>();
  tables: Array<AmlTableRef> = new Array<AmlTableRef>();
  /** Debug-object stores, for the caller to print. */
  debugLines: Array<string> = new Array<string>();
  table: AmlTableRef | null = null;
  code: Uint8Array = new Uint8Array(0);
  pc: i32 = 0;
  limit: i32 = 0;
  opStart: i32 = 0;
  opcode: i32 = -1;
  frame: Frame = new Frame(this.ns.root, false);
  /** One method frame per call depth, reused: no call allocates its frame. Frames never
   * escape a call (RefOf a Local or Arg is refused), so reuse is safe. */
  methodFrames: Array<Frame> = new Array<Frame>();
  control: i32 = CONTROL_NONE;
  returnValue: AmlObject | null = null;
  nesting: i32 = 0;
  callDepth: i32 = 0;
  regionNodes: Map<AmlRegion, NamespaceNode> = new Map<AmlRegion, NamespaceNode>();
  /**
   * The path a definition reads its name into (define.ts): every definition
   * consumes its name before it decodes anything else that could read one,
   * so one object serves them all (most of the names a table load reads).
   */
  definitionPath: NamePath = new NamePath();
  /** The same for a named-object operand looked up at once and dropped (store.ts namedObjectTarget). */
  lookupPath: NamePath = new NamePath();
  /** Mutexes held, in acquisition order (ACPI SyncLevel ordering is checked against it). */
  heldMutexes: Array<AmlMutex> = new Array<AmlMutex>();
  get failed(): bool { return this.error != null; }

  fail(problem: string): AmlObject | null {
    if (this.error == null) {
      const name = this.table == null ? "interpreter" : this.table!.signature + " " + this.table!.oemTableId;
      this.error = new AmlError(problem, this.opcode, this.opStart, name);
    }
    return null;
  }

  /** Fails with the named error for a refused allocation; false, for `amlCanAllocate(n) || this.refuse(…)`
   * (the message is built only when the allocation is refused). */
  refuse(what: string, bytes: u64): bool {
    this.fail(amlBudgetProblem(what, bytes));
    return false;
  }

  /** Loads a definition block (the whole table, header included). Returns "" or the error. */
  loadTable(bytes: Uint8Array, signature: string, oemTableId: string): string {
    this.error = null;
    if (bytes.length < HEADER_LENGTH) return "table shorter than its 36-byte header";
    const revision = <i32>unchecked(bytes[8]);
    if (signature == "DSDT") {
      this.ones = revision < 2 ? 0xffffffff : 0xffffffffffffffff;
      this.byteWidth = revision < 2 ? 4 : 8;
    }
    // No meter reset here: the tables of one namespace share one budget
    // (nothing is collected between them at boot). amlReset() resets it.
    const ref = new AmlTableRef(bytes, signature, oemTableId, this.tables.length);
    this.tables.push(ref);
    this.enterCode(ref, HEADER_LENGTH, bytes.length);
    this.frame = new Frame(this.ns.root, false);
    this.control = CONTROL_NONE;
    this.nesting = 0;
    this.callDepth = 0;
    executeTermList(this, bytes.length);
    const err = this.error;
    this.error = null;
    return err == null ? "" : err.toString();
  }

  enterCode(ref: AmlTableRef, start: i32, end: i32): void {
    this.table = ref;
    this.code = ref.bytes;
    this.pc = start;
    this.limit = end;
  }

  /**
   * Evaluates `node`: calls a method with `args`, or yields the object (a
   * field's current value). Leaves queued notifies in `notifies`.
   */
  evaluateNode(node: NamespaceNode, args: Array<AmlObject | null>): AmlObject | null {
    // No meter reset: the budget and the work count belong to the event
    // (meter.ts); an event that runs many evaluations adds them all up.
    this.error = null;
    this.control = CONTROL_NONE;
    this.nesting = 0;
    this.callDepth = 0;
    this.opcode = -1;
    this.opStart = 0;
    let target = node;
    const obj = node.object;
    if (obj instanceof AmlAlias) target = (obj as AmlAlias).target;
    const targetObj = target.object;
    if (targetObj instanceof AmlMethod) {
      if (args.length != (targetObj as AmlMethod).argCount) {
        // Located at the method, in its own table (not the last one loaded).
        this.table = (targetObj as AmlMethod).table;
        this.opStart = (targetObj as AmlMethod).start;
        return this.fail(target.path() + " takes " + (targetObj as AmlMethod).argCount.toString() + " arguments, got " + args.length.toString());
      }
      return this.decoded(callMethod(this, target, (targetObj as AmlMethod), args));
    }
    return this.decoded(readNodeValue(this, target, true));
  }

  /**
   * `result`, with a deferred Package (objects.ts) decoded while this is
   * still the evaluation: a failure to decode it is the evaluation's error,
   * not a surprise for whoever prints the result afterwards.
   */
  private decoded(result: AmlObject | null): AmlObject | null {
    if (result instanceof AmlPackage && (result as AmlPackage).deferred && !this.failed) (result as AmlPackage).elements;
    return this.failed ? null : result;
  }

  /** A one-line human form of a value, for Debug stores. */
  describeValue(value: AmlObject | null): string {
    if (value instanceof AmlInteger) return "Integer 0x" + upperHex((value as AmlInteger).value, this.byteWidth * 2);
    if (value instanceof AmlString) return "String \"" + (value as AmlString).value + "\"";
    if (value instanceof AmlBuffer) return "Buffer[" + (value as AmlBuffer).data.length.toString() + "]";
    if (value instanceof AmlPackage) return "Package[" + (value as AmlPackage).elements.length.toString() + "]";
    return describe(value);
  }
}
