// Wall-clock benchmarks against the baseline kernel (bench/baseline): the
// same QEMU flags for both, runs interleaved A B A B … so that drift in the
// machine's load hits both alike. Owns: boot and clone timing.
// May call: the QEMU launcher. Never: asserts anything (benchmarks report;
// tests assert).

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelLaunch, MachineType } from "../qemu/args.js";
import { launchQemu } from "../qemu/launcher.js";
import { waitForHalt } from "../qmp/vcpu.js";
import { defaultQemu } from "../qemu/versions.js";

/** A kernel to time: its image (and, for a peer such as Linux, initrd, command line and memory). */
export interface Subject extends KernelLaunch {
  name: string;
  /** The first line the kernel prints when it can serve requests. */
  ready: RegExp;
  /** The line it prints once it has handled a restore. */
  restored: RegExp;
}

export const SNAPSHOT_TAG = "bench";

/** Milliseconds from spawning QEMU to the line matching `pattern`. */
export async function timeToLine(s: Subject, machine: MachineType, pattern: RegExp,
  extra: { stateDrive?: string; loadvm?: string } = {}): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  try {
    const start = performance.now();
    const q = await launchQemu({
      image: s.image, initrd: s.initrd, append: s.append, memoryMiB: s.memoryMiB, firmware: s.firmware, machine, workDir, qmp: false,
      lifetimeSec: 120, ...extra,
    });
    try {
      await q.waitForLine(pattern, { timeoutMs: 60_000 });
      return performance.now() - start;
    } finally {
      await q.kill();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Boots `s`, lets it settle into its idle loop, and saves a snapshot into a fresh qcow2 under `dir`. */
export async function snapshotAtIdle(s: Subject, machine: MachineType, dir: string): Promise<string> {
  const stateFile = join(dir, `${s.name}-${machine}.qcow2`);
  execFileSync(defaultQemu().imgBinary, ["create", "-q", "-f", "qcow2", stateFile, "64M"]);
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-"));
  try {
    const q = await launchQemu({ image: s.image, machine, workDir, stateDrive: stateFile, lifetimeSec: 120 });
    try {
      await q.waitForLine(s.ready, { timeoutMs: 60_000 });
      await waitForHalt(q.qmp!, { what: s.name }); // past the boot's last work: halted in its idle wait (tools/qmp/vcpu.ts)
      await q.qmp!.hmp(`savevm ${SNAPSHOT_TAG}`);
    } finally {
      await q.kill();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return stateFile;
}

/** Milliseconds from spawning a QEMU with -loadvm (on a private copy of the state) to the restore line. */
export async function timeClone(s: Subject, machine: MachineType, stateFile: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-bench-state-"));
  try {
    const copy = join(dir, "state.qcow2");
    copyFileSync(stateFile, copy); // not timed: every clone needs its own copy of the state anyway
    return await timeToLine(s, machine, s.restored, { stateDrive: copy, loadvm: SNAPSHOT_TAG });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `pairs` interleaved runs of `measure` on a and b, after one unrecorded warm-up of each. */
export async function interleaved(pairs: number, a: () => Promise<number>, b: () => Promise<number>,
  progress: (done: number) => void = () => {}): Promise<{ a: number[]; b: number[] }> {
  await a();
  await b();
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < pairs; i++) {
    out.a.push(await a());
    out.b.push(await b());
    progress(i + 1);
  }
  return out;
}
