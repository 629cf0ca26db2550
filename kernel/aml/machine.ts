// The AML machine: the interpreter's state, the types every layer above
// shares, and the opcode table's shape. It is the bottom of the interpreter's
// layers, each of which imports only the ones below it:
//   machine.ts    state, limits, the OpcodeTable type, the error convention
//   decode.ts     bytes, PkgLength, names and opcodes from the code window
//   evaluate.ts   terms and dispatch: one term through the opcode table
//   define.ts, fields.ts, store.ts, sync.ts, operators.ts, osi.ts, data.ts,
//   control.ts    the handlers, by concern (each opens with its contract)
//   optable.ts    one row per opcode: code, name, decode shape, handler
//   interpreter.ts  loading a table, evaluating a node, the table bound in
// Dispatch reaches a handler through the OpcodeTable the interpreter was
// built with (it.ops), never through an import, so the evaluator below the
// handlers and the handlers above it make no circle.
// Owns: the interpreter's state (code window, frames, control, held mutexes,
// notify queue) and the one error convention of the AML subsystem: a failure
// is Interpreter.fail(problem), which records the first AmlError of the
// evaluation (problem, innermost opcode, table and offset) and returns null;
// every caller checks `failed` and unwinds. A failure aborts only the current
// evaluation (a table load keeps what it created). Below the interpreter
// (meter.ts, region.ts, objects.ts' conversions) nothing fails on its own: a
// check returns a problem string ("" when fine) or null, and the interpreter
// module that asked passes it to fail(); above it (index.ts) an evaluation's
// AmlError is returned as its string, "" when there was none. Never traps:
// every read is bound-checked, every integer that indexes or sizes is
// compared as the u64 it is (never cast first), every allocation whose size
// the AML decides asks the meter first (allows(), below), and every region
// access is checked by region.ts before it is made. Loops, expression
// nesting, method calls and IndexField/BankField chains (when defined) are
// capped; terms and field accesses count against the event's work limit.
// May call: the meter, objects, names, the namespace. Never: decodes or
// evaluates anything (the layers above do).

import { OBJECT_BYTES, amlAllocationProblem, chargeAmlBytes } from "./meter";
import {
  AmlBuffer, AmlInteger, AmlMutex, AmlObject, AmlPackage, AmlReference, AmlRegion, AmlString, AmlTableRef,
  describe, upperHex,
} from "./objects";
import { Namespace, NamespaceNode } from "./namespace";
import { NamePath } from "./names";

export const MAX_WHILE_ITERATIONS: i32 = 65536;
export const MAX_NESTING: i32 = 96;
export const MAX_CALL_DEPTH: i32 = 24;
/** How deep IndexFields and BankFields may be built on one another: each level doubles the accesses of one unit. */
export const MAX_FIELD_CHAIN: i32 = 4;
/** A term's own scratch besides what it charges where it allocates (meter.ts). */
export const TERM_BYTES: u64 = 16;
export const INTERPRETER_REVISION: u64 = 0x20261122;
export const HEADER_LENGTH: i32 = 36;

/** Where a result goes (Target.kind). */
export const TARGET_NONE = 0, TARGET_LOCAL = 1, TARGET_ARG = 2, TARGET_NODE = 3, TARGET_DEBUG = 4, TARGET_REF = 5, TARGET_VALUE = 6;

/** How a term list ends early (Interpreter.control). */
export const CONTROL_NONE = 0, CONTROL_BREAK = 1, CONTROL_CONTINUE = 2, CONTROL_RETURN = 3;

/**
 * Runs one opcode: `code` as read (0x5Bxx for extended ones); `end`, for an
 * opcode whose row says a PkgLength follows it, the end that PkgLength gives
 * (already read and checked by dispatch), else -1; the value wanted or not.
 */
export type OpHandler = (it: Interpreter, code: i32, end: i32, wantValue: bool) => AmlObject | null;

// A row's decode shape: what follows the opcode bytes that dispatch decodes
// itself before the handler runs (SHAPE_PKG) or that evaluate.ts reads in
// place (SHAPE_INTEGER: a constant whose immediate is SHAPE_BYTES wide, 0
// for Zero/One/Ones); SHAPE_NAME: the byte is a NameString's first, not an
// opcode, and is left for the handler. SHAPE_OPERANDS: the handler decodes
// all that follows the opcode.
export const SHAPE_OPERANDS: u8 = 0;
/** The low bits: an immediate's width in bytes (0, 1, 2, 4 or 8). */
export const SHAPE_BYTES: u8 = 0x0f;
export const SHAPE_INTEGER: u8 = 0x10;
export const SHAPE_PKG: u8 = 0x20;
export const SHAPE_NAME: u8 = 0x40;

/** Slots: 0x00–0xFF, then the extended opcodes 0x5B00–0x5BFF. */
const SLOTS: i32 = 0x200;

/** The slot of `code`, or -1 when no opcode can have that value. */
// @ts-ignore: decorator
@inline export function opcodeSlot(code: i32): i32 {
  if (<u32>code < 0x100) return code;
  if ((code & ~0xff) == 0x5b00) return 0x100 | (code & 0xff);
  return -1;
}

/**
 * The opcodes an interpreter knows, indexed by slot: each row's name, shape
 * and handler, entered together by row() (optable.ts makes the one table
 * there is), so no slot can hold one opcode's name and another's handler.
 */
export class OpcodeTable {
  names: StaticArray<string | null> = new StaticArray<string | null>(SLOTS);
  shapes: StaticArray<u8> = new StaticArray<u8>(SLOTS);
  handlers: StaticArray<OpHandler | null> = new StaticArray<OpHandler | null>(SLOTS);
  /** The first problem row() found ("" when none): a duplicate code or one no opcode can have. */
  problem: string = "";

  /** Enters one opcode's row. */
  row(code: i32, name: string, shape: u8, handler: OpHandler | null): void {
    const slot = opcodeSlot(code);
    if (slot < 0 || unchecked(this.names[slot]) != null) {
      if (this.problem.length == 0) this.problem = "opcode table row " + name + " (0x" + (<u32>code).toString(16) + ") " + (slot < 0 ? "is not an opcode" : "repeats a code");
      return;
    }
    unchecked(this.names[slot] = name);
    unchecked(this.shapes[slot] = shape);
    unchecked(this.handlers[slot] = handler);
  }

  /** `code`'s name for messages: "unknown" when it has no row. */
  name(code: i32): string {
    const slot = opcodeSlot(code);
    if (slot < 0) return "unknown";
    const n = unchecked(this.names[slot]);
    return n == null ? "unknown" : n;
  }
}

export class AmlError {
  constructor(
    public problem: string,
    public opcode: i32,
    public opcodeName: string,
    public offset: i32,
    public table: string,
  ) {}

  toString(): string {
    const opText = this.opcode < 0 ? "" : "opcode 0x" + (<u32>this.opcode).toString(16) + " " + this.opcodeName + " at ";
    return this.problem + " (" + opText + this.table + " offset 0x" + (<u32>this.offset).toString(16) + ")";
  }
}

export class PendingNotify {
  constructor(public node: NamespaceNode, public value: u32) { chargeAmlBytes(OBJECT_BYTES); }
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

  /** `ops`: the opcodes this interpreter decodes (optable.ts's table; interpreter.ts builds interpreters). */
  constructor(public ops: OpcodeTable) {}

  get failed(): bool { return this.error != null; }

  fail(problem: string): AmlObject | null {
    if (this.error == null) {
      const name = this.table == null ? "interpreter" : this.table!.signature + " " + this.table!.oemTableId;
      this.error = new AmlError(problem, this.opcode, this.opcode < 0 ? "" : this.ops.name(this.opcode), this.opStart, name);
    }
    return null;
  }

  /**
   * Whether the meter allows an allocation of `bytes` whose size the AML
   * decided; when it does not, fails naming it (meter.ts
   * amlAllocationProblem: `what` with its "{}"s filled by `a` and `b`).
   */
  allows(bytes: u64, what: string, a: u64 = 0, b: u64 = 0): bool {
    const problem = amlAllocationProblem(bytes, what, a, b);
    if (problem.length == 0) return true;
    this.fail(problem);
    return false;
  }

  enterCode(ref: AmlTableRef, start: i32, end: i32): void {
    this.table = ref;
    this.code = ref.bytes;
    this.pc = start;
    this.limit = end;
  }

  /** Puts back the code window a method call or a deferred Package's decode saved before enterCode. */
  // @ts-ignore: decorator
  @inline resumeCode(table: AmlTableRef | null, code: Uint8Array, pc: i32, limit: i32): void {
    this.table = table;
    this.code = code;
    this.pc = pc;
    this.limit = limit;
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
