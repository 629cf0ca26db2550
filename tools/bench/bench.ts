// `make bench`: every figure of clonesafe against its reference, in one run,
// then bench/results.json and the README's results section. Benchmarks
// report and never assert; the tests assert.
//   all (default)   everything below; writes bench/results.json and README.md
//   boot | clone | guest | crng | aml | size   one group, printed only
//   profile         not in `all`: where a restore's instructions go (profile.ts)
// Options: --pairs N (wall-clock pairs, default 20), --restores N (guest
// restores, default 5), --runs N (AML and CRNG runs, default 10 and 5),
// --machines pc,q35.

import { statSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fixturesRoot, QEMU_TABLES } from "../fixtures.js";
import { MACHINE_TYPES, type MachineType } from "../qemu/args.js";
import { countBootBlocks, countCloneBlocks, measureFence, measureGuest, type BootBlocks } from "./guest.js";
import { qemuLegs } from "../qemu/versions.js";
import { crngRun, measureAml } from "./host-figures.js";
import { profileRestore, profileText } from "./profile.js";
import {
  describeMachine, terminalTable, withResultsSection, type Figure, type Results,
} from "./results.js";
import { pairedRatios, summarize } from "./summary.js";
import { splitBoots, TIME_CLASSES, type TimeSplit } from "./translation.js";
import { interleaved, SNAPSHOT_TAG, snapshotAtIdle, timeClone, timeToLine, type Subject } from "./wall.js";

const BUILD = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO = resolve(BUILD, "..");
const FIXTURES = join(fixturesRoot(REPO), QEMU_TABLES, "q35");

const CLONESAFE: Subject = {
  name: "clonesafe", image: join(BUILD, "clonesafe.elf"),
  ready: /^clonesafe ready /, restored: /^vmgenid: notify /,
};
/** The same kernel as build/clonesafe.efi under OVMF (issue 21): beside SeaBIOS's boot, not the baseline's. */
const CLONESAFE_UEFI: Subject = { ...CLONESAFE, name: "clonesafe (UEFI)", image: join(BUILD, "clonesafe.efi"), firmware: "uefi" };
/** Pairs for the UEFI boot: an OVMF boot takes seconds under TCG. */
const UEFI_PAIRS = 8;
const BASELINE: Subject = {
  name: "baseline", image: join(BUILD, "bench/baseline.elf"),
  ready: /^baseline ready/, restored: /^baseline restored/,
};

const IMAGE_GOAL_BYTES = 256 * 1024;
const WALL_RATIO_GOAL = 1.1;
const RESEED_GOAL_INSTRUCTIONS = 20_000;
const BOOT_GOAL_INSTRUCTIONS = 1_500_000;
const CHECK_GOAL_PERCENT = 2;
/** Issue 23: the fence with a vmclock, per getrandom(32), and a restore's catch → fresh key. */
const VMCLOCK_CHECK_GOAL_PERCENT = 0.5;
const FRESH_KEY_GOAL_INSTRUCTIONS = 10_000;
const CRNG_RATIO_GOAL = 0.8;

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

function ratioFigure(id: string, what: string, a: number[], b: number[], how: string): Figure {
  const value = summarize(a), reference = summarize(b);
  const ofMedians = value.median / reference.median;
  return {
    id, what, unit: "ms", value, reference: { name: "baseline", value: reference },
    ratio: { ofMedians, paired: pairedRatios(a, b) },
    goal: { text: `ratio ≤ ${WALL_RATIO_GOAL.toFixed(2)}`, met: ofMedians <= WALL_RATIO_GOAL },
    how,
  };
}

async function bootFigures(machines: MachineType[], pairs: number): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const machine of machines) {
    progress(`boot, -machine ${machine}: ${pairs} interleaved pairs`);
    const r = await interleaved(pairs,
      () => timeToLine(CLONESAFE, machine, CLONESAFE.ready),
      () => timeToLine(BASELINE, machine, BASELINE.ready));
    out.push(ratioFigure(`boot-${machine}`, `Boot, -machine ${machine}: QEMU start → ready line`, r.a, r.b,
      "wall time from spawning QEMU to the ready line on the serial socket, clonesafe and the baseline " +
      `interleaved (${pairs} pairs after one warm-up each), identical QEMU flags.`));
  }
  for (const machine of machines) {
    progress(`boot under OVMF, -machine ${machine}: ${UEFI_PAIRS} interleaved pairs with SeaBIOS`);
    const r = await interleaved(UEFI_PAIRS,
      () => timeToLine(CLONESAFE_UEFI, machine, CLONESAFE.ready),
      () => timeToLine(CLONESAFE, machine, CLONESAFE.ready));
    const f = ratioFigure(`boot-uefi-${machine}`, `Boot under OVMF (UEFI), -machine ${machine}: QEMU start → ready line`, r.a, r.b,
      "wall time from spawning QEMU to the ready line, build/clonesafe.efi under OVMF (OVMF_CODE_4M.fd, read-only pflash) " +
      `and build/clonesafe.elf under SeaBIOS interleaved (${UEFI_PAIRS} pairs after one warm-up each): what the firmware costs.`);
    f.reference = { ...f.reference!, name: "clonesafe under SeaBIOS" };
    delete f.goal; // no goal: firmware time is not the kernel's
    out.push(f);
  }
  return out;
}

async function cloneFigures(machines: MachineType[], pairs: number): Promise<Figure[]> {
  const out: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-bench-snapshots-"));
  try {
    for (const machine of machines) {
      progress(`clone, -machine ${machine}: snapshots, then ${pairs} interleaved pairs`);
      const ours = await snapshotAtIdle(CLONESAFE, machine, dir);
      const base = await snapshotAtIdle(BASELINE, machine, dir);
      const r = await interleaved(pairs,
        () => timeClone(CLONESAFE, machine, ours),
        () => timeClone(BASELINE, machine, base));
      out.push(ratioFigure(`clone-${machine}`, `Clone, -machine ${machine}: QEMU start with -loadvm → restore handled`,
        r.a, r.b,
        "wall time from spawning QEMU with `-loadvm` (its own copy of a snapshot taken at idle, a new GUID) to " +
        "`vmgenid: notify` (clonesafe, reseeded) or `baseline restored` (the baseline's SCI handler), interleaved."));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Perf runs per subject and machine for the time split (each run's `perf script` takes seconds). */
const SPLIT_RUNS = 4;

function splitText(t: TimeSplit): string {
  return TIME_CLASSES.map((c) => `${c} ${t.ms[c].toFixed(1)}`).join(", ") + ` ms CPU in ${t.wallMs.toFixed(0)} ms wall`;
}

/**
 * Translation's share of the boot's wall time (tools/bench/translation.ts
 * says how), for clonesafe and the baseline, and the floor it sets: the
 * boot ratio if everything but the extra translation matched the baseline.
 */
async function translationFigures(machines: MachineType[], runs: number): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const machine of machines) {
    progress(`translation's share of boot, -machine ${machine}: ${runs} interleaved boots of each under perf record`);
    const r = await splitBoots(CLONESAFE, BASELINE, machine, runs);
    const share = (t: TimeSplit) => 100 * t.ms.translate / t.wallMs;
    out.push({
      id: `boot-translate-share-${machine}`, what: `Boot: translation's share of wall time, -machine ${machine}`, unit: "%",
      value: summarize([share(r.a)]), reference: { name: "baseline", value: summarize([share(r.b)]) },
      how: `\`perf record -F 2000 --call-graph dwarf\` on QEMU from its spawn to the ready line (${runs} boots of each, ` +
        "interleaved, means): CPU time of the vCPU thread's samples under tb_gen_code over the run's wall time " +
        `(tools/bench/translation.ts). clonesafe: ${splitText(r.a)}; baseline: ${splitText(r.b)}.`,
    });
    const extra = r.a.ms.translate - r.b.ms.translate;
    out.push({
      id: `boot-translate-floor-${machine}`, what: `  the boot ratio translation alone sets, -machine ${machine}`, unit: "×",
      value: summarize([(r.b.wallMs + extra) / r.b.wallMs]),
      how: `(baseline wall + clonesafe's extra translation, ${extra.toFixed(1)} ms) / baseline wall, both under perf: ` +
        "the ratio if every other cost matched the baseline's; the rest of the gap is guest code, helpers and the exec loop.",
    });
  }
  return out;
}

function instructionFigure(id: string, what: string, values: number[], how: string, goal?: number): Figure {
  const value = summarize(values);
  return {
    id, what, unit: "instructions", value, how,
    goal: goal === undefined ? undefined : { text: `< ${goal.toLocaleString("en-US")} instructions`, met: value.max < goal },
  };
}

/** The translated blocks of one path (boot, or a clone's restore): their count and their guest bytes by function. */
function blockFigures(path: "boot" | "clone", machine: MachineType, blocks: BootBlocks, how: string): Figure[] {
  const top = blocks.byFunction.slice(0, 8)
    .map((f) => `${f.name.replace(/^w2c_kernel_/, "")} ${f.bytes.toLocaleString("en-US")} B in ${f.blocks}`).join(", ");
  progress(`${path}'s translated kernel code by function, -machine ${machine}: ${top}`);
  return [{
    id: `${path}-blocks-${machine}`, what: `  distinct blocks TCG translated for ${path === "boot" ? "it" : "a clone's restore"}, -machine ${machine}`,
    unit: "blocks", value: summarize([blocks.kernel]), how,
  }, {
    id: `${path}-block-bytes-${machine}`, what: `  their guest code, -machine ${machine}`,
    unit: "bytes", value: summarize([blocks.kernelBytes]),
    how: "the same blocks' instruction bytes, as `-d in_asm` lists them, attributed to the function each block starts in " +
      `(\`nm\`; ${blocks.byFunction.length} functions): the most translated ${top} (bytes in blocks).`,
  }];
}

async function guestFigures(machines: MachineType[], restores: number): Promise<{ figures: Figure[]; heapPages: number; gc: number }> {
  const figures: Figure[] = [];
  let heapPages = 0, gc = 0;
  const checkRows: Figure[] = [];
  for (const machine of machines) {
    progress(`guest instructions, -machine ${machine}: ${restores} restores and ${restores} drawing clones under -icount shift=0`);
    const g = await measureGuest(CLONESAFE.image, machine, restores);
    const blocks = await countBootBlocks(CLONESAFE.image, join(BUILD, "clonesafe64.elf"), machine);
    const bootWork = g.bootInstructions - g.bootWait;
    figures.push({
      id: `boot-instructions-${machine}`, what: `Kernel boot: entry → ready line, -machine ${machine}`,
      unit: "instructions", value: summarize([bootWork]),
      goal: {
        text: `≤ ${BOOT_GOAL_INSTRUCTIONS.toLocaleString("en-US")} instructions`,
        met: bootWork <= BOOT_GOAL_INSTRUCTIONS,
      },
      how: "`boot_tsc` − `boot_wait_tsc` in `stats`: guest instructions from the loader's call into the kernel (before " +
        "the Wasm module's instantiation) to the ready line written (memory map and paging, ACPI tables, the AML " +
        "namespace load, the CRNG's first seeding), less \`boot_wait_tsc\`, its polling: for timer entropy on a CPU without " +
        "RDSEED/RDRAND (the default qemu64 here) and for the UART's transmit FIFO to drain (whose length follows the " +
        `host's reader): ${g.bootWait.toLocaleString("en-US")} of the ${g.bootInstructions.toLocaleString("en-US")} ` +
        "ticks, time rather than work.",
    });
    figures.push(...blockFigures("boot", machine, blocks,
      "`-d in_asm`: distinct start addresses of the blocks translated in the image's .text up to the idle loop's " +
      `first \`collect\` (each costs translation time once under TCG); before the kernel's text, SeaBIOS, option ` +
      `ROMs and the multiboot loader translated ${blocks.firmware.toLocaleString("en-US")}.`));
    const snapshots = mkdtempSync(join(tmpdir(), "clonesafe-bench-snapshots-"));
    try {
      const clone = await countCloneBlocks(CLONESAFE.image, join(BUILD, "clonesafe64.elf"), machine,
        await snapshotAtIdle(CLONESAFE, machine, snapshots), SNAPSHOT_TAG);
      figures.push(...blockFigures("clone", machine, clone,
        "`-d in_asm` in a clone (a new QEMU process with `-loadvm` of a snapshot taken halted at idle: its translation " +
        "cache starts empty, as every clone's does): distinct blocks in the image's .text from the resume to the idle " +
        "loop's first `collect` after `vmgenid: notify` (the SCI's entry, GPE dispatch, `_E05`, the reseed, the line)."));
    } finally {
      rmSync(snapshots, { recursive: true, force: true });
    }
    figures.push(instructionFigure(`sci-reseed-${machine}`, `Restore → fresh output via the SCI, -machine ${machine}`,
      g.sciToReseed,
      "guest instructions from the loader's IRQ entry for the SCI to the end of the reseed (GPE dispatch, `_E05`, " +
      "notify delivery, read GUID, mix, BLAKE2s, rekey): `sci_reseed_tsc` in `stats` after same-process restores.",
      RESEED_GOAL_INSTRUCTIONS));
    figures.push(instructionFigure(`clone-waiting-${machine}`, `Restore → fresh key, a clone resumed with a request waiting, -machine ${machine}`,
      g.cloneWaiting,
      "a clone (new process, new GUID) started paused with a `rand` request already in its UART, so COM1 and the SCI " +
      "are both pending when it runs: guest instructions from the first interrupt's entry to the reseeded key " +
      `(\`sci_reseed_tsc\`, or \`fastpath_tsc\` when a draw's fence caught the restore first). Caught by the SCI ` +
      `${g.caughtBySci} times, by a draw's fence ${g.caughtByFence} times; the draw answered at epoch 2 every time.`,
      RESEED_GOAL_INSTRUCTIONS));
    figures.push(instructionFigure(`dispatch-${machine}`, `  of which SCI entry → vmgenid handler, -machine ${machine}`,
      g.dispatch, "`dispatch_tsc`: PM1/GPE status, `_E05` evaluated by the AML interpreter, notify queued and delivered."));
    figures.push(instructionFigure(`reseed-${machine}`, `  of which the reseed itself, -machine ${machine}`,
      g.reseed, "`reseed_tsc`: read the GUID until stable, mix it, CPU randomness and the TSC, BLAKE2s fold, new key."));
    if (machine === machines[0]) {
      heapPages = g.heapPages;
      gc = g.gc;
      const overhead = 100 * (g.getrandomWithCheck - g.getrandomWithoutCheck) / g.getrandomWithoutCheck;
      checkRows.push({
        id: "check-overhead", what: "Restore fence: cost per getrandom(32)", unit: "%",
        value: summarize([overhead]),
        goal: { text: `< ${CHECK_GOAL_PERCENT}%`, met: overhead < CHECK_GOAL_PERCENT },
        how: `\`perf getrandom\` in the guest (64 draws each way, -icount): ${g.getrandomWithCheck} instructions with the ` +
          `fence's check (one read of the GPE status port, two 64-bit loads of the GUID), ${g.getrandomWithoutCheck} without; ` +
          `the check alone is ${g.check}. Instructions count a port read as one; under KVM each is an exit to QEMU (README).`,
      });
      checkRows.push({
        id: "output-fence", what: "Output fence: cost per character of random output", unit: "instructions",
        value: summarize([g.outputFence]),
        how: `\`perf getrandom\` \`output_fence\`: the same reads before each hex digit sent to the UART, ` +
          `${g.outputFence} instructions each (a \`rand 32\` answer has 64).`,
      });
    }
  }
  return { figures: [...figures, ...checkRows], heapPages, gc };
}

/**
 * The restore fence per QEMU build: on each leg (the system's QEMU, and
 * QEMU 10 when `make qemu10` made it) and machine, the fence's share of
 * getrandom(32) and its port reads per draw, with `-device vmclock` where
 * the build has one (10.0) and without; and a same-process loadvm with a
 * request waiting, from the catch to the fresh key.
 */
async function fenceFigures(machines: MachineType[], restores: number): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const leg of qemuLegs()) {
    const withVmclock = Number(leg.name.split(".")[0]) >= 10 ? [false, true] : [false];
    for (const machine of machines) {
      for (const vmclock of withVmclock) {
        const label = `QEMU ${leg.name} -machine ${machine}${vmclock ? " -device vmclock" : ""}`;
        progress(`restore fence, ${label}: perf getrandom and ${restores} loadvms with a request waiting, -icount shift=0`);
        const f = await measureFence(CLONESAFE.image, machine, leg, vmclock, restores);
        const id = `${leg.name}-${machine}${vmclock ? "-vmclock" : ""}`;
        const overhead = 100 * (f.getrandomWithCheck - f.getrandomWithoutCheck) / f.getrandomWithoutCheck;
        const perDraw = f.drawPortReads / f.rounds;
        figures.push({
          id: `fence-${id}`, what: `Restore fence per getrandom(32), ${label}`, unit: "%", value: summarize([overhead]),
          goal: vmclock ? { text: `≤ ${VMCLOCK_CHECK_GOAL_PERCENT}% and 0 port reads`, met: overhead <= VMCLOCK_CHECK_GOAL_PERCENT && f.drawPortReads === 0 } : undefined,
          how: `\`perf getrandom\` (${f.rounds} draws each way): ${f.getrandomWithCheck} instructions with the fence, ` +
            `${f.getrandomWithoutCheck} without, the check alone ${f.check}, the output fence ${f.outputFence} per character; ` +
            `${f.drawPortReads} port reads by the fence in ${f.rounds} draws (${perDraw} per draw). Boot line: "${f.coverage}".`,
        });
        figures.push({
          id: `fence-port-reads-${id}`, what: `  of which port reads per draw, ${label}`, unit: "reads", value: summarize([perDraw]),
          how: "`draw_port_reads` / `rounds` in `perf getrandom`: `fence_port_reads` counted over the getrandom(32) loop.",
        });
        figures.push({
          ...instructionFigure(`fresh-key-${id}`, `Restore → fresh key, a loadvm with a request waiting, ${label}`, f.restoreToFresh,
            `same-process loadvm of one snapshot with \`rand 32\` in the stopped guest's UART: caught by ${f.caughtBy.join(", ")}; ` +
            "`fastpath_tsc` (the fence's catch → the draw's output) for a catch by a draw's fence, `sci_reseed_tsc` (the SCI's entry → " +
            "the reseed) for one by the SCI."),
          goal: { text: `≤ ${FRESH_KEY_GOAL_INSTRUCTIONS.toLocaleString("en-US")} instructions`, met: Math.max(...f.restoreToFresh) <= FRESH_KEY_GOAL_INSTRUCTIONS },
        });
      }
    }
  }
  return figures;
}

function crngFigures(runs: number): Figure[] {
  const binary = join(BUILD, "bench/chacha-native");
  progress(`CRNG throughput: ${runs} runs of ${binary}`);
  const kernel: number[] = [], reference: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = crngRun(binary);
    kernel.push(r.kernelMBps);
    reference.push(r.referenceMBps);
  }
  const value = summarize(kernel), ref = summarize(reference);
  const ofMedians = value.median / ref.median;
  return [{
    id: "crng-throughput", what: "ChaCha20 keystream throughput (host, native)", unit: "MB/s", value,
    reference: { name: "portable C ChaCha20", value: ref },
    ratio: { ofMedians, paired: pairedRatios(kernel, reference) },
    goal: { text: `ratio ≥ ${CRNG_RATIO_GOAL}`, met: ofMedians >= CRNG_RATIO_GOAL },
    how: "the kernel's `chacha20.ts` through the kernel's pipeline (asc → wasm2c → gcc -O2) against a portable C " +
      "ChaCha20 with the same flags, 64 MiB of keystream each, best of 5 interleaved rounds per run; keystreams checked equal.",
  }];
}

function amlFigures(runs: number): Figure[] {
  progress(`AML: ${runs} whole-process runs each, ${runs * 10} in-process loads`);
  const a = measureAml(BUILD, FIXTURES, runs);
  const ours = summarize(a.processOurs), theirs = summarize(a.processAcpiexec);
  return [
    {
      id: "aml-process", what: "AML: load q35 DSDT+SSDT and evaluate ADDR, whole process", unit: "ms", value: ours,
      reference: { name: "acpiexec -b", value: theirs },
      ratio: { ofMedians: ours.median / theirs.median, paired: pairedRatios(a.processOurs, a.processAcpiexec) },
      how: "`clonesafe aml --table … eval \\_SB.VGEN.ADDR` (node, host build) against ACPICA's `acpiexec -b` on the " +
        "same two QEMU 7.2 q35 tables; acpiexec also initializes its own subsystems (GPEs, `_INI`).",
    },
    {
      id: "aml-load", what: "AML: namespace load alone, in-process (host build)", unit: "ms", value: summarize(a.load),
      how: "both tables loaded into a fresh namespace by the host build of the interpreter, module already compiled.",
    },
  ];
}

function textBytes(elf: string): number {
  const out = execFileSync("size", ["-A", elf], { encoding: "utf8" });
  const m = /^\.text\s+(\d+)/m.exec(out);
  if (!m) throw new Error(`no .text section in size -A ${elf}`);
  return Number(m[1]);
}

function sizeFigures(heapPages: number, gcInstructions: number): Figure[] {
  const image = statSync(CLONESAFE.image).size;
  const figures: Figure[] = [
    {
      id: "image", what: "Kernel image (multiboot ELF)", unit: "bytes", value: summarize([image]),
      reference: { name: "baseline", value: summarize([statSync(BASELINE.image).size]) },
      goal: { text: "≤ 256 KiB", met: image <= IMAGE_GOAL_BYTES },
      how: "`build/clonesafe.elf`, the file QEMU's `-kernel` loads.",
    },
    {
      id: "text", what: "  of which .text", unit: "bytes", value: summarize([textBytes(join(BUILD, "clonesafe64.elf"))]),
      how: "`size -A build/clonesafe64.elf`.",
    },
    {
      id: "efi-image", what: "UEFI image (PE32+ EFI application)", unit: "bytes", value: summarize([statSync(CLONESAFE_UEFI.image).size]),
      how: "`build/clonesafe.efi`: gnu-efi's crt0 and relocation, boot/efi/stub.c, and the multiboot image's bytes it carries.",
    },
  ];
  if (heapPages > 0) {
    figures.push({
      id: "heap-pages", what: "Wasm linear memory after boot (64 KiB pages)", unit: "pages", value: summarize([heapPages]),
      how: "`heap_pages` in `stats` once the kernel is idle: the linear memory's size, which only grows.",
    });
    figures.push({
      id: "gc", what: "Garbage collection at idle (steady state)", unit: "instructions", value: summarize([gcInstructions]),
      how: "`gc_tsc` in `stats`: one mark & sweep in the idle loop (the kernel's only collection point).",
    });
  }
  return figures;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      pairs: { type: "string" }, restores: { type: "string" }, runs: { type: "string" }, machines: { type: "string" },
    },
  });
  const group = positionals[0] ?? "all";
  const pairs = Number(values.pairs ?? 20);
  const restores = Number(values.restores ?? 5);
  const runs = Number(values.runs ?? 10);
  const machines = (values.machines?.split(",") ?? [...MACHINE_TYPES]) as MachineType[];
  for (const m of machines) if (!MACHINE_TYPES.includes(m)) throw new Error(`unknown machine "${m}" (pc, q35)`);
  const groups = ["all", "boot", "clone", "guest", "translation", "fence", "crng", "aml", "size", "profile"];
  if (!groups.includes(group)) {
    console.error(`error: unknown benchmark group "${group}" (${groups.join(", ")})`);
    process.exit(2);
  }
  const started = performance.now();
  if (group === "profile") {
    // Not part of `all`: a trace to read, not a figure.
    for (const machine of machines) {
      progress(`profile, -machine ${machine}: a clone single-stepped from the SCI's entry to the reseeded key`);
      console.log(profileText(await profileRestore(CLONESAFE.image, join(BUILD, "clonesafe64.elf"), machine)));
    }
    return;
  }
  const figures: Figure[] = [];
  const want = (g: string) => group === "all" || group === g;
  if (want("boot")) figures.push(...await bootFigures(machines, pairs));
  if (want("clone")) figures.push(...await cloneFigures(machines, pairs));
  let heapPages = 0, gc = 0;
  if (want("guest") || want("size")) {
    const g = await guestFigures(machines, want("guest") ? restores : 1);
    if (want("guest")) figures.push(...g.figures);
    heapPages = g.heapPages;
    gc = g.gc;
  }
  if (want("translation")) figures.push(...await translationFigures(machines, SPLIT_RUNS));
  if (want("fence")) figures.push(...await fenceFigures(machines, restores));
  if (want("crng")) figures.push(...crngFigures(Math.max(1, Math.round(runs / 2))));
  if (want("aml")) figures.push(...amlFigures(runs));
  if (want("size")) figures.push(...sizeFigures(heapPages, gc));
  console.log(terminalTable(figures));
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (group !== "all") return;
  const results: Results = { date: new Date().toISOString(), command: "make bench", machine: describeMachine(), figures };
  const json = join(REPO, "bench/results.json");
  writeFileSync(json, JSON.stringify(results, null, 2) + "\n");
  const readme = join(REPO, "README.md");
  writeFileSync(readme, withResultsSection(readFileSync(readme, "utf8"), results));
  progress(`wrote ${json} and the results section of ${readme}`);
}

await main();
