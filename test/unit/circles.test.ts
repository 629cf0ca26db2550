// The circle check (tools/build/circles.ts, `make circles`): the graph
// function on small graphs, then the real tree — no circle in boot/ or
// tools/, and none in kernel/. The boot/ part reads
// the objects `make build` compiled (make test builds first).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  callGraph, checkTree, findCircles, formatCircle, importSpecifiers, KERNEL_OBJECT_NODE, type Graph,
} from "../../tools/build/circles.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function graph(edges: Record<string, string[]>): Graph {
  return new Map(Object.entries(edges));
}

describe("findCircles", () => {
  it("finds a circle and prints it as one path", () => {
    const circles = findCircles(graph({ "a.ts": ["b.ts"], "b.ts": ["c.ts"], "c.ts": ["a.ts"], "d.ts": ["a.ts"] }));
    expect(circles).toEqual([{ members: ["a.ts", "b.ts", "c.ts"], path: ["a.ts", "b.ts", "c.ts", "a.ts"] }]);
    expect(formatCircle(circles[0])).toBe("a.ts → b.ts → c.ts → a.ts");
  });

  it("passes a DAG, diamonds included", () => {
    expect(findCircles(graph({ a: ["b", "c"], b: ["d"], c: ["d"], d: [] }))).toEqual([]);
  });

  it("finds a self-import", () => {
    expect(findCircles(graph({ a: ["a", "b"], b: [] }))).toEqual([{ members: ["a"], path: ["a", "a"] }]);
  });

  it("walks through every member of a component that no single simple cycle covers", () => {
    // hub ↔ x and hub ↔ y: two loops sharing one node.
    const [circle] = findCircles(graph({ hub: ["x", "y"], x: ["hub"], y: ["hub"] }));
    expect(circle.members).toEqual(["hub", "x", "y"]);
    expect(formatCircle(circle)).toBe("hub → x → hub → y → hub");
  });

  it("reports separate components separately and ignores edges out of the graph", () => {
    const circles = findCircles(graph({ a: ["b", "outside"], b: ["a"], c: ["d"], d: ["c"] }));
    expect(circles.map((c) => c.members)).toEqual([["a", "b"], ["c", "d"]]);
  });

  it("reads imports and re-exports, type-only too, and nothing in comments or strings", () => {
    const source = [
      `import { a } from "./a";`,
      `import type { B } from "../b.js";`,
      `export { c } from "./c";`,
      `export * from "./d/index.js";`,
      `import "./e";`,
      `import { readFileSync } from "node:fs";`,
      `// import { f } from "./f";`,
      `const s = 'import { g } from "./g"';`,
    ].join("\n");
    expect(importSpecifiers(source)).toEqual(["./a", "../b.js", "./c", "./d/index.js", "./e"]);
  });

  it("builds the file call graph from defined and undefined function symbols", () => {
    const g = callGraph([
      { node: "boot/a.c", functions: ["a1"], undefined: ["b1", "memcpy_from_libgcc"] },
      { node: "boot/b.c", functions: ["b1", "b2"], undefined: ["b2"] },
      { node: KERNEL_OBJECT_NODE, functions: ["k"], undefined: ["a1", "b1"] },
    ]);
    expect(Object.fromEntries(g)).toEqual({ "boot/a.c": ["boot/b.c"], "boot/b.c": [], [KERNEL_OBJECT_NODE]: ["boot/a.c", "boot/b.c"] });
    expect(() => callGraph([
      { node: "x", functions: ["f"], undefined: [] }, { node: "y", functions: ["f"], undefined: [] },
    ])).toThrow(/f is defined by both x and y/);
  });
});

describe("the tree", () => {
  const reports = checkTree(root);
  const report = (prefix: string) => reports.find((r) => r.tree.startsWith(prefix))!;

  it("boot/ calls no file back (the loader's call graph is a DAG)", () => {
    expect(report("boot/").nodes).toBeGreaterThan(5);
    expect(report("boot/").circles.map(formatCircle)).toEqual([]);
  });

  it("tools/ and test/support/ import no module back", () => {
    expect(report("tools/").nodes).toBeGreaterThan(40);
    expect(report("tools/").circles.map(formatCircle)).toEqual([]);
  });

  it("kernel/ has no circle (kernel/aml in layers: machine, decode, evaluate, handlers, optable, interpreter)", () => {
    const kernel = report("kernel/");
    expect(kernel.nodes).toBeGreaterThan(40);
    expect(kernel.circles.map(formatCircle)).toEqual([]);
  });
});
