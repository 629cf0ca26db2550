// Adversarial restore races: a request (or a running `stream`) meets a
// snapshot restore, and the restored kernel must not answer from the state
// the snapshot froze. Each scenario boots a parent, takes its snapshot
// (savevm or a migration to a file), records what the parent's own timeline
// printed next, then restores N times and records what each trial printed;
// judge.ts says which trials were fresh and why the others were not.
//
// Used by test/integration/races.test.ts (a few trials, asserted), `make
// soak` (tools/races/soak.ts, hundreds of trials, tabulated) and `make
// compare` (tools/compare/, the same scenarios on clonesafe and on a Linux
// peer: RaceOptions.guest, kernels.ts).
// Owns: the scenarios' QEMUs and temporary folders (all gone when a scenario
// returns or throws). May call: the launcher, the clone helpers, the judge.
// Never waits for the `vmgenid: notify` line before a request: the race
// between the request and the restore's interrupt is the point. A scenario
// that writes the request into a stopped guest asserts that it is in the
// UART before `cont` (tools/qmp/uart.ts) and fails naming that premise
// when it is not: never a fixed wait that hopes for it.

import type { Firmware } from "../qemu/firmware.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { launchClone, migrateToFile } from "../clone/clones.js";
import { incomingFromFile, type KernelLaunch, type MachineType } from "../qemu/args.js";
import { defaultQemu, type QemuBinaries } from "../qemu/versions.js";
import { launchQemu, type QemuInstance } from "../qemu/launcher.js";
import { SerialFailure } from "../qemu/serial.js";
import { sendIntoStoppedUart } from "../qmp/uart.js";
import {
  judgeRand, judgeStream, parseRand, parseStream, RAND_ANSWER, STREAM_LINE, STREAM_STOPPED,
  type Output, type RandObservation, type RandTrial, type StreamObservation, type StreamOutput, type StreamTrial,
} from "./judge.js";
import { clonesafeKernel, type GuestKernel } from "./kernels.js";

export const REQUEST = "rand 32";
export const TAG = "s1";
/** Complete stream lines each trial waits for after its restore before it stops the stream. */
export const STREAM_LINES_PER_TRIAL = 8;
/** Stream lines the parent's timeline runs on after its snapshot at least (and 32 more than a trial waits for). */
const TIMELINE_STREAM_LINES = 40;

export interface RaceOptions {
  /** build/clonesafe.elf: clonesafe is the guest (unless `guest` names another). */
  image?: string;
  /** The guest kernel (clonesafeKernel(image) when absent). */
  guest?: GuestKernel;
  /**
   * Let the parent run this long (seconds since its QEMU started) before its
   * snapshot, so that no result comes from the guest's boot-time behaviour
   * (Linux reseeds on a short interval during its first two minutes).
   */
  minUptimeSec?: number;
  /**
   * Have the parent answer one `rand 32` just before its snapshot (the answer
   * is not used), so the restore meets a key just used, as a busy guest's
   * would be: a kernel that reseeds at a draw when its key has grown old
   * (Linux's did, before it moved its periodic reseed to a timer) would
   * otherwise reseed at the first draw after any restore of an idle parent.
   */
  drawBeforeSnapshot?: boolean;
  /** Complete stream lines each stream trial waits for after its restore (default STREAM_LINES_PER_TRIAL). */
  streamLines?: number;
  machine: MachineType;
  /** -cpu; QEMU's default (qemu64: no RDRAND) when absent. */
  cpu?: string;
  trials: number;
  /** Hard bound on every QEMU's life (default 300 s). */
  lifetimeSec?: number;
  /** How long a trial waits for each line it needs (default 60 s). */
  lineTimeoutMs?: number;
  /** Where the temporary folders go (default the system's). */
  tmpRoot?: string;
  onProgress?: (text: string) => void;
  /**
   * Hands the scenario's cleanup to the caller too (a test's onTestFinished),
   * so that QEMUs and folders go even if the caller stops waiting. The
   * scenario always cleans up itself when it returns or throws.
   */
  onCleanup?: (cleanup: () => Promise<void>) => void;
  /** How long a request written into a stopped guest gets to reach its UART (default UART_DEADLINE_MS, tools/qmp/uart.ts). */
  premiseDeadlineMs?: number;
  /**
   * Delay the request written into a stopped guest by this long, on
   * purpose: only for showing that the premise check fails the scenario
   * (test/integration/races.test.ts).
   */
  requestDelayMs?: number;
  /** Which QEMU runs every process of the scenario, its qemu-img the state drives (default: the launcher's). */
  qemu?: QemuBinaries;
  /**
   * QEMU 10's `-device vmclock` in every QEMU process of the scenario: the
   * parent and each -loadvm or -incoming restore alike (a restore whose
   * machine lacks a device the state has fails). Needs a QEMU that has
   * the device (hasDevice, tools/qemu/versions.ts).
   */
  vmclock?: boolean;
  /** OVMF (UEFI; image: build/clonesafe.efi) instead of SeaBIOS, in every QEMU of the scenario. */
  firmware?: Firmware;
}

interface ResultBase {
  scenario: string;
  /** GuestKernel.name */
  kernel: string;
  machine: MachineType;
  cpu: string;
  /** null for a kernel whose lines carry no epoch. */
  snapshotEpoch: number | null;
  /** Seconds from the parent's QEMU start to its snapshot (the last parent's, for stream scenarios). */
  parentAgeSec: number;
  /** The parent's own `uptime` answer just before the snapshot, for a kernel that has the command. */
  parentUptimeSec?: number;
  /** The parent's serial lines up to its ready line (the last parent's, for stream scenarios): what it found at boot. */
  parentBootLines: string[];
}

export interface RandResult extends ResultBase {
  kind: "rand";
  /** The parent's answer to `rand 32` right after its snapshot. */
  timeline: string;
  /** Its answers to the next requests (TIMELINE_RAND_ANSWERS in all): a trial that repeats one is not fresh either. */
  timelineLater: string[];
  trials: RandTrial[];
}

export interface StreamResult extends ResultBase {
  kind: "stream";
  /** The parents' complete stream lines around their snapshots. */
  timeline: StreamOutput[];
  /** Per snapshot: the highest seq its parent had printed completely when it was taken. */
  snapshotSeqs: number[];
  trials: StreamTrial[];
}

export type ScenarioResult = RandResult | StreamResult;

export interface Scenario {
  id: string;
  title: string;
  /** -cpu for this scenario (overrides RaceOptions.cpu). */
  cpu?: string;
  run: (o: RaceOptions) => Promise<ScenarioResult>;
}

// ---- bookkeeping: every QEMU and folder a scenario makes goes with it -----

class Scratch {
  private readonly dirs = new Set<string>();
  private readonly qemus = new Set<QemuInstance>();
  private disposed = false;

  constructor(readonly o: RaceOptions) {
    o.onCleanup?.(() => this.dispose());
  }

  dir(label: string): string {
    if (this.disposed) throw new Error("race scenario already cleaned up");
    const d = mkdtempSync(join(this.o.tmpRoot ?? tmpdir(), `clonesafe-races-${label}-`));
    this.dirs.add(d);
    return d;
  }

  async adopt(q: QemuInstance): Promise<QemuInstance> {
    if (this.disposed) {
      await q.kill();
      throw new Error("race scenario already cleaned up");
    }
    this.qemus.add(q);
    return q;
  }

  async release(q: QemuInstance): Promise<void> {
    await q.kill();
    this.qemus.delete(q);
  }

  removeDir(d: string): void {
    rmSync(d, { recursive: true, force: true });
    this.dirs.delete(d);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.qemus].map((q) => q.kill()));
    this.qemus.clear();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs.clear();
  }
}

async function withScratch<T>(o: RaceOptions, body: (s: Scratch) => Promise<T>): Promise<T> {
  const s = new Scratch(o);
  try {
    return await body(s);
  } finally {
    await s.dispose();
  }
}

/** Every QEMU's hard bound: lifetimeSec (default 300 s), plus the parent's wait to age (minUptimeSec). */
function lifetime(o: RaceOptions): number { return (o.lifetimeSec ?? 300) + (o.minUptimeSec ?? 0); }
export function kernelOf(o: RaceOptions): GuestKernel {
  if (o.guest) return o.guest;
  if (!o.image) throw new Error("a race scenario needs a guest kernel or a clonesafe image");
  return clonesafeKernel(o.image);
}
/** What every QEMU of the scenario boots, on which QEMU, with or without vmclock: parents and restores alike. */
function launchOf(o: RaceOptions): KernelLaunch & { qemu?: QemuBinaries; vmclock?: boolean } {
  return { ...kernelOf(o).launch, ...(o.firmware ? { firmware: o.firmware } : {}), qemu: o.qemu, vmclock: o.vmclock };
}
/** A progress line's prefix naming a peer kernel (none for clonesafe, so the soak's lines stay as they were). */
function who(o: RaceOptions): string { return o.guest && o.guest.name !== "clonesafe" ? `${o.guest.name}: ` : ""; }
function lineTimeout(o: RaceOptions): number { return o.lineTimeoutMs ?? 60_000; }
function cpuLabel(o: RaceOptions): string { return o.cpu ?? "default"; }

/** The first line of an error and the last serial lines it names, for a trial's "why not". */
function reason(e: unknown): string {
  if (e instanceof SerialFailure) {
    const first = e.what.split("\n")[0];
    const serial = e.lastLines.slice(-3);
    return serial.length ? `${first} (last serial lines: ${serial.map((l) => JSON.stringify(l)).join(", ")})` : first;
  }
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

// ---- parents: the snapshot and its own timeline ---------------------------

interface Parent { q: QemuInstance; started: number }

async function bootParent(s: Scratch, snapshots: boolean): Promise<Parent> {
  const o = s.o;
  const dir = s.dir("parent");
  let stateDrive: string | undefined;
  if (snapshots) {
    stateDrive = join(dir, "state.qcow2");
    execFileSync((o.qemu ?? defaultQemu()).imgBinary, ["create", "-q", "-f", "qcow2", stateDrive, "64M"]);
  }
  const started = performance.now();
  const q = await s.adopt(await launchQemu({
    ...launchOf(o), machine: o.machine, cpu: o.cpu, workDir: dir, stateDrive, lifetimeSec: lifetime(o),
  }));
  await q.waitForLine(kernelOf(o).ready, { timeoutMs: 60_000 });
  if (o.minUptimeSec) {
    await waitUntilAged(q, kernelOf(o), started, o.minUptimeSec, (t) => o.onProgress?.(`${who(o)}parent -machine ${o.machine}: ${t}`));
  }
  return { q, started };
}

/** The guest's own answer to `uptime` (a kernel with GuestKernel.uptime). */
export async function uptimeOf(q: QemuInstance): Promise<number> {
  const answer = await q.command("uptime");
  const m = /^uptime: ([\d.]+)$/.exec(answer);
  if (!m) throw q.failure(`"uptime" answered "${answer}"`);
  return Number(m[1]);
}

/**
 * Waits until a guest has run `sec` seconds: by the wall clock since its QEMU
 * started (`started`, performance.now()) and, for a kernel that reports its
 * uptime, by its own clock too (Linux's starts seconds after QEMU does).
 */
export async function waitUntilAged(q: QemuInstance, kernel: GuestKernel, started: number, sec: number,
  progress?: (text: string) => void): Promise<void> {
  const wall = sec * 1000 - (performance.now() - started);
  if (wall > 0) {
    progress?.(`waiting ${(wall / 1000).toFixed(0)} s until it has run ${sec} s`);
    await sleep(wall);
  }
  if (!kernel.uptime) return;
  for (let up = await uptimeOf(q); up < sec; up = await uptimeOf(q)) {
    progress?.(`its own uptime is ${up.toFixed(1)} s; waiting until it is ${sec} s`);
    await sleep((sec - up) * 1000 + 100);
  }
}

type ParentAge = Pick<ResultBase, "parentAgeSec" | "parentUptimeSec" | "parentBootLines">;

/** What a parent is like at its snapshot: seconds since QEMU start, where the guest can tell its own uptime, and its boot lines. */
async function age(o: RaceOptions, p: Parent): Promise<ParentAge> {
  const parentAgeSec = (performance.now() - p.started) / 1000;
  const ready = p.q.lines.findIndex((l) => kernelOf(o).ready.test(l));
  const parentBootLines = p.q.lines.slice(0, ready + 1);
  if (!kernelOf(o).uptime) return { parentAgeSec, parentBootLines };
  return { parentAgeSec, parentUptimeSec: await uptimeOf(p.q), parentBootLines };
}

async function guidOf(q: QemuInstance): Promise<string> {
  return (await q.qmp!.execute<{ guid: string }>("query-vm-generation-id")).guid;
}

async function askRand(q: QemuInstance): Promise<Output> {
  const answer = await q.command(REQUEST);
  const r = parseRand(answer);
  if (!r) throw q.failure(`"${REQUEST}" answered "${answer}"`);
  return r;
}

/**
 * Requests the parent's timeline answers after its snapshot. More than one:
 * a restored guest whose kernel drew from its CRNG before the request (Linux
 * was seen to) answers with what the timeline answered to a later request.
 */
export const TIMELINE_RAND_ANSWERS = 4;

async function askTimeline(q: QemuInstance): Promise<{ epoch: number | null; hex: string; later: string[] }> {
  const first = await askRand(q);
  const later: string[] = [];
  for (let i = 1; i < TIMELINE_RAND_ANSWERS; i++) later.push((await askRand(q)).hex);
  return { ...first, later };
}

interface RandParent {
  parent: QemuInstance;
  guid: string;
  timeline: { epoch: number | null; hex: string; later: string[] };
  age: ParentAge;
}

/** A parent at idle, snapshot `s1` in its state drive, and its next answer to `rand 32`. */
async function savevmParent(s: Scratch): Promise<RandParent> {
  const p = await bootParent(s, true);
  const parent = p.q;
  const parentAge = await age(s.o, p);
  if (s.o.drawBeforeSnapshot) await askRand(parent);
  await parent.qmp!.hmp(`savevm ${TAG}`);
  const timeline = await askTimeline(parent);
  return { parent, guid: await guidOf(parent), timeline, age: parentAge };
}

/** A parent at idle migrated to a file (then resumed), and its next answer to `rand 32`. */
async function migrateParent(s: Scratch): Promise<RandParent & { file: string }> {
  const p = await bootParent(s, false);
  const parent = p.q;
  const guid = await guidOf(parent);
  const parentAge = await age(s.o, p);
  if (s.o.drawBeforeSnapshot) await askRand(parent);
  const file = join(s.dir("migration"), "vm.state");
  await migrateToFile(parent.qmp!, file);
  await parent.qmp!.execute("cont"); // paused in postmigrate: the original timeline goes on
  const timeline = await askTimeline(parent);
  return { parent, guid, file, timeline, age: parentAge };
}

// ---- trials -------------------------------------------------------------

/**
 * After a same-process restore, waits until the restore has been announced
 * (`vmgenid: notify`, then `acpi: notify`), so the next trial starts from a
 * quiet console. Only ever after the request was sent and answered.
 */
async function settle(q: QemuInstance, o: RaceOptions, from: number, timeoutMs: number): Promise<void> {
  let at = from;
  for (const line of kernelOf(o).restoreAnnounced) at = (await q.waitForLine(line, { from: at, timeoutMs })).index;
}

async function answerAfter(q: QemuInstance, from: number, timeoutMs: number): Promise<RandObservation> {
  try {
    const { line } = await q.waitForLine(RAND_ANSWER, { from, timeoutMs });
    return { answer: parseRand(line)! };
  } catch (e) {
    return { error: reason(e) };
  }
}

/** A same-process rand trial: `restore` puts the request in; then the answer, then the notify. */
async function sameProcessRandTrial(q: QemuInstance, o: RaceOptions, restore: () => Promise<void>): Promise<RandObservation> {
  const from = q.lines.length;
  await restore();
  const observed = await answerAfter(q, from, lineTimeout(o));
  if (observed.answer) {
    try {
      await settle(q, o, from, lineTimeout(o));
    } catch (e) {
      observed.error = `the restore was never announced: ${reason(e)}`;
    }
  }
  return observed;
}

async function runTrials<T extends { error?: string }>(o: RaceOptions, name: string, trial: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < o.trials; i++) {
    const t = await trial(i);
    out.push(t);
    o.onProgress?.(`${who(o)}${name} -machine ${o.machine}: trial ${i + 1}/${o.trials}${t.error ? ` (${t.error})` : ""}`);
  }
  return out;
}

function randResult(o: RaceOptions, scenario: string, p: RandParent, obs: RandObservation[]): RandResult {
  return {
    kind: "rand", scenario, kernel: kernelOf(o).name, machine: o.machine, cpu: cpuLabel(o), snapshotEpoch: p.timeline.epoch,
    ...p.age, timeline: p.timeline.hex, timelineLater: p.timeline.later, trials: judgeRand(p.timeline, obs, { epoch: kernelOf(o).hasEpoch }),
  };
}

/**
 * With -incoming, QEMU's main loop runs while the incoming stream is read,
 * and the UART, still in its reset state (no FIFO), takes one byte from the
 * socket that the incoming device state then overwrites: the request would
 * lose its first byte ("and 32"). A leading backspace, a no-op on the empty
 * shell line of a snapshot taken at idle, absorbs that byte if it goes.
 */
const INCOMING_ABSORBER = "\b";

/** Starts a restoring QEMU in its own folder, writes the request the moment the serial console connects. */
async function newProcessRandTrial(s: Scratch, start: (dir: string) => Promise<QemuInstance>, prefix = ""): Promise<RandObservation> {
  const dir = s.dir("trial");
  let q: QemuInstance | null = null;
  try {
    q = await s.adopt(await start(dir));
    q.sendBytes(`${prefix}${REQUEST}\r`); // QEMU is restoring and starting the guest right now
    return await answerAfter(q, 0, lineTimeout(s.o));
  } catch (e) {
    return { error: reason(e) };
  } finally {
    if (q) await s.release(q);
    s.removeDir(dir);
  }
}

// ---- the scenarios --------------------------------------------------------

/**
 * 1. Same process, same GUID: QMP stop, HMP loadvm, the request into the
 * stopped VM's UART — asserted there, whole (its 8 bytes are the receive
 * FIFO's trigger level: the receive interrupt is raised) — then cont.
 */
export function loadvmWhileStopped(o: RaceOptions): Promise<RandResult> {
  return withScratch(o, async (s) => {
    const p = await savevmParent(s);
    const q = p.parent;
    const obs = await runTrials(o, "loadvm-stopped", (i) => sameProcessRandTrial(q, o, async () => {
      await q.qmp!.execute("stop");
      await q.qmp!.hmp(`loadvm ${TAG}`);
      await sendIntoStoppedUart(q, q.qmp!, `${REQUEST}\r`, {
        deadlineMs: o.premiseDeadlineMs, delayMs: o.requestDelayMs, context: `${who(o)}loadvm-stopped -machine ${o.machine}, trial ${i + 1}`,
      });
      await q.qmp!.execute("cont");
    }));
    return randResult(o, "loadvm-stopped", p, obs);
  });
}

/** 2. Same process, same GUID: HMP loadvm on the running VM, the request as soon as it returns. */
export function loadvmWhileRunning(o: RaceOptions): Promise<RandResult> {
  return withScratch(o, async (s) => {
    const p = await savevmParent(s);
    const q = p.parent;
    const obs = await runTrials(o, "loadvm-running", () => sameProcessRandTrial(q, o, async () => {
      await q.qmp!.hmp(`loadvm ${TAG}`);
      q.sendLine(REQUEST);
    }));
    return randResult(o, "loadvm-running", p, obs);
  });
}

/** 3 and 4. A new process with -loadvm on its own copy of the state, the request as the guest starts. */
function cloneScenario(o: RaceOptions, scenario: string, sameGuid: boolean): Promise<RandResult> {
  return withScratch(o, async (s) => {
    const p = await savevmParent(s);
    await p.parent.qmp!.execute("stop"); // the state file stays as saved
    const stateFile = join(p.parent.workDir, "state.qcow2");
    const obs = await runTrials(o, scenario, () => newProcessRandTrial(s, (dir) => launchClone({
      ...launchOf(o), stateFile, tag: TAG, machine: o.machine, cpu: o.cpu, workDir: dir,
      guid: () => (sameGuid ? p.guid : "auto"), lifetimeSec: lifetime(o),
    }, 0, { qmp: false })));
    return randResult(o, scenario, p, obs);
  });
}

export function cloneSameGuid(o: RaceOptions): Promise<RandResult> { return cloneScenario(o, "clone-same-guid", true); }
export function cloneNewGuid(o: RaceOptions): Promise<RandResult> { return cloneScenario(o, "clone-new-guid", false); }

/** 5 and 6. A new process with -incoming "exec:cat FILE", the request at once. */
function incomingScenario(o: RaceOptions, scenario: string, sameGuid: boolean): Promise<RandResult> {
  return withScratch(o, async (s) => {
    const p = await migrateParent(s);
    await p.parent.qmp!.execute("stop");
    const obs = await runTrials(o, scenario, () => newProcessRandTrial(s, (dir) => launchQemu({
      ...launchOf(o), machine: o.machine, cpu: o.cpu, workDir: dir, incoming: incomingFromFile(p.file),
      vmgenid: sameGuid ? p.guid : "auto", qmp: false, lifetimeSec: lifetime(o),
    }), INCOMING_ABSORBER));
    return randResult(o, scenario, p, obs);
  });
}

export function incomingSameGuid(o: RaceOptions): Promise<RandResult> { return incomingScenario(o, "incoming-same-guid", true); }
export function incomingNewGuid(o: RaceOptions): Promise<RandResult> { return incomingScenario(o, "incoming-new-guid", false); }

// ---- 7. stream cut by a restore -------------------------------------------

export type StreamRestoreKind = "loadvm" | "clone-same-guid" | "clone-new-guid" | "incoming-same-guid";

function streamOutputs(lines: readonly string[]): StreamOutput[] {
  return lines.flatMap((l) => parseStream(l) ?? []);
}

/** Waits for `count` complete stream lines from `from`; returns the index after the last. */
async function waitStreamLines(q: QemuInstance, from: number, count: number, timeoutMs: number): Promise<number> {
  let next = from;
  for (let n = 0; n < count; n++) next = (await q.waitForLine(STREAM_LINE, { from: next, timeoutMs })).index + 1;
  return next;
}

async function stopStream(q: QemuInstance, from: number, timeoutMs: number): Promise<number> {
  q.sendBytes("x");
  return (await q.waitForLine(STREAM_STOPPED, { from, timeoutMs })).index;
}

interface StreamParent {
  parent: QemuInstance;
  guid: string;
  snapshotSeq: number;
  epoch: number | null;
  age: ParentAge;
  /** The parent's complete stream lines, before and after its snapshot (read before any trial prints). */
  timeline: StreamOutput[];
  file?: string;
}

/**
 * Starts `stream` in a parent, takes the snapshot while it streams, lets the
 * parent's timeline run on for a while, and stops its stream.
 */
async function streamingParent(s: Scratch, how: "savevm" | "migrate"): Promise<StreamParent> {
  const p = await bootParent(s, how === "savevm");
  const parent = p.q;
  const guid = await guidOf(parent);
  const parentAge = await age(s.o, p);
  parent.sendLine("stream");
  await waitStreamLines(parent, 0, 40, 60_000);
  let file: string | undefined;
  let seen: StreamOutput[];
  if (how === "savevm") {
    seen = streamOutputs(parent.lines);
    await parent.qmp!.hmp(`savevm ${TAG}`); // pauses mid-stream, saves, runs on
  } else {
    file = join(s.dir("migration"), "vm.state");
    await migrateToFile(parent.qmp!, file); // the VM streams on until the last pass pauses it
    seen = streamOutputs(parent.lines);
  }
  const snapshotSeq = Math.max(...seen.map((l) => l.seq));
  const epoch = seen[seen.length - 1].epoch;
  if (how === "migrate") await parent.qmp!.execute("cont");
  const runOn = Math.max(TIMELINE_STREAM_LINES, (s.o.streamLines ?? STREAM_LINES_PER_TRIAL) + 32);
  await parent.waitForLine(new RegExp(`^stream: seq=${snapshotSeq + runOn} `), { timeoutMs: 60_000 });
  await stopStream(parent, 0, 60_000);
  return { parent, guid, snapshotSeq, epoch, age: parentAge, timeline: streamOutputs(parent.lines), file };
}

/** What a trial printed from `from` (its restore) until its stream stopped. */
async function streamTrial(q: QemuInstance, o: RaceOptions, from: number, timeoutMs: number): Promise<StreamObservation> {
  try {
    const next = await waitStreamLines(q, from, o.streamLines ?? STREAM_LINES_PER_TRIAL, timeoutMs);
    const stopped = await stopStream(q, next, timeoutMs);
    return { lines: q.lines.slice(from, stopped + 1) };
  } catch (e) {
    return { lines: q.lines.slice(from), error: reason(e) };
  }
}

/** Trials per streaming snapshot: every trial of one snapshot meets the same cut, so the soak samples many. */
export const STREAM_TRIALS_PER_SNAPSHOT = 4;

/** The trials of one streaming snapshot. */
async function streamRound(s: Scratch, kind: StreamRestoreKind, count: number, name: string, done: number): Promise<{ p: StreamParent; obs: StreamObservation[] }> {
  const o = s.o;
  const p = await streamingParent(s, kind === "incoming-same-guid" ? "migrate" : "savevm");
  const obs: StreamObservation[] = [];
  const report = (t: StreamObservation) => {
    obs.push(t);
    o.onProgress?.(`${who(o)}${name} -machine ${o.machine}: trial ${done + obs.length}/${o.trials}${t.error ? ` (${t.error})` : ""}`);
  };
  if (kind === "loadvm") {
    const q = p.parent;
    for (let i = 0; i < count; i++) {
      const from = q.lines.length;
      await q.qmp!.hmp(`loadvm ${TAG}`);
      const t = await streamTrial(q, o, from, lineTimeout(o));
      if (!t.error) {
        try {
          await settle(q, o, from, lineTimeout(o));
        } catch (e) {
          t.error = `the restore was never announced: ${reason(e)}`;
        }
      }
      report(t);
    }
  } else {
    await p.parent.qmp!.execute("stop");
    const stateFile = join(p.parent.workDir, "state.qcow2");
    for (let i = 0; i < count; i++) {
      const dir = s.dir("trial");
      let q: QemuInstance | null = null;
      let t: StreamObservation;
      try {
        q = await s.adopt(await (kind === "incoming-same-guid"
          ? launchQemu({
            ...launchOf(o), machine: o.machine, cpu: o.cpu, workDir: dir, incoming: incomingFromFile(p.file!),
            vmgenid: p.guid, qmp: false, lifetimeSec: lifetime(o),
          })
          : launchClone({
            ...launchOf(o), stateFile, tag: TAG, machine: o.machine, cpu: o.cpu, workDir: dir,
            guid: () => (kind === "clone-same-guid" ? p.guid : "auto"), lifetimeSec: lifetime(o),
          }, 0, { qmp: false })));
        t = await streamTrial(q, o, 0, lineTimeout(o));
      } catch (e) {
        t = { lines: q?.lines.slice() ?? [], error: reason(e) };
      } finally {
        if (q) await s.release(q);
        s.removeDir(dir);
      }
      report(t);
    }
  }
  await s.release(p.parent); // its timeline is recorded; the next round boots its own
  s.removeDir(p.parent.workDir);
  if (p.file) s.removeDir(dirname(p.file));
  return { p, obs };
}

/**
 * 7. `stream` cut by a restore of the given kind: a new streaming snapshot
 * every STREAM_TRIALS_PER_SNAPSHOT trials. Every trial is judged against all
 * the timelines and all the other trials.
 */
export function streamCutBy(kind: StreamRestoreKind, o: RaceOptions): Promise<StreamResult> {
  const scenario = `stream-${kind}`;
  return withScratch(o, async (s) => {
    const timeline: StreamOutput[] = [];
    const obs: StreamObservation[] = [];
    const snapshotSeqs: number[] = [];
    let epoch: number | null = null;
    let parentAge: StreamParent["age"] = { parentAgeSec: 0, parentBootLines: [] };
    while (obs.length < o.trials) {
      const round = await streamRound(s, kind, Math.min(STREAM_TRIALS_PER_SNAPSHOT, o.trials - obs.length), scenario, obs.length);
      timeline.push(...round.p.timeline);
      obs.push(...round.obs);
      snapshotSeqs.push(round.p.snapshotSeq);
      if (round.p.epoch !== null) epoch = Math.max(epoch ?? 0, round.p.epoch);
      parentAge = round.p.age;
    }
    return {
      kind: "stream", scenario, kernel: kernelOf(o).name, machine: o.machine, cpu: cpuLabel(o), snapshotEpoch: epoch,
      ...parentAge, timeline, snapshotSeqs, trials: judgeStream({ epoch, lines: timeline }, obs, { epoch: kernelOf(o).hasEpoch }),
    };
  });
}

/** Every scenario, in the order the suite and the soak run them. */
export const SCENARIOS: readonly Scenario[] = [
  { id: "loadvm-stopped", title: "same process, same GUID: stop, loadvm, request, cont", run: loadvmWhileStopped },
  { id: "loadvm-stopped-max", title: "the same under -cpu max (RDRAND)", cpu: "max", run: loadvmWhileStopped },
  { id: "loadvm-running", title: "same process, same GUID: loadvm, request as it returns", run: loadvmWhileRunning },
  { id: "clone-same-guid", title: "new process -loadvm, the parent's GUID, request as the guest starts", run: cloneSameGuid },
  { id: "clone-same-guid-max", title: "the same under -cpu max (RDRAND)", cpu: "max", run: cloneSameGuid },
  { id: "clone-new-guid", title: "new process -loadvm, a new GUID, request as the guest starts", run: cloneNewGuid },
  { id: "incoming-same-guid", title: "new process -incoming, the parent's GUID, request at once", run: incomingSameGuid },
  { id: "incoming-new-guid", title: "new process -incoming, a new GUID, request at once", run: incomingNewGuid },
  { id: "stream-loadvm", title: "stream cut by a same-process loadvm", run: (o) => streamCutBy("loadvm", o) },
  { id: "stream-clone-same-guid", title: "stream cut by -loadvm, the parent's GUID", run: (o) => streamCutBy("clone-same-guid", o) },
  { id: "stream-clone-new-guid", title: "stream cut by -loadvm, a new GUID", run: (o) => streamCutBy("clone-new-guid", o) },
  { id: "stream-incoming-same-guid", title: "stream cut by -incoming, the parent's GUID", run: (o) => streamCutBy("incoming-same-guid", o) },
];

/** Runs one scenario with its own -cpu, naming it by its id. */
export async function runScenario(sc: Scenario, o: RaceOptions): Promise<ScenarioResult> {
  const r = await sc.run({ ...o, cpu: sc.cpu ?? o.cpu });
  return { ...r, scenario: sc.id };
}
