// The limit cases of test/aml/limits (their headers say what each path must
// give) on the host build: `clonesafe aml` over QEMU pc's own DSDT and SSDT
// plus the case's table, so integers are as wide as in the guest (QEMU's
// DSDT is revision 1: 32 bits). The same files run in QEMU on the real image
// in test/integration/aml-limits.test.ts. A trap or an abort in the
// interpreter ends the CLI with a non-zero status and fails here by name.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qemuAmlFiles } from "../../tools/fixtures.js";
import { loadTables } from "../../tools/aml/cli.js";
import { checkEval, compileLimit, limitCases, type LimitCase } from "../aml/limits.js";
import { parseEvalLines, runCli, tableArgs } from "../aml/cli.js";
import { FIXTURES, hostKernel } from "../support/host.js";

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

describe("physical accesses outside the kernel's direct map (0-4 GiB)", () => {
  it("a region at 1 TiB (64-bit integers: an SSDT alone) is refused by name", async () => {
    const asl = join(dir, "tib.asl");
    writeFileSync(asl, `DefinitionBlock ("", "SSDT", 2, "CLNSF", "TIB", 1)
{
    OperationRegion (RTIB, SystemMemory, 0x10000000000, 0x10)
    Field (RTIB, DWordAcc, NoLock, Preserve) { FTIB, 32 }
    Method (TIB0, 0) { Return (FTIB) }
    OperationRegion (RTOP, SystemMemory, 0xFFFFFFFFFFFFFFF8, 0x10)
    Field (RTOP, QWordAcc, NoLock, Preserve) { FTOP, 64, FWRP, 64 }
    Method (TOP0, 0) { Return (FTOP) }
    Method (TOP1, 0) { Return (FWRP) }
}`);
    execFileSync("iasl", ["-p", join(dir, "tib"), asl], { stdio: "ignore" });
    const run = await runCli([...tableArgs([join(dir, "tib.aml")]), "--trace", "eval", "\\TIB0", "\\TOP0", "\\TOP1"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = parseEvalLines(run.stdout);
    expect(lines[0].error).toMatch(/^SystemMemory access at 0x10000000000 width 4 is outside the physical memory the kernel maps \(0-4 GiB\)/);
    expect(lines[1].error).toMatch(/^SystemMemory access at 0xfffffffffffffff8 width 8 is outside the physical memory the kernel maps/);
    expect(lines[2].error).toMatch(/wraps past 2\^64/);
    expect(run.stderr).not.toMatch(/trace: memory/); // nothing was touched
  });

  it("printing a result reads each field it names once (the shell's aml command bounds the JSON, then prints it)", () => {
    const asl = join(dir, "once.asl");
    writeFileSync(asl, `DefinitionBlock ("", "SSDT", 2, "CLNSF", "ONCE", 1)
{
    OperationRegion (RONE, SystemMemory, 0x00200000, 4)
    Field (RONE, DWordAcc, NoLock, Preserve) { FONE, 32 }
    Name (PKG0, Package () { FONE, 1 })
}`);
    execFileSync("iasl", ["-p", join(dir, "once"), asl], { stdio: "ignore" });
    const { kernel, machine } = loadTables([join(dir, "once.aml")]);
    const k = kernel;
    k.registerAmlCommand();
    machine.memLog.length = 0;
    const answer = kernel.__getString(k.execute(kernel.__newString("aml \\PKG0")));
    expect(answer).toBe('aml: {"path":"\\\\PKG0","result":{"type":"Package","value":[{"type":"Integer","value":"0x0"},{"type":"Integer","value":"0x1"}]},"notify":[]}');
    expect(machine.memLog.filter((a) => a.addr === 0x200000)).toHaveLength(1);
  });

  it("a FADT GPE block in memory above 4 GiB is logged by name and never touched", () => {
    const { machine, kernel } = hostKernel();
    const k = kernel;
    k.eventsCreateMemoryGpe(0x100000000n, 4);
    expect(machine.lines()).toContain("acpi: FADT GPE0_BLK at 0x100000000 width 4 is outside the physical memory the kernel maps (0-4 GiB); ignored");
    k.eventsCreateMemoryGpe(0xfffffffen, 4); // straddles 4 GiB
    expect(machine.lines()).toContain("acpi: FADT GPE0_BLK at 0xfffffffe width 4 is outside the physical memory the kernel maps (0-4 GiB); ignored");
    expect(kernel.__getString(k.eventsSci())).toBe("sci=1 gpe=0 fixed=0");
    expect(machine.memLog).toEqual([]);
    k.eventsCreateMemoryGpe(0xfed00000n, 4); // inside the map: used
    expect(machine.memLog.length).toBeGreaterThan(0);
  });
});
