// The restore-race verdicts (tools/races/judge.ts) on hand-made transcripts:
// what the pre-fix kernel printed (stale) and what a fenced kernel prints
// (fresh, with its cut marker), so the integration suite's pass/fail means
// what it says.
import { describe, expect, it } from "vitest";
import { inFlightDigits, judgeRand, judgeStream, randomDigits, splitStream, type StreamOutput } from "../../tools/races/judge.js";

const hex = (c: string) => c.repeat(64);
const line = (seq: number, epoch: number, h: string) => `stream: seq=${seq} epoch=${epoch} ${h}`;

describe("rand verdicts", () => {
  const timeline = { epoch: 1, hex: hex("a") };

  it("fresh: a later epoch, an answer of its own", () => {
    const v = judgeRand(timeline, [{ answer: { epoch: 2, hex: hex("b") } }, { answer: { epoch: 2, hex: hex("c") } }]);
    expect(v.map((t) => [t.fresh, t.why])).toEqual([[true, []], [true, []]]);
  });

  it("stale: the timeline's own answer at the snapshot's epoch, shared between trials", () => {
    const v = judgeRand(timeline, [{ answer: { epoch: 1, hex: hex("a") } }, { answer: { epoch: 1, hex: hex("a") } }]);
    expect(v[0].fresh).toBe(false);
    expect(v[0].why).toEqual([
      "epoch 1 is not past the snapshot's epoch 1",
      "the answer is the snapshot timeline's own answer (served from the restored CRNG state)",
      "the same answer as trial 1",
    ]);
  });

  it("stale: a new epoch that still repeats another trial; no answer at all", () => {
    const v = judgeRand(timeline, [
      { answer: { epoch: 2, hex: hex("d") } }, { answer: { epoch: 3, hex: hex("d") } }, { error: "no serial line matching …" },
    ]);
    expect(v.map((t) => t.why)).toEqual([["the same answer as trial 1"], ["the same answer as trial 0"], ["no serial line matching …"]]);
  });
});

describe("stream verdicts", () => {
  const timelineLines: StreamOutput[] = [40, 41, 42, 43].map((seq) => ({ seq, epoch: 1, hex: hex(String(seq % 10)) }));
  const timeline = { epoch: 1, lines: timelineLines };
  const after = (fragment: string[], first: number, n = 3) =>
    [...fragment, ...Array.from({ length: n }, (_, i) => line(first + i, 2, hex("bcdef"[(first + i) % 5]))), "stream: stopped"];

  it("counts only the random field's digits of a fragment", () => {
    expect(randomDigits("m: seq=52 epoch=1 ")).toBe(0);
    expect(randomDigits("=43")).toBe(0);
    expect(randomDigits("3f")).toBe(2);
    expect(randomDigits("epoch=1 3f")).toBe(2);
    expect(inFlightDigits(["m: seq=52 epoch=1  [cut by restore]"])).toBe(0);
    expect(inFlightDigits(["3f [cut by restore]"])).toBe(2);
    expect(inFlightDigits(["c89d", "stream: se [cut by restore]"])).toBe(4);
    expect(inFlightDigits(["=43 epoch=1 " + hex("3")])).toBe(64);
    expect(inFlightDigits(["e7 epoch=1 vmgenid: notify gen=1 guid=0 changed=0 epoch=2"])).toBe(0);
  });

  it("fresh: fragments a fenced kernel prints (marker, FIFO tail, nothing in flight)", () => {
    for (const fragment of [
      ["m: seq=52 epoch=1  [cut by restore]"], ["3f [cut by restore]"], [" [cut by restore]"], [],
      ["c89d", "stream: seq=4 epoch=1  [cut by restore]"], ["0123456789abcdef0"], ["0123456789abcdef0 [cut by restore]"],
    ]) {
      const [v] = judgeStream(timeline, [{ lines: after(fragment, 44) }]);
      expect([fragment, v.why]).toEqual([fragment, []]);
      expect(v.outputs).toHaveLength(3);
    }
  });

  it("stale: the pre-fix kernel finishing the line in flight", () => {
    const [v] = judgeStream(timeline, [{ lines: after(["=43 epoch=1 " + hex("3")], 44) }]);
    expect(v.fresh).toBe(false);
    expect(v.why.join()).toMatch(/went on after the restore.*64 random digits.*the rest of the timeline's seq=43/);
    const [w] = judgeStream(timeline, [{ lines: after(["0123456789abcdef01 [cut by restore]"], 44) }]); // 18 > 17
    expect(w.why.join()).toMatch(/18 random digits/);
  });

  it("stale: complete lines at the snapshot's epoch, repeating the timeline, shared between trials", () => {
    const v = judgeStream(timeline, [
      { lines: [line(42, 1, hex("2")), line(43, 2, hex("e")), "stream: stopped"] },
      { lines: [line(43, 2, hex("e")), "stream: stopped"] },
    ]);
    expect(v[0].why).toEqual([
      "1 line at epoch 1, not past the snapshot's epoch 1 (seq=42)",
      "1 line repeats the snapshot timeline (seq=42 = timeline seq=42)",
      "output shared with trial 1",
    ]);
    expect(v[1].why).toEqual(["output shared with trial 0"]);
  });

  it("splits at the first well-formed line; notify lines are neither fragment nor output", () => {
    const s = splitStream(["ab [cut by restore]", "vmgenid: notify gen=1 guid=x changed=0 epoch=2", line(5, 2, hex("f")), "acpi: notify \\_SB_.VGEN 0x80"]);
    expect(s.fragment).toEqual(["ab [cut by restore]"]);
    expect(s.outputs.map((o) => o.seq)).toEqual([5]);
  });

  it("a trial that printed nothing whole is not fresh", () => {
    const [v] = judgeStream(timeline, [{ lines: [], error: "no serial line matching /stream/ within 60000 ms" }]);
    expect(v.fresh).toBe(false);
  });
});
