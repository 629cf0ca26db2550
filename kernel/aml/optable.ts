// The opcode table (ACPI 6.5 §20.3), after uACPI's opcode_table: one row per
// opcode with its name and its handler. decode.ts's dispatch reads an
// opcode and runs the row's handler, which decodes the opcode's own operands
// (a handler is the opcode's decoding); errors and the fuzzer's report name
// opcodes from the same rows (opcodeName). A handler serves one class of
// opcodes (data objects, named objects, arithmetic, control, …) and tells
// its opcodes apart by code: a function per opcode would cost a symbol, a
// funcref and a table element each (the image grew by 5 KB that way). The lead bytes of a NameString
// have rows too, named "NameString", with no handler: dispatch evaluates a
// name before it reads any opcode.
// Owns: which opcodes exist and what each is called. May call: every
// interpreter module's entry for an opcode. Never: decodes anything itself
// but through a handler; an opcode without a row (or without a handler) is
// "unknown opcode", failed through Interpreter.fail.
//
// The opcode values stay in opcodes.ts (tools/aml/fuzz.ts reads them there).

import { CONTROL_BREAK, CONTROL_CONTINUE, INTERPRETER_REVISION } from "./constants";
import { AmlDebug, AmlEvent, AmlInteger, AmlObject, ObjectType } from "./objects";
import * as op from "./opcodes";
import { Interpreter } from "./interpreter";
import {
  buildBuffer, buildPackage, evaluateInteger, logical, readByte, readInt, readNameString, readStringConstant, timer,
} from "./decode";
import {
  defineAlias, defineContainer, defineMethod, defineMutex, defineName, defineScope, defineSimple,
} from "./define";
import { executeIf, executeReturn, executeWhile } from "./control";
import { defineBufferField, defineFields, defineRegion } from "./fields";
import {
  executeBinary, executeCompare, executeConcat, executeConcatRes, executeCondRefOf, executeConversion,
  executeDerefOf, executeDivide, executeIncrement, executeIndex, executeMatch, executeMid, executeObjectType,
  executeRefOf, executeSizeOf, executeToString, executeUnary,
} from "./operators";
import { executeCopyObject, executeStore } from "./store";
import { executeAcquire, executeEvent, executeNotify, executeRelease, executeWait } from "./sync";

/** Runs one opcode: `code` as read (0x5Bxx for extended ones), the value wanted or not. */
export type OpHandler = (it: Interpreter, code: i32, wantValue: bool) => AmlObject | null;

/** Slots: 0x00–0xFF, then the extended opcodes 0x5B00–0x5BFF; each holds its row + 1, or 0. */
const SLOTS: i32 = 0x200;
const rowOfSlot = new StaticArray<u8>(SLOTS);
let filled = false;
let handlers: StaticArray<OpHandler | null> | null = null;

/** The slot of `code`, or -1 when no opcode can have that value. */
// @ts-ignore: decorator
@inline function slotOf(code: i32): i32 {
  if (<u32>code < 0x100) return code;
  if ((code & ~0xff) == 0x5b00) return 0x100 | (code & 0xff);
  return -1;
}

/** The table's row for `code`, or -1 when it has none (inlined: every term looks one up). */
// @ts-ignore: decorator
@inline function rowOf(code: i32): i32 {
  if (!filled) fill();
  const slot = slotOf(code);
  return slot < 0 ? -1 : <i32>unchecked(rowOfSlot[slot]) - 1;
}

/** An opcode's name for messages: "unknown" when it has no row. */
export function opcodeName(code: i32): string {
  const r = rowOf(code);
  return r < 0 ? "unknown" : unchecked(NAMES[r]);
}

/** The handler of `code`, or null when the table has none (an unknown opcode). */
export function opcodeHandler(code: i32): OpHandler | null {
  const r = rowOf(code);
  return r < 0 ? null : unchecked(handlers![r]);
}

// ---- handlers: each decodes its opcode's operands and runs it ---------------

/** Data objects: Zero, One, Ones, the integer prefixes, String, Revision, Timer, Debug, Buffer, Package, VarPackage. */
function dataObject(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.ZERO_OP) return new AmlInteger(0);
  if (code == op.ONE_OP) return new AmlInteger(1);
  if (code == op.ONES_OP) return new AmlInteger(it.ones);
  if (code == op.BYTE_PREFIX) return new AmlInteger(readInt(it, 1));
  if (code == op.WORD_PREFIX) return new AmlInteger(readInt(it, 2));
  if (code == op.DWORD_PREFIX) return new AmlInteger(readInt(it, 4));
  if (code == op.QWORD_PREFIX) return new AmlInteger(readInt(it, 8) & it.ones);
  if (code == op.STRING_PREFIX) return readStringConstant(it);
  if (code == op.REVISION_OP) return new AmlInteger(INTERPRETER_REVISION & it.ones);
  if (code == op.TIMER_OP) return new AmlInteger(timer(it));
  if (code == op.DEBUG_OP) return new AmlDebug();
  if (code == op.BUFFER_OP) return buildBuffer(it);
  return buildPackage(it, code == op.VAR_PACKAGE_OP);
}

/** Named objects: Name, Alias, Scope, Method, Device … ThermalZone, Mutex, Event, OperationRegion, fields, External. */
function namedObject(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.NAME_OP) return defineName(it);
  if (code == op.ALIAS_OP) return defineAlias(it);
  if (code == op.SCOPE_OP) return defineScope(it);
  if (code == op.METHOD_OP) return defineMethod(it);
  if (code == op.DEVICE_OP) return defineContainer(it, ObjectType.Device, 0);
  if (code == op.PROCESSOR_OP) return defineContainer(it, ObjectType.Processor, 6); // ProcID, PBLK address and length
  if (code == op.POWER_RES_OP) return defineContainer(it, ObjectType.Power, 3); // SystemLevel, ResourceOrder
  if (code == op.THERMAL_ZONE_OP) return defineContainer(it, ObjectType.Thermal, 0);
  if (code == op.MUTEX_OP) return defineMutex(it);
  if (code == op.EVENT_OP) return defineSimple(it, new AmlEvent());
  if (code == op.OP_REGION_OP) return defineRegion(it);
  if (code == op.FIELD_OP) return defineFields(it, ObjectType.RegionField);
  if (code == op.INDEX_FIELD_OP) return defineFields(it, ObjectType.IndexField);
  if (code == op.BANK_FIELD_OP) return defineFields(it, ObjectType.BankField);
  readNameString(it); readByte(it); readByte(it); return null; // External: a declaration only
}

/** CreateBitField, CreateByteField … CreateQWordField (a fixed width), CreateField (a width operand). */
function createField(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.CREATE_BIT_FIELD_OP) return defineBufferField(it, 1, true);
  if (code == op.CREATE_FIELD_OP) return defineBufferField(it, 0, true);
  const bits: u32 = code == op.CREATE_BYTE_FIELD_OP ? 8 : code == op.CREATE_WORD_FIELD_OP ? 16 : code == op.CREATE_DWORD_FIELD_OP ? 32 : 64;
  return defineBufferField(it, bits, false);
}

/** If, Else (alone), While, Return, Break, Continue, Noop and BreakPoint. */
function controlOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.IF_OP) return executeIf(it);
  if (code == op.WHILE_OP) return executeWhile(it);
  if (code == op.RETURN_OP) return executeReturn(it);
  if (code == op.BREAK_OP) { it.control = CONTROL_BREAK; return null; }
  if (code == op.CONTINUE_OP) { it.control = CONTROL_CONTINUE; return null; }
  if (code == op.ELSE_OP) return it.fail("Else without a preceding If");
  return null;
}

/** Store and CopyObject. */
function storeOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  return code == op.STORE_OP ? executeStore(it) : executeCopyObject(it);
}

/** Integer arithmetic: the binary operators, Divide, the unary ones (Not, FindSet…Bit, FromBCD, ToBCD), Increment, Decrement. */
function arithmetic(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.DIVIDE_OP) return executeDivide(it);
  if (code == op.INCREMENT_OP) return executeIncrement(it, 1);
  if (code == op.DECREMENT_OP) return executeIncrement(it, -1);
  if (code == op.NOT_OP || code == op.FIND_SET_LEFT_BIT_OP || code == op.FIND_SET_RIGHT_BIT_OP ||
      code == op.FROM_BCD_OP || code == op.TO_BCD_OP) return executeUnary(it, code);
  return executeBinary(it, code);
}

/** LAnd, LOr, LNot, LEqual, LGreater, LLess. */
function logicalOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.LNOT_OP) {
    const a = evaluateInteger(it);
    return it.failed ? null : logical(it, a == 0);
  }
  if (code == op.LAND_OP || code == op.LOR_OP) {
    const a = evaluateInteger(it);
    const b = evaluateInteger(it);
    if (it.failed) return null;
    const r = code == op.LAND_OP ? (a != 0 && b != 0) : (a != 0 || b != 0);
    return logical(it, r);
  }
  return executeCompare(it, code);
}

/** DerefOf, RefOf, CondRefOf, Index, SizeOf, ObjectType, Match. */
function referenceOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.DEREF_OF_OP) return executeDerefOf(it);
  if (code == op.REF_OF_OP) return executeRefOf(it);
  if (code == op.COND_REF_OF_OP) return executeCondRefOf(it);
  if (code == op.INDEX_OP) return executeIndex(it);
  if (code == op.SIZE_OF_OP) return executeSizeOf(it);
  if (code == op.OBJECT_TYPE_OP) return executeObjectType(it);
  return executeMatch(it);
}

/** Concatenate, ConcatenateResTemplate, Mid, ToBuffer … ToInteger, ToString. */
function dataOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.CONCAT_OP) return executeConcat(it);
  if (code == op.CONCAT_RES_OP) return executeConcatRes(it);
  if (code == op.MID_OP) return executeMid(it);
  if (code == op.TO_STRING_OP) return executeToString(it);
  return executeConversion(it, code);
}

/** Notify, Acquire, Release, Signal/Reset, Wait, Sleep/Stall. */
function syncOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.NOTIFY_OP) return executeNotify(it);
  if (code == op.ACQUIRE_OP) return executeAcquire(it);
  if (code == op.RELEASE_OP) return executeRelease(it);
  if (code == op.WAIT_OP) return executeWait(it);
  if (code == op.SIGNAL_OP || code == op.RESET_OP) return executeEvent(it, code);
  evaluateInteger(it); return null;
}

/** Fatal, and the opcodes this interpreter refuses (Load, LoadTable, Unload, DataTableRegion). */
function refused(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code != op.FATAL_OP) return it.fail(opcodeName(code) + " is not supported by this interpreter");
  const type = readByte(it);
  const fatalCode = readInt(it, 4);
  const arg = evaluateInteger(it);
  if (it.failed) return null;
  return it.fail("Fatal(0x" + type.toString(16) + ", 0x" + fatalCode.toString(16) + ", 0x" + arg.toString(16) + ") executed");
}

/** Local0–Local7 and Arg0–Arg6. */
function localOrArg(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code <= op.LOCAL7) {
    const value = it.frame.locals[code - op.LOCAL0];
    if (value == null && wantValue) return it.fail("Local" + (code - op.LOCAL0).toString() + " is used before it is set");
    return value;
  }
  const value = it.frame.args[code - op.ARG0];
  if (value == null && wantValue) return it.fail("Arg" + (code - op.ARG0).toString() + " is not passed to this method");
  return value;
}

// ---- the table ------------------------------------------------------------------
//
// Row i is CODES[i], NAMES[i], HANDLERS[i]: three lists in one order, static
// data (no code runs to build them; fill() only indexes them by opcode, and
// refuses lists of different lengths). The NameString row stands for every
// lead byte of a name: '\\', '^', the dual and multi prefixes, 'A'–'Z', '_'.

const CODES: StaticArray<u16> = [
  <u16>(op.ZERO_OP), // Zero
  <u16>(op.ONE_OP), // One
  <u16>(op.ALIAS_OP), // Alias
  <u16>(op.NAME_OP), // Name
  <u16>(op.BYTE_PREFIX), // BytePrefix
  <u16>(op.WORD_PREFIX), // WordPrefix
  <u16>(op.DWORD_PREFIX), // DWordPrefix
  <u16>(op.STRING_PREFIX), // StringPrefix
  <u16>(op.QWORD_PREFIX), // QWordPrefix
  <u16>(op.SCOPE_OP), // Scope
  <u16>(op.BUFFER_OP), // Buffer
  <u16>(op.PACKAGE_OP), // Package
  <u16>(op.VAR_PACKAGE_OP), // VarPackage
  <u16>(op.METHOD_OP), // Method
  <u16>(op.EXTERNAL_OP), // External
  <u16>(op.LOCAL0), // Local0
  <u16>(op.LOCAL0 + 1), // Local1
  <u16>(op.LOCAL0 + 2), // Local2
  <u16>(op.LOCAL0 + 3), // Local3
  <u16>(op.LOCAL0 + 4), // Local4
  <u16>(op.LOCAL0 + 5), // Local5
  <u16>(op.LOCAL0 + 6), // Local6
  <u16>(op.LOCAL7), // Local7
  <u16>(op.ARG0), // Arg0
  <u16>(op.ARG0 + 1), // Arg1
  <u16>(op.ARG0 + 2), // Arg2
  <u16>(op.ARG0 + 3), // Arg3
  <u16>(op.ARG0 + 4), // Arg4
  <u16>(op.ARG0 + 5), // Arg5
  <u16>(op.ARG6), // Arg6
  <u16>(op.STORE_OP), // Store
  <u16>(op.REF_OF_OP), // RefOf
  <u16>(op.ADD_OP), // Add
  <u16>(op.CONCAT_OP), // Concatenate
  <u16>(op.SUBTRACT_OP), // Subtract
  <u16>(op.INCREMENT_OP), // Increment
  <u16>(op.DECREMENT_OP), // Decrement
  <u16>(op.MULTIPLY_OP), // Multiply
  <u16>(op.DIVIDE_OP), // Divide
  <u16>(op.SHIFT_LEFT_OP), // ShiftLeft
  <u16>(op.SHIFT_RIGHT_OP), // ShiftRight
  <u16>(op.AND_OP), // And
  <u16>(op.NAND_OP), // NAnd
  <u16>(op.OR_OP), // Or
  <u16>(op.NOR_OP), // NOr
  <u16>(op.XOR_OP), // XOr
  <u16>(op.NOT_OP), // Not
  <u16>(op.FIND_SET_LEFT_BIT_OP), // FindSetLeftBit
  <u16>(op.FIND_SET_RIGHT_BIT_OP), // FindSetRightBit
  <u16>(op.DEREF_OF_OP), // DerefOf
  <u16>(op.CONCAT_RES_OP), // ConcatenateResTemplate
  <u16>(op.MOD_OP), // Mod
  <u16>(op.NOTIFY_OP), // Notify
  <u16>(op.SIZE_OF_OP), // SizeOf
  <u16>(op.INDEX_OP), // Index
  <u16>(op.MATCH_OP), // Match
  <u16>(op.CREATE_DWORD_FIELD_OP), // CreateDWordField
  <u16>(op.CREATE_WORD_FIELD_OP), // CreateWordField
  <u16>(op.CREATE_BYTE_FIELD_OP), // CreateByteField
  <u16>(op.CREATE_BIT_FIELD_OP), // CreateBitField
  <u16>(op.OBJECT_TYPE_OP), // ObjectType
  <u16>(op.CREATE_QWORD_FIELD_OP), // CreateQWordField
  <u16>(op.LAND_OP), // LAnd
  <u16>(op.LOR_OP), // LOr
  <u16>(op.LNOT_OP), // LNot
  <u16>(op.LEQUAL_OP), // LEqual
  <u16>(op.LGREATER_OP), // LGreater
  <u16>(op.LLESS_OP), // LLess
  <u16>(op.TO_BUFFER_OP), // ToBuffer
  <u16>(op.TO_DECIMAL_STRING_OP), // ToDecimalString
  <u16>(op.TO_HEX_STRING_OP), // ToHexString
  <u16>(op.TO_INTEGER_OP), // ToInteger
  <u16>(op.TO_STRING_OP), // ToString
  <u16>(op.COPY_OBJECT_OP), // CopyObject
  <u16>(op.MID_OP), // Mid
  <u16>(op.CONTINUE_OP), // Continue
  <u16>(op.IF_OP), // If
  <u16>(op.ELSE_OP), // Else
  <u16>(op.WHILE_OP), // While
  <u16>(op.NOOP_OP), // Noop
  <u16>(op.RETURN_OP), // Return
  <u16>(op.BREAK_OP), // Break
  <u16>(op.BREAKPOINT_OP), // BreakPoint
  <u16>(op.ONES_OP), // Ones
  <u16>(op.MUTEX_OP), // Mutex
  <u16>(op.EVENT_OP), // Event
  <u16>(op.COND_REF_OF_OP), // CondRefOf
  <u16>(op.CREATE_FIELD_OP), // CreateField
  <u16>(op.LOAD_TABLE_OP), // LoadTable
  <u16>(op.LOAD_OP), // Load
  <u16>(op.STALL_OP), // Stall
  <u16>(op.SLEEP_OP), // Sleep
  <u16>(op.ACQUIRE_OP), // Acquire
  <u16>(op.SIGNAL_OP), // Signal
  <u16>(op.WAIT_OP), // Wait
  <u16>(op.RESET_OP), // Reset
  <u16>(op.RELEASE_OP), // Release
  <u16>(op.FROM_BCD_OP), // FromBCD
  <u16>(op.TO_BCD_OP), // ToBCD
  <u16>(op.UNLOAD_OP), // Unload
  <u16>(op.REVISION_OP), // Revision
  <u16>(op.DEBUG_OP), // Debug
  <u16>(op.FATAL_OP), // Fatal
  <u16>(op.TIMER_OP), // Timer
  <u16>(op.OP_REGION_OP), // OperationRegion
  <u16>(op.FIELD_OP), // Field
  <u16>(op.DEVICE_OP), // Device
  <u16>(op.PROCESSOR_OP), // Processor
  <u16>(op.POWER_RES_OP), // PowerResource
  <u16>(op.THERMAL_ZONE_OP), // ThermalZone
  <u16>(op.INDEX_FIELD_OP), // IndexField
  <u16>(op.BANK_FIELD_OP), // BankField
  <u16>(op.DATA_REGION_OP), // DataTableRegion
  <u16>(op.ROOT_CHAR), // NameString
];

const NAMES: StaticArray<string> = [
  "Zero",
  "One",
  "Alias",
  "Name",
  "BytePrefix",
  "WordPrefix",
  "DWordPrefix",
  "StringPrefix",
  "QWordPrefix",
  "Scope",
  "Buffer",
  "Package",
  "VarPackage",
  "Method",
  "External",
  "Local0",
  "Local1",
  "Local2",
  "Local3",
  "Local4",
  "Local5",
  "Local6",
  "Local7",
  "Arg0",
  "Arg1",
  "Arg2",
  "Arg3",
  "Arg4",
  "Arg5",
  "Arg6",
  "Store",
  "RefOf",
  "Add",
  "Concatenate",
  "Subtract",
  "Increment",
  "Decrement",
  "Multiply",
  "Divide",
  "ShiftLeft",
  "ShiftRight",
  "And",
  "NAnd",
  "Or",
  "NOr",
  "XOr",
  "Not",
  "FindSetLeftBit",
  "FindSetRightBit",
  "DerefOf",
  "ConcatenateResTemplate",
  "Mod",
  "Notify",
  "SizeOf",
  "Index",
  "Match",
  "CreateDWordField",
  "CreateWordField",
  "CreateByteField",
  "CreateBitField",
  "ObjectType",
  "CreateQWordField",
  "LAnd",
  "LOr",
  "LNot",
  "LEqual",
  "LGreater",
  "LLess",
  "ToBuffer",
  "ToDecimalString",
  "ToHexString",
  "ToInteger",
  "ToString",
  "CopyObject",
  "Mid",
  "Continue",
  "If",
  "Else",
  "While",
  "Noop",
  "Return",
  "Break",
  "BreakPoint",
  "Ones",
  "Mutex",
  "Event",
  "CondRefOf",
  "CreateField",
  "LoadTable",
  "Load",
  "Stall",
  "Sleep",
  "Acquire",
  "Signal",
  "Wait",
  "Reset",
  "Release",
  "FromBCD",
  "ToBCD",
  "Unload",
  "Revision",
  "Debug",
  "Fatal",
  "Timer",
  "OperationRegion",
  "Field",
  "Device",
  "Processor",
  "PowerResource",
  "ThermalZone",
  "IndexField",
  "BankField",
  "DataTableRegion",
  "NameString",
];

const HANDLERS: StaticArray<OpHandler | null> = [
  dataObject, // Zero
  dataObject, // One
  namedObject, // Alias
  namedObject, // Name
  dataObject, // BytePrefix
  dataObject, // WordPrefix
  dataObject, // DWordPrefix
  dataObject, // StringPrefix
  dataObject, // QWordPrefix
  namedObject, // Scope
  dataObject, // Buffer
  dataObject, // Package
  dataObject, // VarPackage
  namedObject, // Method
  namedObject, // External
  localOrArg, // Local0
  localOrArg, // Local1
  localOrArg, // Local2
  localOrArg, // Local3
  localOrArg, // Local4
  localOrArg, // Local5
  localOrArg, // Local6
  localOrArg, // Local7
  localOrArg, // Arg0
  localOrArg, // Arg1
  localOrArg, // Arg2
  localOrArg, // Arg3
  localOrArg, // Arg4
  localOrArg, // Arg5
  localOrArg, // Arg6
  storeOp, // Store
  referenceOp, // RefOf
  arithmetic, // Add
  dataOp, // Concatenate
  arithmetic, // Subtract
  arithmetic, // Increment
  arithmetic, // Decrement
  arithmetic, // Multiply
  arithmetic, // Divide
  arithmetic, // ShiftLeft
  arithmetic, // ShiftRight
  arithmetic, // And
  arithmetic, // NAnd
  arithmetic, // Or
  arithmetic, // NOr
  arithmetic, // XOr
  arithmetic, // Not
  arithmetic, // FindSetLeftBit
  arithmetic, // FindSetRightBit
  referenceOp, // DerefOf
  dataOp, // ConcatenateResTemplate
  arithmetic, // Mod
  syncOp, // Notify
  referenceOp, // SizeOf
  referenceOp, // Index
  referenceOp, // Match
  createField, // CreateDWordField
  createField, // CreateWordField
  createField, // CreateByteField
  createField, // CreateBitField
  referenceOp, // ObjectType
  createField, // CreateQWordField
  logicalOp, // LAnd
  logicalOp, // LOr
  logicalOp, // LNot
  logicalOp, // LEqual
  logicalOp, // LGreater
  logicalOp, // LLess
  dataOp, // ToBuffer
  dataOp, // ToDecimalString
  dataOp, // ToHexString
  dataOp, // ToInteger
  dataOp, // ToString
  storeOp, // CopyObject
  dataOp, // Mid
  controlOp, // Continue
  controlOp, // If
  controlOp, // Else
  controlOp, // While
  controlOp, // Noop
  controlOp, // Return
  controlOp, // Break
  controlOp, // BreakPoint
  dataObject, // Ones
  namedObject, // Mutex
  namedObject, // Event
  referenceOp, // CondRefOf
  createField, // CreateField
  refused, // LoadTable
  refused, // Load
  syncOp, // Stall
  syncOp, // Sleep
  syncOp, // Acquire
  syncOp, // Signal
  syncOp, // Wait
  syncOp, // Reset
  syncOp, // Release
  arithmetic, // FromBCD
  arithmetic, // ToBCD
  refused, // Unload
  dataObject, // Revision
  dataObject, // Debug
  refused, // Fatal
  dataObject, // Timer
  namedObject, // OperationRegion
  namedObject, // Field
  namedObject, // Device
  namedObject, // Processor
  namedObject, // PowerResource
  namedObject, // ThermalZone
  namedObject, // IndexField
  namedObject, // BankField
  refused, // DataTableRegion
  null, // NameString
];

// The handlers are read through `handlers`, set once at start-up: a function
// that read HANDLERS itself would be compiled inside HANDLERS' own initializer
// (dispatch runs handlers, handlers run dispatch), which asc refuses.
handlers = HANDLERS;

function fill(): void {
  const rows = CODES.length;
  if (NAMES.length != rows || handlers!.length != rows) throw new Error("opcode table rows disagree");
  const nameStringRow = rows - 1;
  for (let r = 0; r < nameStringRow; r++) unchecked(rowOfSlot[slotOf(<i32>unchecked(CODES[r]))] = <u8>(r + 1));
  const nameRow = <u8>(nameStringRow + 1);
  rowOfSlot[op.ROOT_CHAR] = nameRow;
  rowOfSlot[op.PARENT_PREFIX] = nameRow;
  rowOfSlot[op.DUAL_NAME_PREFIX] = nameRow;
  rowOfSlot[op.MULTI_NAME_PREFIX] = nameRow;
  rowOfSlot[0x5f] = nameRow; // '_'
  for (let c = 0x41; c <= 0x5a; c++) rowOfSlot[c] = nameRow; // 'A'–'Z'
  filled = true;
}
