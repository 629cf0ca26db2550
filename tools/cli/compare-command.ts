// `clonesafe compare` (`make compare`): clonesafe and a Linux 6.1 peer
// through the same QEMU command lines and restore scenarios
// (tools/compare/compare.ts), one table on stdout, progress on stderr.
// Owns: checking its arguments before anything starts; fetching the peer on
// first use (`make peer-linux` in the repository the build folder belongs
// to); one temporary folder (TMPDIR for everything the run creates),
// removed on every exit, Ctrl-C included (every QEMU stopped, status 130);
// writing bench/compare.json and the README's comparison section (--write)
// or a JSON file (--json).
// May call: the compare runner and report, the launcher's killAllQemu, make.
// Never: writes the README from a run that had an error, or prints usage for
// a runtime failure.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeMachine } from "../bench/results.js";
import { MEASUREMENTS, RACE_IDS, runCompare } from "../compare/compare.js";
import { terminalTable, withCompareSection, type CompareResults, type PeerDescription } from "../compare/report.js";
import { MACHINE_TYPES, type MachineType } from "../qemu/args.js";
import { killAllQemu } from "../qemu/launcher.js";
import { clonesafeKernel, LINUX_APPEND, LINUX_MEMORY_MIB, linuxKernel, type GuestKernel } from "../races/kernels.js";
import { COMMAND_USAGE, parsed, UsageError, wantsHelp } from "./usage.js";

const KERNELS = ["clonesafe", "linux"] as const;

function progress(text: string): void {
  process.stderr.write(`compare: ${text}\n`);
}

/** build/peers/linux: the kernel, its version, the initramfs; made by `make peer-linux` when missing. */
function linuxPeer(build: string): { kernel: GuestKernel; peer: PeerDescription } {
  const dir = join(build, "peers/linux");
  const files = ["vmlinuz", "version", "initramfs.cpio"].map((f) => join(dir, f));
  if (!files.every((f) => existsSync(f))) {
    const repo = resolve(build, "..");
    if (!existsSync(join(repo, "Makefile"))) {
      throw new Error(`the Linux peer is not in ${dir}, and ${repo} has no Makefile to make it with (run make peer-linux in the repository)`);
    }
    progress(`fetching and building the Linux peer: make -C ${repo} peer-linux`);
    const made = spawnSync("make", ["-C", repo, "--no-print-directory", "peer-linux"], { stdio: ["ignore", process.stderr, process.stderr] });
    if (made.status !== 0) throw new Error(`make peer-linux failed (status ${made.status ?? made.signal}); see its output above`);
  }
  const [pkg, version] = readFileSync(join(dir, "version"), "utf8").trim().split(/\s+/);
  return {
    kernel: linuxKernel(join(dir, "vmlinuz"), join(dir, "initramfs.cpio")),
    peer: { name: "linux", package: pkg, version, append: LINUX_APPEND, memoryMiB: LINUX_MEMORY_MIB },
  };
}

/** --from-json FILE: the table (and with --write the README section) from saved results, without running anything. */
function render(file: string, write: boolean, build: string): number {
  let results: CompareResults;
  try {
    results = JSON.parse(readFileSync(file, "utf8")) as CompareResults;
  } catch (e) {
    throw new Error(`cannot read saved results ${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(results.rows) || !results.machine) throw new Error(`${file} is not the JSON clonesafe compare writes`);
  process.stdout.write(terminalTable(results) + "\n");
  if (write) {
    const readme = join(resolve(build, ".."), "README.md");
    writeFileSync(readme, withCompareSection(readFileSync(readme, "utf8"), results));
    progress(`wrote the comparison section of ${readme} from ${file}`);
  }
  return 0;
}

export async function compareCommand(argv: string[], build: string): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(COMMAND_USAGE.compare + "\n");
    return 0;
  }
  const { values } = parsed("compare", () => parseArgs({
    args: argv,
    options: {
      peer: { type: "string" }, machine: { type: "string" }, trials: { type: "string" }, only: { type: "string" },
      json: { type: "string" }, write: { type: "boolean", default: false }, "from-json": { type: "string" },
    },
    strict: true,
  }));
  if (values["from-json"] !== undefined) {
    const runOptions = ["peer", "machine", "trials", "only", "json"].filter((k) => values[k as keyof typeof values] !== undefined);
    if (runOptions.length > 0) throw new UsageError(`--from-json renders saved results; it takes no --${runOptions.join(", --")}`, "compare");
    return render(values["from-json"], values.write === true, build);
  }
  const only = values.peer;
  if (only !== undefined && !(KERNELS as readonly string[]).includes(only)) {
    throw new UsageError(`--peer must be one of ${KERNELS.join(", ")}, got "${only}"`, "compare");
  }
  if (values.machine !== undefined && !(MACHINE_TYPES as readonly string[]).includes(values.machine)) {
    throw new UsageError(`--machine must be one of ${MACHINE_TYPES.join(", ")}, got "${values.machine}"`, "compare");
  }
  const trials = values.trials === undefined ? 8 : Number(values.trials);
  if (!Number.isInteger(trials) || trials < 1 || trials > 1000) {
    throw new UsageError(`--trials must be a whole number from 1 to 1000, got "${values.trials}"`, "compare");
  }
  const measurements = values.only?.split(",");
  for (const m of measurements ?? []) {
    if (!(MEASUREMENTS as readonly string[]).includes(m) && !(RACE_IDS as readonly string[]).includes(m)) {
      throw new UsageError(`--only takes ${MEASUREMENTS.join(", ")} or a race scenario (${RACE_IDS.join(", ")}), got "${m}"`, "compare");
    }
  }
  const machines: MachineType[] = values.machine ? [values.machine as MachineType] : [...MACHINE_TYPES];
  const image = resolve(build, "clonesafe.elf");
  const kernels: GuestKernel[] = [];
  let peer: PeerDescription | null = null;
  if (only !== "linux") {
    if (!existsSync(image)) throw new Error(`kernel image ${image} not found (run make build)`);
    kernels.push(clonesafeKernel(image));
  }
  if (only !== "clonesafe") {
    const p = linuxPeer(build);
    kernels.push(p.kernel);
    peer = p.peer;
  }

  // Everything the run makes goes in one folder, removed however the run ends.
  const scratch = mkdtempSync(join(tmpdir(), "clonesafe-compare-"));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  const cleanups = new Set<() => Promise<void>>();
  const stop = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping every QEMU and removing ${scratch}`);
    void Promise.all([...cleanups].map((c) => c().catch(() => {})))
      .then(() => killAllQemu())
      .finally(() => {
        rmSync(scratch, { recursive: true, force: true });
        process.exit(signal === "SIGINT" ? 130 : 143);
      });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const started = performance.now();
  let results: CompareResults;
  try {
    progress(`${kernels.map((k) => k.name).join(" and ")} on ${machines.join(" and ")}, ${trials} trials each` +
      (measurements ? ` (only ${measurements.join(", ")})` : ""));
    const rows = await runCompare({
      kernels, machines, trials, only: measurements, onProgress: progress, onCleanup: (c) => cleanups.add(c),
    });
    results = {
      date: new Date().toISOString(), command: ["clonesafe compare", ...argv].join(" "), machine: describeMachine(), peer, trials, rows,
    };
  } finally {
    await killAllQemu();
    if (savedTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = savedTmp;
    rmSync(scratch, { recursive: true, force: true });
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  process.stdout.write(terminalTable(results) + "\n");
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const failed = results.rows.flatMap((r) => Object.entries(r.cells).filter(([, c]) => c?.error).map(([k, c]) => `${r.id} ${r.machine} ${k}: ${c!.error}`));
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + "\n");
  if (failed.length > 0) throw new Error(`${failed.length} measurement${failed.length > 1 ? "s" : ""} failed: ${failed.join("; ")}`);
  if (values.write) {
    const repo = resolve(build, "..");
    const json = join(repo, "bench/compare.json");
    const others = argv.filter((a) => a !== "--write");
    const command = `make compare${others.length ? ` COMPARE_ARGS="${others.join(" ")}"` : ""}`;
    writeFileSync(json, JSON.stringify({ ...results, command }, null, 2) + "\n");
    const readme = join(repo, "README.md");
    const fromJson = JSON.parse(readFileSync(json, "utf8")) as CompareResults; // the section is generated from the file as written
    writeFileSync(readme, withCompareSection(readFileSync(readme, "utf8"), fromJson));
    progress(`wrote ${json} and the comparison section of ${readme}`);
  }
  return 0;
}
