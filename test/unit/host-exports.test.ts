// The host build's export list, as tools/sim/host-kernel.ts declares it
// (HostKernelExports, written by hand so that strings and arrays cross as
// loader pointers), against what the compiler says the module exports:
// build/host/kernel.d.ts, which asc writes beside kernel.wasm with
// `--bindings raw` (the Makefile), each export's AssemblyScript types in its
// JSDoc. A name missing on either side, a different parameter count, or a
// type that does not cross as declared (bool and 32-bit integers and
// pointers as number, 64-bit integers as bigint, void as void) fails here,
// so the declaration cannot drift from the kernel.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/host.js";

interface Signature { params: string[]; returns: string }

/** AssemblyScript type (as the d.ts JSDoc names it) → how the raw loader sees it. */
function crossing(asType: string): string {
  if (asType === "void") return "void";
  if (/^[iu]64$/.test(asType)) return "bigint";
  if (/^(bool|[iu](8|16|32)|f32|f64|usize|isize)$/.test(asType)) return "number";
  return "number"; // a managed object (~lib/string/String, arrays, classes): a pointer
}

/** Exports of build/host/kernel.d.ts: functions with their JSDoc types, constants as "global". */
function compiledExports(): Map<string, Signature | "global"> {
  const text = readFileSync(join(REPO, "build/host/kernel.d.ts"), "utf8");
  const body = text.slice(text.indexOf("declare namespace __AdaptedExports {"), text.indexOf("/** Instantiates"));
  const out = new Map<string, Signature | "global">();
  const block = /\/\*\*([\s\S]*?)\*\/\s*export (function|const) (\w+)/g;
  for (let m; (m = block.exec(body)) !== null;) {
    const [, doc, kind, name] = m;
    if (name.startsWith("__") || name === "memory") continue;
    if (kind === "const") { out.set(name, "global"); continue; }
    const params = [...doc.matchAll(/@param \w+ `([^`]+)`/g)].map((p) => crossing(p[1]));
    const returns = /@returns `([^`]+)`/.exec(doc);
    out.set(name, { params, returns: returns ? crossing(returns[1]) : "void" });
  }
  return out;
}

function typeText(node: ts.TypeNode | undefined, source: ts.SourceFile): string {
  return node ? node.getText(source) : "void";
}

/** HostKernelExports's members in tools/sim/host-kernel.ts. */
function declaredExports(): Map<string, Signature | "global"> {
  const file = join(REPO, "tools/sim/host-kernel.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const out = new Map<string, Signature | "global">();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== "HostKernelExports") return;
    for (const member of node.members) {
      const name = member.name?.getText(source) ?? "";
      if (ts.isMethodSignature(member)) {
        out.set(name, { params: member.parameters.map((p) => typeText(p.type, source)), returns: typeText(member.type, source) });
      } else if (ts.isPropertySignature(member)) {
        out.set(name, "global");
      }
    }
  });
  return out;
}

describe("the host build's exports (tools/sim/host-kernel.ts) against the compiled module", () => {
  const compiled = compiledExports();
  const declared = declaredExports();

  it("reads both lists", () => {
    expect(compiled.size).toBeGreaterThan(20);
    expect(declared.size).toBeGreaterThan(20);
  });

  it("names the same exports", () => {
    const missing = [...compiled.keys()].filter((n) => !declared.has(n)).sort();
    const extra = [...declared.keys()].filter((n) => !compiled.has(n)).sort();
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it("declares each one as it crosses the raw loader", () => {
    const wrong: string[] = [];
    for (const [name, c] of compiled) {
      const d = declared.get(name);
      if (d === undefined) continue;
      if (c === "global" || d === "global") {
        if (c !== d) wrong.push(`${name}: ${c === "global" ? "a global" : "a function"} in the module`);
        continue;
      }
      const got = `(${d.params.join(", ")}) => ${d.returns}`, want = `(${c.params.join(", ")}) => ${c.returns}`;
      if (got !== want) wrong.push(`${name}: declared ${got}, compiled ${want}`);
    }
    expect(wrong).toEqual([]);
  });
});
