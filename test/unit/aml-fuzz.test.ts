// Bounded fuzz run (fixed seed, so a failure reproduces): mutated fixture
// tables and random method bodies must never trap or abort the interpreter,
// on the host entry built with the kernel's runtime settings
// (build/host-kernel-runtime/kernel.wasm: the minimal runtime and 16 MiB
// heap, so exhausting the heap is a crash here as in the kernel).
// `make fuzz` runs the same engine for as long as you like.
import { describe, expect, it } from "vitest";
import { decodedOpcodes, fuzzAml, fuzzKernel, loadFixtureTables, methodTable, runTable } from "../../tools/aml/fuzz.js";
import { FIXTURES, HOST_KERNEL_RUNTIME_WASM, REPO } from "../support/host.js";

describe("AML fuzzing", () => {
  it("survives 4000 mutated tables and random method bodies with errors, never a trap", () => {
    const fixtures = loadFixtureTables(FIXTURES);
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    const stats = fuzzAml({ seed: 0xc10e5afe, fixtures, maxCases: 4000, wasm: HOST_KERNEL_RUNTIME_WASM });
    console.log(`aml fuzz: ${stats.cases} cases, ${stats.loadErrors} load errors, ` +
      `${stats.evaluations} evaluations, ${stats.evalErrors} evaluation errors, ${stats.crashes.length} crashes`);
    expect(stats.crashes.map((c) => `case ${c.caseNumber}: ${c.error}`)).toEqual([]);
    expect(stats.hangs.map((c) => `case ${c.caseNumber}: ${c.error}`)).toEqual([]);
    expect(stats.cases).toBe(4000);
    // The mutations must actually reach the error paths, or this test proves nothing.
    expect(stats.loadErrors).toBeGreaterThan(100);
    expect(stats.evalErrors).toBeGreaterThan(100);
  });

  it("draws from every opcode the interpreter decodes, Match and the extended ones included", () => {
    const ops = decodedOpcodes(REPO).map((t) => t.map((b) => b.toString(16).padStart(2, "0")).join(""));
    for (const op of ["89", "5b13", "5b86", "5b87", "5b88", "9e", "97", "98", "84", "5b1f"]) expect(ops).toContain(op);
    expect(ops.length).toBeGreaterThan(100);
  });

  it("bounds runaway loops and recursion with errors that name the cause", () => {
    const k = fuzzKernel(HOST_KERNEL_RUNTIME_WASM);
    // Method(FUZZ) { Local0 = One; While (Local0) {} }: allocates nothing per iteration, so the While cap ends it
    const loop = runTable(k, methodTable(new Uint8Array([0x70, 0x01, 0x60, 0xa2, 0x02, 0x60])), 1);
    expect(loop.outcomes[0].error).toMatch(/^While loop ran 65536 iterations without ending \(runaway loop\) \(opcode 0xa2 While at SSDT FUZZER offset 0x31\)$/);
    // Method(FUZZ) { While (One) { Local0 = Buffer (0x80) {} } }: each iteration allocates a buffer; the event's
    // budget ends it first (a bare `While (One) {}` no longer allocates: integer constants are read in place)
    const allocating = runTable(k, methodTable(new Uint8Array([0xa2, 0x08, 0x01, 0x70, 0x11, 0x03, 0x0a, 0x80, 0x60])), 1);
    expect(allocating.outcomes[0].error).toMatch(/^a copy of a 128-byte Buffer would allocate \d+ bytes, more than the \d+ left of this event's 4 MiB AML budget /);
    // Method(FUZZ) { FUZZ() }
    const recursion = runTable(k, methodTable(new Uint8Array([0x46, 0x55, 0x5a, 0x5a])), 1);
    expect(recursion.outcomes[0].error).toMatch(/^method calls nested deeper than 24 \(runaway recursion\?\) calling \\FUZZ \(opcode 0x46 NameString at SSDT FUZZER offset 0x2e\)$/);
    // The instance is still usable afterwards.
    const fine = runTable(k, methodTable(new Uint8Array([0xa4, 0x0a, 0x2a])), 1); // Return (0x2A)
    expect(fine.outcomes[0]).toEqual({ path: "\\FUZZ", result: { type: "Integer", value: "0x2a" }, notify: [] });
  });
});
