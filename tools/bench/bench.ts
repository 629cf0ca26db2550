// Benchmarks (never tests): wall-clock figures measured side by side with a
// baseline, interleaved A B A B … so drift in machine load hits both alike.
//   boot [--pairs N] [--machine pc|q35]   QEMU start → ready line,
//       clonesafe against the one-line multiboot baseline (bench/baseline).

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { launchQemu } from "../qemu/launcher.js";
import type { MachineType } from "../qemu/args.js";

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

const [command, ...rest] = process.argv.slice(2);
if (command === "boot") {
  await bootBench(rest);
} else {
  console.error(`error: unknown benchmark "${command ?? ""}" (boot)`);
  process.exit(2);
}
