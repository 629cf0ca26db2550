// `make fuzz`: the AML fuzzer for as long as FUZZ_SECONDS (default 3600)
// allows, in rounds with fresh random seeds. Crashing inputs are written to
// build/fuzz/crash-<seed>-<case>.dat with the seed that reproduces them.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fuzzAml, loadFixtureTables } from "./fuzz.js";
import { fixturesRoot } from "../fixtures.js";
import { setHostKernelPath } from "../sim/host-kernel.js";

const build = resolve(dirname(fileURLToPath(import.meta.url)), "..");
setHostKernelPath(resolve(build, "host/kernel.wasm"));
const seconds = Number(process.env.FUZZ_SECONDS ?? 3600);
const fixtures = loadFixtureTables(fixturesRoot(resolve(build, "..")));
const deadline = Date.now() + seconds * 1000;
let total = 0, crashes = 0;
while (Date.now() < deadline) {
  const seed = (Math.random() * 0xffffffff) >>> 0;
  const stats = fuzzAml({ seed, fixtures, maxCases: 20000, deadline });
  total += stats.cases;
  for (const c of stats.crashes) {
    crashes++;
    const out = resolve(build, `fuzz/crash-${seed.toString(16)}-${c.caseNumber}.dat`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, c.table);
    console.log(`crash: seed 0x${seed.toString(16)} case ${c.caseNumber}: ${c.error} (input saved to ${out})`);
  }
  console.log(`fuzz: seed 0x${seed.toString(16)}: ${stats.cases} cases, ${stats.crashes.length} crashes; ${total} cases so far`);
}
console.log(`fuzz: ${total} cases in ${seconds} s, ${crashes} crashes`);
process.exit(crashes === 0 ? 0 : 1);
