// `make compare` / `clonesafe compare`: clonesafe and a peer kernel (Linux
// 6.1, kernels.ts) through the same QEMU command lines and the same restore
// scenarios, one measurement at a time, kernel after kernel, on each
// machine. Owns: which measurements exist, the order they run in, and
// turning each one's raw results into a table row (report.ts renders it).
// May call: the race scenarios, the first-fresh measurement, the bench's
// boot timer and guest instruction counter (tools/bench), the launcher's
// killAllQemu. Never: asserts or judges a kernel by anything but the race
// judge's verdicts; a measurement that fails becomes an error cell, not a
// missing row.

import type { MachineType } from "../qemu/args.js";
import { measureGuest } from "../bench/guest.js";
import { summarize, type Summary } from "../bench/summary.js";
import { timeToLine } from "../bench/wall.js";
import type { GuestKernel } from "../races/kernels.js";
import { runScenario, SCENARIOS, type RandResult, type StreamResult } from "../races/scenarios.js";
import { measureFirstFresh, type FirstFreshKind, type FirstFreshResult } from "./first-fresh.js";
import type { Cell, Row } from "./report.js";

/** The race scenarios compared (the race suite's, without its -cpu max variants). */
export const RACE_IDS = ["loadvm-stopped", "loadvm-running", "clone-same-guid", "clone-new-guid", "incoming-same-guid", "incoming-new-guid"] as const;
/** The same-process scenario repeated once the parent has run past Linux's early-boot reseeding. */
export const AGED_ID = "loadvm-stopped";
/**
 * Seconds a parent runs before its snapshot in the aged case: past Linux's 2
 * minutes of short reseed intervals, by the wall clock since its QEMU started
 * and, for the peer, by its own clock (scenarios.ts waitUntilAged). 150, not
 * 120: Linux's own reseed schedule (intervals of half its uptime until 120 s,
 * then 60 s) has a reseed somewhere around 120–135 s, and a snapshot taken
 * just before a scheduled reseed meets it in every trial (seen at 130 s).
 */
export const AGED_UPTIME_SEC = 150;
/** Complete stream lines each clone of the mid-stream case prints after its restore. */
export const STREAM_CLONE_LINES = 1000;
/** The measurement groups, in the order they run; `--only` also takes a race scenario id. */
export const MEASUREMENTS = ["boot", "races", "aged", "stream", "first-fresh", "icount"] as const;
export type Measurement = typeof MEASUREMENTS[number];

export interface CompareOptions {
  kernels: readonly GuestKernel[];
  machines: readonly MachineType[];
  trials: number;
  /** Measurement groups or race scenario ids; all of MEASUREMENTS when absent. */
  only?: readonly string[];
  agedUptimeSec?: number;
  streamLines?: number;
  onProgress?: (text: string) => void;
  onCleanup?: (cleanup: () => Promise<void>) => void;
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

function errorCell(e: unknown): Cell {
  return { text: `error: ${reason(e)}`, score: null, error: reason(e) };
}

/** Which kernel did better by score: equal scores are "same"; `tolerance` is a relative band (times). */
export function better(cells: Row["cells"], direction: "higher" | "lower", tolerance = 0): Row["better"] {
  const c = cells.clonesafe?.score, l = cells.linux?.score;
  if (c === undefined || l === undefined || c === null || l === null) return null;
  if (c === l) return "same";
  if (tolerance > 0 && Math.abs(c - l) <= tolerance * Math.max(Math.abs(c), Math.abs(l))) return "same";
  return (direction === "higher" ? c > l : c < l) ? "clonesafe" : "linux";
}

function ms(s: Summary): string {
  return s.runs === 1 ? `${s.median.toFixed(0)} ms` : `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)}, ${s.runs} runs)`;
}

function freshCell(r: RandResult): Cell {
  const fresh = r.trials.filter((t) => t.fresh).length;
  const stale = r.trials.filter((t) => !t.fresh);
  const reasons = [...new Set(stale.flatMap((t) => t.why.map((w) => w.replace(/trials? [\d, ]+/g, "another trial"))))];
  return {
    text: `${fresh}/${r.trials.length} fresh`,
    score: fresh / r.trials.length,
    fresh, total: r.trials.length,
    stale: reasons.length ? reasons : undefined,
    parentUptimeSec: r.parentUptimeSec,
    parentAgeSec: Math.round(r.parentAgeSec),
  };
}

/** Outputs printed after the restore that another clone printed too, and those that repeat the snapshot's timeline. */
export function sharedOutputs(r: StreamResult): { shared: number; total: number; timeline: number; firstLine: number } {
  const byHex = new Map<string, Set<number>>();
  r.trials.forEach((t, i) => {
    for (const o of t.outputs) byHex.set(o.hex, (byHex.get(o.hex) ?? new Set()).add(i));
  });
  const timeline = new Set(r.timeline.map((l) => l.hex));
  let shared = 0, total = 0, repeats = 0, firstLine = 0;
  r.trials.forEach((t, i) => {
    t.outputs.forEach((o, k) => {
      total++;
      if ([...byHex.get(o.hex)!].some((j) => j !== i)) {
        shared++;
        if (k === 0) firstLine++;
      }
      if (timeline.has(o.hex)) repeats++;
    });
  });
  return { shared, total, timeline: repeats, firstLine };
}

function firstFreshCell(r: FirstFreshResult): Cell {
  const errors = r.trials.filter((t) => t.error);
  if (errors.length === r.trials.length) return errorCell(errors[0].error);
  const times = r.trials.flatMap((t) => (t.ms === null ? [] : [t.ms]));
  const never = r.trials.filter((t) => !t.error && t.ms === null).length;
  const repeated = r.trials.reduce((n, t) => n + t.repeated, 0);
  const firstLine = r.trials.flatMap((t) => (t.firstLineMs === null ? [] : [t.firstLineMs]));
  const parts: string[] = [];
  if (times.length > 0) parts.push(ms(summarize(times)));
  if (never > 0) parts.push(`${never} of ${r.trials.length} never within the ${(r.timelineMs / 1000).toFixed(0)} s timeline`);
  if (repeated > 0) parts.push(`${repeated.toLocaleString("en-US")} line${repeated > 1 ? "s" : ""} the timeline had printed came first (all runs together)`);
  else if (times.length > 0) parts.push("each run's first line");
  if (errors.length > 0) parts.push(`${errors.length} failed: ${errors[0].error}`);
  return {
    text: parts.join("; "),
    // Never fresh within the horizon ranks behind any time.
    score: never > 0 ? Number.POSITIVE_INFINITY : summarize(times).median,
    runs: r.trials.length, never, repeated,
    firstLineMs: firstLine.length ? Math.round(summarize(firstLine).median) : undefined,
    valuesMs: times.map((t) => Math.round(t)),
  };
}

function wants(o: CompareOptions, m: Measurement, raceId?: string): boolean {
  if (!o.only) return true;
  return o.only.includes(m) || (raceId !== undefined && o.only.includes(raceId));
}

export async function runCompare(o: CompareOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const progress = (t: string) => o.onProgress?.(t);
  const raceOptions = (k: GuestKernel, machine: MachineType) => ({
    guest: k, machine, trials: o.trials, lifetimeSec: 600, onProgress: progress, onCleanup: o.onCleanup,
  });
  for (const machine of o.machines) {
    if (wants(o, "boot")) {
      const cells: Row["cells"] = {};
      for (const k of o.kernels) {
        progress(`boot, ${k.name} -machine ${machine}: ${o.trials} runs`);
        try {
          const times: number[] = [];
          for (let i = 0; i < o.trials; i++) times.push(await timeToLine({ name: k.name, ...k.launch, ready: k.ready, restored: k.ready }, machine, k.ready));
          const s = summarize(times);
          cells[k.name as "clonesafe" | "linux"] = { text: ms(s), score: s.median, valuesMs: times.map((t) => Math.round(t)) };
        } catch (e) {
          cells[k.name as "clonesafe" | "linux"] = errorCell(e);
        }
      }
      rows.push({ id: "boot", what: "Boot: QEMU start → ready line", machine, cells, better: better(cells, "lower", 0.1), how: "boot" });
    }
    for (const id of RACE_IDS) {
      if (!wants(o, "races", id)) continue;
      const sc = SCENARIOS.find((s) => s.id === id)!;
      const cells: Row["cells"] = {};
      for (const k of o.kernels) {
        progress(`race ${id}, ${k.name} -machine ${machine}: ${o.trials} trials (${sc.title})`);
        try {
          cells[k.name as "clonesafe" | "linux"] = freshCell(await runScenario(sc, raceOptions(k, machine)) as RandResult);
        } catch (e) {
          cells[k.name as "clonesafe" | "linux"] = errorCell(e);
        }
      }
      rows.push({ id: `race:${id}`, what: `Restore race: ${sc.title}`, machine, cells, better: better(cells, "higher"), how: "race" });
    }
    if (wants(o, "aged")) {
      const sc = SCENARIOS.find((s) => s.id === AGED_ID)!;
      const uptime = o.agedUptimeSec ?? AGED_UPTIME_SEC;
      progress(`race ${AGED_ID} after ${uptime} s of uptime, -machine ${machine}: the kernels' parents wait side by side`);
      // Both kernels' parents wait at once (two idle QEMUs), so each wait is paid once per machine.
      const results = await Promise.all(o.kernels.map(async (k): Promise<[string, Cell, Cell]> => {
        let race: Cell, first: Cell;
        try {
          race = freshCell(await runScenario(sc, { ...raceOptions(k, machine), minUptimeSec: uptime, drawBeforeSnapshot: true }) as RandResult);
        } catch (e) {
          race = errorCell(e);
        }
        try {
          const [r] = await measureFirstFresh({
            guest: k, machine, runs: o.trials, kinds: ["loadvm"], minUptimeSec: uptime, onProgress: progress, onCleanup: o.onCleanup,
          });
          first = { ...firstFreshCell(r), parentUptimeSec: r.parentUptimeSec };
        } catch (e) {
          first = errorCell(e);
        }
        return [k.name, race, first];
      }));
      const raceCells: Row["cells"] = Object.fromEntries(results.map(([k, race]) => [k, race]));
      const firstCells: Row["cells"] = Object.fromEntries(results.map(([k, , first]) => [k, first]));
      rows.push({
        id: `aged:${AGED_ID}`, what: `Restore race after ${uptime} s of uptime: ${sc.title}`, machine, cells: raceCells,
        better: better(raceCells, "higher"), how: "aged",
      });
      rows.push({
        id: "aged:first-fresh:loadvm", what: `Restore → first fresh output after ${uptime} s of uptime: same-process loadvm, from \`cont\``,
        machine, cells: firstCells, better: better(firstCells, "lower", 0.1), how: "aged",
      });
    }
    if (wants(o, "stream")) {
      const cells: Row["cells"] = {};
      for (const k of o.kernels) {
        progress(`stream clones, ${k.name} -machine ${machine}: ${o.trials} clones, ${o.streamLines ?? STREAM_CLONE_LINES} lines each`);
        try {
          const r = await runScenario(SCENARIOS.find((s) => s.id === "stream-clone-new-guid")!,
            { ...raceOptions(k, machine), streamLines: o.streamLines ?? STREAM_CLONE_LINES }) as StreamResult;
          const s = sharedOutputs(r);
          cells[k.name as "clonesafe" | "linux"] = {
            text: `${s.shared.toLocaleString("en-US")} of ${s.total.toLocaleString("en-US")} shared` +
              (s.shared > 0 ? ` (${s.firstLine} of them a clone's first line; ${s.timeline} repeat the timeline)` : ""),
            score: s.total > 0 ? s.shared / s.total : null,
            shared: s.shared, total: s.total, repeatsTimeline: s.timeline, sharedFirstLines: s.firstLine,
            fresh: r.trials.filter((t) => t.fresh).length, clones: r.trials.length,
          };
        } catch (e) {
          cells[k.name as "clonesafe" | "linux"] = errorCell(e);
        }
      }
      rows.push({
        id: "stream-clones", what: "Clones (new GUID) of a snapshot taken mid-`stream`: outputs after the restore that another clone printed too",
        machine, cells, better: better(cells, "lower"), how: "stream",
      });
    }
    if (wants(o, "first-fresh")) {
      const kinds: FirstFreshKind[] = ["loadvm", "clone-new-guid"];
      const per = new Map<string, FirstFreshResult[] | Error>();
      for (const k of o.kernels) {
        progress(`first fresh output, ${k.name} -machine ${machine}: ${o.trials} runs of each restore`);
        try {
          per.set(k.name, await measureFirstFresh({ guest: k, machine, runs: o.trials, kinds, onProgress: progress, onCleanup: o.onCleanup }));
        } catch (e) {
          per.set(k.name, e instanceof Error ? e : new Error(String(e)));
        }
      }
      for (const kind of kinds) {
        const cells: Row["cells"] = {};
        for (const [name, r] of per) {
          cells[name as "clonesafe" | "linux"] = r instanceof Error ? errorCell(r) : firstFreshCell(r.find((x) => x.kind === kind)!);
        }
        rows.push({
          id: `first-fresh:${kind}`,
          what: kind === "loadvm" ? "Restore → first fresh output: same-process loadvm, from `cont`" : "Restore → first fresh output: clone (new process, new GUID), from QEMU start",
          machine, cells, better: better(cells, "lower", 0.1), how: "first-fresh",
        });
      }
    }
    const clonesafe = o.kernels.find((k) => k.name === "clonesafe");
    if (wants(o, "icount") && clonesafe) {
      const runs = Math.min(o.trials, 5);
      progress(`guest instructions, clonesafe -machine ${machine}: ${runs} restores and ${runs} clones under -icount shift=0`);
      const cells: Row["cells"] = {};
      try {
        const g = await measureGuest(clonesafe.launch.image, machine, runs);
        const c = summarize(g.cloneWaiting);
        cells.clonesafe = {
          text: `${Math.round(c.median).toLocaleString("en-US")} instructions` + (c.min === c.max ? ` (all ${c.runs} runs)` : ` (${c.min}–${c.max}, ${c.runs} runs)`),
          score: c.median, values: g.cloneWaiting,
        };
      } catch (e) {
        cells.clonesafe = errorCell(e);
      }
      if (o.kernels.some((k) => k.name === "linux")) {
        cells.linux = { text: "not measured (its restore path has no counter the guest reports)", score: null };
      }
      rows.push({
        id: "first-fresh:icount", what: "Restore → fresh key, guest instructions (clone with a request waiting)", machine, cells,
        better: null, how: "icount",
      });
    }
  }
  return rows;
}
