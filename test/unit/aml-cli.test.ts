// `clonesafe aml` as a user sees it (issue 13, items 10 and 11): --trace
// prints the values an access moved as unsigned numbers, and an
// argument-count error names the table the method is in.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEvalLines, runCli, tableArgs } from "../aml/cli.js";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "clonesafe-aml-cli-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compile(name: string, asl: string): string {
  writeFileSync(join(dir, `${name}.asl`), asl);
  execFileSync("iasl", ["-p", join(dir, name), join(dir, `${name}.asl`)], { stdio: "ignore" });
  return join(dir, `${name}.aml`);
}

describe("clonesafe aml", () => {
  it("--trace prints a 32-bit value with its top bit set as the unsigned number written", async () => {
    const table = compile("trace", `DefinitionBlock ("", "SSDT", 2, "CLNSF", "TRACE", 1)
{
    OperationRegion (PIO0, SystemIO, 0x0700, 4)
    Field (PIO0, DWordAcc, NoLock, Preserve) { PDW0, 32 }
    OperationRegion (MEM0, SystemMemory, 0x00500000, 8)
    Field (MEM0, QWordAcc, NoLock, Preserve) { MQW0, 64 }
    Method (WRIO, 0) { PDW0 = 0x80000860 }
    Method (WRME, 0) { MQW0 = 0xFFFFFFFF80000860 }
}`);
    const run = await runCli([...tableArgs([table]), "--trace", "eval", "\\WRIO", "\\WRME"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^trace: io out port=0x700 width=\d+ value=0x80000860$/m);
    expect(run.stderr).toMatch(/^trace: memory write addr=0x500000 width=\d+ value=0xffffffff80000860$/m);
    expect(run.stderr).not.toMatch(/0x-/);
  });

  it("an argument-count error names the table that holds the method, not the last one loaded", async () => {
    const dsdt = compile("dsdt", `DefinitionBlock ("", "DSDT", 2, "CLNSF", "MAIN", 1)
{
    Method (DBUG, 1) { Return (Arg0) }
}`);
    const ssdt = compile("ssdt", `DefinitionBlock ("", "SSDT", 2, "CLNSF", "OTHER", 1)
{
    Name (OTH0, 1)
}`);
    const run = await runCli([...tableArgs([dsdt, ssdt]), "eval", "\\DBUG"]);
    expect(run.code, run.stderr).toBe(0);
    const [line] = parseEvalLines(run.stdout);
    expect(line.error).toMatch(/^\\DBUG takes 1 arguments, got 0 \(DSDT MAIN offset 0x[0-9a-f]+\)$/);
  });
});
