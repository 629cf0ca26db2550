// What the power-off path reads from `\_S5` (kernel/acpi/sleep.ts): the
// two SLP_TYP values, or one error naming what is wrong with a missing or
// malformed object. The kernel logs that error and keeps running.
import { describe, expect, it } from "vitest";
import { compileAsl, hostKernel, SimMachine, uint8ArrayId } from "../support/host.js";

function table(body: string): Uint8Array {
  return compileAsl(`DefinitionBlock ("", "SSDT", 2, "CLSAFE", "S5TEST", 1) { ${body} }`);
}

function readS5(body: string | null): string {
  const { kernel: k } = hostKernel(new SimMachine());
  k.amlReset();
  if (body !== null) {
    const bytes = table(body);
    const ptr = k.__pin(k.__newArray(uint8ArrayId(k), bytes));
    expect(k.__getString(k.amlLoadTable(ptr))).toBe("");
    k.__unpin(ptr);
  }
  return k.__getString(k.sleepReadS5());
}

describe("\\_S5 for ACPI power-off", () => {
  it.each([
    ["QEMU pc's", "Name (\\_S5, Package (4) { Zero, Zero, Zero, Zero })", "SLP_TYPa=0 SLP_TYPb=0"],
    ["QEMU microvm's", "Name (\\_S5, Package (4) { 5, Zero, Zero, Zero })", "SLP_TYPa=5 SLP_TYPb=0"],
    ["a Method's", "Method (\\_S5) { Return (Package (2) { 7, 3 }) }", "SLP_TYPa=7 SLP_TYPb=3"],
    ["a one-element (SLP_TYPb = SLP_TYPa)", "Name (\\_S5, Package (1) { 6 })", "SLP_TYPa=6 SLP_TYPb=6"],
  ])("%s \\_S5", (_what, body, expected) => {
    expect(readS5(body)).toBe(expected);
  });

  it.each([
    ["missing", null, "error: \\_S5: no object named \\_S5"],
    ["a String", 'Name (OFFS, "off")\n Method (\\_S5) { Return (OFFS) }', "error: \\_S5 is a String, not a Package"],
    ["empty", "Name (\\_S5, Package (0) {})", "error: \\_S5 does not begin with an Integer SLP_TYPa"],
    ["a String SLP_TYPb", 'Name (PKG2, Package (2) { 5, "x" })\n Method (\\_S5) { Return (PKG2) }', "error: \\_S5's second element (SLP_TYPb) is not an Integer"],
    ["beyond 3 bits", "Name (\\_S5, Package (2) { 9, Zero })", "error: \\_S5 gives SLP_TYP 0x9/0x0, beyond the 3-bit field"],
    ["a failing Method", "Method (\\_S5) { Local0 = Zero\n Return (Local0 / Local0) }", "error: \\_S5: "],
  ])("%s \\_S5 is refused with a named error", (_what, body, expected) => {
    expect(readS5(body)).toContain(expected);
  });
});
