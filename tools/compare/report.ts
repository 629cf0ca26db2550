// The comparison's results: bench/compare.json's shape, the terminal table
// and the README section generated from them. Owns: those formats and the
// text that says how each figure is measured. May call: the bench's machine
// description. Never: measures; every number here came from a run.

import type { MachineType } from "../qemu/args.js";
import type { MachineDescription } from "../bench/results.js";
import { escapeCell, plainTable } from "../bench/table.js";

export type KernelName = "clonesafe" | "linux";

export interface Cell {
  /** What the table shows. */
  text: string;
  /** The number "better" compares (fraction fresh, fraction shared, median ms…); null when there is none. */
  score: number | null;
  error?: string;
  /** The measurement's own figures (counts, raw times, reasons for stale trials), kept in the JSON. */
  [detail: string]: unknown;
}

export interface Row {
  /** "boot", "race:<scenario>", "aged:<scenario>", "stream-clones", "first-fresh:<kind>", "first-fresh:icount". */
  id: string;
  what: string;
  machine: MachineType;
  cells: Partial<Record<KernelName, Cell>>;
  /** Which kernel did better; "same" when equal (or, for times, within 10%); null when not comparable. */
  better: KernelName | "same" | null;
  /** The key of HOW: how this row was measured. */
  how: keyof typeof HOW;
}

export interface PeerDescription {
  name: string;
  /** The Debian package and its version, e.g. "linux-image-6.1.0-57-amd64 6.1.192-3". */
  package: string;
  version: string;
  append: string;
  memoryMiB: number;
}

export interface CompareResults {
  date: string;
  command: string;
  machine: MachineDescription;
  peer: PeerDescription | null;
  trials: number;
  rows: Row[];
}

/** How each kind of row is measured, for the README's notes. */
export const HOW = {
  boot: "wall time from spawning QEMU to the kernel's ready line (`clonesafe ready …`; for Linux the /init's `linux ready …`), " +
    "the same QEMU flags for both (tools/bench/wall.ts), one run after another.",
  race: "the race suite's scenario (tools/races/scenarios.ts), unchanged, with the peer booted instead of clonesafe: a parent " +
    "snapshotted at idle right after boot (the peer's own uptime then is about 3 s; compare.json has it per row), its " +
    "own next four answers to `rand 32` as the timeline, then N restores each sent `rand 32` without waiting for " +
    "any sign of the restore. A trial is fresh when its answer differs from every timeline answer and from every other " +
    "trial's; " +
    "for clonesafe its epoch must also be past the snapshot's. Linux has no epoch, so its answers are judged on the " +
    "comparisons alone (its /init prints `rand: <hex>`).",
  aged: "the same measurement with the parent left running this long (by the wall clock since its QEMU started, and " +
    "for the peer also by its own `uptime`, recorded in compare.json; both kernels' parents wait side by side), and " +
    "answering one `rand 32` just before its snapshot, as a busy guest would. Linux's CRNG also reseeds on its own schedule (in current sources " +
    "a delayed work item: half its uptime apart during the first 2 minutes, every 60 s after that), so a restore of " +
    "a young guest is often answered fresh by a scheduled reseed rather than by noticing the restore; and a snapshot " +
    "taken just before a scheduled reseed is answered fresh for the same reason at any age. So Linux's first fresh " +
    "output after such a restore is its next scheduled reseed: how long that takes depends on where in its schedule " +
    "the snapshot fell (in this run, its output followed the snapshot's timeline line for line until then; the count " +
    "of those lines is the total over the runs).",
  stream: "the race suite's `stream-clone-new-guid`: a parent runs `stream`, `savevm` while it streams, then clones (new " +
    "processes, `-loadvm`, a new GUID each; 4 per snapshot) each print this many complete lines after the restore. " +
    "Counted: complete lines that another clone (of any snapshot) also printed. A line the snapshot caught in flight " +
    "counts when it was printed whole: clonesafe cuts such a line at the next character (`[cut by restore]`), Linux " +
    "has no such fence, and its /init writes each line at once and waits for it to drain (tcdrain) before drawing the next.",
  "first-fresh": "a parent snapshotted at idle streams for 5 s; that is the timeline. Each run restores the snapshot, sends " +
    "`stream` at once and reads the lines as they arrive; the first whose digits the timeline never printed is the " +
    "first fresh output (not merely different from the timeline's line of the same `seq`: a restored Linux guest was " +
    "seen a few draws ahead of its timeline, printing the timeline's own outputs shifted by one or two lines), timed from QMP `cont` (same-process `loadvm`, the request written while the " +
    "VM was stopped) or from spawning QEMU (a clone with a new GUID). This includes the time the guest takes to print " +
    "its first line at all; a run that follows the timeline to its end never turned fresh within it.",
  icount: "clonesafe only: `make bench`'s clone with a request waiting (tools/bench/guest.ts) under `-icount shift=0`: " +
    "guest instructions from the restore's first interrupt to the reseeded key (`sci_reseed_tsc` or `fastpath_tsc`).",
} as const;

function kernelTitle(k: KernelName, peer: PeerDescription | null): string {
  return k === "clonesafe" ? "clonesafe" : `Linux ${peer ? peer.package.replace(/^linux-image-/, "") : "6.1"}`;
}

function betterText(b: Row["better"], markdown: boolean): string {
  if (b === null) return "";
  if (b === "same") return "same";
  if (b === "linux") return markdown ? "**Linux**" : "LINUX";
  return "clonesafe";
}

/** The rows grouped by measurement (in the order they first ran), each measurement's machines together. */
function grouped(rows: readonly Row[]): Row[] {
  const first = new Map<string, number>();
  rows.forEach((row, i) => { if (!first.has(row.id)) first.set(row.id, i); });
  return rows.map((row, i) => ({ row, i })).sort((a, b) => first.get(a.row.id)! - first.get(b.row.id)! || a.i - b.i).map((x) => x.row);
}

function columns(r: CompareResults): KernelName[] {
  return (["clonesafe", "linux"] as const).filter((k) => r.rows.some((row) => row.cells[k]));
}

/** The table for the terminal. */
export function terminalTable(r: CompareResults): string {
  const ks = columns(r);
  const rows = [["measurement", "machine", ...ks.map((k) => kernelTitle(k, r.peer)), "better"]];
  for (const row of grouped(r.rows)) rows.push([row.what, row.machine, ...ks.map((k) => row.cells[k]?.text ?? "-"), betterText(row.better, false)]);
  return plainTable(rows);
}

export const COMPARE_BEGIN = "<!-- compare:begin (generated by `make compare` from bench/compare.json; do not edit) -->";
export const COMPARE_END = "<!-- compare:end -->";

/** The README's comparison section, generated from the results alone. */
export function compareSection(r: CompareResults): string {
  const m = r.machine;
  const ks = columns(r);
  const peer = r.peer
    ? `the peer is Debian 12's \`${r.peer.package}\` ${r.peer.version} (generic flavour, \`CONFIG_VMGENID=y\`), unmodified, ` +
      `booted with \`-initrd\` (a static /init from \`bench/peers/linux/init.c\` that answers \`rand\` and \`stream\` from ` +
      `getrandom(2)) \`-append "${r.peer.append}"\` and \`-m ${r.peer.memoryMiB}\`; clonesafe boots with \`-m 128\``
    : "no peer kernel in this run";
  const lines = [
    COMPARE_BEGIN,
    "",
    `Measured ${r.date.slice(0, 10)} with \`${r.command}\` on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `${m.os}, Linux ${m.kernel}; ${m.qemu}, accelerator ${m.accelerator}. Otherwise both kernels get the same QEMU ` +
      `command line (\`tools/qemu/args.ts\`: \`-accel tcg\`, \`-device vmgenid\`, the serial console on a socket); ${peer}. ` +
      `${r.trials} trials or runs per cell. "better" names the kernel whose figure is better (for times: by more than 10%).`,
    "",
    `| measurement | machine | ${ks.map((k) => kernelTitle(k, r.peer)).join(" | ")} | better |`,
    `| --- | --- | ${ks.map(() => "---").join(" | ")} | --- |`,
  ];
  for (const row of grouped(r.rows)) {
    lines.push(`| ${escapeCell(row.what)} | ${row.machine} | ${ks.map((k) => escapeCell(row.cells[k]?.text ?? "")).join(" | ")} | ${betterText(row.better, true)} |`);
  }
  const stale = r.rows.flatMap((row) => ks.flatMap((k) => {
    const why = row.cells[k]?.stale;
    return Array.isArray(why) && why.length ? [`${kernelTitle(k, r.peer)}, -machine ${row.machine}, ${row.what}: ${(why as string[]).join("; ")}`] : [];
  }));
  lines.push("", "How each figure is measured:", "");
  const used = [...new Set(r.rows.map((row) => row.how))];
  for (const how of used) {
    const whats = [...new Set(r.rows.filter((row) => row.how === how).map((row) => row.what))];
    lines.push(`- ${whats.map((w) => `*${escapeCell(w)}*`).join("; ")}: ${HOW[how]}`);
  }
  if (stale.length > 0) {
    lines.push("", "Why the trials that were not fresh were not (the judge's words):", "");
    for (const s of stale) lines.push(`- ${escapeCell(s)}`);
  }
  lines.push("", COMPARE_END);
  return lines.join("\n");
}

/** `readme` with its comparison section replaced; the markers must be there already. */
export function withCompareSection(readme: string, r: CompareResults): string {
  const begin = readme.indexOf("<!-- compare:begin");
  const end = readme.indexOf(COMPARE_END);
  if (begin < 0 || end < begin) throw new Error("README.md has no <!-- compare:begin … --> … <!-- compare:end --> markers");
  return readme.slice(0, begin) + compareSection(r) + readme.slice(end + COMPARE_END.length);
}
