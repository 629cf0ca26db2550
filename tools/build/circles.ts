// The circle check (issue 20): no module of kernel/, tools/ or test/support/
// imports itself through others, and no file of boot/ calls itself through
// others. `make circles` runs it; test/unit/circles.test.ts runs it in
// `make test`.
// Owns: the two graphs and their strongly connected components.
// May call: the TypeScript compiler's import scanner (ts.preProcessFile) and
// `nm` on the objects `make build` compiled. Never: edits a file or builds.
//
// Import graph. Every `import … from`, `import "…"`, `export … from`,
// `import x = require(…)` and `import(…)` with a relative specifier is an
// edge, resolved as asc and NodeNext resolve it: the path itself, .js → .ts,
// then `.ts`, then `/index.ts`. Type-only imports (`import type`,
// `import { type X }`) count too: in AssemblyScript a type is a compile-time
// dependency like any other (asc has no type-only erasure worth relying on),
// and in tools/ a circle through types is still two modules that each need
// the other to be understood. Specifiers that leave the scanned trees
// (packages, node: modules) are no edges.
//
// Call graph of boot/. One node per object of the loader: boot/X.c or
// boot/X.S for build/boot/X.o, and "build/kernel.c (wasm2c output of
// kernel/)" for build/boot/kernel.o, the generated module as one node. An
// edge A → B means A's object refers to a function (an nm T symbol) that B's
// object defines: a call, or a function's address taken (loader.c's IDT
// takes isr.S's stubs). Data references (gdt, pt_linear, the stack bounds)
// are not calls and no edges; symbols nothing in boot/ defines (libgcc,
// linker-script symbols, build/boot/ksyms.o's generated table) neither. The
// Wasm module's imports and exports count like any other call: the kernel
// calls hw.c's Z_hwZ_* and trap.c's Z_envZ_abort/wasm_rt_trap, so the file
// that instantiates the module must be one the module never calls.

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** A directed graph: each node's direct successors. */
export type Graph = ReadonlyMap<string, readonly string[]>;

/** One strongly connected component with more than one member, or a node
 * with an edge to itself. `path` is a closed walk through every member,
 * starting and ending at the first member in sorted order. */
export interface Circle {
  members: string[];
  path: string[];
}

/** Tarjan's strongly connected components, iteratively (no recursion depth
 * limit). Successors outside the graph's keys are ignored. */
function components(graph: Graph): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const onStack = new Set<string>(), stack: string[] = [], out: string[][] = [];
  let next = 0;
  const successors = (n: string): string[] => (graph.get(n) ?? []).filter((m) => graph.has(m));
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; succ: string[]; i: number }[] = [];
    const visit = (n: string): void => {
      index.set(n, next); low.set(n, next); next++;
      stack.push(n); onStack.add(n);
      work.push({ node: n, succ: successors(n), i: 0 });
    };
    visit(root);
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < top.succ.length) {
        const m = top.succ[top.i++];
        if (!index.has(m)) visit(m);
        else if (onStack.has(m)) low.set(top.node, Math.min(low.get(top.node)!, index.get(m)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let m: string;
        do { m = stack.pop()!; onStack.delete(m); scc.push(m); } while (m !== top.node);
        out.push(scc.sort());
      }
    }
  }
  return out;
}

/** Shortest path from `from` to any node satisfying `goal`, staying inside
 * `within`, as the nodes after `from`. */
function shortestPath(graph: Graph, within: ReadonlySet<string>, from: string, goal: (n: string) => boolean): string[] {
  const previous = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q];
    for (const m of [...(graph.get(n) ?? [])].sort()) {
      if (!within.has(m)) continue;
      if (goal(m)) {
        const path = [m];
        for (let p = n; p !== from; p = previous.get(p)!) path.unshift(p);
        return path;
      }
      if (!previous.has(m)) { previous.set(m, n); queue.push(m); }
    }
  }
  throw new Error(`no path from ${from} inside its own component (not strongly connected?)`);
}

/** Every circle of `graph`, sorted by first member. */
export function findCircles(graph: Graph): Circle[] {
  const circles: Circle[] = [];
  for (const members of components(graph)) {
    const start = members[0];
    if (members.length === 1 && !(graph.get(start) ?? []).includes(start)) continue;
    const within = new Set(members), seen = new Set([start]), path = [start];
    let at = start;
    while (seen.size < members.length) {
      const leg = shortestPath(graph, within, at, (n) => !seen.has(n));
      for (const n of leg) seen.add(n);
      path.push(...leg);
      at = path[path.length - 1];
    }
    path.push(...shortestPath(graph, within, at, (n) => n === start));
    circles.push({ members, path });
  }
  return circles.sort((a, b) => (a.members[0] < b.members[0] ? -1 : 1));
}

export function formatCircle(circle: Circle): string {
  return circle.path.join(" → ");
}

// ---- the import graph -------------------------------------------------------

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The file a relative specifier names, or undefined when none exists. */
function resolveImport(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base, base.replace(/\.m?js$/, ".ts"), `${base}.ts`, join(base, "index.ts")];
  return candidates.find((c) => c.endsWith(".ts") && isFile(c));
}

/** The relative specifiers a module imports or re-exports, by the compiler's
 * own scanner (comments and strings cannot fool it). */
export function importSpecifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith("./") || s.startsWith("../"));
}

/** Import graph of every .ts file under `dirs` (relative to `root`); nodes
 * are paths relative to `root`, with `/` separators. An import that names no
 * file is an error: the check would otherwise miss an edge. */
export function importGraph(root: string, dirs: readonly string[]): Map<string, string[]> {
  const name = (abs: string): string => relative(root, abs).split(sep).join("/");
  const graph = new Map<string, string[]>();
  for (const dir of dirs) {
    for (const file of tsFiles(join(root, dir))) {
      const edges = new Set<string>();
      for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
        const target = resolveImport(file, specifier);
        if (!target) throw new Error(`${name(file)}: import "${specifier}" names no file`);
        edges.add(name(target));
      }
      graph.set(name(file), [...edges].sort());
    }
  }
  return graph;
}

/** The graph restricted to nodes under `prefix` (edges leaving it dropped). */
export function subgraph(graph: Graph, prefix: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [n, succ] of graph) if (n.startsWith(prefix)) out.set(n, succ.filter((m) => m.startsWith(prefix)));
  return out;
}

// ---- the call graph of boot/ ------------------------------------------------

/** What nm says of one object: the functions (T) and other symbols it
 * defines, and the symbols it leaves undefined (U). */
export interface ObjectSymbols {
  node: string;
  functions: readonly string[];
  undefined: readonly string[];
}

/** File-level call graph: A → B when A refers to a function another file B
 * defines. A function defined twice is an error (the link would fail too). */
export function callGraph(objects: readonly ObjectSymbols[]): Map<string, string[]> {
  const definedBy = new Map<string, string>();
  for (const o of objects) {
    for (const f of o.functions) {
      const other = definedBy.get(f);
      if (other) throw new Error(`${f} is defined by both ${other} and ${o.node}`);
      definedBy.set(f, o.node);
    }
  }
  const graph = new Map<string, string[]>();
  for (const o of objects) {
    const edges = new Set<string>();
    for (const u of o.undefined) {
      const target = definedBy.get(u);
      if (target && target !== o.node) edges.add(target); // a file calling itself is no circle between files
    }
    graph.set(o.node, [...edges].sort());
  }
  return graph;
}

export const KERNEL_OBJECT_NODE = "build/kernel.c (wasm2c output of kernel/)";

/** nm's view of one object file. */
export function objectSymbols(node: string, object: string): ObjectSymbols {
  const functions: string[] = [], undefinedSymbols: string[] = [];
  for (const line of execFileSync("nm", [object], { encoding: "utf8" }).split("\n")) {
    const m = /^(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$/.exec(line);
    if (!m) continue;
    if (m[1] === "T") functions.push(m[2]);
    else if (m[1] === "U") undefinedSymbols.push(m[2]);
  }
  return { node, functions, undefined: undefinedSymbols };
}

/** The loader's objects as `make build` leaves them: one per boot/*.c and
 * boot/*.S, and the generated kernel. A missing object is an error. */
export function bootObjects(root: string, build = join(root, "build")): ObjectSymbols[] {
  const sources = readdirSync(join(root, "boot")).filter((f) => /\.(c|S)$/.test(f)).sort();
  const objects = sources.map((f) => ({ node: `boot/${f}`, object: join(build, "boot", f.replace(/\.(c|S)$/, ".o")) }));
  objects.push({ node: KERNEL_OBJECT_NODE, object: join(build, "boot", "kernel.o") });
  return objects.map(({ node, object }) => {
    if (!isFile(object)) throw new Error(`${relative(root, object)} missing: run make build first`);
    return objectSymbols(node, object);
  });
}

// ---- the whole check --------------------------------------------------------

export interface TreeReport {
  tree: string;
  nodes: number;
  circles: Circle[];
}

/** kernel/, tools/ (with test/support/, which imports it) and boot/, each
 * checked on its own. */
export function checkTree(root: string): TreeReport[] {
  const imports = importGraph(root, ["kernel", "tools", "test/support"]);
  const kernel = subgraph(imports, "kernel/");
  const tools = new Map([...imports].filter(([n]) => !n.startsWith("kernel/")));
  const boot = callGraph(bootObjects(root));
  return [
    { tree: "kernel/ (imports)", nodes: kernel.size, circles: findCircles(kernel) },
    { tree: "tools/ and test/support/ (imports)", nodes: tools.size, circles: findCircles(tools) },
    { tree: "boot/ (calls between objects)", nodes: boot.size, circles: findCircles(boot) },
  ];
}

function main(): void {
  const root = process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const reports = checkTree(root);
  const total = reports.reduce((n, r) => n + r.circles.length, 0);
  if (total === 0) {
    console.log(`circles: none in ${reports.map((r) => `${r.tree}: ${r.nodes} nodes`).join(", ")}`);
    return;
  }
  for (const r of reports) {
    for (const c of r.circles) console.error(`circle in ${r.tree} (${c.members.length} members): ${formatCircle(c)}`);
  }
  console.error(`circles: ${total} found`);
  process.exitCode = 1;
}

if (process.argv[1] && /circles\.(ts|mjs)$/.test(process.argv[1])) main();
