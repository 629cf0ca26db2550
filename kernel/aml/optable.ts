// The opcode table (ACPI 6.5 §20.3), after uACPI's opcode_table: one row per
// opcode with its name and its handler. decode.ts's dispatch reads an
// opcode and runs the row's handler, which decodes the opcode's own operands
// (a handler is the opcode's decoding); errors and the fuzzer's report name
// opcodes from the same rows (opcodeName). The lead bytes of a NameString
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

/** The table's row for `code`, or -1 when it has none. */
function rowOf(code: i32): i32 {
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

function smallConst(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  return new AmlInteger(code == op.ZERO_OP ? 0 : code == op.ONE_OP ? 1 : it.ones);
}
function intConst(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.QWORD_PREFIX) return new AmlInteger(readInt(it, 8) & it.ones);
  return new AmlInteger(readInt(it, code == op.BYTE_PREFIX ? 1 : code == op.WORD_PREFIX ? 2 : 4));
}
function stringConst(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return readStringConstant(it); }
function revision(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return new AmlInteger(INTERPRETER_REVISION & it.ones); }
function timerOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return new AmlInteger(timer(it)); }
function debugObj(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return new AmlDebug(); }
function buffer(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return buildBuffer(it); }
function packageOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return buildPackage(it, code == op.VAR_PACKAGE_OP); }

function nameOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return defineName(it); }
function alias(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return defineAlias(it); }
function scope(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return defineScope(it); }
function method(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return defineMethod(it); }
function external(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  readNameString(it); readByte(it); readByte(it); return null;
}
function container(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.DEVICE_OP) return defineContainer(it, ObjectType.Device, 0);
  if (code == op.PROCESSOR_OP) return defineContainer(it, ObjectType.Processor, 6); // ProcID, PBLK address and length
  if (code == op.POWER_RES_OP) return defineContainer(it, ObjectType.Power, 3); // SystemLevel, ResourceOrder
  return defineContainer(it, ObjectType.Thermal, 0);
}
function mutex(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return defineMutex(it); }
function event(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return defineSimple(it, new AmlEvent()); }

function region(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return defineRegion(it); }

function fieldList(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  return defineFields(it, code == op.FIELD_OP ? ObjectType.RegionField : code == op.INDEX_FIELD_OP ? ObjectType.IndexField : ObjectType.BankField);
}
/** CreateBitField, CreateByteField … CreateQWordField (a fixed width), CreateField (a width operand). */
function createField(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  if (code == op.CREATE_BIT_FIELD_OP) return defineBufferField(it, 1, true);
  if (code == op.CREATE_FIELD_OP) return defineBufferField(it, 0, true);
  const bits: u32 = code == op.CREATE_BYTE_FIELD_OP ? 8 : code == op.CREATE_WORD_FIELD_OP ? 16 : code == op.CREATE_DWORD_FIELD_OP ? 32 : 64;
  return defineBufferField(it, bits, false);
}

function ifOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeIf(it); }
function elseOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return it.fail("Else without a preceding If"); }
function whileOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeWhile(it); }
function returnOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeReturn(it); }
function breakOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { it.control = CONTROL_BREAK; return null; }
function continueOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { it.control = CONTROL_CONTINUE; return null; }
function nothing(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return null; }

function store(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeStore(it); }
function copyObject(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeCopyObject(it); }
function binary(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeBinary(it, code); }
function divide(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeDivide(it); }
function unary(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeUnary(it, code); }
function incDec(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  return executeIncrement(it, code == op.INCREMENT_OP ? 1 : -1);
}
function logicalAndOr(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  const a = evaluateInteger(it);
  const b = evaluateInteger(it);
  if (it.failed) return null;
  const r = code == op.LAND_OP ? (a != 0 && b != 0) : (a != 0 || b != 0);
  return logical(it, r);
}
function logicalNot(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  const a = evaluateInteger(it);
  return it.failed ? null : logical(it, a == 0);
}
function compare(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeCompare(it, code); }
function derefOf(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeDerefOf(it); }
function refOf(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeRefOf(it); }
function condRefOf(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeCondRefOf(it); }
function index(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeIndex(it); }
function sizeOf(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeSizeOf(it); }
function objectType(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeObjectType(it); }
function match(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeMatch(it); }
function concat(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeConcat(it); }
function concatRes(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeConcatRes(it); }
function mid(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeMid(it); }
function conversion(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeConversion(it, code); }
function toStringOp(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeToString(it); }

function notify(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeNotify(it); }
function acquire(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeAcquire(it); }
function release(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeRelease(it); }
function signalReset(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeEvent(it, code); }
function wait(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { return executeWait(it); }
function sleepStall(it: Interpreter, code: i32, wantValue: bool): AmlObject | null { evaluateInteger(it); return null; }
function fatal(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  const type = readByte(it);
  const fatalCode = readInt(it, 4);
  const arg = evaluateInteger(it);
  if (it.failed) return null;
  return it.fail("Fatal(0x" + type.toString(16) + ", 0x" + fatalCode.toString(16) + ", 0x" + arg.toString(16) + ") executed");
}
function unsupported(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  return it.fail(opcodeName(code) + " is not supported by this interpreter");
}

function local(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
  const value = it.frame.locals[code - op.LOCAL0];
  if (value == null && wantValue) return it.fail("Local" + (code - op.LOCAL0).toString() + " is used before it is set");
  return value;
}
function arg(it: Interpreter, code: i32, wantValue: bool): AmlObject | null {
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
  smallConst, // Zero
  smallConst, // One
  alias, // Alias
  nameOp, // Name
  intConst, // BytePrefix
  intConst, // WordPrefix
  intConst, // DWordPrefix
  stringConst, // StringPrefix
  intConst, // QWordPrefix
  scope, // Scope
  buffer, // Buffer
  packageOp, // Package
  packageOp, // VarPackage
  method, // Method
  external, // External
  local, // Local0
  local, // Local1
  local, // Local2
  local, // Local3
  local, // Local4
  local, // Local5
  local, // Local6
  local, // Local7
  arg, // Arg0
  arg, // Arg1
  arg, // Arg2
  arg, // Arg3
  arg, // Arg4
  arg, // Arg5
  arg, // Arg6
  store, // Store
  refOf, // RefOf
  binary, // Add
  concat, // Concatenate
  binary, // Subtract
  incDec, // Increment
  incDec, // Decrement
  binary, // Multiply
  divide, // Divide
  binary, // ShiftLeft
  binary, // ShiftRight
  binary, // And
  binary, // NAnd
  binary, // Or
  binary, // NOr
  binary, // XOr
  unary, // Not
  unary, // FindSetLeftBit
  unary, // FindSetRightBit
  derefOf, // DerefOf
  concatRes, // ConcatenateResTemplate
  binary, // Mod
  notify, // Notify
  sizeOf, // SizeOf
  index, // Index
  match, // Match
  createField, // CreateDWordField
  createField, // CreateWordField
  createField, // CreateByteField
  createField, // CreateBitField
  objectType, // ObjectType
  createField, // CreateQWordField
  logicalAndOr, // LAnd
  logicalAndOr, // LOr
  logicalNot, // LNot
  compare, // LEqual
  compare, // LGreater
  compare, // LLess
  conversion, // ToBuffer
  conversion, // ToDecimalString
  conversion, // ToHexString
  conversion, // ToInteger
  toStringOp, // ToString
  copyObject, // CopyObject
  mid, // Mid
  continueOp, // Continue
  ifOp, // If
  elseOp, // Else
  whileOp, // While
  nothing, // Noop
  returnOp, // Return
  breakOp, // Break
  nothing, // BreakPoint
  smallConst, // Ones
  mutex, // Mutex
  event, // Event
  condRefOf, // CondRefOf
  createField, // CreateField
  unsupported, // LoadTable
  unsupported, // Load
  sleepStall, // Stall
  sleepStall, // Sleep
  acquire, // Acquire
  signalReset, // Signal
  wait, // Wait
  signalReset, // Reset
  release, // Release
  unary, // FromBCD
  unary, // ToBCD
  unsupported, // Unload
  revision, // Revision
  debugObj, // Debug
  fatal, // Fatal
  timerOp, // Timer
  region, // OperationRegion
  fieldList, // Field
  container, // Device
  container, // Processor
  container, // PowerResource
  container, // ThermalZone
  fieldList, // IndexField
  fieldList, // BankField
  unsupported, // DataTableRegion
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
