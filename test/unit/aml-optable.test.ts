// The opcode table (kernel/aml/optable.ts): one row() per opcode, code,
// name, decode shape and handler together. The one table builds without a
// problem; rows carry the shapes dispatch acts on; a row that repeats a
// code, or names a value no opcode can have, is refused by name.
import { describe, expect, it } from "vitest";
import { hostKernel, SimMachine } from "../support/host.js";

describe("the AML opcode table", () => {
  const { kernel: k } = hostKernel(new SimMachine());
  const str = (p: number) => k.__getString(p);

  it("builds without a problem, names opcodes and a name's lead bytes, and carries their shapes", () => {
    expect(str(k.amlOpcodeTableProblem())).toBe("");
    expect(str(k.amlOpcodeName(0x70))).toBe("Store");
    expect(str(k.amlOpcodeName(0x5b80))).toBe("OperationRegion");
    expect(str(k.amlOpcodeName(0x5c))).toBe("NameString");  // '\\'
    expect(str(k.amlOpcodeName(0x5f))).toBe("NameString");  // '_'
    expect(str(k.amlOpcodeName(0x02))).toBe("unknown");
    expect(str(k.amlOpcodeName(0x7fff))).toBe("unknown");
    const SHAPE_INTEGER = 0x10, SHAPE_PKG = 0x20, SHAPE_NAME = 0x40;
    expect(k.amlOpcodeShape(0x0c)).toBe(SHAPE_INTEGER | 4);   // DWordPrefix: a 4-byte immediate
    expect(k.amlOpcodeShape(0x00)).toBe(SHAPE_INTEGER);       // Zero: no immediate
    expect(k.amlOpcodeShape(0xa0)).toBe(SHAPE_PKG);           // If
    expect(k.amlOpcodeShape(0xa1)).toBe(0);                   // Else: decoded by If, alone an error
    expect(k.amlOpcodeShape(0x5b82)).toBe(SHAPE_PKG);         // Device
    expect(k.amlOpcodeShape(0x41)).toBe(SHAPE_NAME);          // 'A'
  });

  it("refuses a row that repeats a code or is no opcode, naming it", () => {
    expect(str(k.amlOpcodeRowProblem(0x70, 0x71))).toBe("");
    expect(str(k.amlOpcodeRowProblem(0x70, 0x70))).toBe("opcode table row Second (0x70) repeats a code");
    expect(str(k.amlOpcodeRowProblem(0x70, 0x1234))).toBe("opcode table row Second (0x1234) is not an opcode");
  });
});
