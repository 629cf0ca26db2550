// Guest instruction counts: QEMU runs with `-icount shift=0`, where the TSC
// advances by one per guest instruction, so the kernel's own TSC deltas
// (its `stats` keys) are exact and the same on every run. Owns: driving a
// kernel through restores and reading those keys. May call: the launcher and
// QMP. Never: asserts (a missing key is an error naming the line it read).

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { MachineType } from "../qemu/args.js";
import { launchQemu, type QemuInstance } from "../qemu/launcher.js";
import { sendIntoStoppedUart } from "../qmp/uart.js";
import { waitForHalt } from "../qmp/vcpu.js";
import { defaultQemu, type QemuBinaries } from "../qemu/versions.js";

export interface GuestFigures {
  machine: MachineType;
  /** SCI entry to the vmgenid handler (GPE dispatch, `_E05`, notify delivery). */
  dispatch: number[];
  /** The reseed alone: read GUID, mix it with CPU randomness and the TSC, BLAKE2s, rekey. */
  reseed: number[];
  /** SCI entry to the end of the reseed: from a restore's interrupt to fresh output. */
  sciToReseed: number[];
  /** A clone resumed with a request waiting: the restore's first interrupt → reseeded key (`sci_reseed_tsc`). */
  cloneWaiting: number[];
  /** How the clones' restores were caught: by the SCI's interrupt, or by a draw's fence ahead of it. */
  caughtBySci: number;
  caughtByFence: number;
  getrandomWithCheck: number;
  getrandomWithoutCheck: number;
  check: number;
  /** The read before each character of random output. */
  outputFence: number;
  /** 64 KiB pages of linear memory after boot, and the idle collection's cost. */
  heapPages: number;
  gc: number;
  /** `boot_tsc`: the loader's entry into the kernel (before instantiation) → the ready line written. */
  bootInstructions: number;
  /** `boot_wait_tsc`: of those, the polling: for timer entropy (no CPU source) and for the UART's transmit FIFO. */
  bootWait: number;
}

const NOTIFY = /^vmgenid: notify gen=\d+ guid=[0-9a-f-]{36} changed=([01]) epoch=\d+$/;
const ACPI_NOTIFY = /^acpi: notify \\_SB_\.VGEN 0x80$/;

function key(stats: string, name: string): number {
  const m = new RegExp(`\\b${name}=(\\d+)\\b`).exec(stats);
  if (!m) throw new Error(`stats has no ${name}=: ${stats}`);
  return Number(m[1]);
}

/** Waits for a restore's whole dispatch: the handler's line, then the acpi notify line after it. */
async function waitForDispatch(q: QemuInstance, from: number): Promise<string> {
  const handled = await q.waitForLine(NOTIFY, { from, timeoutMs: 60_000 });
  await q.waitForLine(ACPI_NOTIFY, { from: handled.index, timeoutMs: 60_000 });
  return handled.line;
}

export async function measureGuest(image: string, machine: MachineType, restores: number): Promise<GuestFigures> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  const stateDrive = join(workDir, "state.qcow2");
  execFileSync(defaultQemu().imgBinary, ["create", "-q", "-f", "qcow2", stateDrive, "64M"]);
  const q = await launchQemu({ image, machine, workDir, stateDrive, lifetimeSec: 600, extra: ["-icount", "shift=0"] });
  try {
    await q.waitForLine(/^clonesafe ready/, { timeoutMs: 60_000 });
    await waitForHalt(q.qmp!, { what: "the kernel" }); // idle: the boot's collection done (tools/qmp/vcpu.ts)
    await q.command("stats"); // the idle loop collects after each command: the second shows a steady-state collection
    const booted = await q.command("stats");
    const f: GuestFigures = {
      machine, dispatch: [], reseed: [], sciToReseed: [], cloneWaiting: [], caughtBySci: 0, caughtByFence: 0,
      getrandomWithCheck: 0, getrandomWithoutCheck: 0, check: 0, outputFence: 0,
      heapPages: key(booted, "heap_pages"), gc: key(booted, "gc_tsc"), bootInstructions: key(booted, "boot_tsc"),
      bootWait: key(booted, "boot_wait_tsc"),
    };
    await q.qmp!.hmp("savevm s1");
    // Same-process restores: the SCI path.
    for (let i = 0; i < restores; i++) {
      const from = q.lines.length;
      await q.qmp!.hmp("loadvm s1");
      await waitForDispatch(q, from);
      const stats = await q.command("stats");
      f.dispatch.push(key(stats, "dispatch_tsc"));
      f.reseed.push(key(stats, "reseed_tsc"));
      f.sciToReseed.push(key(stats, "sci_reseed_tsc"));
    }
    const perf = await q.command("perf getrandom");
    f.getrandomWithCheck = key(perf, "with_check");
    f.getrandomWithoutCheck = key(perf, "without_check");
    f.check = key(perf, "check");
    f.outputFence = key(perf, "output_fence");
    await q.kill();
    for (let i = 0; i < restores; i++) {
      const c = await cloneWithRequestWaiting(image, machine, stateDrive);
      f.cloneWaiting.push(c.ticks);
      if (c.byFence) f.caughtByFence++; else f.caughtBySci++;
    }
    return f;
  } finally {
    await q.kill();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * A clone (new process, new GUID) started paused (-S) with a `rand` request
 * already in its UART: when it runs, COM1 and the SCI are both pending.
 * Returns the instructions from the first interrupt's entry to the reseeded
 * key, and whether a draw's fence caught the restore before the SCI did.
 */
async function cloneWithRequestWaiting(image: string, machine: MachineType, stateFile: string): Promise<{ ticks: number; byFence: boolean }> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  try {
    const stateDrive = join(workDir, "state.qcow2");
    copyFileSync(stateFile, stateDrive);
    const q = await launchQemu({
      image, machine, workDir, stateDrive, loadvm: "s1", lifetimeSec: 120, extra: ["-icount", "shift=0", "-S"],
    });
    try {
      // Asserted whole in the stopped clone's UART (the receive interrupt raised), or the bench stops naming that premise.
      await sendIntoStoppedUart(q, q.qmp!, "rand 32\r", { context: `bench: a clone with a request waiting, -machine ${machine}` });
      await q.qmp!.execute("cont");
      const drawn = await q.waitForLine(/^rand: epoch=(\d+) [0-9a-f]{64}$/, { timeoutMs: 60_000 });
      await waitForDispatch(q, 0);
      if (drawn.match[1] !== "2") throw new Error(`expected the clone's draw at epoch 2 (one reseed before it) on ${machine}: ${drawn.line}`);
      const stats = await q.command("stats");
      const byFence = key(stats, "signal_before_draw") + key(stats, "fastpath") > 0;
      return { ticks: byFence ? key(stats, "fastpath_tsc") : key(stats, "sci_reseed_tsc"), byFence };
    } finally {
      await q.kill();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The restore fence on one QEMU build and machine, with or without `-device vmclock`. */
export interface FenceFigures {
  machine: MachineType;
  vmclock: boolean;
  /** The fence's boot line (`random: restore fence: …`). */
  coverage: string;
  getrandomWithCheck: number;
  getrandomWithoutCheck: number;
  check: number;
  outputFence: number;
  /** Port reads by the fence over `rounds` getrandom(32) calls (`perf getrandom`). */
  drawPortReads: number;
  rounds: number;
  /** Same-process loadvm with a request waiting: instructions from the catch to the fresh key, and who caught it. */
  restoreToFresh: number[];
  caughtBy: string[];
}

const FENCE_LINE = /^random: restore fence: (.*)$/;

/**
 * Boots `image` on `qemu` under -icount (with `-device vmclock` when asked),
 * runs `perf getrandom`, then `restores` same-process loadvms of one
 * snapshot, each with a `rand 32` request written into the stopped guest's
 * UART (asserted there) before `cont`: the draw's fence or the SCI catches
 * the restore, and `stats` says which and how many instructions it took to
 * the fresh key (`fastpath_tsc`: the fence's catch → the draw's output;
 * `sci_reseed_tsc`: the SCI's entry → the reseed).
 */
export async function measureFence(image: string, machine: MachineType, qemu: QemuBinaries, vmclock: boolean, restores: number): Promise<FenceFigures> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  const stateDrive = join(workDir, "state.qcow2");
  execFileSync(qemu.imgBinary, ["create", "-q", "-f", "qcow2", stateDrive, "64M"]);
  const extra = ["-icount", "shift=0", ...(vmclock ? ["-device", "vmclock"] : [])];
  const q = await launchQemu({ image, machine, workDir, stateDrive, lifetimeSec: 600, extra, qemu });
  try {
    await q.waitForLine(/^clonesafe ready/, { timeoutMs: 60_000 });
    const coverage = q.lines.map((l) => FENCE_LINE.exec(l)?.[1]).find((c) => c !== undefined);
    if (coverage === undefined) throw new Error(`no restore fence line at boot on ${machine}`);
    const perf = await q.command("perf getrandom");
    const f: FenceFigures = {
      machine, vmclock, coverage,
      getrandomWithCheck: key(perf, "with_check"), getrandomWithoutCheck: key(perf, "without_check"),
      check: key(perf, "check"), outputFence: key(perf, "output_fence"),
      drawPortReads: key(perf, "draw_port_reads"), rounds: key(perf, "rounds"),
      restoreToFresh: [], caughtBy: [],
    };
    // The snapshot's own counters: every restore brings these back, so a catch shows as a rise past them.
    const snapshot = await q.command("stats");
    await q.qmp!.execute("stop");
    await q.qmp!.hmp("savevm s1");
    await q.qmp!.execute("cont");
    for (let i = 0; i < restores; i++) {
      await q.qmp!.execute("stop");
      await q.qmp!.hmp("loadvm s1");
      const from = q.lines.length;
      await sendIntoStoppedUart(q, q.qmp!, "rand 32\r", { context: `bench: a loadvm with a request waiting, -machine ${machine}` });
      await q.qmp!.execute("cont");
      await q.waitForLine(/^rand: epoch=\d+ [0-9a-f]{64}$/, { from, timeoutMs: 60_000 });
      const stats = await q.command("stats");
      const rose = (k: string) => key(stats, k) > key(snapshot, k);
      const by = rose("counter_before_draw") ? "vmclock" : rose("signal_before_draw") || rose("fastpath") ? "fence" : "sci";
      f.restoreToFresh.push(by === "sci" ? key(stats, "sci_reseed_tsc") : key(stats, "fastpath_tsc"));
      f.caughtBy.push(by);
    }
    return f;
  } finally {
    await q.kill();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Polls a `-d in_asm` log (QEMU flushes it after each block) until it holds
 * a block that starts at `pc`.
 */
async function waitForTranslation(log: string, pc: number, timeoutMs: number): Promise<void> {
  const block = new RegExp(`^IN:.*\n0x0*${pc.toString(16)}:`, "m");
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(log) && block.test(readFileSync(log, "utf8")))) {
    if (Date.now() > deadline) throw new Error(`${log}: no block at 0x${pc.toString(16)} within ${timeoutMs} ms`);
    await sleep(50); // a pause between reads of the log: the block's presence decides
  }
}

export interface BootBlocks {
  /** Distinct start addresses of the blocks QEMU translated in the image's .text before the first collection. */
  kernel: number;
  /** The guest bytes of those blocks (each block's instructions, as in_asm lists them with their bytes). */
  kernelBytes: number;
  /** The same before the kernel's text was first entered: SeaBIOS, option ROMs, the multiboot loader. */
  firmware: number;
  /** The kernel's blocks by the function they start in (`nm` symbols), most guest bytes first. */
  byFunction: Array<{ name: string; blocks: number; bytes: number }>;
}

/** The ELF's function symbols (T/t/W/w), sorted by address. */
function functionSymbols(elf64: string): Array<{ address: number; name: string }> {
  const out = execFileSync("nm", ["-n", "--defined-only", elf64], { encoding: "utf8" });
  const symbols: Array<{ address: number; name: string }> = [];
  for (const line of out.split("\n")) {
    const m = /^([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
    if (m) symbols.push({ address: parseInt(m[1], 16), name: m[2] });
  }
  return symbols;
}

/** The name of the function `address` lies in: the last symbol at or below it. */
function functionAt(symbols: Array<{ address: number; name: string }>, address: number): string {
  let lo = 0, hi = symbols.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid].address <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found < 0 ? "?" : symbols[found].name;
}

/** The guest bytes of the block whose "IN:" line is lines[i]: the hex pairs of each instruction line up to the next block. */
function blockBytes(lines: string[], i: number): number {
  let bytes = 0;
  for (let j = i + 1; j < lines.length && !lines[j].startsWith("IN:"); j++) {
    const m = /^0x[0-9a-f]+:\s+((?:[0-9a-f]{2} )+)/.exec(lines[j]);
    if (m) bytes += m[1].trim().split(" ").length;
  }
  return bytes;
}

/** The address of the first of `names` that the ELF has a symbol for (gcc inlines one or another of them). */
function symbol(elf64: string, ...names: string[]): number {
  const out = execFileSync("nm", [elf64], { encoding: "utf8" });
  for (const name of names) {
    const m = new RegExp(`^([0-9a-f]+) \\S ${name.replace(/[$]/g, "\\$&")}$`, "m").exec(out);
    if (m) return parseInt(m[1], 16);
  }
  throw new Error(`no symbol ${names.join(" or ")} in ${elf64}`);
}

/**
 * Tallies a `-d in_asm` log: the blocks starting in the image's .text, each
 * start address once (a block translated again, in a new CPU mode or after
 * a flush, counts once), up to the first block at `end`; blocks outside the
 * text before the first one inside it are the firmware's.
 */
function tallyBlocks(log: string, elf64: string, end: number): BootBlocks {
  const textStart = symbol(elf64, "__text_start"), textEnd = symbol(elf64, "__text_end");
  const kernel = new Set<number>(), firmware = new Set<number>();
  const symbols = functionSymbols(elf64);
  const by = new Map<string, { blocks: number; bytes: number }>();
  let entered = false, ended = false, kernelBytes = 0;
  const lines = readFileSync(log, "utf8").split("\n");
  for (let i = 0; i < lines.length && !ended; i++) {
    if (!lines[i].startsWith("IN:")) continue;
    const m = /^0x([0-9a-f]+):/.exec(lines[i + 1] ?? "");
    if (!m) continue;
    const pc = parseInt(m[1], 16);
    if (pc === end) ended = true;
    else if (pc >= textStart && pc < textEnd) {
      entered = true;
      if (kernel.has(pc)) continue;
      kernel.add(pc);
      const bytes = blockBytes(lines, i);
      kernelBytes += bytes;
      const name = functionAt(symbols, pc);
      const f = by.get(name) ?? { blocks: 0, bytes: 0 };
      f.blocks++;
      f.bytes += bytes;
      by.set(name, f);
    } else if (!entered) firmware.add(pc);
  }
  if (!ended) throw new Error(`${log}: no block at collect (0x${end.toString(16)}): the kernel did not reach idle`);
  const byFunction = [...by.entries()].map(([name, f]) => ({ name, ...f })).sort((a, b) => b.bytes - a.bytes);
  return { kernel: kernel.size, kernelBytes, firmware: firmware.size, byFunction };
}

/** The idle loop's collection: mm/heap.ts collectAtIdle, or main.ts's collect around it when gcc inlines collectAtIdle. */
function collectSymbol(elf64: string): number {
  return symbol(elf64, "w2c_kernel_mm_heap_collectAtIdle", "w2c_kernel_main_collect");
}

/**
 * Counts the distinct guest blocks TCG translates for the boot (`-d in_asm`
 * logs each block once, when translated): blocks starting in the image's
 * .text, up to the first translation of the idle loop's collection (the
 * first thing after the ready line that boot never runs; gcc keeps a symbol
 * for collectAtIdle or for main.ts's collect around it).
 */
export async function countBootBlocks(image: string, elf64: string, machine: MachineType): Promise<BootBlocks> {
  const collect = collectSymbol(elf64);
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  const log = join(workDir, "in_asm.log");
  try {
    const q = await launchQemu({
      image, machine, workDir, lifetimeSec: 120, qmp: false, extra: ["-icount", "shift=0", "-d", "in_asm", "-D", log],
    });
    try {
      await q.waitForLine(/^clonesafe ready/, { timeoutMs: 60_000 });
      await waitForTranslation(log, collect, 60_000); // the end marker: the idle loop's first collection
    } finally {
      await q.kill();
    }
    return tallyBlocks(log, elf64, collect);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The same for a clone's restore: a new QEMU process started with
 * `-loadvm tag` from a copy of `stateFile` (a snapshot taken halted at idle, so the
 * restored CPU resumes in the idle loop's wait), its translation cache
 * empty as every clone's is. Every block logged runs after the resume;
 * the window ends at the first collection after the SCI's step (main.ts
 * collects after each step that served an event), once `vmgenid: notify`
 * (the reseed done) is on the serial line: resume → fresh key, plus the
 * return to the idle loop.
 */
export async function countCloneBlocks(image: string, elf64: string, machine: MachineType, stateFile: string, tag: string): Promise<BootBlocks> {
  const collect = collectSymbol(elf64);
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  const log = join(workDir, "in_asm.log");
  try {
    const stateDrive = join(workDir, "state.qcow2");
    copyFileSync(stateFile, stateDrive);
    const q = await launchQemu({
      image, machine, workDir, stateDrive, loadvm: tag, lifetimeSec: 120, qmp: false,
      extra: ["-icount", "shift=0", "-d", "in_asm", "-D", log],
    });
    try {
      await q.waitForLine(NOTIFY, { timeoutMs: 60_000 });
      await waitForTranslation(log, collect, 60_000);
    } finally {
      await q.kill();
    }
    return tallyBlocks(log, elf64, collect);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
