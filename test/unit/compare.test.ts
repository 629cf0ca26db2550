// The pure parts of `make compare`: the newc initramfs writer, the judge's
// rules for a kernel without an epoch, the shared-output count of the
// mid-stream clones, which kernel a row calls better, and the README
// section, on hand-made inputs.
import { describe, expect, it } from "vitest";
import { better, sharedOutputs } from "../../tools/compare/compare.js";
import { compareSection, COMPARE_BEGIN, COMPARE_END, withCompareSection, type CompareResults } from "../../tools/compare/report.js";
import { initramfs, newcArchive } from "../../tools/peers/initramfs.js";
import { judgeRand, judgeStream, parseRand, parseStream } from "../../tools/races/judge.js";
import type { StreamResult } from "../../tools/races/scenarios.js";

const hex = (c: string) => c.repeat(64);

/** Reads a newc archive back: name, mode, rdev, data per member (the kernel's own rules: 4-byte alignment). */
function readNewc(buf: Buffer): Array<{ name: string; mode: number; rdev: [number, number]; data: Buffer }> {
  const out = [];
  let at = 0;
  for (;;) {
    const h = buf.subarray(at, at + 110).toString("ascii");
    expect(h.slice(0, 6)).toBe("070701");
    const f = (i: number) => parseInt(h.slice(6 + 8 * i, 14 + 8 * i), 16);
    const nameSize = f(11), size = f(6);
    const name = buf.subarray(at + 110, at + 110 + nameSize - 1).toString("utf8");
    expect(buf[at + 110 + nameSize - 1]).toBe(0);
    const dataAt = Math.ceil((at + 110 + nameSize) / 4) * 4;
    const data = buf.subarray(dataAt, dataAt + size);
    at = Math.ceil((dataAt + size) / 4) * 4;
    if (name === "TRAILER!!!") {
      expect(at).toBe(buf.length);
      return out;
    }
    out.push({ name, mode: f(1), rdev: [f(9), f(10)] as [number, number], data });
  }
}

describe("newc initramfs writer", () => {
  it("writes /dev, /dev/console (5:1) and an executable /init, then the trailer, every member 4-byte aligned", () => {
    const init = Buffer.from("\x7fELF not really, 23 bytes");
    const members = readNewc(initramfs(init));
    expect(members.map((m) => [m.name, m.mode.toString(8), m.rdev])).toEqual([
      ["dev", "40755", [0, 0]], ["dev/console", "20600", [5, 1]], ["init", "100755", [0, 0]],
    ]);
    expect(members[2].data.equals(init)).toBe(true);
  });

  it("refuses absolute paths", () => {
    expect(() => newcArchive([{ kind: "dir", path: "/dev" }])).toThrow(/relative/);
  });
});

describe("judge: a kernel without an epoch (the Linux peer)", () => {
  it("parses the peer's lines with a null epoch, clonesafe's with theirs", () => {
    expect(parseRand(`rand: ${hex("a")}`)).toEqual({ epoch: null, hex: hex("a") });
    expect(parseRand(`rand: epoch=3 ${hex("a")}`)).toEqual({ epoch: 3, hex: hex("a") });
    expect(parseStream(`stream: seq=7 ${hex("b")}`)).toEqual({ seq: 7, epoch: null, hex: hex("b") });
  });

  it("judges the peer on the comparisons alone; clonesafe's answer without an epoch is not fresh", () => {
    const timeline = { epoch: null, hex: hex("a") };
    const peer = judgeRand(timeline, [{ answer: { epoch: null, hex: hex("b") } }, { answer: { epoch: null, hex: hex("a") } }], { epoch: false });
    expect(peer.map((v) => v.fresh)).toEqual([true, false]);
    expect(peer[1].why).toEqual(["the answer is the snapshot timeline's own answer (served from the restored CRNG state)"]);
    const ours = judgeRand({ epoch: 1, hex: hex("a") }, [{ answer: { epoch: null, hex: hex("b") } }]);
    expect(ours[0].why).toEqual(["no epoch in the output"]);
    const shifted = judgeRand({ epoch: null, hex: hex("a"), later: [hex("b"), hex("c")] }, [{ answer: { epoch: null, hex: hex("c") } }], { epoch: false });
    expect(shifted[0].why).toEqual(["the answer is the snapshot timeline's answer to its request 3 (the restored CRNG state, 2 draws on)"]);
  });

  it("stream: the peer's lines without epochs are judged by repeats only", () => {
    const timeline = { epoch: null, lines: [{ seq: 5, epoch: null, hex: hex("1") }] };
    const lines = (h: string) => [`stream: seq=6 ${hex(h)}`, "stream: stopped"];
    const v = judgeStream(timeline, [{ lines: lines("2") }, { lines: [`stream: seq=5 ${hex("1")}`, "stream: stopped"] }], { epoch: false });
    expect(v[0].fresh).toBe(true);
    expect(v[1].why).toEqual(["1 line repeats the snapshot timeline (seq=5 = timeline seq=5)"]);
  });
});

describe("compare: shared outputs, better, the README section", () => {
  it("counts outputs another clone printed too, and those that were a clone's first line", () => {
    const out = (seq: number, h: string) => ({ seq, epoch: null, hex: hex(h) });
    const trial = (index: number, outputs: ReturnType<typeof out>[]) => ({ index, fresh: true, why: [], fragment: [], outputs });
    const r = {
      kind: "stream", scenario: "stream-clone-new-guid", kernel: "linux", machine: "pc", cpu: "default", snapshotEpoch: null,
      parentAgeSec: 1, parentBootLines: [], timeline: [out(1, "9")], snapshotSeqs: [0],
      trials: [trial(0, [out(1, "9"), out(2, "a")]), trial(1, [out(1, "9"), out(2, "b")]), trial(2, [out(1, "c"), out(2, "d")])],
    } as StreamResult;
    expect(sharedOutputs(r)).toEqual({ shared: 2, total: 6, timeline: 2, firstLine: 2 });
  });

  it("names the better kernel by direction; times within the tolerance are the same", () => {
    const cells = (c: number, l: number) => ({ clonesafe: { text: "", score: c }, linux: { text: "", score: l } });
    expect(better(cells(1, 0.5), "higher")).toBe("clonesafe");
    expect(better(cells(0.5, 1), "higher")).toBe("linux");
    expect(better(cells(1, 1), "higher")).toBe("same");
    expect(better(cells(100, 105), "lower", 0.1)).toBe("same");
    expect(better(cells(300, 100), "lower", 0.1)).toBe("linux");
    expect(better({ clonesafe: { text: "", score: 1 } }, "higher")).toBe(null);
  });

  it("renders the section between its markers, saying where the peer did better", () => {
    const r: CompareResults = {
      date: "2026-12-03T00:00:00Z", command: "make compare", trials: 2,
      machine: { cpu: "cpu", cores: 2, memoryGiB: 4, os: "os", kernel: "k", node: "n", qemu: "QEMU 7.2", gcc: "g", wasm2c: "w", accelerator: "tcg" },
      peer: { name: "linux", package: "linux-image-6.1.0-57-amd64", version: "6.1.192-3", append: "console=ttyS0", memoryMiB: 256 },
      rows: [
        { id: "boot", what: "Boot", machine: "pc", how: "boot", better: "linux",
          cells: { clonesafe: { text: "900 ms", score: 900 }, linux: { text: "100 ms", score: 100 } } },
        { id: "race:x", what: "Restore race: x", machine: "pc", how: "race", better: "clonesafe",
          cells: { clonesafe: { text: "2/2 fresh", score: 1 }, linux: { text: "0/2 fresh", score: 0, stale: ["the same answer as another trial"] } } },
      ],
    };
    const section = compareSection(r);
    expect(section.startsWith(COMPARE_BEGIN)).toBe(true);
    expect(section.endsWith(COMPARE_END)).toBe(true);
    expect(section).toContain("| measurement | machine | clonesafe | Linux 6.1.0-57-amd64 | better |");
    expect(section).toContain("| Boot | pc | 900 ms | 100 ms | **Linux** |");
    expect(section).toContain("`linux-image-6.1.0-57-amd64` 6.1.192-3");
    expect(section).toContain("- Linux 6.1.0-57-amd64, -machine pc, Restore race: x: the same answer as another trial");
    const readme = `a\n${COMPARE_BEGIN}\nold\n${COMPARE_END}\nb\n`;
    expect(withCompareSection(readme, r)).toBe(`a\n${section}\nb\n`);
    expect(() => withCompareSection("no markers", r)).toThrow(/markers/);
  });
});
