// Host-side benchmarks: the kernel's own code compiled for the host, against
// a reference implementation on the same machine. Owns: the CRNG throughput
// run (bench/native: asc → wasm2c → gcc against portable C ChaCha20) and the
// AML namespace load (the host build of the interpreter against ACPICA's
// acpiexec). Never: asserts.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hostKernel, setHostKernelPath, uint8ArrayId } from "../sim/host-kernel.js";

export interface CrngRun { kernelMBps: number; referenceMBps: number }

/** One run of the native ChaCha20 benchmark binary (it checks the two keystreams match). */
export function crngRun(binary: string): CrngRun {
  const out = execFileSync(binary, [], { encoding: "utf8" });
  const kernel = /kernel \(asc -> wasm2c -> gcc\)\s+([\d.]+) MB\/s/.exec(out);
  const reference = /portable C reference\s+([\d.]+) MB\/s/.exec(out);
  if (!kernel || !reference) throw new Error(`unexpected output from ${binary}:\n${out}`);
  return { kernelMBps: Number(kernel[1]), referenceMBps: Number(reference[1]) };
}

function timeProcess(file: string, args: string[]): number {
  const start = performance.now();
  execFileSync(file, args, { stdio: ["ignore", "pipe", "pipe"] });
  return performance.now() - start;
}


export interface AmlFigures {
  /** Whole process, load both tables and evaluate ADDR: `clonesafe aml` and `acpiexec -b`. */
  processOurs: number[];
  processAcpiexec: number[];
  /** In-process, module already compiled: the namespace load, then one ADDR evaluation. */
  load: number[];
  evaluate: number[];
  tables: string[];
}

export const ADDR_PATH = "\\_SB.VGEN.ADDR";

export function measureAml(build: string, fixtures: string, runs: number): AmlFigures {
  const tables = [join(fixtures, "dsdt.dat"), join(fixtures, "ssdt.dat")];
  const cli = join(build, "tools/clonesafe.mjs");
  const f: AmlFigures = { processOurs: [], processAcpiexec: [], load: [], evaluate: [], tables };
  for (let i = 0; i < runs; i++) {
    f.processOurs.push(timeProcess(process.execPath, [cli, "aml", ...tables.flatMap((t) => ["--table", t]), "eval", ADDR_PATH]));
    f.processAcpiexec.push(timeProcess("acpiexec", ["-b", `evaluate ${ADDR_PATH}`, ...tables]));
  }
  setHostKernelPath(join(build, "host/kernel.wasm"));
  const k = hostKernel().kernel;
  const bytes = tables.map((t) => readFileSync(t));
  for (let i = 0; i < runs * 10; i++) {
    k.amlReset();
    const ptrs = bytes.map((b) => k.__pin(k.__newArray(uint8ArrayId(k), b)));
    const t0 = performance.now();
    for (const p of ptrs) k.amlLoadTable(p);
    const t1 = performance.now();
    const result = k.__getString(k.amlEvaluateJson(k.__newString(ADDR_PATH)));
    const t2 = performance.now();
    for (const p of ptrs) k.__unpin(p);
    if (!result.includes("\"type\":\"Integer\"")) throw new Error(`unexpected ADDR result ${result}`);
    f.load.push(t1 - t0);
    f.evaluate.push((t2 - t1) * 1000);
  }
  return f;
}
