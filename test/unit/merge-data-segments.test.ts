// The build step that merges a module's active data segments into one
// (tools/build/merge-data-segments.ts): the merged module must start with
// exactly the same memory, keep its code and names, and modules it cannot
// merge safely are refused with a reason.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mergeDataSegments } from "../../tools/build/merge-data-segments.js";

const dir = mkdtempSync(join(tmpdir(), "clonesafe-merge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wat2wasm(name: string, text: string): Uint8Array {
  const wat = join(dir, `${name}.wat`), wasm = join(dir, `${name}.wasm`);
  writeFileSync(wat, text);
  execFileSync("wat2wasm", ["--debug-names", wat, "-o", wasm]);
  return readFileSync(wasm);
}

function dataSegmentCount(module: Uint8Array): number {
  const file = join(dir, "probe.wasm");
  writeFileSync(file, module);
  const headers = execFileSync("wasm-objdump", ["-h", file], { encoding: "utf8" });
  return Number(/Data start=.*count: (\d+)/.exec(headers)?.[1] ?? 0);
}

function instantiate(module: Uint8Array): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(module)));
}

function memoryOf(module: Uint8Array, bytes: number): Uint8Array {
  const memory = instantiate(module).exports.memory as WebAssembly.Memory;
  return new Uint8Array(memory.buffer, 0, bytes).slice();
}

const THREE_SEGMENTS = `(module
  (memory (export "memory") 1)
  (data (i32.const 300) "\\10\\11\\12")
  (data (i32.const 16) "abc")
  (data (i32.const 19) "de")
  (func $sum (export "sum") (result i32) (i32.add (i32.load8_u (i32.const 16)) (i32.load8_u (i32.const 302)))))`;

describe("merge-data-segments", () => {
  it("turns several segments (out of order, with gaps) into one that initializes the same memory", () => {
    const original = wat2wasm("three", THREE_SEGMENTS);
    const { module, before } = mergeDataSegments(original);
    expect(before).toBe(3);
    expect(dataSegmentCount(original)).toBe(3);
    expect(dataSegmentCount(module)).toBe(1);
    expect(memoryOf(module, 1024)).toEqual(memoryOf(original, 1024));
    expect((instantiate(module).exports.sum as () => number)()).toBe(0x61 + 0x12);
    // Function names survive (wasm2c derives the C names from them).
    const file = join(dir, "merged.wasm");
    writeFileSync(file, module);
    expect(execFileSync("wasm-objdump", ["-x", file], { encoding: "utf8" })).toMatch(/<sum>/);
  });

  it("refuses passive segments, which code would address by index", () => {
    const passive = wat2wasm("passive", `(module (memory 1) (data "xyz")
      (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 3))))`);
    expect(() => mergeDataSegments(passive)).toThrow(/data segment 0 is passive/);
  });

  it("refuses overlapping segments, whose result would depend on their order", () => {
    const overlap = wat2wasm("overlap", `(module (memory 1) (data (i32.const 8) "abcd") (data (i32.const 10) "XY"))`);
    expect(() => mergeDataSegments(overlap)).toThrow(/overlap at 10/);
  });

  it("accepts a module without data", () => {
    const none = wat2wasm("none", "(module (memory (export \"memory\") 1))");
    const { module, before } = mergeDataSegments(none);
    expect(before).toBe(0);
    expect(memoryOf(module, 64)).toEqual(new Uint8Array(64));
  });
});
