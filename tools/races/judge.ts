// What "fresh" means for one trial of a restore-race scenario, judged from
// what the serial console printed. Pure functions: the scenarios
// (scenarios.ts) collect the observations, the integration suite and
// `make soak` assert on the verdicts, and test/unit/races-judge.test.ts pins
// the rules down on hand-made transcripts.
//
// The promise being judged: no random byte is served from a pre-restore
// state. A trial's output is fresh when its epoch is past the snapshot's,
// and no 64-hex-digit output repeats the snapshot timeline (what the
// original VM printed after the snapshot) or any other trial of the scenario.
// A kernel without an epoch (the Linux peer of `make compare`, whose lines
// omit the field) is judged with `{ epoch: false }`: only the comparisons
// with the timeline and the other trials; for clonesafe a missing epoch is
// itself a fault.

/** The answer to `rand 32` (the epoch field is absent in a peer's answer). */
export const RAND_ANSWER = /^rand: (?:epoch=(\d+) )?([0-9a-f]{64})$/;
/** One complete `stream` line (the epoch field is absent in a peer's line). */
export const STREAM_LINE = /^stream: seq=(\d+) (?:epoch=(\d+) )?([0-9a-f]{64})$/;
export const STREAM_STOPPED = /^stream: stopped$/;
/** How the restored kernel ends a line that the snapshot caught in flight. */
export const CUT_MARKER = " [cut by restore]";
/**
 * Random digits of a line in flight that may legitimately reach the host
 * after a restore: QEMU's 16550 hands each THR byte straight to the chardev,
 * but while the socket pushes back it holds up to 16 in the transmit FIFO and
 * one in the shift register, and that device state is saved with the
 * snapshot and drained after the restore, out of the kernel's hands. More
 * than that is the restored kernel going on with an old line. (A kernel that
 * leaked only that little more would pass here; the rand scenarios and the
 * complete-line checks are what catch it.)
 */
export const IN_FLIGHT_LIMIT = 17;

/** Lines a kernel prints around a restore that are neither output nor fragments. */
const KNOWN_LINE = [
  STREAM_LINE,
  STREAM_STOPPED,
  RAND_ANSWER,
  /^vmgenid: notify gen=\d+ /,
  /^acpi: notify /,
];
const HEX64 = /[0-9a-f]{64}/g;

/** One output; `epoch` is null when the line carried none. */
export interface Output { epoch: number | null; hex: string }
export interface StreamOutput extends Output { seq: number }

/** What the snapshot's own timeline printed. */
export interface RandTimeline {
  epoch: number | null;
  /** The timeline's answer to the trials' request. */
  hex: string;
  /** Its answers to later requests, if it was asked more: repeating one is not fresh either. */
  later?: readonly string[];
}
export interface StreamTimeline {
  /** The epoch of the stream lines at the snapshot (null for a kernel without one). */
  epoch: number | null;
  /** Every complete stream line the original VM printed, before and after the snapshot. */
  lines: StreamOutput[];
}

export interface RandObservation {
  answer?: Output;
  /** Why the trial has no answer, or what else went wrong (a restore never announced). */
  error?: string;
}

export interface StreamObservation {
  /** Every serial line printed after the restore, through `stream: stopped` (when it came). */
  lines: string[];
  error?: string;
}

export interface Verdict {
  index: number;
  fresh: boolean;
  /** Why not, one entry per problem; empty when fresh. */
  why: string[];
}

export interface RandTrial extends Verdict {
  answer?: Output;
}

export interface StreamTrial extends Verdict {
  /** Lines before the first well-formed one: what was in flight at the snapshot, as printed. */
  fragment: string[];
  /** Complete stream lines printed after the restore. */
  outputs: StreamOutput[];
}

/** What the judge may check: `epoch: false` for a kernel whose lines carry none. */
export interface JudgeRules { epoch: boolean }
const WITH_EPOCH: JudgeRules = { epoch: true };

function epochOf(field: string | undefined): number | null {
  return field === undefined ? null : Number(field);
}

export function parseRand(line: string): Output | null {
  const m = RAND_ANSWER.exec(line);
  return m ? { epoch: epochOf(m[1]), hex: m[2] } : null;
}

export function parseStream(line: string): StreamOutput | null {
  const m = STREAM_LINE.exec(line);
  return m ? { seq: Number(m[1]), epoch: epochOf(m[2]), hex: m[3] } : null;
}

/** Why an output's epoch shows it is not fresh, or null; nothing to say when the rules do not check epochs. */
function epochProblem(rules: JudgeRules, epoch: number | null, snapshot: number | null): string | null {
  if (!rules.epoch) return null;
  if (epoch === null) return "no epoch in the output";
  if (snapshot !== null && epoch <= snapshot) return `epoch ${epoch} is not past the snapshot's epoch ${snapshot}`;
  return null;
}

/** Judges the rand trials of one scenario together (each must differ from all the others). */
export function judgeRand(timeline: RandTimeline, observations: readonly RandObservation[], rules: JudgeRules = WITH_EPOCH): RandTrial[] {
  const firstWith = new Map<string, number>();
  observations.forEach((o, i) => { if (o.answer && !firstWith.has(o.answer.hex)) firstWith.set(o.answer.hex, i); });
  return observations.map((o, index) => {
    const why: string[] = [];
    if (o.error) why.push(o.error);
    const a = o.answer;
    if (!a) {
      if (!o.error) why.push("no answer");
    } else {
      const epoch = epochProblem(rules, a.epoch, timeline.epoch);
      if (epoch) why.push(epoch);
      if (a.hex === timeline.hex) why.push("the answer is the snapshot timeline's own answer (served from the restored CRNG state)");
      const later = timeline.later?.indexOf(a.hex) ?? -1;
      if (later >= 0) why.push(`the answer is the snapshot timeline's answer to its request ${later + 2} (the restored CRNG state, ${later + 1} draw${later > 0 ? "s" : ""} on)`);
      const others = observations.flatMap((p, j) => (j !== index && p.answer?.hex === a.hex ? [j] : []));
      if (others.length > 0) why.push(`the same answer as trial${others.length > 1 ? "s" : ""} ${others.join(", ")}`);
    }
    return { index, fresh: why.length === 0, why, answer: a };
  });
}

/**
 * Splits what a trial printed after the restore into the fragment of the
 * line in flight at the snapshot (the lines before the first well-formed
 * one) and the complete outputs after it.
 */
export function splitStream(lines: readonly string[]): { fragment: string[]; outputs: StreamOutput[]; stray: string[] } {
  let first = lines.findIndex((l) => KNOWN_LINE.some((re) => re.test(l)));
  if (first < 0) first = lines.length;
  const fragment = lines.slice(0, first);
  const outputs: StreamOutput[] = [];
  const stray: string[] = [];
  for (const l of lines.slice(first)) {
    const s = parseStream(l);
    if (s) outputs.push(s);
    else if (!KNOWN_LINE.some((re) => re.test(l)) && l.match(HEX64)) stray.push(l);
  }
  return { fragment, outputs, stray };
}

/** Digits of the random field at the end of `text`: a trailing hex run after a space (or the whole text); "=43" is a number. */
export function randomDigits(text: string): number {
  return /(?:^| )([0-9a-f]+)$/.exec(text)?.[1].length ?? 0;
}

/**
 * Random digits of the line in flight at the snapshot that the restore
 * printed: the random field at the end of each fragment line (after the cut
 * marker is taken off). Plain text ("stream: seq=52 epoch=1 ") is not
 * counted: a fenced kernel may still write it after the restore.
 */
export function inFlightDigits(fragment: readonly string[]): number {
  let digits = 0;
  for (const l of fragment) digits += randomDigits(l.endsWith(CUT_MARKER) ? l.slice(0, -CUT_MARKER.length) : l);
  return digits;
}

/** Judges the stream trials of one scenario together. */
export function judgeStream(timeline: StreamTimeline, observations: readonly StreamObservation[], rules: JudgeRules = WITH_EPOCH): StreamTrial[] {
  const split = observations.map((o) => splitStream(o.lines));
  const timelineSeq = new Map<string, number>();
  for (const l of timeline.lines) if (!timelineSeq.has(l.hex)) timelineSeq.set(l.hex, l.seq);
  // hex -> the trials that printed it as a complete output
  const byHex = new Map<string, Set<number>>();
  split.forEach((s, i) => {
    for (const hex of [...s.outputs.map((o) => o.hex), ...s.stray.flatMap((l) => l.match(HEX64) ?? [])]) {
      const set = byHex.get(hex) ?? new Set<number>();
      set.add(i);
      byHex.set(hex, set);
    }
  });
  return observations.map((o, index) => {
    const { fragment, outputs, stray } = split[index];
    const why: string[] = [];
    if (o.error) why.push(o.error);
    const digits = inFlightDigits(fragment);
    if (digits > IN_FLIGHT_LIMIT) {
      const text = fragment.join("⏎");
      const tail = (fragment[0] ?? "").replace(CUT_MARKER, "");
      const old = tail ? timeline.lines.find((l) => `stream: seq=${l.seq} ${l.epoch === null ? "" : `epoch=${l.epoch} `}${l.hex}`.endsWith(tail)) : undefined;
      why.push(`the line in flight at the snapshot went on after the restore: "${text.length > 90 ? text.slice(0, 90) + "…" : text}" ` +
        `(${digits} random digits, more than the ${IN_FLIGHT_LIMIT} the UART can have held${old ? `; it is the rest of the timeline's seq=${old.seq}` : ""})`);
    }
    if (outputs.length === 0 && !o.error) why.push("no complete stream line after the restore");
    if (rules.epoch) {
      const missing = outputs.filter((l) => l.epoch === null);
      if (missing.length > 0) why.push(`${missing.length} line${missing.length > 1 ? "s" : ""} without an epoch (seq=${missing.map((l) => l.seq).join(",")})`);
      const stale = outputs.filter((l) => l.epoch !== null && timeline.epoch !== null && l.epoch <= timeline.epoch);
      if (stale.length > 0) {
        why.push(`${stale.length} line${stale.length > 1 ? "s" : ""} at epoch ${[...new Set(stale.map((l) => l.epoch))].join("/")}, ` +
          `not past the snapshot's epoch ${timeline.epoch} (seq=${stale.map((l) => l.seq).join(",")})`);
      }
    }
    const repeats = outputs.filter((l) => timelineSeq.has(l.hex));
    if (repeats.length > 0) {
      why.push(`${repeats.length} line${repeats.length > 1 ? "s repeat" : " repeats"} the snapshot timeline ` +
        `(${repeats.map((l) => `seq=${l.seq} = timeline seq=${timelineSeq.get(l.hex)}`).join(", ")})`);
    }
    for (const l of stray) {
      for (const hex of l.match(HEX64) ?? []) if (timelineSeq.has(hex)) why.push(`a stray line repeats the timeline's seq=${timelineSeq.get(hex)}: "${l}"`);
    }
    const shared = new Set<number>();
    for (const hex of [...outputs.map((l) => l.hex), ...stray.flatMap((l) => l.match(HEX64) ?? [])]) {
      for (const j of byHex.get(hex) ?? []) if (j !== index) shared.add(j);
    }
    if (shared.size > 0) why.push(`output shared with trial${shared.size > 1 ? "s" : ""} ${[...shared].sort((a, b) => a - b).join(", ")}`);
    return { index, fresh: why.length === 0, why, fragment, outputs };
  });
}
