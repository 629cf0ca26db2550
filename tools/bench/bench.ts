// Benchmarks (never tests): wall-clock figures measured side by side with a
// baseline, interleaved A B A B … so drift in machine load hits both alike.
//   boot [--pairs N] [--machine pc|q35]   QEMU start → ready line,
//       clonesafe against the one-line multiboot baseline (bench/baseline).
//   dispatch [--restores N]   guest instructions from SCI entry to the
//       vmgenid notify handler per restore (TSC under -icount shift=0, where
//       it counts instructions), on pc and q35.
//   aml [--runs N]   namespace load of the q35 DSDT+SSDT and evaluation of
//       \_SB.VGEN.ADDR: the kernel's interpreter (host build) against
//       ACPICA's acpiexec on the same tables, whole process and in-process.

import { execFileSync } from "node:child_process";
import { MACHINE_TYPES } from "../qemu/args.js";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { launchQemu } from "../qemu/launcher.js";
import type { MachineType } from "../qemu/args.js";
import { hostKernel, setHostKernelPath, type HostKernel } from "../sim/host-kernel.js";

const BUILD = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeToLine(image: string, machine: MachineType, pattern: RegExp): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  const start = performance.now();
  const q = await launchQemu({ image, machine, workDir, qmp: false, lifetimeSec: 120 });
  try {
    await q.waitForLine(pattern, { timeoutMs: 60_000 });
    return performance.now() - start;
  } finally {
    await q.kill();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function bootBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { pairs: { type: "string" }, machine: { type: "string" } } });
  const pairs = Number(values.pairs ?? 10);
  const machine = (values.machine ?? "pc") as MachineType;
  const kernel = resolve(BUILD, "clonesafe.elf");
  const baseline = resolve(BUILD, "bench/baseline.elf");
  const a: number[] = [], b: number[] = [];
  await timeToLine(kernel, machine, /^clonesafe ready/); // warm the page cache
  for (let i = 0; i < pairs; i++) {
    a.push(await timeToLine(kernel, machine, /^clonesafe ready/));
    b.push(await timeToLine(baseline, machine, /^baseline ready/));
  }
  const ma = median(a), mb = median(b);
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
  console.log(`boot, -machine ${machine}, ${pairs} interleaved pairs, QEMU start → ready line:`);
  console.log(`  clonesafe  ${fmt(a)}   image ${statSync(kernel).size} bytes`);
  console.log(`  baseline   ${fmt(b)}   image ${statSync(baseline).size} bytes`);
  console.log(`  ratio      ${(ma / mb).toFixed(3)}`);
}

function timeProcess(file: string, args: string[]): number {
  const start = performance.now();
  execFileSync(file, args, { stdio: ["ignore", "pipe", "pipe"] });
  return performance.now() - start;
}

interface AmlBenchExports {
  amlReset(): void;
  amlLoadTable(bytes: number): number;
  amlEvaluateJson(path: number): number;
  UINT8ARRAY_ID: WebAssembly.Global;
}

async function amlBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: "string" } } });
  const runs = Number(values.runs ?? 10);
  const dir = resolve(BUILD, "../../shared/fixtures/acpi/qemu-7.2/q35");
  const tables = [join(dir, "dsdt.dat"), join(dir, "ssdt.dat")];
  const path = "\\_SB.VGEN.ADDR";
  const cli = resolve(BUILD, "tools/clonesafe.mjs");
  const ours: number[] = [], acpiexec: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(timeProcess(process.execPath, [cli, "aml", ...tables.flatMap((t) => ["--table", t]), "eval", path]));
    acpiexec.push(timeProcess("acpiexec", ["-b", `evaluate ${path}`, ...tables]));
  }
  // In-process: the interpreter alone, after the module is compiled.
  setHostKernelPath(resolve(BUILD, "host/kernel.wasm"));
  const k = hostKernel().kernel as unknown as HostKernel & AmlBenchExports;
  const bytes = tables.map((t) => readFileSync(t));
  const load: number[] = [], evaluate: number[] = [];
  for (let i = 0; i < runs * 10; i++) {
    k.amlReset();
    const ptrs = bytes.map((b) => k.__pin(k.__newArray(Number(k.UINT8ARRAY_ID.value), b)));
    const t0 = performance.now();
    for (const p of ptrs) k.amlLoadTable(p);
    const t1 = performance.now();
    const result = k.__getString(k.amlEvaluateJson(k.__newString(path)));
    const t2 = performance.now();
    for (const p of ptrs) k.__unpin(p);
    if (!result.includes("0x7fff028")) throw new Error(`unexpected ADDR result ${result}`);
    load.push(t1 - t0);
    evaluate.push(t2 - t1);
  }
  const m = (xs: number[]) => median(xs).toFixed(2);
  console.log(`aml, q35 DSDT+SSDT, ${runs} runs (medians):`);
  console.log(`  whole process, load + eval ADDR:  clonesafe aml ${m(ours)} ms   acpiexec ${m(acpiexec)} ms   ratio ${(median(ours) / median(acpiexec)).toFixed(2)}`);
  console.log(`  in-process (host build):          namespace load ${m(load)} ms   eval ADDR ${(median(evaluate) * 1000).toFixed(1)} µs`);
}

async function dispatchBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { restores: { type: "string" } } });
  const restores = Number(values.restores ?? 5);
  for (const machine of MACHINE_TYPES) {
    const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
    const stateDrive = join(workDir, "state.qcow2");
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", stateDrive, "64M"]);
    const q = await launchQemu({
      image: resolve(BUILD, "clonesafe.elf"), machine, workDir, stateDrive, lifetimeSec: 300,
      extra: ["-icount", "shift=0"],
    });
    try {
      await q.waitForLine(/^clonesafe ready/, { timeoutMs: 60_000 });
      await q.qmp!.hmp("savevm s1");
      const ticks: number[] = [], reseedTicks: number[] = [];
      for (let i = 0; i < restores; i++) {
        const from = q.lines.length;
        await q.qmp!.hmp("loadvm s1");
        await q.waitForLine(/^vmgenid: notify /, { from });
        const stats = await q.command("stats");
        const match = stats.match(/dispatch_tsc=(\d+) reseed_tsc=(\d+)/);
        if (!match) throw new Error(`stats has no dispatch_tsc/reseed_tsc: ${stats}`);
        ticks.push(Number(match[1]));
        reseedTicks.push(Number(match[2]));
      }
      console.log(`dispatch, -machine ${machine}, ${restores} restores: median ${median(ticks)} instructions ` +
        `(min ${Math.min(...ticks)}, max ${Math.max(...ticks)}) from SCI entry to the notify handler; ` +
        `the reseed itself (mix GUID, RDRAND/TSC, BLAKE2s, rekey): median ${median(reseedTicks)}`);
      console.log(`getrandom, -machine ${machine} (instructions per call): ${(await q.command("perf getrandom")).replace(/^perf: /, "")}`);
    } finally {
      await q.kill();
      rmSync(workDir, { recursive: true, force: true });
    }
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === "boot") {
  await bootBench(rest);
} else if (command === "aml") {
  await amlBench(rest);
} else if (command === "dispatch") {
  await dispatchBench(rest);
} else {
  console.error(`error: unknown benchmark "${command ?? ""}" (boot, aml, dispatch)`);
  process.exit(2);
}
