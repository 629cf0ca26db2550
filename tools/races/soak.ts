// `make soak`: every restore-race scenario (scenarios.ts), many trials each
// on pc and q35, one after another. Prints a table scenario × machine →
// fresh/total on stdout (progress and the reasons for every stale trial on
// stderr) and exits 1 if any trial was not fresh, 2 on bad arguments
// (soak-args.ts parses them). The table's header names the QEMU leg it ran
// on (`--qemu 7.2|10.0`, default the launcher's QEMU) and `--vmclock`
// (-device vmclock in every QEMU process of every scenario).
//
//   node build/tools/soak.mjs [--trials 200] [--machines pc,q35] [--scenarios id,id] [--image FILE] [--qemu 7.2|10.0] [--vmclock]

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { MachineType } from "../qemu/args.js";
import { killAllQemu } from "../qemu/launcher.js";
import { runScenario, SCENARIOS, type ScenarioResult } from "./scenarios.js";
import { legLabel, parseSoakArgs, SOAK_USAGE, SoakUsageError, type SoakArgs } from "./soak-args.js";

const BUILD = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The running scenario's cleanup, for an interrupted soak (Ctrl-C): its QEMUs and folders go too. */
const cleanups = new Set<() => Promise<void>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    void Promise.all([...cleanups].map((c) => c())).finally(() => process.exit(130));
  });
}

function progress(text: string): void {
  process.stderr.write(`soak: ${text}\n`);
}

function usage(problem: string): never {
  process.stderr.write(`error: ${problem}\n` +
    `${SOAK_USAGE}\n` +
    `scenarios: ${SCENARIOS.map((s) => s.id).join(", ")}\n`);
  process.exit(2);
}

interface Cell { fresh: number; total: number; error?: string }

function table(leg: string, rows: string[], machines: readonly MachineType[], cells: Map<string, Cell>): string {
  const header = [`scenario (${leg})`, ...machines];
  const body = rows.map((id) => [id, ...machines.map((m) => {
    const c = cells.get(`${id}/${m}`);
    if (!c) return "-";
    return c.error ? `error (${c.fresh}/${c.total})` : `${c.fresh}/${c.total}`;
  })]);
  const width = header.map((_, i) => Math.max(...[header, ...body].map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i])).join(" | ")} |`;
  return [line(header), `|${width.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

async function main(): Promise<number> {
  let args: SoakArgs;
  try {
    args = parseSoakArgs(process.argv.slice(2), { defaultImage: resolve(BUILD, "clonesafe.elf") });
  } catch (e) {
    if (e instanceof SoakUsageError) usage(e.message);
    throw e;
  }
  const { trials, machines, scenarios: ids, image, qemu, vmclock } = args;
  const leg = legLabel(args);
  progress(`${leg}: ${qemu.binary}`);

  const started = performance.now();
  const cells = new Map<string, Cell>();
  let bad = false;
  for (const id of ids) {
    const sc = SCENARIOS.find((s) => s.id === id)!;
    for (const machine of machines) {
      const key = `${id}/${machine}`;
      progress(`${key}: ${trials} trials (${sc.title})`);
      let r: ScenarioResult;
      try {
        r = await runScenario(sc, { image, machine, trials, qemu, vmclock, onProgress: progress, onCleanup: (c) => cleanups.add(c) });
      } catch (e) {
        bad = true;
        cells.set(key, { fresh: 0, total: 0, error: (e as Error).message });
        progress(`${key}: failed: ${(e as Error).message}`);
        continue;
      } finally {
        cleanups.clear(); // the scenario has cleaned up after itself by now
      }
      const stale = r.trials.filter((t) => !t.fresh);
      cells.set(key, { fresh: r.trials.length - stale.length, total: r.trials.length });
      if (stale.length > 0) bad = true;
      progress(`${key}: ${r.trials.length - stale.length}/${r.trials.length} fresh (snapshot epoch ${r.snapshotEpoch})`);
      for (const t of stale) progress(`${key}: trial ${t.index} not fresh: ${t.why.join("; ")}`);
      if (r.kind === "stream") {
        const cuts = [...new Set(r.trials.map((t) => JSON.stringify(t.fragment)))];
        progress(`${key}: what the restores printed before their first whole line: ${cuts.join(" ")}`);
      }
    }
  }
  console.log(table(leg, ids, machines, cells));
  progress(`${leg}: done in ${((performance.now() - started) / 1000).toFixed(0)} s${bad ? "; some trials were NOT fresh" : "; every trial fresh"}`);
  return bad ? 1 : 0;
}

let status = 1;
try {
  status = await main();
} catch (e) {
  process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n`);
} finally {
  await killAllQemu();
}
process.exit(status);
