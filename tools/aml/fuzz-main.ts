// `make fuzz`: the AML fuzzer for as long as FUZZ_SECONDS (default 3600)
// allows, in rounds with fresh random seeds, against
// build/host-kernel-runtime/kernel.wasm (the host entry with the kernel's
// runtime and heap size: tools/aml/fuzz.ts). Crashing and
// hanging inputs are written to build/fuzz/crash-<seed>-<case>.dat and
// hang-<seed>-<case>.dat with the seed that reproduces them. The last line
// reports cases, crashes and hangs; the status is 1 when there was either.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fuzzAml, loadFixtureTables, type FuzzCrash } from "./fuzz.js";
import { fixturesRoot } from "../fixtures.js";
import { setHostKernelPath } from "../sim/host-kernel.js";

const build = resolve(dirname(fileURLToPath(import.meta.url)), "..");
setHostKernelPath(resolve(build, "host/kernel.wasm"));
process.env.CLONESAFE_REPO ??= resolve(build, "..");
const wasm = resolve(build, "host-kernel-runtime/kernel.wasm");
const seconds = Number(process.env.FUZZ_SECONDS ?? 3600);
const fixtures = loadFixtureTables(fixturesRoot(resolve(build, "..")));
const deadline = Date.now() + seconds * 1000;
let total = 0, crashes = 0, hangs = 0;

function save(kind: string, seed: number, c: FuzzCrash): void {
  const out = resolve(build, `fuzz/${kind}-${seed.toString(16)}-${c.caseNumber}.dat`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, c.table);
  console.log(`${kind}: seed 0x${seed.toString(16)} case ${c.caseNumber}: ${c.error} (input saved to ${out})`);
}

while (Date.now() < deadline) {
  const seed = (Math.random() * 0xffffffff) >>> 0;
  const stats = fuzzAml({ seed, fixtures, maxCases: 20000, deadline, wasm });
  total += stats.cases;
  for (const c of stats.crashes) { crashes++; save("crash", seed, c); }
  for (const c of stats.hangs) { hangs++; save("hang", seed, c); }
  console.log(`fuzz: seed 0x${seed.toString(16)}: ${stats.cases} cases, ${stats.crashes.length} crashes, ${stats.hangs.length} hangs; ${total} cases so far`);
}
console.log(`fuzz: ${total} cases in ${seconds} s, ${crashes} crashes, ${hangs} hangs (build/host-kernel-runtime/kernel.wasm: minimal runtime, 16 MiB heap)`);
process.exit(crashes === 0 && hangs === 0 ? 0 : 1);
