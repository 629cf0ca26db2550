// The AML interpreter: loads definition blocks into the namespace and
// evaluates objects and methods.
// Owns: bytecode decoding (one opcode switch; method bodies decoded when
// called), method frames (Arg0–6, Local0–7, temporary names), control flow,
// operand conversion, stores, field access through region.ts, and the Notify
// queue. Never traps: every read is bound-checked, every integer that
// indexes or sizes is compared as the u64 it is (never cast first), every
// allocation whose size the AML decides asks the meter first (meter.ts),
// and every region access is checked by region.ts before it is made; every
// failure becomes an AmlError naming the problem, the opcode and the table
// offset, which aborts only the current evaluation (a table load keeps what
// it created). Loops, expression nesting, method calls and IndexField/
// BankField chains (when defined) are capped; terms and field accesses
// count against the event's work limit.
// May call: the meter, objects, names, the namespace, region.ts.

import {
  OBJECT_BYTES, amlBudgetExceeded, amlBudgetProblem, amlCanAllocate, amlWorkExceeded, amlWorkProblem, chargeAmlBytes,
  countAmlWork,
} from "./meter";
import { TextBuilder } from "../lib/text";
import {
  ACCESS_BUFFER, ACCESS_BYTE, ACCESS_DWORD, ACCESS_QWORD, ACCESS_WORD, AmlBuffer, AmlBufferField,
  AmlContainer, AmlDebug, AmlEvent, AmlField, AmlInteger, AmlMethod, AmlMutex, AmlObject, AmlPackage,
  AmlReference, AmlRegion, AmlString, AmlTableRef, ObjectType, RefKind, UPDATE_PRESERVE,
  UPDATE_WRITE_AS_ONES, acpiTypeCode, bufferToInteger, conversionError, copyValue, describe,
  integerToBuffer, stringToIntegerExplicit, toBuffer, toDecimalString, toHexString, toInteger,
  toStringImplicit, typeName, upperHex,
} from "./objects";
import { NamePath, isLeadNameChar, isNameChar } from "./names";
import { NATIVE_OSI, Namespace, NamespaceNode } from "./namespace";
import * as op from "./opcodes";
import { regionAccessProblem, regionRead, regionWrite, SPACE_PCI_CONFIG } from "./region";

export const MAX_WHILE_ITERATIONS: i32 = 65536;
export const MAX_NESTING: i32 = 96;
export const MAX_CALL_DEPTH: i32 = 24;
/** How deep IndexFields and BankFields may be built on one another: each level doubles the accesses of one unit. */
export const MAX_FIELD_CHAIN: i32 = 4;
/** A term's own scratch besides what it charges where it allocates (meter.ts). */
const TERM_BYTES: u64 = 16;
export const INTERPRETER_REVISION: u64 = 0x20261122;
const HEADER_LENGTH: i32 = 36;

export class AmlError {
  constructor(
    public problem: string,
    public opcode: i32,
    public offset: i32,
    public table: string,
  ) {}

  toString(): string {
    const opText = this.opcode < 0 ? "" :
      "opcode 0x" + (<u32>this.opcode).toString(16) + " " + op.opcodeName(this.opcode) + " at ";
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

const TARGET_NONE = 0, TARGET_LOCAL = 1, TARGET_ARG = 2, TARGET_NODE = 3, TARGET_DEBUG = 4, TARGET_REF = 5, TARGET_VALUE = 6;

/** Where a result goes: a SuperName or Target operand, decoded. */
class Target {
  constructor() { chargeAmlBytes(OBJECT_BYTES); }
  kind: i32 = TARGET_NONE;
  slot: i32 = 0;
  node: NamespaceNode | null = null;
  ref: AmlReference | null = null;
  value: AmlObject | null = null; // TARGET_VALUE: an operand that is read, never written
}

class Frame {
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

const CONTROL_NONE = 0, CONTROL_BREAK = 1, CONTROL_CONTINUE = 2, CONTROL_RETURN = 3;

/** The supported _OSI strings: what ACPICA answers true for by default. */
const OSI_STRINGS: string[] = [
  "Windows 2000", "Windows 2001", "Windows 2001 SP1", "Windows 2001.1", "Windows 2001 SP2",
  "Windows 2001.1 SP1", "Windows 2006", "Windows 2006.1", "Windows 2006 SP1", "Windows 2006 SP2",
  "Windows 2009", "Windows 2012", "Windows 2013", "Windows 2015", "Windows 2016", "Windows 2017",
  "Windows 2017.2", "Windows 2018", "Windows 2018.2", "Windows 2019", "Windows 2020",
  "Module Device", "Processor Device", "3.0 Thermal Model", "3.0 _SCP Extensions", "Processor Aggregator Device",
  "Extended Address Space Descriptor",
];

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

  private table: AmlTableRef | null = null;
  private code: Uint8Array = new Uint8Array(0);
  private pc: i32 = 0;
  private limit: i32 = 0;
  private opStart: i32 = 0;
  private opcode: i32 = -1;
  private frame: Frame = new Frame(this.ns.root, false);
  /** One method frame per call depth, reused: no call allocates its frame. Frames never
   * escape a call (RefOf a Local or Arg is refused), so reuse is safe. */
  private methodFrames: Array<Frame> = new Array<Frame>();
  private control: i32 = CONTROL_NONE;
  private returnValue: AmlObject | null = null;
  private nesting: i32 = 0;
  private callDepth: i32 = 0;
  private regionNodes: Map<AmlRegion, NamespaceNode> = new Map<AmlRegion, NamespaceNode>();
  /** Mutexes held, in acquisition order (ACPI SyncLevel ordering is checked against it). */
  private heldMutexes: Array<AmlMutex> = new Array<AmlMutex>();
  private segmentNames: Map<u32, string> = new Map<u32, string>();

  // ---- errors ------------------------------------------------------------

  private fail(problem: string): AmlObject | null {
    if (this.error == null) {
      const name = this.table == null ? "interpreter" : this.table!.signature + " " + this.table!.oemTableId;
      this.error = new AmlError(problem, this.opcode, this.opStart, name);
    }
    return null;
  }

  private get failed(): bool { return this.error != null; }

  /** Fails with the named error for a refused allocation; false, for `amlCanAllocate(n) || this.refuse(…)`
   * (the message is built only when the allocation is refused). */
  private refuse(what: string, bytes: u64): bool {
    this.fail(amlBudgetProblem(what, bytes));
    return false;
  }

  /** A value copy for a store; fails by name when it does not fit the budget. */
  private copyForStore(value: AmlObject | null): AmlObject | null {
    const copy = copyValue(value);
    if (copy == null && value != null) this.fail(conversionError);
    return copy;
  }

  // ---- byte-level decoding -----------------------------------------------

  private readByte(): i32 {
    if (this.pc >= this.limit) { this.fail("AML ends in the middle of an object"); return 0; }
    return <i32>unchecked(this.code[this.pc++]);
  }

  private peekByte(): i32 {
    return this.pc < this.limit ? <i32>unchecked(this.code[this.pc]) : -1;
  }

  private readInt(bytes: i32): u64 {
    let v: u64 = 0;
    for (let i = 0; i < bytes; i++) v |= <u64>this.readByte() << (<u64>(8 * i));
    return v;
  }

  /** A PkgLength; returns the absolute end offset, checked against the enclosing object. */
  private readPkgEnd(): i32 {
    const start = this.pc;
    const lead = this.readByte();
    const follow = lead >> 6;
    let length: i32;
    if (follow == 0) {
      length = lead & 0x3f;
    } else {
      if ((lead & 0x30) != 0) { this.fail("PkgLength lead byte 0x" + lead.toString(16) + " has reserved bits set"); return this.pc; }
      length = lead & 0x0f;
      for (let i = 0; i < follow; i++) length |= this.readByte() << (4 + 8 * i);
    }
    const end = start + length;
    if (this.failed) return this.pc;
    if (length < follow + 1 || end > this.limit) {
      this.fail("PkgLength " + length.toString() + " runs past the end of its enclosing object (" +
        (this.limit - start).toString() + " bytes left)");
      return this.pc;
    }
    return end;
  }

  private readNameSeg(): string {
    if (this.pc + 4 > this.limit) { this.fail("name segment runs past the end of the AML"); return ""; }
    let key: u32 = 0;
    for (let i = 0; i < 4; i++) {
      const c = <i32>unchecked(this.code[this.pc + i]);
      if (i == 0 ? !isLeadNameChar(c) : !isNameChar(c)) {
        this.fail("bad name segment: byte 0x" + c.toString(16) + " at position " + i.toString());
        return "";
      }
      key = (key << 8) | <u32>c;
    }
    this.pc += 4;
    // Tables repeat the same few hundred names thousands of times: one string each.
    const names = this.segmentNames;
    if (names.has(key)) return names.get(key);
    const s = String.fromCharCodes([<i32>(key >> 24), <i32>((key >> 16) & 0xff), <i32>((key >> 8) & 0xff), <i32>(key & 0xff)]);
    this.segmentNames.set(key, s);
    return s;
  }

  private readNameString(): NamePath {
    let absolute = false, parentPrefixes = 0;
    let c = this.peekByte();
    if (c == op.ROOT_CHAR) { absolute = true; this.pc++; }
    else while (this.peekByte() == op.PARENT_PREFIX) { parentPrefixes++; this.pc++; }
    c = this.readByte();
    let count = 0;
    if (this.failed || c == 0x00) count = 0; // NullName
    else if (c == op.DUAL_NAME_PREFIX) count = 2;
    else if (c == op.MULTI_NAME_PREFIX) {
      count = this.readByte();
      if (count == 0) this.fail("MultiNamePrefix with a segment count of 0");
    } else { this.pc--; count = 1; }
    const path = new NamePath(this.failed ? 0 : count);
    path.absolute = absolute;
    path.parentPrefixes = parentPrefixes;
    for (let i = 0; i < path.segments.length && !this.failed; i++) path.segments[i] = this.readNameSeg();
    return path;
  }

  private static isNameStart(c: i32): bool {
    return c == op.ROOT_CHAR || c == op.PARENT_PREFIX || c == op.DUAL_NAME_PREFIX ||
      c == op.MULTI_NAME_PREFIX || isLeadNameChar(c);
  }

  private readOpcode(): i32 {
    const b = this.readByte();
    if (b == op.EXT_PREFIX) return 0x5b00 | this.readByte();
    return b;
  }

  // ---- entry points --------------------------------------------------------

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
    this.executeTermList(bytes.length);
    const err = this.error;
    this.error = null;
    return err == null ? "" : err.toString();
  }

  private enterCode(ref: AmlTableRef, start: i32, end: i32): void {
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
      return this.callMethod(target, (targetObj as AmlMethod), args);
    }
    return this.readNodeValue(target, true);
  }

  // ---- term lists and statements -------------------------------------------

  private executeTermList(end: i32): void {
    const savedLimit = this.limit;
    this.limit = end;
    while (this.pc < end && !this.failed && this.control == CONTROL_NONE) this.evaluateTerm(false);
    this.limit = savedLimit;
  }

  /** Decodes and runs one term; returns its value when `wantValue`. */
  private evaluateTerm(wantValue: bool): AmlObject | null {
    chargeAmlBytes(TERM_BYTES);
    if (amlBudgetExceeded()) return this.fail(amlBudgetProblem("this evaluation", 0));
    if (!countAmlWork(1)) return this.fail(amlWorkProblem());
    if (++this.nesting > MAX_NESTING) {
      this.nesting--;
      return this.fail("expression and call nesting deeper than " + MAX_NESTING.toString());
    }
    const result = this.dispatch(wantValue);
    this.nesting--;
    return result;
  }

  private dispatch(wantValue: bool): AmlObject | null {
    const start = this.pc;
    const first = this.peekByte();
    if (first < 0) return this.fail("AML ends where an operand was expected");
    // Errors name the innermost term being decoded: remember the outer one.
    const savedStart = this.opStart, savedOpcode = this.opcode;
    this.opStart = start;
    let result: AmlObject | null;
    if (Interpreter.isNameStart(first)) {
      this.opcode = first; // reported as "NameString": a name or a method call
      result = this.evaluateNameTerm(wantValue);
    } else {
      const code = this.readOpcode();
      if (this.failed) return null;
      this.opcode = code;
      result = this.executeOpcode(code, wantValue);
    }
    if (!this.failed) { this.opStart = savedStart; this.opcode = savedOpcode; }
    return result;
  }

  private evaluateNameTerm(wantValue: bool): AmlObject | null {
    const path = this.readNameString();
    if (this.failed) return null;
    const node = this.ns.lookup(path, this.frame.scope);
    if (node == null) {
      return this.fail("undefined name " + path.toString() + " (from " + this.frame.scope.path() + ")");
    }
    let target = node;
    const aliased = node.object;
    if (aliased instanceof AmlAlias) target = (aliased as AmlAlias).target;
    const obj = target.object;
    if (obj instanceof AmlMethod) {
      const method = obj as AmlMethod;
      const args = new Array<AmlObject | null>();
      chargeAmlBytes(OBJECT_BYTES * 2);
      for (let i = 0; i < method.argCount && !this.failed; i++) args.push(this.evaluateOperand());
      if (this.failed) return null;
      return this.callMethod(target, method, args);
    }
    return this.readNodeValue(target, false);
  }

  /** A TermArg that must produce a value. */
  private evaluateOperand(): AmlObject | null {
    const result = this.evaluateTerm(true);
    if (result == null && !this.failed) return this.fail("operand produced no value");
    return result;
  }

  private evaluateInteger(): u64 {
    const obj = this.evaluateOperand();
    if (this.failed) return 0;
    const i = toInteger(this.dereference(obj), this.ones);
    if (i == null) { this.fail(conversionError); return 0; }
    return i.value & this.ones;
  }

  /** An operand's value, with references (from Index, RefOf) followed. */
  private dereference(obj: AmlObject | null): AmlObject | null {
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
    if (ref.kind == RefKind.Named && ref.target != null) return ref.target;
    return obj;
  }

  // ---- the opcode switch ----------------------------------------------------

  private executeOpcode(code: i32, wantValue: bool): AmlObject | null {
    switch (code) {
      case op.ZERO_OP: return new AmlInteger(0);
      case op.ONE_OP: return new AmlInteger(1);
      case op.ONES_OP: return new AmlInteger(this.ones);
      case op.BYTE_PREFIX: return new AmlInteger(this.readInt(1));
      case op.WORD_PREFIX: return new AmlInteger(this.readInt(2));
      case op.DWORD_PREFIX: return new AmlInteger(this.readInt(4));
      case op.QWORD_PREFIX: return new AmlInteger(this.readInt(8) & this.ones);
      case op.STRING_PREFIX: return this.readStringConstant();
      case op.REVISION_OP: return new AmlInteger(INTERPRETER_REVISION & this.ones);
      case op.TIMER_OP: return new AmlInteger(this.timer());
      case op.DEBUG_OP: return new AmlDebug();
      case op.BUFFER_OP: return this.buildBuffer();
      case op.PACKAGE_OP: return this.buildPackage(false);
      case op.VAR_PACKAGE_OP: return this.buildPackage(true);
      case op.NAME_OP: return this.defineName();
      case op.ALIAS_OP: return this.defineAlias();
      case op.SCOPE_OP: return this.defineScope();
      case op.METHOD_OP: return this.defineMethod();
      case op.EXTERNAL_OP: this.readNameString(); this.readByte(); this.readByte(); return null;
      case op.DEVICE_OP: return this.defineContainer(ObjectType.Device, 0);
      case op.PROCESSOR_OP: return this.defineContainer(ObjectType.Processor, 6);
      case op.POWER_RES_OP: return this.defineContainer(ObjectType.Power, 3);
      case op.THERMAL_ZONE_OP: return this.defineContainer(ObjectType.Thermal, 0);
      case op.MUTEX_OP: return this.defineMutex();
      case op.EVENT_OP: return this.defineSimple(new AmlEvent());
      case op.OP_REGION_OP: return this.defineRegion();
      case op.FIELD_OP: return this.defineFields(ObjectType.RegionField);
      case op.INDEX_FIELD_OP: return this.defineFields(ObjectType.IndexField);
      case op.BANK_FIELD_OP: return this.defineFields(ObjectType.BankField);
      case op.CREATE_BIT_FIELD_OP: return this.defineBufferField(1, true);
      case op.CREATE_BYTE_FIELD_OP: return this.defineBufferField(8, false);
      case op.CREATE_WORD_FIELD_OP: return this.defineBufferField(16, false);
      case op.CREATE_DWORD_FIELD_OP: return this.defineBufferField(32, false);
      case op.CREATE_QWORD_FIELD_OP: return this.defineBufferField(64, false);
      case op.CREATE_FIELD_OP: return this.defineBufferField(0, true);
      case op.IF_OP: return this.executeIf();
      case op.ELSE_OP: return this.fail("Else without a preceding If");
      case op.WHILE_OP: return this.executeWhile();
      case op.RETURN_OP: return this.executeReturn();
      case op.BREAK_OP: this.control = CONTROL_BREAK; return null;
      case op.CONTINUE_OP: this.control = CONTROL_CONTINUE; return null;
      case op.NOOP_OP: return null;
      case op.BREAKPOINT_OP: return null;
      case op.STORE_OP: return this.executeStore();
      case op.COPY_OBJECT_OP: return this.executeCopyObject();
      case op.ADD_OP: case op.SUBTRACT_OP: case op.MULTIPLY_OP: case op.SHIFT_LEFT_OP:
      case op.SHIFT_RIGHT_OP: case op.AND_OP: case op.NAND_OP: case op.OR_OP: case op.NOR_OP:
      case op.XOR_OP: case op.MOD_OP:
        return this.executeBinary(code);
      case op.DIVIDE_OP: return this.executeDivide();
      case op.NOT_OP: case op.FIND_SET_LEFT_BIT_OP: case op.FIND_SET_RIGHT_BIT_OP:
      case op.FROM_BCD_OP: case op.TO_BCD_OP:
        return this.executeUnary(code);
      case op.INCREMENT_OP: return this.executeIncrement(1);
      case op.DECREMENT_OP: return this.executeIncrement(-1);
      case op.LAND_OP: case op.LOR_OP: {
        const a = this.evaluateInteger();
        const b = this.evaluateInteger();
        if (this.failed) return null;
        const r = code == op.LAND_OP ? (a != 0 && b != 0) : (a != 0 || b != 0);
        return this.logical(r);
      }
      case op.LNOT_OP: {
        const a = this.evaluateInteger();
        return this.failed ? null : this.logical(a == 0);
      }
      case op.LEQUAL_OP: case op.LGREATER_OP: case op.LLESS_OP: return this.executeCompare(code);
      case op.DEREF_OF_OP: return this.executeDerefOf();
      case op.REF_OF_OP: return this.executeRefOf();
      case op.COND_REF_OF_OP: return this.executeCondRefOf();
      case op.INDEX_OP: return this.executeIndex();
      case op.SIZE_OF_OP: return this.executeSizeOf();
      case op.OBJECT_TYPE_OP: return this.executeObjectType();
      case op.MATCH_OP: return this.executeMatch();
      case op.CONCAT_OP: return this.executeConcat();
      case op.CONCAT_RES_OP: return this.executeConcatRes();
      case op.MID_OP: return this.executeMid();
      case op.TO_BUFFER_OP: case op.TO_DECIMAL_STRING_OP: case op.TO_HEX_STRING_OP:
      case op.TO_INTEGER_OP: return this.executeConversion(code);
      case op.TO_STRING_OP: return this.executeToString();
      case op.NOTIFY_OP: return this.executeNotify();
      case op.ACQUIRE_OP: return this.executeAcquire();
      case op.RELEASE_OP: return this.executeRelease();
      case op.SIGNAL_OP: case op.RESET_OP: return this.executeEvent(code);
      case op.WAIT_OP: return this.executeWait();
      case op.SLEEP_OP: case op.STALL_OP: this.evaluateInteger(); return null;
      case op.FATAL_OP: {
        const type = this.readByte();
        const fatalCode = this.readInt(4);
        const arg = this.evaluateInteger();
        if (this.failed) return null;
        return this.fail("Fatal(0x" + type.toString(16) + ", 0x" + fatalCode.toString(16) + ", 0x" + arg.toString(16) + ") executed");
      }
      case op.LOAD_OP: case op.LOAD_TABLE_OP: case op.UNLOAD_OP: case op.DATA_REGION_OP:
        return this.fail(op.opcodeName(code) + " is not supported by this interpreter");
    }
    if (code >= op.LOCAL0 && code <= op.LOCAL7) {
      const value = this.frame.locals[code - op.LOCAL0];
      if (value == null && wantValue) return this.fail("Local" + (code - op.LOCAL0).toString() + " is used before it is set");
      return value;
    }
    if (code >= op.ARG0 && code <= op.ARG6) {
      const value = this.frame.args[code - op.ARG0];
      if (value == null && wantValue) return this.fail("Arg" + (code - op.ARG0).toString() + " is not passed to this method");
      return value;
    }
    return this.fail("unknown opcode 0x" + (<u32>code).toString(16));
  }

  private logical(value: bool): AmlInteger {
    return new AmlInteger(value ? this.ones : 0);
  }

  private timer(): u64 {
    // 100 ns units, monotonic; a counter suffices for the uses AML makes of it.
    timerTicks += 10;
    return timerTicks & this.ones;
  }

  private readStringConstant(): AmlObject | null {
    let n = 0;
    while (this.pc + n < this.limit && unchecked(this.code[this.pc + n]) != 0) n++;
    if (!(amlCanAllocate(<u64>n * 4 + OBJECT_BYTES) || this.refuse("a " + n.toString() + "-character String constant", <u64>n * 4 + OBJECT_BYTES))) return null;
    const s = new TextBuilder(n);
    for (;;) {
      const c = this.readByte();
      if (this.failed) return null;
      if (c == 0) break;
      if (c > 0x7f) return this.fail("String constant has the non-ASCII byte 0x" + c.toString(16));
      s.char(c);
    }
    return new AmlString(s.toString());
  }

  private buildBuffer(): AmlObject | null {
    const end = this.readPkgEnd();
    if (this.failed) return null;
    const savedLimit = this.limit;
    this.limit = end;
    const size = this.evaluateInteger();
    this.limit = savedLimit;
    if (this.failed) return null;
    const initLength = end - this.pc;
    if (size > 0x100000) return this.fail("Buffer size " + size.toString() + " is larger than 1 MiB");
    const length = max(<i32>size, initLength);
    if (!(amlCanAllocate(<u64>length + OBJECT_BYTES * 2) || this.refuse("Buffer of " + length.toString() + " bytes", <u64>length + OBJECT_BYTES * 2))) return null;
    const data = new Uint8Array(length);
    for (let i = 0; i < initLength; i++) unchecked(data[i] = this.code[this.pc + i]);
    this.pc = end;
    return new AmlBuffer(data);
  }

  private buildPackage(variable: bool): AmlObject | null {
    const end = this.readPkgEnd();
    if (this.failed) return null;
    const savedLimit = this.limit;
    this.limit = end;
    let count: i32;
    if (variable) {
      const n = this.evaluateInteger();
      if (n > 0x10000) { this.limit = savedLimit; return this.fail("VarPackage of " + n.toString() + " elements"); }
      count = <i32>n;
    } else {
      count = this.readByte();
    }
    if (!(amlCanAllocate((<u64>count << 2) + OBJECT_BYTES * 2) || this.refuse("Package of " + count.toString() + " elements", (<u64>count << 2) + OBJECT_BYTES * 2))) {
      this.limit = savedLimit;
      return null;
    }
    const elements = new Array<AmlObject | null>();
    while (this.pc < end && !this.failed) {
      const c = this.peekByte();
      if (Interpreter.isNameStart(c)) {
        elements.push(this.packageNameElement());
      } else {
        elements.push(this.evaluateOperand());
      }
    }
    this.limit = savedLimit;
    if (this.failed) return null;
    if (elements.length > count) {
      if (!variable) return this.fail("Package declares " + count.toString() + " elements but lists " + elements.length.toString());
    }
    while (elements.length < count) elements.push(null);
    return new AmlPackage(elements);
  }

  /** A name inside a Package is a reference to the object, not its value. */
  private packageNameElement(): AmlObject | null {
    const path = this.readNameString();
    if (this.failed) return null;
    const node = this.ns.lookup(path, this.frame.scope);
    // A name may be defined after the Package (q35's _PRT names LNKx before
    // they exist): keep the scope so it can be resolved when it is used.
    const ref = new AmlReference(node == null ? RefKind.Unresolved : RefKind.Named);
    ref.nodePath = node == null ? path.toString() : node.path();
    ref.scopePath = this.frame.scope.path();
    if (node != null) ref.target = node.object;
    return ref;
  }

  // ---- definitions -----------------------------------------------------------

  /** Creates the node for `path` in the current scope, or fails. */
  private createNode(path: NamePath, obj: AmlObject): NamespaceNode | null {
    if (path.segments.length == 0) { this.fail("cannot define an object with an empty name"); return null; }
    const parent = this.ns.parentFor(path, this.frame.scope);
    if (parent == null) { this.fail("the scope of " + path.toString() + " does not exist"); return null; }
    const name = path.segments[path.segments.length - 1];
    if (parent.child(name) != null) {
      this.fail((parent.parent == null ? "\\" : parent.path() + ".") + name + " already exists");
      return null;
    }
    const node = new NamespaceNode(name, parent);
    chargeAmlBytes(OBJECT_BYTES * 3); // the node and its children array
    node.object = obj;
    parent.addChild(node);
    if (this.frame.inMethod) {
      node.temporary = true;
      const frame = this.frame;
      if (frame.temporaries == null) frame.temporaries = new Array<NamespaceNode>();
      frame.temporaries!.push(node);
    }
    return node;
  }

  private defineName(): AmlObject | null {
    const path = this.readNameString();
    if (this.failed) return null;
    const value = this.evaluateOperand();
    if (this.failed) return null;
    this.createNode(path, value!);
    return null;
  }

  private defineAlias(): AmlObject | null {
    const source = this.readNameString();
    const alias = this.readNameString();
    if (this.failed) return null;
    const node = this.ns.lookup(source, this.frame.scope);
    if (node == null) return this.fail("Alias source " + source.toString() + " is undefined");
    this.createNode(alias, new AmlAlias(node));
    return null;
  }

  /** Runs `end`-bounded body with `node` as the scope. */
  private executeInScope(node: NamespaceNode, end: i32): void {
    const savedScope = this.frame.scope;
    this.frame.scope = node;
    this.executeTermList(end);
    this.frame.scope = savedScope;
    this.pc = end;
  }

  private defineScope(): AmlObject | null {
    const end = this.readPkgEnd();
    const savedLimit = this.limit;
    this.limit = end;
    const path = this.readNameString();
    this.limit = savedLimit;
    if (this.failed) return null;
    const node = this.ns.lookup(path, this.frame.scope);
    if (node == null) return this.fail("Scope " + path.toString() + " does not exist");
    const t = node.type;
    if (t != ObjectType.Scope && t != ObjectType.Device && t != ObjectType.Processor &&
        t != ObjectType.Thermal && t != ObjectType.Power) {
      return this.fail("Scope " + path.toString() + " names a " + typeName(t) + ", not a scope");
    }
    this.executeInScope(node, end);
    return null;
  }

  private defineContainer(type: ObjectType, fixedBytes: i32): AmlObject | null {
    const end = this.readPkgEnd();
    const savedLimit = this.limit;
    this.limit = end;
    const path = this.readNameString();
    for (let i = 0; i < fixedBytes; i++) this.readByte(); // ProcID/PBLK, level/order
    this.limit = savedLimit;
    if (this.failed) return null;
    const node = this.createNode(path, new AmlContainer(type));
    if (node == null) return null;
    this.executeInScope(node, end);
    return null;
  }

  private defineMethod(): AmlObject | null {
    const end = this.readPkgEnd();
    const savedLimit = this.limit;
    this.limit = end;
    const path = this.readNameString();
    const flags = this.readByte();
    this.limit = savedLimit;
    if (this.failed) return null;
    this.createNode(path, new AmlMethod(flags & 7, (flags & 8) != 0, this.table, this.pc, end));
    this.pc = end;
    return null;
  }

  private defineMutex(): AmlObject | null {
    const path = this.readNameString();
    const flags = this.readByte();
    if (this.failed) return null;
    this.createNode(path, new AmlMutex(<u8>(flags & 0xf)));
    return null;
  }

  private defineSimple(obj: AmlObject): AmlObject | null {
    const path = this.readNameString();
    if (this.failed) return null;
    this.createNode(path, obj);
    return null;
  }

  private defineRegion(): AmlObject | null {
    const path = this.readNameString();
    const space = this.readByte();
    const offset = this.evaluateInteger();
    const length = this.evaluateInteger();
    if (this.failed) return null;
    const region = new AmlRegion(<u8>space, offset, length);
    const node = this.createNode(path, region);
    if (node != null) this.regionNodes.set(region, node);
    return null;
  }

  private defineFields(kind: ObjectType): AmlObject | null {
    const end = this.readPkgEnd();
    const savedLimit = this.limit;
    this.limit = end;
    let region: AmlRegion | null = null;
    let indexField: AmlField | null = null, dataField: AmlField | null = null, bankField: AmlField | null = null;
    let bankValue: u64 = 0;
    if (kind == ObjectType.IndexField) {
      indexField = this.fieldByName(this.readNameString());
      dataField = this.fieldByName(this.readNameString());
    } else {
      const regionPath = this.readNameString();
      if (!this.failed) {
        const node = this.ns.lookup(regionPath, this.frame.scope);
        if (node != null && node.object instanceof AmlRegion) region = node.object as AmlRegion;
        else this.fail("Field region " + regionPath.toString() + " is " + (node == null ? "undefined" : "a " + typeName(node.type)));
      }
      if (kind == ObjectType.BankField && !this.failed) {
        bankField = this.fieldByName(this.readNameString());
        if (!this.failed) bankValue = this.evaluateInteger();
      }
    }
    // Chains are bounded here, when they are defined: an access to a field
    // built on others makes one access to each of them, recursively.
    let chainDepth = 0;
    if (!this.failed && kind != ObjectType.RegionField) {
      const below = max(max(indexField == null ? 0 : indexField!.chainDepth, dataField == null ? 0 : dataField!.chainDepth),
        bankField == null ? 0 : bankField!.chainDepth);
      chainDepth = below + 1;
      if (chainDepth > MAX_FIELD_CHAIN) {
        this.fail(typeName(kind) + " chain " + chainDepth.toString() + " fields deep; at most " + MAX_FIELD_CHAIN.toString() +
          " (each level doubles the accesses of every read and write)");
      }
    }
    const flags = this.readByte();
    let accessType = <u8>(flags & 0xf);
    const updateRule = <u8>((flags >> 5) & 3);
    if (accessType > ACCESS_BUFFER) this.fail("field access type " + accessType.toString() + " is reserved");
    let bit: u64 = 0;
    while (this.pc < end && !this.failed) {
      const c = this.peekByte();
      if (c == 0x00) { // ReservedField
        this.pc++;
        bit += <u64>this.readFieldLength();
      } else if (c == 0x01) { // AccessField
        this.pc++;
        accessType = <u8>(this.readByte() & 0xf);
        this.readByte();
      } else if (c == 0x02) { // ConnectField
        this.pc++;
        this.fail("ConnectField (GPIO/serial-bus connections) is not supported");
      } else if (c == 0x03) { // ExtendedAccessField
        this.pc++;
        accessType = <u8>(this.readByte() & 0xf);
        this.readByte();
        this.readByte();
      } else {
        const name = this.readNameSeg();
        const length = this.readFieldLength();
        if (this.failed) break;
        if (bit + <u64>length > 0xffffffff) {
          this.fail("field " + name + " ends at bit " + (bit + <u64>length).toString() + ", past the 2^32 bits a field list can address");
          break;
        }
        const field = new AmlField(kind, <u32>bit, length, accessType, updateRule);
        field.region = region;
        field.indexField = indexField;
        field.dataField = dataField;
        field.bankField = bankField;
        field.bankValue = bankValue;
        field.chainDepth = chainDepth;
        const path = new NamePath(1);
        path.segments[0] = name;
        this.createNode(path, field);
        bit += <u64>length;
      }
    }
    this.limit = savedLimit;
    this.pc = end;
    return null;
  }

  /** A field element's bit length: a PkgLength-encoded number. */
  private readFieldLength(): u32 {
    const lead = this.readByte();
    const follow = lead >> 6;
    let length: u32 = follow == 0 ? <u32>(lead & 0x3f) : <u32>(lead & 0x0f);
    for (let i = 0; i < follow; i++) length |= <u32>this.readByte() << (4 + 8 * i);
    return length;
  }

  private fieldByName(path: NamePath): AmlField | null {
    if (this.failed) return null;
    const node = this.ns.lookup(path, this.frame.scope);
    if (node != null && node.object instanceof AmlField) return node.object as AmlField;
    this.fail(path.toString() + " is not a field");
    return null;
  }

  private defineBufferField(bits: u32, bitIndexed: bool): AmlObject | null {
    const source = this.dereference(this.evaluateOperand());
    const index = this.evaluateInteger();
    let length: u64 = bits;
    if (bits == 0) length = this.evaluateInteger();
    const path = this.readNameString();
    if (this.failed) return null;
    if (!(source instanceof AmlBuffer)) return this.fail("buffer field source must be a Buffer, got " + describe(source));
    const buffer = source as AmlBuffer;
    const bufferBits = <u64>buffer.data.length * 8;
    if (length == 0) return this.fail("buffer field of zero bits");
    // Checked without wrapping: an index of 2^61 bytes is 2^64 bits, not 0.
    const indexTooLarge = !bitIndexed && index > (<u64>0xffffffffffffffff >> 3);
    const bitOffset = bitIndexed ? index : index << 3;
    if (indexTooLarge || bitOffset > bufferBits || length > bufferBits - bitOffset) {
      return this.fail("buffer field at " + (bitIndexed ? "bit " + index.toString() : (indexTooLarge ? "byte " + index.toString() : "bit " + bitOffset.toString())) +
        " length " + length.toString() + " runs past the end of a " + buffer.data.length.toString() + "-byte Buffer");
    }
    this.createNode(path, new AmlBufferField(buffer, <u32>bitOffset, <u32>length, bits == 0));
    return null;
  }

  // ---- control flow -------------------------------------------------------------

  private executeIf(): AmlObject | null {
    const end = this.readPkgEnd();
    if (this.failed) return null;
    const savedLimit = this.limit;
    this.limit = end;
    const predicate = this.evaluateInteger();
    this.limit = savedLimit;
    if (this.failed) return null;
    if (predicate != 0) {
      this.executeTermList(end);
      if (this.failed || this.control != CONTROL_NONE) return null;
      this.pc = end;
      if (this.peekByte() == op.ELSE_OP) {
        this.pc++;
        this.pc = this.readPkgEnd();
      }
    } else {
      this.pc = end;
      if (this.peekByte() == op.ELSE_OP) {
        this.pc++;
        const elseEnd = this.readPkgEnd();
        if (this.failed) return null;
        this.executeTermList(elseEnd);
        if (!this.failed && this.control == CONTROL_NONE) this.pc = elseEnd;
      }
    }
    return null;
  }

  private executeWhile(): AmlObject | null {
    const end = this.readPkgEnd();
    if (this.failed) return null;
    const predicateStart = this.pc;
    const whileStart = this.opStart;
    for (let iteration = 0; ; iteration++) {
      if (iteration >= MAX_WHILE_ITERATIONS) {
        this.opStart = whileStart;
        this.opcode = op.WHILE_OP;
        return this.fail("While loop ran " + MAX_WHILE_ITERATIONS.toString() + " iterations without ending (runaway loop)");
      }
      this.pc = predicateStart;
      const savedLimit = this.limit;
      this.limit = end;
      const predicate = this.evaluateInteger();
      this.limit = savedLimit;
      if (this.failed || predicate == 0) break;
      this.executeTermList(end);
      if (this.failed) return null;
      if (this.control == CONTROL_BREAK) { this.control = CONTROL_NONE; break; }
      if (this.control == CONTROL_CONTINUE) this.control = CONTROL_NONE;
      if (this.control == CONTROL_RETURN) return null;
    }
    if (!this.failed) this.pc = end;
    return null;
  }

  private executeReturn(): AmlObject | null {
    const value = this.evaluateOperand();
    if (this.failed) return null;
    const v = this.dereferenceForReturn(value);
    if (this.failed) return null;
    this.returnValue = v;
    this.control = CONTROL_RETURN;
    return null;
  }

  private dereferenceForReturn(value: AmlObject | null): AmlObject | null {
    return value;
  }

  private callMethod(node: NamespaceNode, method: AmlMethod, args: Array<AmlObject | null>): AmlObject | null {
    if (method.nativeId == NATIVE_OSI) return this.nativeOsi(args);
    if (this.callDepth >= MAX_CALL_DEPTH) {
      return this.fail("method calls nested deeper than " + MAX_CALL_DEPTH.toString() + " (runaway recursion?) calling " + node.path());
    }
    const savedTable = this.table, savedCode = this.code, savedPc = this.pc, savedLimit = this.limit;
    const savedFrame = this.frame, savedStart = this.opStart, savedOpcode = this.opcode;
    while (this.methodFrames.length <= this.callDepth) this.methodFrames.push(new Frame(node, true));
    const frame = unchecked(this.methodFrames[this.callDepth]);
    frame.scope = node;
    for (let i = 0; i < args.length && i < 7; i++) frame.args[i] = args[i];
    this.frame = frame;
    this.callDepth++;
    this.enterCode(method.table!, method.start, method.end);
    this.opStart = method.start;
    this.opcode = -1;
    this.executeTermList(method.end);
    this.callDepth--;
    let result: AmlObject | null = null;
    if (this.control == CONTROL_RETURN) result = this.returnValue;
    this.control = CONTROL_NONE;
    this.returnValue = null;
    const temporaries = frame.temporaries;
    for (let i = temporaries == null ? -1 : temporaries.length - 1; i >= 0; i--) {
      const t = temporaries![i];
      const parent = t.parent;
      if (parent != null) {
        const at = parent.children.indexOf(t);
        if (at >= 0) parent.children.splice(at, 1);
      }
    }
    frame.clear();
    this.frame = savedFrame;
    this.table = savedTable;
    this.code = savedCode;
    this.pc = savedPc;
    this.limit = savedLimit;
    if (this.failed) return null;
    this.opStart = savedStart;
    this.opcode = savedOpcode;
    return result;
  }

  private nativeOsi(args: Array<AmlObject | null>): AmlObject | null {
    const arg = args.length > 0 ? args[0] : null;
    if (!(arg instanceof AmlString)) return this.fail("_OSI needs a String argument, got " + describe(arg));
    const wanted = (arg as AmlString).value;
    for (let i = 0; i < OSI_STRINGS.length; i++) if (OSI_STRINGS[i] == wanted) return this.logical(true);
    return this.logical(false);
  }

  // ---- names, targets and stores ----------------------------------------------

  /** A named object's value as an operand: fields are read, data returned. */
  private readNodeValue(node: NamespaceNode, topLevel: bool): AmlObject | null {
    const obj = node.object;
    if (obj instanceof AmlField) return this.readField((obj as AmlField), node);
    if (obj instanceof AmlBufferField) return this.readBufferField((obj as AmlBufferField));
    if (obj == null) return this.fail(node.path() + " has no value");
    const t = obj.type;
    if (!topLevel && (t == ObjectType.Device || t == ObjectType.Scope || t == ObjectType.Processor ||
        t == ObjectType.Thermal || t == ObjectType.Power || t == ObjectType.Mutex ||
        t == ObjectType.Event || t == ObjectType.Region)) {
      return this.fail(node.path() + " is a " + typeName(t) + ", not a value");
    }
    return obj;
  }

  /** Decodes a Target: NullName, a SuperName, or a Type6 reference expression.
   * With `allowValue`, an expression yielding a plain value (DerefOf) is
   * accepted too, for operators that only read their operand. */
  private readTarget(allowNull: bool, allowValue: bool = false): Target | null {
    const t = new Target();
    const c = this.peekByte();
    if (c < 0) { this.fail("AML ends where a target was expected"); return null; }
    if (c == 0x00) {
      this.pc++;
      if (!allowNull) { this.fail("a name is required here, got NullName"); return null; }
      return t;
    }
    if (c >= op.LOCAL0 && c <= op.LOCAL7) { this.pc++; t.kind = TARGET_LOCAL; t.slot = c - op.LOCAL0; return t; }
    if (c >= op.ARG0 && c <= op.ARG6) { this.pc++; t.kind = TARGET_ARG; t.slot = c - op.ARG0; return t; }
    if (c == op.EXT_PREFIX && this.pc + 1 < this.limit && this.code[this.pc + 1] == 0x31) {
      this.pc += 2;
      t.kind = TARGET_DEBUG;
      return t;
    }
    if (Interpreter.isNameStart(c)) {
      const path = this.readNameString();
      if (this.failed) return null;
      const node = this.ns.lookup(path, this.frame.scope);
      if (node == null) { this.fail("undefined name " + path.toString() + " (from " + this.frame.scope.path() + ")"); return null; }
      let n = node;
      const aliased = node.object;
      if (aliased instanceof AmlAlias) n = (aliased as AmlAlias).target;
      t.kind = TARGET_NODE;
      t.node = n;
      return t;
    }
    // RefOf, DerefOf, Index or a method call yielding a reference.
    const value = this.evaluateOperand();
    if (this.failed) return null;
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
    this.fail("target is a " + describe(value) + ", not a reference");
    return null;
  }

  /** The object a Target currently holds (for Increment, SizeOf, …). */
  private targetValue(t: Target): AmlObject | null {
    if (t.kind == TARGET_LOCAL) return this.frame.locals[t.slot];
    if (t.kind == TARGET_ARG) return this.dereference(this.frame.args[t.slot]);
    if (t.kind == TARGET_NODE) return this.readNodeValue(t.node!, true);
    if (t.kind == TARGET_REF) return this.dereference(t.ref);
    if (t.kind == TARGET_VALUE) return t.value;
    return null;
  }

  private store(t: Target, value: AmlObject | null): void {
    if (this.failed || t.kind == TARGET_NONE) return;
    if (value == null) { this.fail("cannot store an uninitialized object"); return; }
    switch (t.kind) {
      case TARGET_LOCAL: {
        const copy = this.copyForStore(value);
        if (!this.failed) this.frame.locals[t.slot] = copy;
        return;
      }
      case TARGET_ARG: {
        const held = this.frame.args[t.slot];
        if (held instanceof AmlReference) { this.storeThroughReference((held as AmlReference), value); return; }
        const copy = this.copyForStore(value);
        if (!this.failed) this.frame.args[t.slot] = copy;
        return;
      }
      case TARGET_DEBUG: this.debugLines.push(this.describeValue(value)); return;
      case TARGET_NODE: this.storeToNode(t.node!, value); return;
      case TARGET_REF: this.storeThroughReference(t.ref!, value); return;
    }
  }

  private storeThroughReference(ref: AmlReference, value: AmlObject): void {
    if (ref.kind == RefKind.PackageElement) {
      const pkg = ref.container as AmlPackage;
      const copy = this.copyForStore(value);
      if (!this.failed) pkg.elements[ref.index] = copy;
    } else if (ref.kind == RefKind.BufferByte) {
      const i = toInteger(this.dereference(value), this.ones);
      if (i == null) { this.fail(conversionError); return; }
      (ref.container as AmlBuffer).data[ref.index] = <u8>i.value;
    } else if (ref.kind == RefKind.Named && ref.nodePath.length > 0) {
      const node = this.lookupText(ref.nodePath);
      if (node == null) { this.fail("reference to " + ref.nodePath + " no longer resolves"); return; }
      this.storeToNode(node, value);
    } else {
      this.fail("cannot store through a reference to " + ref.nodePath);
    }
  }

  private lookupText(path: string): NamespaceNode | null {
    const body = path.substring(1);
    const parts = body.length > 0 ? body.split(".") : new Array<string>(0);
    const p = new NamePath(parts.length);
    p.absolute = true;
    for (let i = 0; i < parts.length; i++) p.segments[i] = parts[i];
    return this.ns.lookup(p, this.ns.root);
  }

  /** Store to a named object, with ACPI's implicit conversion to its type. */
  private storeToNode(node: NamespaceNode, value: AmlObject): void {
    const v = this.dereference(value);
    const current = node.object;
    if (current instanceof AmlField) { this.writeField((current as AmlField), node, v); return; }
    if (current instanceof AmlBufferField) { this.writeBufferField((current as AmlBufferField), v); return; }
    if (current instanceof AmlInteger) {
      const i = toInteger(v, this.ones);
      if (i == null) { this.fail(conversionError); return; }
      node.object = new AmlInteger(i.value & this.ones);
      return;
    }
    if (current instanceof AmlString) {
      const s = toStringImplicit(v, this.byteWidth);
      if (s == null) { this.fail(conversionError); return; }
      node.object = new AmlString(s.value);
      return;
    }
    if (current instanceof AmlBuffer) {
      const b = toBuffer(v, this.byteWidth);
      if (b == null) { this.fail(conversionError); return; }
      // The target keeps its length: truncate or zero-fill, as ACPICA does.
      const data = (current as AmlBuffer).data;
      for (let i = 0; i < data.length; i++) data[i] = i < b.data.length ? b.data[i] : 0;
      return;
    }
    if (current == null || current instanceof AmlPackage || current instanceof AmlReference) {
      const copy = this.copyForStore(v);
      if (!this.failed) node.object = copy;
      return;
    }
    this.fail("cannot store into " + node.path() + ", a " + typeName(current.type));
  }

  private executeStore(): AmlObject | null {
    const value = this.evaluateOperand();
    if (this.failed) return null;
    const t = this.readTarget(false);
    if (this.failed) return null;
    this.store(t!, value);
    return value;
  }

  private executeCopyObject(): AmlObject | null {
    const value = this.evaluateOperand();
    const t = this.readTarget(false);
    if (this.failed) return null;
    const target = t!;
    const copy = this.copyForStore(this.dereference(value));
    if (this.failed) return null;
    if (target.kind == TARGET_NODE) { target.node!.object = copy; return copy; }
    this.store(target, copy);
    return copy;
  }

  // ---- arithmetic and logic ------------------------------------------------------

  private executeBinary(code: i32): AmlObject | null {
    const a = this.evaluateInteger();
    const b = this.evaluateInteger();
    const t = this.readTarget(true);
    if (this.failed) return null;
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
        if (b == 0) return this.fail("Mod by zero");
        r = a % b;
        break;
    }
    const result = new AmlInteger(r & this.ones);
    this.store(t!, result);
    return result;
  }

  private executeDivide(): AmlObject | null {
    const a = this.evaluateInteger();
    const b = this.evaluateInteger();
    const remainderTarget = this.readTarget(true);
    const quotientTarget = this.readTarget(true);
    if (this.failed) return null;
    if (b == 0) return this.fail("Divide by zero");
    const quotient = new AmlInteger(a / b);
    this.store(remainderTarget!, new AmlInteger(a % b));
    this.store(quotientTarget!, quotient);
    return quotient;
  }

  private executeUnary(code: i32): AmlObject | null {
    const a = this.evaluateInteger();
    const t = this.readTarget(true);
    if (this.failed) return null;
    let r: u64 = 0;
    if (code == op.NOT_OP) r = ~a;
    else if (code == op.FIND_SET_LEFT_BIT_OP) r = a == 0 ? 0 : <u64>(64 - clz(a));
    else if (code == op.FIND_SET_RIGHT_BIT_OP) r = a == 0 ? 0 : <u64>(ctz(a) + 1);
    else if (code == op.FROM_BCD_OP) {
      let mul: u64 = 1;
      for (let v = a; v != 0; v >>= 4) {
        const digit = v & 0xf;
        if (digit > 9) return this.fail("FromBCD operand 0x" + a.toString(16) + " is not BCD");
        r += digit * mul;
        mul *= 10;
      }
    } else { // ToBCD
      let shift: u64 = 0;
      for (let v = a; v != 0; v /= 10) { r |= (v % 10) << shift; shift += 4; }
    }
    const result = new AmlInteger(r & this.ones);
    this.store(t!, result);
    return result;
  }

  private executeIncrement(delta: i32): AmlObject | null {
    const t = this.readTarget(false);
    if (this.failed) return null;
    const current = toInteger(this.targetValue(t!), this.ones);
    if (this.failed) return null;
    if (current == null) return this.fail(conversionError);
    const result = new AmlInteger((current.value + <u64>delta) & this.ones);
    this.store(t!, result);
    return result;
  }

  private executeCompare(code: i32): AmlObject | null {
    const a = this.dereference(this.evaluateOperand());
    const b = this.dereference(this.evaluateOperand());
    if (this.failed) return null;
    let order: i32;
    if (a instanceof AmlString || a instanceof AmlBuffer) {
      const left = (a instanceof AmlString) ? toBuffer((a as AmlString), this.byteWidth) : (a as AmlBuffer);
      const right = (a instanceof AmlString) ? toStringImplicit(b, this.byteWidth) : null;
      const rightBytes = right != null ? toBuffer(right, this.byteWidth) : toBuffer(b, this.byteWidth);
      if (left == null || rightBytes == null) return this.fail(conversionError);
      // Strings compare without their terminating NUL.
      const la = (a instanceof AmlString) ? left.data.length - 1 : left.data.length;
      const lb = (a instanceof AmlString) ? rightBytes.data.length - 1 : rightBytes.data.length;
      order = 0;
      for (let i = 0; i < min(la, lb) && order == 0; i++) order = <i32>left.data[i] - <i32>rightBytes.data[i];
      if (order == 0) order = la - lb;
    } else {
      const x = toInteger(a, this.ones), y = toInteger(b, this.ones);
      if (x == null || y == null) return this.fail(conversionError);
      order = x.value == y.value ? 0 : (x.value < y.value ? -1 : 1);
    }
    if (code == op.LEQUAL_OP) return this.logical(order == 0);
    if (code == op.LGREATER_OP) return this.logical(order > 0);
    return this.logical(order < 0);
  }

  // ---- references -------------------------------------------------------------------

  private executeDerefOf(): AmlObject | null {
    const value = this.evaluateOperand();
    if (this.failed) return null;
    if (value instanceof AmlReference) {
      const ref = value as AmlReference;
      if (ref.kind == RefKind.Named) {
        const node = this.lookupText(ref.nodePath);
        if (node == null) return this.fail("DerefOf: " + ref.nodePath + " no longer resolves");
        return this.readNodeValue(node, true);
      }
      if (ref.kind == RefKind.Unresolved) return this.fail("DerefOf: " + ref.nodePath + " is undefined");
      const v = this.dereference(ref);
      if (v == null) return this.fail("DerefOf an uninitialized package element");
      return v;
    }
    if (value instanceof AmlString) {
      const node = this.lookupText((value as AmlString).value.startsWith("\\") ? (value as AmlString).value : "\\" + (value as AmlString).value);
      if (node == null) return this.fail("DerefOf: no object named \"" + (value as AmlString).value + "\"");
      return this.readNodeValue(node, true);
    }
    return this.fail("DerefOf needs a reference or a name string, got " + describe(value));
  }

  private executeRefOf(): AmlObject | null {
    const t = this.readTarget(false);
    if (this.failed) return null;
    return this.referenceTo(t!);
  }

  private referenceTo(t: Target): AmlObject | null {
    if (t.kind == TARGET_NODE) {
      const ref = new AmlReference(RefKind.Named);
      ref.nodePath = t.node!.path();
      ref.target = t.node!.object;
      return ref;
    }
    if (t.kind == TARGET_REF) return t.ref;
    if (t.kind == TARGET_ARG) {
      const held = this.frame.args[t.slot];
      if (held instanceof AmlReference) return (held as AmlReference);
    }
    return this.fail("RefOf a Local or Arg is not supported");
  }

  private executeCondRefOf(): AmlObject | null {
    // An undefined name is an answer here, not an error.
    const c = this.peekByte();
    let t: Target | null = null;
    if (Interpreter.isNameStart(c)) {
      const path = this.readNameString();
      if (this.failed) return null;
      const node = this.ns.lookup(path, this.frame.scope);
      const result = this.readTarget(true);
      if (this.failed) return null;
      if (node == null) return this.logical(false);
      t = new Target();
      t.kind = TARGET_NODE;
      t.node = node;
      const ref = this.referenceTo(t);
      this.store(result!, ref);
      return this.logical(true);
    }
    t = this.readTarget(false);
    const result = this.readTarget(true);
    if (this.failed) return null;
    const value = this.targetValue(t!);
    if (value == null) return this.logical(false);
    this.store(result!, this.referenceTo(t!));
    return this.logical(true);
  }

  private executeIndex(): AmlObject | null {
    const source = this.dereference(this.evaluateOperand());
    const index = this.evaluateInteger();
    const t = this.readTarget(true);
    if (this.failed) return null;
    let ref: AmlReference;
    let length: i32;
    if (source instanceof AmlPackage) { ref = new AmlReference(RefKind.PackageElement); length = (source as AmlPackage).elements.length; }
    else if (source instanceof AmlBuffer) { ref = new AmlReference(RefKind.BufferByte); length = (source as AmlBuffer).data.length; }
    else if (source instanceof AmlString) { ref = new AmlReference(RefKind.StringChar); length = (source as AmlString).value.length; }
    else return this.fail("Index needs a Package, Buffer or String, got " + describe(source));
    if (index >= <u64>length) {
      return this.fail("Index " + index.toString() + " is beyond the end of a " + typeName(source!.type) +
        " of " + length.toString());
    }
    ref.container = source;
    ref.index = <i32>index;
    this.store(t!, ref);
    return ref;
  }

  private executeSizeOf(): AmlObject | null {
    const t = this.readTarget(false, true);
    if (this.failed) return null;
    const value = this.dereference(this.targetValue(t!));
    if (this.failed) return null;
    if (value instanceof AmlString) return new AmlInteger(<u64>(value as AmlString).value.length);
    if (value instanceof AmlBuffer) return new AmlInteger(<u64>(value as AmlBuffer).data.length);
    if (value instanceof AmlPackage) return new AmlInteger(<u64>(value as AmlPackage).elements.length);
    return this.fail("SizeOf needs a String, Buffer or Package, got " + describe(value));
  }

  private executeObjectType(): AmlObject | null {
    const t = this.readTarget(false, true);
    if (this.failed) return null;
    const target = t!;
    let value: AmlObject | null;
    if (target.kind == TARGET_NODE) value = target.node!.object;
    else if (target.kind == TARGET_DEBUG) return new AmlInteger(16);
    else value = this.dereference(this.targetValue(target));
    if (this.failed) return null;
    return new AmlInteger(value == null ? 0 : acpiTypeCode(value.type));
  }

  private executeMatch(): AmlObject | null {
    const source = this.dereference(this.evaluateOperand());
    const op1 = this.readByte();
    const value1 = this.evaluateInteger();
    const op2 = this.readByte();
    const value2 = this.evaluateInteger();
    const start = this.evaluateInteger();
    if (this.failed) return null;
    if (!(source instanceof AmlPackage)) return this.fail("Match needs a Package, got " + describe(source));
    if (op1 > 5 || op2 > 5) return this.fail("Match operator " + max(op1, op2).toString() + " is reserved");
    const pkg = source as AmlPackage;
    // Compared as the integer it is: a start of 0xFFFFFFFF is not -1.
    if (start >= <u64>pkg.elements.length) {
      return this.fail("Match start index 0x" + start.toString(16) + " is beyond the end of a Package of " + pkg.elements.length.toString());
    }
    for (let i = <i32>start; i < pkg.elements.length; i++) {
      const element = toInteger(this.dereference(pkg.elements[i]), this.ones);
      if (element == null) continue;
      if (Interpreter.matches(element.value, op1, value1) && Interpreter.matches(element.value, op2, value2)) {
        return new AmlInteger(<u64>i);
      }
    }
    return new AmlInteger(this.ones);
  }

  private static matches(element: u64, matchOp: i32, value: u64): bool {
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

  // ---- strings and buffers ------------------------------------------------------------

  private executeConcat(): AmlObject | null {
    const a = this.dereference(this.evaluateOperand());
    const b = this.dereference(this.evaluateOperand());
    const t = this.readTarget(true);
    if (this.failed) return null;
    let result: AmlObject | null = null;
    if (a instanceof AmlString) {
      const right = toStringImplicit(b, this.byteWidth);
      if (right == null) return this.fail(conversionError);
      const length = <u64>(a as AmlString).value.length + <u64>right.value.length;
      if (!(amlCanAllocate(length * 2 + OBJECT_BYTES * 2) || this.refuse("Concatenate of two Strings of " + length.toString() + " characters", length * 2 + OBJECT_BYTES * 2))) return null;
      result = new AmlString((a as AmlString).value + right.value);
    } else {
      const left = toBuffer(a, this.byteWidth);
      const right: AmlBuffer | null = left == null ? null : toBuffer(b, this.byteWidth);
      if (left == null || right == null) return this.fail(conversionError);
      if (!(amlCanAllocate(<u64>left.data.length + <u64>right.data.length + OBJECT_BYTES * 2) || this.refuse("Concatenate of a " + left.data.length.toString() + "-byte and a " + right.data.length.toString() + "-byte Buffer", <u64>left.data.length + <u64>right.data.length + OBJECT_BYTES * 2))) return null;
      result = new AmlBuffer(joinBytes(left.data, left.data.length, right.data, right.data.length, 0));
    }
    this.store(t!, result);
    return result;
  }

  /** ConcatenateResTemplate: joins two resource templates, one end tag. */
  private executeConcatRes(): AmlObject | null {
    const a = this.dereference(this.evaluateOperand());
    const b = this.dereference(this.evaluateOperand());
    const t = this.readTarget(true);
    if (this.failed) return null;
    if (!(a instanceof AmlBuffer) || !(b instanceof AmlBuffer)) return this.fail("ConcatenateResTemplate needs two Buffers");
    const left = (a as AmlBuffer).data, right = (b as AmlBuffer).data;
    const leftLength = left.length >= 2 ? left.length - 2 : left.length; // drop the end tag
    const rightLength = right.length >= 2 ? right.length - 2 : right.length;
    if (!(amlCanAllocate(<u64>leftLength + <u64>rightLength + 2 + OBJECT_BYTES * 2) || this.refuse("ConcatenateResTemplate of " + (leftLength + rightLength).toString() + " bytes", <u64>leftLength + <u64>rightLength + 2 + OBJECT_BYTES * 2))) return null;
    const data = joinBytes(left, leftLength, right, rightLength, 2);
    data[leftLength + rightLength] = 0x79; // end tag, checksum 0
    const result = new AmlBuffer(data);
    this.store(t!, result);
    return result;
  }

  private executeMid(): AmlObject | null {
    const source = this.dereference(this.evaluateOperand());
    const index = this.evaluateInteger();
    const length = this.evaluateInteger();
    const t = this.readTarget(true);
    if (this.failed) return null;
    let result: AmlObject;
    if (source instanceof AmlString) {
      const s = (source as AmlString).value;
      const from = <i32>min(index, <u64>s.length);
      const to = from + <i32>min(length, <u64>(s.length - from)); // no wrap-around: length may be 2^64 - 1
      if (!(amlCanAllocate(<u64>(to - from) * 2 + OBJECT_BYTES * 2) || this.refuse("Mid of " + (to - from).toString() + " characters", <u64>(to - from) * 2 + OBJECT_BYTES * 2))) return null;
      result = new AmlString(s.substring(from, to));
    } else if (source instanceof AmlBuffer) {
      const d = (source as AmlBuffer).data;
      const from = <i32>min(index, <u64>d.length);
      const to = from + <i32>min(length, <u64>(d.length - from));
      if (!(amlCanAllocate(<u64>(to - from) + OBJECT_BYTES * 2) || this.refuse("Mid of " + (to - from).toString() + " bytes", <u64>(to - from) + OBJECT_BYTES * 2))) return null;
      result = new AmlBuffer(d.slice(from, to));
    } else {
      return this.fail("Mid needs a String or Buffer, got " + describe(source));
    }
    this.store(t!, result);
    return result;
  }

  private executeConversion(code: i32): AmlObject | null {
    const value = this.dereference(this.evaluateOperand());
    const t = this.readTarget(true);
    if (this.failed) return null;
    let result: AmlObject | null = null;
    if (code == op.TO_BUFFER_OP) result = toBuffer(value, this.byteWidth);
    else if (code == op.TO_HEX_STRING_OP) result = toHexString(value, this.byteWidth);
    else if (code == op.TO_DECIMAL_STRING_OP) result = toDecimalString(value);
    else if (value instanceof AmlString) result = new AmlInteger(stringToIntegerExplicit((value as AmlString).value, this.ones));
    else result = toInteger(value, this.ones);
    if (result == null) return this.fail(conversionError);
    const copy = result instanceof AmlBuffer ? this.copyForStore(result) : result;
    if (this.failed) return null;
    this.store(t!, copy);
    return copy;
  }

  private executeToString(): AmlObject | null {
    const value = this.dereference(this.evaluateOperand());
    const length = this.evaluateInteger();
    const t = this.readTarget(true);
    if (this.failed) return null;
    if (!(value instanceof AmlBuffer)) return this.fail("ToString needs a Buffer, got " + describe(value));
    const data = (value as AmlBuffer).data;
    let n = 0;
    while (n < data.length && <u64>n < length && unchecked(data[n]) != 0) n++;
    if (!(amlCanAllocate(<u64>n * 4 + OBJECT_BYTES * 2) || this.refuse("ToString of " + n.toString() + " characters", <u64>n * 4 + OBJECT_BYTES * 2))) return null;
    const s = new TextBuilder(n);
    for (let i = 0; i < n; i++) s.char(data[i]);
    const result = new AmlString(s.toString());
    this.store(t!, result);
    return result;
  }

  // ---- synchronization and events ------------------------------------------------------

  private namedObjectTarget(what: string): NamespaceNode | null {
    const t = this.readTarget(false);
    if (this.failed) return null;
    if (t!.kind != TARGET_NODE) { this.fail(what + " needs a named object"); return null; }
    return t!.node;
  }

  private executeNotify(): AmlObject | null {
    const node = this.namedObjectTarget("Notify");
    const value = this.evaluateInteger();
    if (this.failed) return null;
    const t = node!.type;
    if (t != ObjectType.Device && t != ObjectType.Processor && t != ObjectType.Thermal && t != ObjectType.Power) {
      return this.fail("Notify target " + node!.path() + " is a " + typeName(t) + ", not a Device, Processor or ThermalZone");
    }
    this.notifies.push(new PendingNotify(node!, <u32>value));
    return null;
  }

  private executeAcquire(): AmlObject | null {
    const node = this.namedObjectTarget("Acquire");
    this.readInt(2); // timeout: one thread, so the mutex is always free
    if (this.failed) return null;
    const m = node!.object;
    if (!(m instanceof AmlMutex)) return this.fail("Acquire target " + node!.path() + " is not a Mutex");
    const mutex = m as AmlMutex;
    if (mutex.depth == 0) {
      const level = this.currentSyncLevel();
      if (<i32>mutex.syncLevel < level) {
        return this.fail("Acquire of " + node!.path() + " (SyncLevel " + mutex.syncLevel.toString() +
          ") while holding a mutex at SyncLevel " + level.toString() + " breaks mutex ordering");
      }
      this.heldMutexes.push(mutex);
    }
    mutex.depth++;
    return new AmlInteger(0);
  }

  private currentSyncLevel(): i32 {
    let level = -1;
    for (let i = 0; i < this.heldMutexes.length; i++) level = max(level, <i32>this.heldMutexes[i].syncLevel);
    return level;
  }

  /** An evaluation that ends holding mutexes releases them (ACPICA does too). */
  private releaseAllMutexes(): void {
    for (let i = 0; i < this.heldMutexes.length; i++) this.heldMutexes[i].depth = 0;
    this.heldMutexes = new Array<AmlMutex>();
  }

  private executeRelease(): AmlObject | null {
    const node = this.namedObjectTarget("Release");
    if (this.failed) return null;
    const m = node!.object;
    if (!(m instanceof AmlMutex)) return this.fail("Release target " + node!.path() + " is not a Mutex");
    const mutex = m as AmlMutex;
    if (mutex.depth == 0) return this.fail("Release of " + node!.path() + ", which is not acquired");
    if (mutex.depth == 1 && <i32>mutex.syncLevel < this.currentSyncLevel()) {
      return this.fail("Release of " + node!.path() + " (SyncLevel " + mutex.syncLevel.toString() +
        ") before a mutex held at SyncLevel " + this.currentSyncLevel().toString() + " breaks mutex ordering");
    }
    mutex.depth--;
    if (mutex.depth == 0) this.heldMutexes.splice(this.heldMutexes.indexOf(mutex), 1);
    return null;
  }

  private executeEvent(code: i32): AmlObject | null {
    const node = this.namedObjectTarget(op.opcodeName(code));
    if (this.failed) return null;
    const e = node!.object;
    if (!(e instanceof AmlEvent)) return this.fail(op.opcodeName(code) + " target " + node!.path() + " is not an Event");
    if (code == op.SIGNAL_OP) (e as AmlEvent).signals++;
    else (e as AmlEvent).signals = 0;
    return null;
  }

  private executeWait(): AmlObject | null {
    const node = this.namedObjectTarget("Wait");
    this.evaluateInteger();
    if (this.failed) return null;
    const e = node!.object;
    if (!(e instanceof AmlEvent)) return this.fail("Wait target " + node!.path() + " is not an Event");
    const event = e as AmlEvent;
    if (event.signals == 0) return new AmlInteger(this.ones); // would time out: nothing else can signal it
    event.signals--;
    return new AmlInteger(0);
  }

  // ---- fields ---------------------------------------------------------------------------

  private static accessBytes(accessType: u8): i32 {
    if (accessType == ACCESS_WORD) return 2;
    if (accessType == ACCESS_DWORD) return 4;
    if (accessType == ACCESS_QWORD) return 8;
    return 1; // AnyAcc, ByteAcc, BufferAcc
  }

  private pciAddressOf(region: AmlRegion): u32 {
    // PCI_Config regions address the device the region is declared in:
    // its _ADR gives device and function; the bus comes from the root's _BBN.
    if (region.space != SPACE_PCI_CONFIG || !this.regionNodes.has(region)) return 0;
    const node = this.regionNodes.get(region);
    let adr: u64 = 0, bus: u64 = 0;
    const device = node.parent;
    if (device != null) {
      const adrNode = device.child("_ADR");
      if (adrNode != null && adrNode.object instanceof AmlInteger) adr = (adrNode.object as AmlInteger).value;
      for (let s: NamespaceNode | null = device; s != null; s = s.parent) {
        const bbn = s.child("_BBN");
        if (bbn != null && bbn.object instanceof AmlInteger) { bus = (bbn.object as AmlInteger).value; break; }
      }
    }
    return (<u32>(bus & 0xff) << 16) | (<u32>((adr >> 16) & 0x1f) << 11) | (<u32>(adr & 0x7) << 8);
  }

  /**
   * The address of a `width`-byte access at `byteOffset` into a region
   * field's region, after every check: the access counts as work, lies in
   * the region, does not wrap, and is one the kernel can make (region.ts).
   */
  private unitAddress(field: AmlField, byteOffset: u64, width: i32): u64 {
    if (!countAmlWork(1)) { this.fail(amlWorkProblem()); return 0; }
    const region = field.region!;
    if (byteOffset + <u64>width > region.length || byteOffset > region.length) {
      this.fail("field access at byte " + byteOffset.toString() + " width " + width.toString() +
        " is outside its " + region.length.toString() + "-byte region");
      return 0;
    }
    const address = region.offset + byteOffset;
    if (address < region.offset) {
      this.fail("field access at byte " + byteOffset.toString() + " of a region at 0x" + region.offset.toString(16) + " wraps past 2^64");
      return 0;
    }
    const problem = regionAccessProblem(region.space, address, width);
    if (problem.length > 0) { this.fail(problem); return 0; }
    return address;
  }

  /** Reads `width`-byte unit `unit` (byte offset) of a field's space. */
  private readUnit(field: AmlField, byteOffset: u64, width: i32): u64 {
    if (field.type != ObjectType.RegionField && !countAmlWork(1)) { this.fail(amlWorkProblem()); return 0; }
    if (field.type == ObjectType.IndexField) {
      this.writeIntegerToField(field.indexField!, byteOffset);
      if (this.failed) return 0;
      const v = this.readField(field.dataField!, null);
      if (v == null) return 0;
      const i = toInteger(v, 0xffffffffffffffff);
      return i == null ? 0 : i.value;
    }
    if (field.type == ObjectType.BankField) {
      this.writeIntegerToField(field.bankField!, field.bankValue);
      if (this.failed) return 0;
    }
    const address = this.unitAddress(field, byteOffset, width);
    if (this.failed) return 0;
    const region = field.region!;
    return regionRead(region.space, address, width, this.pciAddressOf(region));
  }

  private writeUnit(field: AmlField, byteOffset: u64, width: i32, value: u64): void {
    if (field.type != ObjectType.RegionField && !countAmlWork(1)) { this.fail(amlWorkProblem()); return; }
    if (field.type == ObjectType.IndexField) {
      this.writeIntegerToField(field.indexField!, byteOffset);
      if (!this.failed) this.writeIntegerToField(field.dataField!, value);
      return;
    }
    if (field.type == ObjectType.BankField) {
      this.writeIntegerToField(field.bankField!, field.bankValue);
      if (this.failed) return;
    }
    const address = this.unitAddress(field, byteOffset, width);
    if (this.failed) return;
    const region = field.region!;
    regionWrite(region.space, address, width, value, this.pciAddressOf(region));
  }

  private writeIntegerToField(field: AmlField, value: u64): void {
    this.writeFieldBits(field, integerToBuffer(value, 8));
  }

  private readField(field: AmlField, node: NamespaceNode | null): AmlObject | null {
    const width = Interpreter.accessBytes(field.accessType);
    const unitBits = <u32>width * 8;
    const bytes = (<u64>field.bitLength + 7) / 8;
    if (!(amlCanAllocate(bytes + OBJECT_BYTES * 2) || this.refuse("reading a " + field.bitLength.toString() + "-bit field", bytes + OBJECT_BYTES * 2))) return null;
    const out = new Uint8Array(<i32>bytes);
    let unitIndex: i64 = -1;
    let unit: u64 = 0;
    for (let i: u32 = 0; i < field.bitLength && !this.failed; i++) {
      const bit = field.bitOffset + i;
      const u = <i64>(bit / unitBits);
      if (u != unitIndex) {
        unitIndex = u;
        unit = this.readUnit(field, <u64>u * <u64>width, width);
      }
      if (((unit >> <u64>(bit % unitBits)) & 1) != 0) out[<i32>(i >> 3)] |= <u8>(<u32>1 << (i & 7));
    }
    if (this.failed) return null;
    if (field.bitLength <= <u32>this.byteWidth * 8) return new AmlInteger(bufferToInteger(out, 8));
    return new AmlBuffer(out);
  }

  private writeField(field: AmlField, node: NamespaceNode, value: AmlObject | null): void {
    let bytes: Uint8Array;
    if (value instanceof AmlInteger) bytes = integerToBuffer((value as AmlInteger).value, 8);
    else {
      const b = toBuffer(value, this.byteWidth);
      if (b == null) { this.fail(conversionError); return; }
      bytes = b.data;
    }
    this.writeFieldBits(field, bytes);
  }

  private writeFieldBits(field: AmlField, bytes: Uint8Array): void {
    const width = Interpreter.accessBytes(field.accessType);
    const unitBits = <u32>width * 8;
    const first = field.bitOffset / unitBits;
    const last = (field.bitOffset + field.bitLength - 1) / unitBits;
    for (let u = first; u <= last && !this.failed; u++) {
      const unitStart = u * unitBits;
      const covers = field.bitOffset <= unitStart && field.bitOffset + field.bitLength >= unitStart + unitBits;
      let unit: u64 = 0;
      if (!covers) {
        if (field.updateRule == UPDATE_PRESERVE) unit = this.readUnit(field, <u64>u * <u64>width, width);
        else if (field.updateRule == UPDATE_WRITE_AS_ONES) unit = 0xffffffffffffffff;
      }
      for (let b: u32 = 0; b < unitBits; b++) {
        const bit = unitStart + b;
        if (bit < field.bitOffset || bit >= field.bitOffset + field.bitLength) continue;
        const i = bit - field.bitOffset;
        const set = (i >> 3) < <u32>bytes.length && ((bytes[<i32>(i >> 3)] >> <u8>(i & 7)) & 1) != 0;
        if (set) unit |= <u64>1 << <u64>b; else unit &= ~(<u64>1 << <u64>b);
      }
      if (width < 8) unit &= (<u64>1 << <u64>unitBits) - 1;
      this.writeUnit(field, <u64>u * <u64>width, width, unit);
    }
  }

  private readBufferField(field: AmlBufferField): AmlObject | null {
    const bytes = (<u64>field.bitLength + 7) / 8;
    if (!(amlCanAllocate(bytes + OBJECT_BYTES * 2) || this.refuse("reading a " + field.bitLength.toString() + "-bit buffer field", bytes + OBJECT_BYTES * 2))) return null;
    const out = new Uint8Array(<i32>bytes);
    const data = field.buffer.data;
    for (let i: u32 = 0; i < field.bitLength; i++) {
      const bit = field.bitOffset + i;
      if (<i32>(bit >> 3) >= data.length) return this.fail("buffer field outside its Buffer (it shrank)");
      if (((data[<i32>(bit >> 3)] >> <u8>(bit & 7)) & 1) != 0) out[<i32>(i >> 3)] |= <u8>(<u32>1 << (i & 7));
    }
    if (!field.alwaysBuffer && field.bitLength <= <u32>this.byteWidth * 8) return new AmlInteger(bufferToInteger(out, 8));
    return new AmlBuffer(out);
  }

  private writeBufferField(field: AmlBufferField, value: AmlObject | null): void {
    let bytes: Uint8Array;
    if (value instanceof AmlInteger) bytes = integerToBuffer((value as AmlInteger).value, 8);
    else {
      const b = toBuffer(value, this.byteWidth);
      if (b == null) { this.fail(conversionError); return; }
      bytes = b.data;
    }
    const data = field.buffer.data;
    for (let i: u32 = 0; i < field.bitLength; i++) {
      const bit = field.bitOffset + i;
      if (<i32>(bit >> 3) >= data.length) { this.fail("buffer field outside its Buffer"); return; }
      const set = (i >> 3) < <u32>bytes.length && ((bytes[<i32>(i >> 3)] >> <u8>(i & 7)) & 1) != 0;
      if (set) data[<i32>(bit >> 3)] |= <u8>(<u32>1 << (bit & 7));
      else data[<i32>(bit >> 3)] &= ~<u8>(<u32>1 << (bit & 7));
    }
  }

  // ---- presentation -----------------------------------------------------------------------

  /** A one-line human form of a value, for Debug stores. */
  describeValue(value: AmlObject | null): string {
    if (value instanceof AmlInteger) return "Integer 0x" + upperHex((value as AmlInteger).value, this.byteWidth * 2);
    if (value instanceof AmlString) return "String \"" + (value as AmlString).value + "\"";
    if (value instanceof AmlBuffer) return "Buffer[" + (value as AmlBuffer).data.length.toString() + "]";
    if (value instanceof AmlPackage) return "Package[" + (value as AmlPackage).elements.length.toString() + "]";
    return describe(value);
  }
}

let timerTicks: u64 = 0;

/** The first `leftLength` bytes of `left`, then of `right`, then `extra` zero bytes. */
function joinBytes(left: Uint8Array, leftLength: i32, right: Uint8Array, rightLength: i32, extra: i32): Uint8Array {
  const data = new Uint8Array(leftLength + rightLength + extra);
  data.set(left.subarray(0, leftLength), 0);
  data.set(right.subarray(0, rightLength), leftLength);
  return data;
}
