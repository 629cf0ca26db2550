// The limit cases of test/aml/limits in QEMU, on the real image: each file
// is compiled and added to the machine's tables with -acpitable, every path
// its header names is evaluated with the shell's `aml` command and must give
// the expected outcome (never a panic: QEMU must still be running), and the
// kernel must still be whole afterwards: it answers, and a savevm/loadvm
// still reseeds it (the vmgenid notify line, then fresh `rand` output).
// The host build runs the same files in test/unit/aml-limits.test.ts.
// On every QEMU leg (tools/qemu/versions.ts), each title naming its version.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { liveQemuCount } from "../../tools/qemu/launcher.js";
import { qemuLegs } from "../../tools/qemu/versions.js";
import { checkEval, compileLimit, limitCases, type EvalLine, type LimitCase } from "../aml/limits.js";
import { bootKernel } from "../support/qemu.js";

const cases = limitCases().filter((c) => c.name.startsWith("hostile-"));

function parseAnswer(answer: string): EvalLine | undefined {
  if (!answer.startsWith("aml: ")) return { error: answer };
  return JSON.parse(answer.slice("aml: ".length)) as EvalLine;
}

const RUNS = qemuLegs().flatMap((qemu) => MACHINE_TYPES.map((machine) => ({ qemu, version: qemu.name, machine })));

describe.each(RUNS)("QEMU $version hostile firmware tables on -machine $machine", ({ qemu, machine }) => {
  it.each(cases)("$name: named errors, no panic, and the kernel still reseeds", async (c: LimitCase) => {
    const dir = mkdtempSync(join(tmpdir(), "clonesafe-limits-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const q = await bootKernel({ qemu, machine, snapshots: true, acpiTables: [compileLimit(c, dir)] });
    for (const b of c.boot) expect(q.lines.some((l) => l.includes(b)), `boot line containing "${b}":\n${q.lines.join("\n")}`).toBe(true);
    const problems: string[] = [];
    for (const e of c.evals) {
      let answer: string;
      try {
        answer = await q.command(`aml ${e.path}`, 60_000);
      } catch (err) {
        throw new Error(`aml ${e.path}: no answer (${String(err)})\n${q.lines.slice(-5).join("\n")}`);
      }
      const p = checkEval(e, parseAnswer(answer));
      if (p) problems.push(p);
    }
    expect(problems).toEqual([]);
    expect(q.exitInfo).toBeNull();
    expect(await q.command("rand 32")).toMatch(/^rand: epoch=1 [0-9a-f]{64}$/);
    await q.qmp!.hmp("savevm s1");
    const from = q.lines.length;
    await q.qmp!.hmp("loadvm s1");
    await q.waitForLine(/^vmgenid: notify gen=1 guid=[0-9a-f-]{36} changed=0 epoch=2$/, { from });
    const after = await q.command("rand 32");
    expect(after).toMatch(/^rand: epoch=2 [0-9a-f]{64}$/);
  }, 240_000);
});

afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
