// The opcode table (ACPI 6.5 §20.3), after uACPI's opcode_table: one row per
// opcode, its code, name, decode shape and handler entered by one row()
// call, so a row cannot pair one opcode's name with another's handler.
// evaluate.ts's dispatch reads an opcode, decodes what the row's shape says
// (a PkgLength; an integer constant's immediate), and runs the row's handler,
// which decodes the rest of the opcode's operands; errors and the fuzzer's
// report name opcodes from the same rows (OpcodeTable.name). A handler
// serves one class of opcodes (data objects, named objects, arithmetic,
// control, …) and tells its opcodes apart by code: a function per opcode
// would cost a symbol, a funcref and a table element each (the image grew by
// 5 KB that way). Every lead byte of a NameString has a row too, named
// "NameString" (SHAPE_NAME: dispatch leaves the byte for the handler).
// Owns: which opcodes exist, what each is called and how it is decoded.
// May call: every handler module's entry for an opcode, the machine. Never:
// decodes anything itself but through a handler; an opcode without a row is
// "unknown opcode", failed through Interpreter.fail (evaluate.ts).
//
// The opcode values stay in opcodes.ts (tools/aml/fuzz.ts reads them there).

import {
  CONTROL_BREAK, CONTROL_CONTINUE, Interpreter, OpcodeTable, SHAPE_INTEGER, SHAPE_NAME, SHAPE_OPERANDS, SHAPE_PKG,
} from "./machine";
import { AmlEvent, AmlObject, ObjectType } from "./objects";
import * as op from "./opcodes";
import { readByte, readInt, readNameString } from "./decode";
import { evaluateInteger, logical } from "./evaluate";
import { dataObject, localOrArg } from "./data";
import {
  defineAlias, defineContainer, defineMethod, defineMutex, defineName, defineScope, defineSimple,
} from "./define";
import { executeIf, executeReturn, executeWhile, nameTerm } from "./control";
import { defineBufferField, defineFields, defineRegion } from "./fields";
import {
  executeBinary, executeCompare, executeConcat, executeConcatRes, executeCondRefOf, executeConversion,
  executeDerefOf, executeDivide, executeIncrement, executeIndex, executeMatch, executeMid, executeObjectType,
  executeRefOf, executeSizeOf, executeToString, executeUnary,
} from "./operators";
import { executeCopyObject, executeStore } from "./store";
import { executeAcquire, executeEvent, executeNotify, executeRelease, executeWait } from "./sync";

let table: OpcodeTable | null = null;

/** The opcode table every interpreter decodes with (interpreter.ts builds interpreters on it), made at first use. */
export function opcodeTable(): OpcodeTable {
  let t = table;
  if (t == null) {
    t = buildTable();
    if (t.problem.length > 0) throw new Error(t.problem);
    table = t;
  }
  return t;
}

// ---- handlers: each decodes its opcode's operands and runs it ---------------

/** Named objects: Name, Alias, Scope, Method, Device … ThermalZone, Mutex, Event, OperationRegion, fields, External. */
function namedObject(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.NAME_OP) return defineName(it);
  if (code == op.ALIAS_OP) return defineAlias(it);
  if (code == op.SCOPE_OP) return defineScope(it, end);
  if (code == op.METHOD_OP) return defineMethod(it, end);
  if (code == op.DEVICE_OP) return defineContainer(it, end, ObjectType.Device, 0);
  if (code == op.PROCESSOR_OP) return defineContainer(it, end, ObjectType.Processor, 6); // ProcID, PBLK address and length
  if (code == op.POWER_RES_OP) return defineContainer(it, end, ObjectType.Power, 3); // SystemLevel, ResourceOrder
  if (code == op.THERMAL_ZONE_OP) return defineContainer(it, end, ObjectType.Thermal, 0);
  if (code == op.MUTEX_OP) return defineMutex(it);
  if (code == op.EVENT_OP) return defineSimple(it, new AmlEvent());
  if (code == op.OP_REGION_OP) return defineRegion(it);
  if (code == op.FIELD_OP) return defineFields(it, end, ObjectType.RegionField);
  if (code == op.INDEX_FIELD_OP) return defineFields(it, end, ObjectType.IndexField);
  if (code == op.BANK_FIELD_OP) return defineFields(it, end, ObjectType.BankField);
  readNameString(it); readByte(it); readByte(it); return null; // External: a declaration only
}

/** CreateBitField, CreateByteField … CreateQWordField (a fixed width), CreateField (a width operand). */
function createField(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.CREATE_BIT_FIELD_OP) return defineBufferField(it, 1, true);
  if (code == op.CREATE_FIELD_OP) return defineBufferField(it, 0, true);
  const bits: u32 = code == op.CREATE_BYTE_FIELD_OP ? 8 : code == op.CREATE_WORD_FIELD_OP ? 16 : code == op.CREATE_DWORD_FIELD_OP ? 32 : 64;
  return defineBufferField(it, bits, false);
}

/** If, Else (alone), While, Return, Break, Continue, Noop and BreakPoint. */
function controlOp(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.IF_OP) return executeIf(it, end);
  if (code == op.WHILE_OP) return executeWhile(it, end);
  if (code == op.RETURN_OP) return executeReturn(it);
  if (code == op.BREAK_OP) { it.control = CONTROL_BREAK; return null; }
  if (code == op.CONTINUE_OP) { it.control = CONTROL_CONTINUE; return null; }
  if (code == op.ELSE_OP) return it.fail("Else without a preceding If");
  return null;
}

/** Store and CopyObject. */
function storeOp(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  return code == op.STORE_OP ? executeStore(it) : executeCopyObject(it);
}

/** Integer arithmetic: the binary operators, Divide, the unary ones (Not, FindSet…Bit, FromBCD, ToBCD), Increment, Decrement. */
function arithmetic(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.DIVIDE_OP) return executeDivide(it);
  if (code == op.INCREMENT_OP) return executeIncrement(it, 1);
  if (code == op.DECREMENT_OP) return executeIncrement(it, -1);
  if (code == op.NOT_OP || code == op.FIND_SET_LEFT_BIT_OP || code == op.FIND_SET_RIGHT_BIT_OP ||
      code == op.FROM_BCD_OP || code == op.TO_BCD_OP) return executeUnary(it, code);
  return executeBinary(it, code);
}

/** LAnd, LOr, LNot, LEqual, LGreater, LLess. */
function logicalOp(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
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
function referenceOp(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.DEREF_OF_OP) return executeDerefOf(it);
  if (code == op.REF_OF_OP) return executeRefOf(it);
  if (code == op.COND_REF_OF_OP) return executeCondRefOf(it);
  if (code == op.INDEX_OP) return executeIndex(it);
  if (code == op.SIZE_OF_OP) return executeSizeOf(it);
  if (code == op.OBJECT_TYPE_OP) return executeObjectType(it);
  return executeMatch(it);
}

/** Concatenate, ConcatenateResTemplate, Mid, ToBuffer … ToInteger, ToString. */
function dataOp(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.CONCAT_OP) return executeConcat(it);
  if (code == op.CONCAT_RES_OP) return executeConcatRes(it);
  if (code == op.MID_OP) return executeMid(it);
  if (code == op.TO_STRING_OP) return executeToString(it);
  return executeConversion(it, code);
}

/** Notify, Acquire, Release, Signal/Reset, Wait, Sleep/Stall. */
function syncOp(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code == op.NOTIFY_OP) return executeNotify(it);
  if (code == op.ACQUIRE_OP) return executeAcquire(it);
  if (code == op.RELEASE_OP) return executeRelease(it);
  if (code == op.WAIT_OP) return executeWait(it);
  if (code == op.SIGNAL_OP || code == op.RESET_OP) return executeEvent(it, code);
  evaluateInteger(it); return null;
}

/** Fatal, and the opcodes this interpreter refuses (Load, LoadTable, Unload, DataTableRegion). */
function refused(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null {
  if (code != op.FATAL_OP) return it.fail(it.ops.name(code) + " is not supported by this interpreter");
  const type = readByte(it);
  const fatalCode = readInt(it, 4);
  const arg = evaluateInteger(it);
  if (it.failed) return null;
  return it.fail("Fatal(0x" + type.toString(16) + ", 0x" + fatalCode.toString(16) + ", 0x" + arg.toString(16) + ") executed");
}

// ---- the table ------------------------------------------------------------------

function buildTable(): OpcodeTable {
  const t = new OpcodeTable();
  // code                          name                      shape              handler
  t.row(op.ZERO_OP,               "Zero",                   SHAPE_INTEGER,     dataObject);
  t.row(op.ONE_OP,                "One",                    SHAPE_INTEGER,     dataObject);
  t.row(op.ALIAS_OP,              "Alias",                  SHAPE_OPERANDS,    namedObject);
  t.row(op.NAME_OP,               "Name",                   SHAPE_OPERANDS,    namedObject);
  t.row(op.BYTE_PREFIX,           "BytePrefix",             SHAPE_INTEGER | 1, dataObject);
  t.row(op.WORD_PREFIX,           "WordPrefix",             SHAPE_INTEGER | 2, dataObject);
  t.row(op.DWORD_PREFIX,          "DWordPrefix",            SHAPE_INTEGER | 4, dataObject);
  t.row(op.STRING_PREFIX,         "StringPrefix",           SHAPE_OPERANDS,    dataObject);
  t.row(op.QWORD_PREFIX,          "QWordPrefix",            SHAPE_INTEGER | 8, dataObject);
  t.row(op.SCOPE_OP,              "Scope",                  SHAPE_PKG,         namedObject);
  t.row(op.BUFFER_OP,             "Buffer",                 SHAPE_PKG,         dataObject);
  t.row(op.PACKAGE_OP,            "Package",                SHAPE_PKG,         dataObject);
  t.row(op.VAR_PACKAGE_OP,        "VarPackage",             SHAPE_PKG,         dataObject);
  t.row(op.METHOD_OP,             "Method",                 SHAPE_PKG,         namedObject);
  t.row(op.EXTERNAL_OP,           "External",               SHAPE_OPERANDS,    namedObject);
  t.row(op.LOCAL0,                "Local0",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.LOCAL0 + 1,            "Local1",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.LOCAL0 + 2,            "Local2",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.LOCAL0 + 3,            "Local3",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.LOCAL0 + 4,            "Local4",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.LOCAL0 + 5,            "Local5",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.LOCAL0 + 6,            "Local6",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.LOCAL7,                "Local7",                 SHAPE_OPERANDS,    localOrArg);
  t.row(op.ARG0,                  "Arg0",                   SHAPE_OPERANDS,    localOrArg);
  t.row(op.ARG0 + 1,              "Arg1",                   SHAPE_OPERANDS,    localOrArg);
  t.row(op.ARG0 + 2,              "Arg2",                   SHAPE_OPERANDS,    localOrArg);
  t.row(op.ARG0 + 3,              "Arg3",                   SHAPE_OPERANDS,    localOrArg);
  t.row(op.ARG0 + 4,              "Arg4",                   SHAPE_OPERANDS,    localOrArg);
  t.row(op.ARG0 + 5,              "Arg5",                   SHAPE_OPERANDS,    localOrArg);
  t.row(op.ARG6,                  "Arg6",                   SHAPE_OPERANDS,    localOrArg);
  t.row(op.STORE_OP,              "Store",                  SHAPE_OPERANDS,    storeOp);
  t.row(op.REF_OF_OP,             "RefOf",                  SHAPE_OPERANDS,    referenceOp);
  t.row(op.ADD_OP,                "Add",                    SHAPE_OPERANDS,    arithmetic);
  t.row(op.CONCAT_OP,             "Concatenate",            SHAPE_OPERANDS,    dataOp);
  t.row(op.SUBTRACT_OP,           "Subtract",               SHAPE_OPERANDS,    arithmetic);
  t.row(op.INCREMENT_OP,          "Increment",              SHAPE_OPERANDS,    arithmetic);
  t.row(op.DECREMENT_OP,          "Decrement",              SHAPE_OPERANDS,    arithmetic);
  t.row(op.MULTIPLY_OP,           "Multiply",               SHAPE_OPERANDS,    arithmetic);
  t.row(op.DIVIDE_OP,             "Divide",                 SHAPE_OPERANDS,    arithmetic);
  t.row(op.SHIFT_LEFT_OP,         "ShiftLeft",              SHAPE_OPERANDS,    arithmetic);
  t.row(op.SHIFT_RIGHT_OP,        "ShiftRight",             SHAPE_OPERANDS,    arithmetic);
  t.row(op.AND_OP,                "And",                    SHAPE_OPERANDS,    arithmetic);
  t.row(op.NAND_OP,               "NAnd",                   SHAPE_OPERANDS,    arithmetic);
  t.row(op.OR_OP,                 "Or",                     SHAPE_OPERANDS,    arithmetic);
  t.row(op.NOR_OP,                "NOr",                    SHAPE_OPERANDS,    arithmetic);
  t.row(op.XOR_OP,                "XOr",                    SHAPE_OPERANDS,    arithmetic);
  t.row(op.NOT_OP,                "Not",                    SHAPE_OPERANDS,    arithmetic);
  t.row(op.FIND_SET_LEFT_BIT_OP,  "FindSetLeftBit",         SHAPE_OPERANDS,    arithmetic);
  t.row(op.FIND_SET_RIGHT_BIT_OP, "FindSetRightBit",        SHAPE_OPERANDS,    arithmetic);
  t.row(op.DEREF_OF_OP,           "DerefOf",                SHAPE_OPERANDS,    referenceOp);
  t.row(op.CONCAT_RES_OP,         "ConcatenateResTemplate", SHAPE_OPERANDS,    dataOp);
  t.row(op.MOD_OP,                "Mod",                    SHAPE_OPERANDS,    arithmetic);
  t.row(op.NOTIFY_OP,             "Notify",                 SHAPE_OPERANDS,    syncOp);
  t.row(op.SIZE_OF_OP,            "SizeOf",                 SHAPE_OPERANDS,    referenceOp);
  t.row(op.INDEX_OP,              "Index",                  SHAPE_OPERANDS,    referenceOp);
  t.row(op.MATCH_OP,              "Match",                  SHAPE_OPERANDS,    referenceOp);
  t.row(op.CREATE_DWORD_FIELD_OP, "CreateDWordField",       SHAPE_OPERANDS,    createField);
  t.row(op.CREATE_WORD_FIELD_OP,  "CreateWordField",        SHAPE_OPERANDS,    createField);
  t.row(op.CREATE_BYTE_FIELD_OP,  "CreateByteField",        SHAPE_OPERANDS,    createField);
  t.row(op.CREATE_BIT_FIELD_OP,   "CreateBitField",         SHAPE_OPERANDS,    createField);
  t.row(op.OBJECT_TYPE_OP,        "ObjectType",             SHAPE_OPERANDS,    referenceOp);
  t.row(op.CREATE_QWORD_FIELD_OP, "CreateQWordField",       SHAPE_OPERANDS,    createField);
  t.row(op.LAND_OP,               "LAnd",                   SHAPE_OPERANDS,    logicalOp);
  t.row(op.LOR_OP,                "LOr",                    SHAPE_OPERANDS,    logicalOp);
  t.row(op.LNOT_OP,               "LNot",                   SHAPE_OPERANDS,    logicalOp);
  t.row(op.LEQUAL_OP,             "LEqual",                 SHAPE_OPERANDS,    logicalOp);
  t.row(op.LGREATER_OP,           "LGreater",               SHAPE_OPERANDS,    logicalOp);
  t.row(op.LLESS_OP,              "LLess",                  SHAPE_OPERANDS,    logicalOp);
  t.row(op.TO_BUFFER_OP,          "ToBuffer",               SHAPE_OPERANDS,    dataOp);
  t.row(op.TO_DECIMAL_STRING_OP,  "ToDecimalString",        SHAPE_OPERANDS,    dataOp);
  t.row(op.TO_HEX_STRING_OP,      "ToHexString",            SHAPE_OPERANDS,    dataOp);
  t.row(op.TO_INTEGER_OP,         "ToInteger",              SHAPE_OPERANDS,    dataOp);
  t.row(op.TO_STRING_OP,          "ToString",               SHAPE_OPERANDS,    dataOp);
  t.row(op.COPY_OBJECT_OP,        "CopyObject",             SHAPE_OPERANDS,    storeOp);
  t.row(op.MID_OP,                "Mid",                    SHAPE_OPERANDS,    dataOp);
  t.row(op.CONTINUE_OP,           "Continue",               SHAPE_OPERANDS,    controlOp);
  t.row(op.IF_OP,                 "If",                     SHAPE_PKG,         controlOp);
  t.row(op.ELSE_OP,               "Else",                   SHAPE_OPERANDS,    controlOp);
  t.row(op.WHILE_OP,              "While",                  SHAPE_PKG,         controlOp);
  t.row(op.NOOP_OP,               "Noop",                   SHAPE_OPERANDS,    controlOp);
  t.row(op.RETURN_OP,             "Return",                 SHAPE_OPERANDS,    controlOp);
  t.row(op.BREAK_OP,              "Break",                  SHAPE_OPERANDS,    controlOp);
  t.row(op.BREAKPOINT_OP,         "BreakPoint",             SHAPE_OPERANDS,    controlOp);
  t.row(op.ONES_OP,               "Ones",                   SHAPE_INTEGER,     dataObject);
  t.row(op.MUTEX_OP,              "Mutex",                  SHAPE_OPERANDS,    namedObject);
  t.row(op.EVENT_OP,              "Event",                  SHAPE_OPERANDS,    namedObject);
  t.row(op.COND_REF_OF_OP,        "CondRefOf",              SHAPE_OPERANDS,    referenceOp);
  t.row(op.CREATE_FIELD_OP,       "CreateField",            SHAPE_OPERANDS,    createField);
  t.row(op.LOAD_TABLE_OP,         "LoadTable",              SHAPE_OPERANDS,    refused);
  t.row(op.LOAD_OP,               "Load",                   SHAPE_OPERANDS,    refused);
  t.row(op.STALL_OP,              "Stall",                  SHAPE_OPERANDS,    syncOp);
  t.row(op.SLEEP_OP,              "Sleep",                  SHAPE_OPERANDS,    syncOp);
  t.row(op.ACQUIRE_OP,            "Acquire",                SHAPE_OPERANDS,    syncOp);
  t.row(op.SIGNAL_OP,             "Signal",                 SHAPE_OPERANDS,    syncOp);
  t.row(op.WAIT_OP,               "Wait",                   SHAPE_OPERANDS,    syncOp);
  t.row(op.RESET_OP,              "Reset",                  SHAPE_OPERANDS,    syncOp);
  t.row(op.RELEASE_OP,            "Release",                SHAPE_OPERANDS,    syncOp);
  t.row(op.FROM_BCD_OP,           "FromBCD",                SHAPE_OPERANDS,    arithmetic);
  t.row(op.TO_BCD_OP,             "ToBCD",                  SHAPE_OPERANDS,    arithmetic);
  t.row(op.UNLOAD_OP,             "Unload",                 SHAPE_OPERANDS,    refused);
  t.row(op.REVISION_OP,           "Revision",               SHAPE_OPERANDS,    dataObject);
  t.row(op.DEBUG_OP,              "Debug",                  SHAPE_OPERANDS,    dataObject);
  t.row(op.FATAL_OP,              "Fatal",                  SHAPE_OPERANDS,    refused);
  t.row(op.TIMER_OP,              "Timer",                  SHAPE_OPERANDS,    dataObject);
  t.row(op.OP_REGION_OP,          "OperationRegion",        SHAPE_OPERANDS,    namedObject);
  t.row(op.FIELD_OP,              "Field",                  SHAPE_PKG,         namedObject);
  t.row(op.DEVICE_OP,             "Device",                 SHAPE_PKG,         namedObject);
  t.row(op.PROCESSOR_OP,          "Processor",              SHAPE_PKG,         namedObject);
  t.row(op.POWER_RES_OP,          "PowerResource",          SHAPE_PKG,         namedObject);
  t.row(op.THERMAL_ZONE_OP,       "ThermalZone",            SHAPE_PKG,         namedObject);
  t.row(op.INDEX_FIELD_OP,        "IndexField",             SHAPE_PKG,         namedObject);
  t.row(op.BANK_FIELD_OP,         "BankField",              SHAPE_PKG,         namedObject);
  t.row(op.DATA_REGION_OP,        "DataTableRegion",        SHAPE_OPERANDS,    refused);
  // A NameString's lead bytes: '\\', '^', the dual and multi prefixes, 'A'–'Z', '_'.
  t.row(op.ROOT_CHAR,         "NameString", SHAPE_NAME, nameTerm);
  t.row(op.PARENT_PREFIX,     "NameString", SHAPE_NAME, nameTerm);
  t.row(op.DUAL_NAME_PREFIX,  "NameString", SHAPE_NAME, nameTerm);
  t.row(op.MULTI_NAME_PREFIX, "NameString", SHAPE_NAME, nameTerm);
  t.row(0x5f,                 "NameString", SHAPE_NAME, nameTerm);
  for (let c = 0x41; c <= 0x5a; c++) t.row(c, "NameString", SHAPE_NAME, nameTerm);
  return t;
}
