// Restore → first fresh output, for any guest kernel (kernels.ts): how long
// after a restore the guest's output stops following the snapshot's own
// timeline. Owns: one parent per call (booted, snapshotted at idle, its
// timeline recorded), the trials' QEMUs and folders (gone when it returns
// or throws). May call: the launcher, the race scenarios' ageing helpers, the judge's line
// parser. Never: asserts (the compare report and tests do).
//
// The timeline: right after `savevm`, the parent runs `stream` for
// TIMELINE_MS and stops; what it printed is what every restore of that
// snapshot would print if nothing reseeded. A trial restores the snapshot,
// sends `stream` at once and reads its lines as they arrive: the first whose
// 64 digits the timeline never printed is the first fresh output, timed
// from `cont` (same-process loadvm: the request is queued while the VM is
// stopped, and asserted in its UART before `cont`: tools/qmp/uart.ts) or
// from QEMU's start (a clone: new process, -loadvm, a new GUID).
// Not "differs from the timeline's line of the same seq": a restored Linux
// guest can be a few draws ahead of its timeline (kernel work that drew
// from the CRNG in between), and then prints the timeline's outputs shifted,
// each one already printed by the parent. A trial that prints as many lines
// as the timeline without a fresh one has none within it (null).

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { MachineType } from "../qemu/args.js";
import { launchQemu, type QemuInstance } from "../qemu/launcher.js";
import { PremiseError, sendIntoStoppedUart } from "../qmp/uart.js";
import { waitForHalt } from "../qmp/vcpu.js";
import { parseStream, STREAM_LINE, STREAM_STOPPED } from "../races/judge.js";
import type { GuestKernel } from "../races/kernels.js";
import { uptimeOf, waitUntilAged } from "../races/scenarios.js";
import { defaultQemu } from "../qemu/versions.js";

export type FirstFreshKind = "loadvm" | "clone-new-guid";

export interface FirstFreshOptions {
  guest: GuestKernel;
  machine: MachineType;
  runs: number;
  kinds: readonly FirstFreshKind[];
  /** Let the parent run this long before its snapshot (scenarios.ts waitUntilAged), and draw once just before it. */
  minUptimeSec?: number;
  onProgress?: (text: string) => void;
  /** Hands the cleanup to the caller too (a test's onTestFinished, the CLI's Ctrl-C). */
  onCleanup?: (cleanup: () => Promise<void>) => void;
}

export interface FirstFreshTrial {
  /** Milliseconds from `cont` or QEMU start to the first line that differs from the timeline; null: none did. */
  ms: number | null;
  /** Milliseconds to the first stream line at all (fresh or not): how long output takes to resume. */
  firstLineMs: number | null;
  /** Lines before it that the timeline had printed too (the restored state's output, possibly shifted). */
  repeated: number;
  error?: string;
}

export interface FirstFreshResult {
  kind: FirstFreshKind;
  /** The parent's own uptime at its snapshot, for a kernel that reports it. */
  parentUptimeSec?: number;
  /** How long the timeline ran, and its lines: the horizon of a trial. */
  timelineMs: number;
  timelineLines: number;
  trials: FirstFreshTrial[];
}

/** How long the parent's timeline streams after the snapshot: the horizon within which a trial must turn fresh. */
export const TIMELINE_MS = 5_000;
const TAG = "ff";
const LINE_TIMEOUT_MS = 60_000;

async function stopStream(q: QemuInstance, from: number): Promise<number> {
  q.sendBytes("x");
  return (await q.waitForLine(STREAM_STOPPED, { from, timeoutMs: LINE_TIMEOUT_MS })).index;
}

/**
 * Reads stream lines from `from` as they arrive until one the timeline never
 * printed (returns the time it was read) or as many lines as the timeline
 * has (null).
 */
async function firstFresh(q: QemuInstance, from: number, timeline: ReadonlySet<string>, t0: number): Promise<FirstFreshTrial> {
  let at = from;
  let repeated = 0;
  let firstLineMs: number | null = null;
  for (;;) {
    const { index, line } = await q.waitForLine(STREAM_LINE, { from: at, timeoutMs: LINE_TIMEOUT_MS });
    const now = performance.now();
    firstLineMs ??= now - t0;
    const s = parseStream(line)!;
    if (!timeline.has(s.hex)) return { ms: now - t0, firstLineMs, repeated };
    repeated++;
    if (repeated >= timeline.size) return { ms: null, firstLineMs, repeated };
    at = index + 1;
  }
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

export async function measureFirstFresh(o: FirstFreshOptions): Promise<FirstFreshResult[]> {
  const dirs: string[] = [];
  const qemus = new Set<QemuInstance>();
  const cleanup = async () => {
    await Promise.all([...qemus].map((q) => q.kill()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  o.onCleanup?.(cleanup);
  const dir = (label: string) => {
    const d = mkdtempSync(join(tmpdir(), `clonesafe-compare-${label}-`));
    dirs.push(d);
    return d;
  };
  const name = `${o.guest.name} -machine ${o.machine}`;
  try {
    const parentDir = dir("parent");
    const stateFile = join(parentDir, "state.qcow2");
    execFileSync(defaultQemu().imgBinary, ["create", "-q", "-f", "qcow2", stateFile, "64M"]);
    const started = performance.now();
    const parent = await launchQemu({
      ...o.guest.launch, machine: o.machine, workDir: parentDir, stateDrive: stateFile, lifetimeSec: 900,
    });
    qemus.add(parent);
    await parent.waitForLine(o.guest.ready, { timeoutMs: LINE_TIMEOUT_MS });
    await waitForHalt(parent.qmp!, { what: `the ${name} parent` }); // past the boot's last work: idle (tools/qmp/vcpu.ts says how far that goes for Linux)
    let parentUptimeSec: number | undefined;
    if (o.minUptimeSec) {
      await waitUntilAged(parent, o.guest, started, o.minUptimeSec, (t) => o.onProgress?.(`first fresh output, ${name}: parent ${t}`));
      if (o.guest.uptime) parentUptimeSec = await uptimeOf(parent);
      await parent.command("rand 32"); // a key just used, as a busy guest's would be (scenarios.ts, drawBeforeSnapshot)
    }
    await parent.qmp!.hmp(`savevm ${TAG}`);
    const start = parent.lines.length;
    parent.sendLine("stream");
    await sleep(TIMELINE_MS); // the timeline's length, a measurement window (a trial's horizon), not a wait for anything
    const stopped = await stopStream(parent, start);
    const timeline = new Set<string>();
    for (const l of parent.lines.slice(start, stopped)) {
      const s = parseStream(l);
      if (s) timeline.add(s.hex);
    }
    if (timeline.size === 0) throw parent.failure("the parent's timeline printed no stream line");
    o.onProgress?.(`first fresh output, ${name}: timeline of ${timeline.size} lines in ${TIMELINE_MS} ms`);
    const results: FirstFreshResult[] = [];
    for (const kind of o.kinds) {
      const trials: FirstFreshTrial[] = [];
      for (let i = 0; i < o.runs; i++) {
        let t: FirstFreshTrial;
        if (kind === "loadvm") {
          try {
            await parent.qmp!.execute("stop");
            await parent.qmp!.hmp(`loadvm ${TAG}`);
            const from = parent.lines.length;
            // In the stopped VM's UART before `cont`, or the measurement stops naming that premise.
            await sendIntoStoppedUart(parent, parent.qmp!, "stream\r", { context: `first fresh output, ${name}, loadvm run ${i + 1}` });
            const t0 = performance.now();
            await parent.qmp!.execute("cont");
            t = await firstFresh(parent, from, timeline, t0);
            await stopStream(parent, from);
            let at = from;
            for (const line of o.guest.restoreAnnounced) at = (await parent.waitForLine(line, { from: at, timeoutMs: LINE_TIMEOUT_MS })).index;
          } catch (e) {
            if (e instanceof PremiseError) throw e; // not a measurement of the race at all
            t = { ms: null, firstLineMs: null, repeated: 0, error: reason(e) };
          }
        } else {
          const trialDir = dir("clone");
          let q: QemuInstance | null = null;
          try {
            const copy = join(trialDir, "state.qcow2");
            copyFileSync(stateFile, copy); // not timed: every clone needs its own copy (clones.ts)
            const t0 = performance.now();
            q = await launchQemu({
              ...o.guest.launch, machine: o.machine, workDir: trialDir, stateDrive: copy, loadvm: TAG, vmgenid: "auto",
              qmp: false, lifetimeSec: 300,
            });
            qemus.add(q);
            q.sendBytes("stream\r"); // QEMU is restoring and starting the guest right now
            t = await firstFresh(q, 0, timeline, t0);
          } catch (e) {
            t = { ms: null, firstLineMs: null, repeated: 0, error: reason(e) };
          } finally {
            if (q) {
              await q.kill();
              qemus.delete(q);
            }
            rmSync(trialDir, { recursive: true, force: true });
          }
        }
        trials.push(t);
        o.onProgress?.(`first fresh output, ${name}, ${kind}: run ${i + 1}/${o.runs}: ` +
          (t.error ? `error: ${t.error}` : t.ms === null ? `none within the timeline (${t.repeated} lines repeated it)` : `${t.ms.toFixed(0)} ms (${t.repeated} lines repeated the timeline first)`));
      }
      results.push({ kind, parentUptimeSec, timelineMs: TIMELINE_MS, timelineLines: timeline.size, trials });
    }
    return results;
  } finally {
    await cleanup();
  }
}
