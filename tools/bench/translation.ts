// Where a boot's wall time goes under TCG, by sampling the QEMU process:
// `perf record -F 2000 --call-graph dwarf` on QEMU from its spawn to the
// ready line, then each sample of the vCPU thread classified by its stack.
// Debian's QEMU exports its symbols (tb_gen_code, cpu_exec, …) and its
// generated host code lies in anonymous executable memory, which perf names
// /tmp/perf-<pid>.map (a file QEMU 7.2 never writes: the name is the mark).
// Owns: that classification. May call: perf, the QEMU launcher. Never:
// asserts (benchmarks report), or reads a sample's time as exact (cpu-clock
// sampling at 2 kHz, perf's own cost on top: shares, not absolutes).
//
// The classes, for a sample of the vCPU thread (the thread whose stacks
// reach tb_gen_code), first match wins:
//   translate  the stack holds tb_gen_code: decoding guest code into TCG ops
//              and generating host code from them (each block once)
//   guest      the top frame is generated code: the guest's instructions
//   helpers    generated code below the top: TCG helpers the guest called
//              (softmmu TLB fills, port and MMIO accesses, interrupts)
//   exec loop  the rest of the vCPU thread: cpu_exec's block lookups and
//              chaining, the kernel's side of its syscalls (serial writes)
// and every other thread's samples (QEMU's start, the main loop, RCU) as
// "other threads". The translate share is translate / the run's wall time.

import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MachineType } from "../qemu/args.js";
import { launchQemu } from "../qemu/launcher.js";
import { defaultQemu } from "../qemu/versions.js";
import type { Subject } from "./wall.js";

export const TIME_CLASSES = ["translate", "guest", "helpers", "exec loop", "other threads"] as const;
export type TimeClass = (typeof TIME_CLASSES)[number];

export interface TimeSplit {
  /** Wall time spawn → ready line, perf running (ms). */
  wallMs: number;
  /** CPU time per class (ms: samples × their period). */
  ms: Record<TimeClass, number>;
}

interface Sample { tid: string; ns: number; frames: string[] }

function parseSamples(script: string): Sample[] {
  const out: Sample[] = [];
  for (const chunk of script.split("\n\n")) {
    const lines = chunk.split("\n").filter((l) => l.trim() !== "");
    if (lines.length === 0) continue;
    // "comm tid period" then one "ip sym (dso)" line per frame, innermost first.
    const head = /^\s*.*?\s+(\d+)\s+(\d+)\s*$/.exec(lines[0]); // a comm may hold spaces ("CPU 0/TCG")
    if (!head) continue;
    out.push({ tid: head[1], ns: Number(head[2]), frames: lines.slice(1) });
  }
  return out;
}

function classify(samples: Sample[]): Record<TimeClass, number> {
  const translating = new Map<string, number>();
  for (const s of samples) {
    if (s.frames.some((f) => f.includes("tb_gen_code"))) translating.set(s.tid, (translating.get(s.tid) ?? 0) + 1);
  }
  const vcpu = [...translating.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (vcpu === undefined) throw new Error("perf: no sample in tb_gen_code: is this QEMU's TCG, with its symbols?");
  const ms = Object.fromEntries(TIME_CLASSES.map((c) => [c, 0])) as Record<TimeClass, number>;
  const generated = (f: string) => /\(\/tmp\/perf-\d+\.map\)/.test(f);
  for (const s of samples) {
    const c: TimeClass = s.tid !== vcpu ? "other threads"
      : s.frames.some((f) => f.includes("tb_gen_code")) ? "translate"
      : s.frames.length > 0 && generated(s.frames[0]) ? "guest"
      : s.frames.some(generated) ? "helpers"
      : "exec loop";
    ms[c] += s.ns / 1e6;
  }
  return ms;
}

/** One boot of `s` on `machine` under perf: its wall time and where its CPU time went. */
export async function splitBoot(s: Subject, machine: MachineType): Promise<TimeSplit> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-bench-perf-"));
  try {
    const data = join(workDir, "perf.data");
    const qemu = defaultQemu();
    // perf starts QEMU (so the samples begin at its exec) and passes SIGTERM on to it.
    const wrapper = join(workDir, "qemu-under-perf");
    writeFileSync(wrapper, `#!/bin/sh\nexec perf record -q -F 2000 --call-graph dwarf,8192 -o '${data}' -- '${qemu.binary}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const start = performance.now();
    const q = await launchQemu({
      image: s.image, memoryMiB: s.memoryMiB, machine, workDir, qmp: false, lifetimeSec: 120,
      qemu: { binary: wrapper, imgBinary: qemu.imgBinary },
    });
    let wallMs: number;
    try {
      await q.waitForLine(s.ready, { timeoutMs: 60_000 });
      wallMs = performance.now() - start;
    } finally {
      await q.kill();
    }
    const script = execFileSync("perf", ["script", "-i", data, "-F", "comm,tid,period,ip,sym,dso"],
      { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
    return { wallMs, ms: classify(parseSamples(script)) };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `runs` boots of each subject, interleaved; the mean of each class. */
export async function splitBoots(a: Subject, b: Subject, machine: MachineType, runs: number): Promise<{ a: TimeSplit; b: TimeSplit }> {
  const mean = (xs: TimeSplit[]): TimeSplit => ({
    wallMs: xs.reduce((t, x) => t + x.wallMs, 0) / xs.length,
    ms: Object.fromEntries(TIME_CLASSES.map((c) => [c, xs.reduce((t, x) => t + x.ms[c], 0) / xs.length])) as Record<TimeClass, number>,
  });
  const as: TimeSplit[] = [], bs: TimeSplit[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(await splitBoot(a, machine));
    bs.push(await splitBoot(b, machine));
  }
  return { a: mean(as), b: mean(bs) };
}
