// Host-build entry points for the opcode table's unit test (never linked
// into the machine image): the table every interpreter decodes with, and
// what row() says of a row that repeats a code or names no opcode.

import { OpcodeTable, SHAPE_OPERANDS } from "../aml/machine";
import { opcodeTable } from "../aml/optable";
import { AmlObject } from "../aml/objects";
import { Interpreter } from "../aml/machine";

function noHandler(it: Interpreter, code: i32, end: i32, wantValue: bool): AmlObject | null { return null; }

/** "" when the opcode table built without a problem (opcodeTable() aborts on one). */
export function amlOpcodeTableProblem(): string {
  return opcodeTable().problem;
}

/** The name the table gives `code` ("unknown" without a row). */
export function amlOpcodeName(code: i32): string {
  return opcodeTable().name(code);
}

/** The shape byte of `code`'s row (0 without one). */
export function amlOpcodeShape(code: i32): u32 {
  const slot = code < 0x100 ? code : 0x100 | (code & 0xff);
  return <u32>opcodeTable().shapes[slot];
}

/** A table given `first` then `second` as rows: the problem row() records. */
export function amlOpcodeRowProblem(first: i32, second: i32): string {
  const t = new OpcodeTable();
  t.row(first, "First", SHAPE_OPERANDS, noHandler);
  t.row(second, "Second", SHAPE_OPERANDS, noHandler);
  return t.problem;
}
