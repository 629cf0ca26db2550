// Deferred Packages (kernel/aml/objects.ts AmlPackage, define.ts): a
// Package that a Name() defines at load is decoded the first time its
// elements are asked for, as ACPICA defers it. Run on the host entry built
// with the kernel's runtime (build/host-kernel-runtime/kernel.wasm). What must hold: the values are
// the same as if decoded at load (names defined later included); the decode
// happens in the middle of an evaluation without disturbing it; a store into
// the decoded Package stays; a Package that cannot be decoded loads, then
// fails the evaluation that asks for it with a named error, and the kernel
// goes on.
import { describe, expect, it } from "vitest";
import { fuzzKernel, runTable } from "../../tools/aml/fuzz.js";
import { aml, buildTable, concat } from "../../tools/aml/table.js";
import { HOST_KERNEL_RUNTIME_WASM } from "../support/host.js";

const ONE = Uint8Array.of(0x01);
/** DerefOf (Index (<pkg>, <n>)) */
const element = (pkg: string, n: number) => concat([0x83, 0x88], aml.nameString(pkg), aml.integer(n), [0x00]);
/** Add (a, b, no target) */
const add = (a: Uint8Array, b: Uint8Array) => concat([0x72], a, b, [0x00]);
/** SizeOf (name) */
const sizeOf = (name: string) => concat([0x87], aml.nameString(name));

function table(...terms: Uint8Array[]): Uint8Array {
  return buildTable({ signature: "SSDT", revision: 2, oemId: "CLNSF", oemTableId: "DEFER", aml: concat(...terms) });
}

describe("deferred Packages", () => {
  it("decode at first use to what a load-time decode gives, mid-evaluation, and keep stores", () => {
    const k = fuzzKernel(HOST_KERNEL_RUNTIME_WASM);
    const t = table(
      // PKG names LATE before LATE exists; its third element is a Package of its own.
      aml.name("PKG", aml.package([aml.integer(1), aml.nameString("LATE"), aml.package([aml.integer(2), aml.integer(3)]), aml.string("s")])),
      aml.name("LATE", aml.integer(0x42)),
      // M1: Local0 = 5, then PKG[0] + Local0: the decode runs inside the Add, between its operands.
      aml.method("M1", 0, concat(aml.store(aml.integer(5), aml.local(0)), aml.return(add(element("PKG", 0), aml.local(0))))),
      aml.method("M2", 0, aml.return(sizeOf("PKG"))),
      // M3: PKG[0] = 9 (Store to Index), then PKG[0].
      aml.method("M3", 0, concat(aml.store(aml.integer(9), concat([0x88], aml.nameString("PKG"), ONE.map(() => 0), [0x00])), aml.return(element("PKG", 0)))),
      aml.method("M4", 0, aml.return(aml.nameString("PKG"))),
    );
    const r = runTable(k, t, 10);
    expect(r.loadError).toBe("");
    const byPath = Object.fromEntries(r.outcomes.map((o) => [o.path, o]));
    expect(byPath["\\M1__"].result).toEqual({ type: "Integer", value: "0x6" });
    expect(byPath["\\M2__"].result).toEqual({ type: "Integer", value: "0x4" });
    expect(byPath["\\M3__"].result).toEqual({ type: "Integer", value: "0x9" });
    const pkg = byPath["\\M4__"].result as { type: string; value: Array<{ type: string; value?: unknown }> };
    expect(pkg.type).toBe("Package");
    expect(pkg.value[0]).toEqual({ type: "Integer", value: "0x9" }); // M3's store stayed: decoded once
    expect(pkg.value.length).toBe(4);
    expect(pkg.value[1]).toEqual({ type: "Integer", value: "0x42" }); // LATE, defined after PKG, resolved
    expect(pkg.value[2]).toEqual({ type: "Package", value: [{ type: "Integer", value: "0x2" }, { type: "Integer", value: "0x3" }] });
    expect(pkg.value[3]).toEqual({ type: "String", value: "s" });
  });

  it("a Package that cannot be decoded loads, fails the evaluation that asks with a named error, and the rest goes on", () => {
    const k = fuzzKernel(HOST_KERNEL_RUNTIME_WASM);
    // Package (2) { One, <0x03: no such opcode> }
    const bad = concat([0x12], [0x04, 0x02, 0x01, 0x03]);
    const t = table(
      aml.name("BAD", bad),
      aml.method("M1", 0, aml.return(sizeOf("BAD"))),
      aml.method("M2", 0, aml.return(aml.integer(7))),
      aml.method("M3", 0, aml.return(sizeOf("BAD"))),
    );
    const r = runTable(k, t, 10);
    expect(r.loadError).toBe("");
    const byPath = Object.fromEntries(r.outcomes.map((o) => [o.path, o]));
    expect(byPath["\\M1__"].error).toMatch(/^unknown opcode 0x3 \(opcode 0x3 unknown at SSDT DEFER offset 0x2d\)$/);
    expect(byPath["\\M2__"].result).toEqual({ type: "Integer", value: "0x7" });
    expect(byPath["\\M3__"].error).toBe(byPath["\\M1__"].error); // still deferred: the same error again, not a cached empty Package
  });
});
