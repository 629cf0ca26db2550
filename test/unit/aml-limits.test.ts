// The limit cases of test/aml/limits (their headers say what each path must
// give) on the host build: `clonesafe aml` over QEMU pc's own DSDT and SSDT
// plus the case's table, so integers are as wide as in the guest (QEMU's
// DSDT is revision 1: 32 bits). The same files run in QEMU on the real image
// in test/integration/aml-limits.test.ts. A trap or an abort in the
// interpreter ends the CLI with a non-zero status and fails here by name.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qemuAmlFiles } from "../../tools/fixtures.js";
import { checkEval, compileLimit, limitCases, type LimitCase } from "../aml/limits.js";
import { parseEvalLines, runCli, tableArgs } from "../aml/cli.js";
import { FIXTURES } from "../support/host.js";

let dir = "";
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "clonesafe-aml-limits-")); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const cases = limitCases().filter((c) => c.evals.length > 0);

describe("limit cases on the host build", () => {
  it("finds the hostile-firmware cases", () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(
      ["hostile-fields", "hostile-hid", "hostile-index", "hostile-memory", "hostile-phys"]));
  });

  it.each(cases)("$name: every path gives its expected outcome, and the interpreter never traps", async (c: LimitCase) => {
    const table = compileLimit(c, dir);
    const run = await runCli([...tableArgs([...qemuAmlFiles(FIXTURES, "pc"), table]), "eval", ...c.evals.map((e) => e.path)]);
    expect(run.code, `clonesafe aml stopped: ${run.stderr}`).toBe(0);
    const lines = parseEvalLines(run.stdout);
    expect(lines.map((l) => l.path)).toHaveLength(c.evals.length);
    const problems = c.evals.map((e, i) => checkEval(e, lines[i])).filter((p) => p !== "");
    expect(problems).toEqual([]);
  }, 120_000);
});
