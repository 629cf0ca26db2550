// ACPI and AML in the real kernel: the table walk and the namespace load at
// boot, and the VMGENID ADDR result checked against what QEMU itself says
// lives at that address.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { bootKernel, REPO } from "../support/qemu.js";

const GUID = "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87";

/** QEMU's GUID text → the 16 bytes vmgenid stores (little-endian fields). */
function guidBytes(guid: string): number[] {
  const h = guid.replace(/-/g, "");
  const b = Array.from({ length: 16 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
  return [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.slice(8)];
}

describe.each(MACHINE_TYPES)("ACPI and AML on -machine %s", (machine) => {
  it("finds the tables, loads the namespace and evaluates ADDR to the GUID's address", async () => {
    const q = await bootKernel({ machine, vmgenid: GUID });
    const prefix = "vmgenid: \\_SB_.VGEN.ADDR = ";
    const addrLine = q.lines.find((l) => l.startsWith(prefix));
    expect(addrLine, q.lines.join("\n")).toBeDefined();
    const result = JSON.parse(addrLine!.slice(prefix.length)) as { type: string; value: Array<{ type: string; value: string }> };
    expect(result.type).toBe("Package");
    const address = Number(BigInt(result.value[0].value) | (BigInt(result.value[1].value) << 32n));
    // What QEMU holds at that guest-physical address is the GUID it was given.
    const dump = await q.qmp!.hmp(`xp /16bx ${address}`);
    const bytes = [...dump.matchAll(/0x([0-9a-f]{2})\b/g)].map((m) => parseInt(m[1], 16));
    expect(bytes).toEqual(guidBytes(GUID));
    const qmpGuid = await q.qmp!.execute<{ guid: string }>("query-vm-generation-id");
    expect(qmpGuid.guid).toBe(GUID);
    // The kernel reads the same GUID through its own write-back window on that address.
    expect(await q.command("mm")).toBe(`mm: window=0x${(0x10000 + (address & 0xfff)).toString(16)} phys=0x${address.toString(16)} type=WB`);
    expect(await q.command("guid")).toBe(`guid: ${GUID}`);

    expect(q.lines.some((l) => /^acpi: .*VMGENID$/.test(l))).toBe(true);
    expect(q.lines.some((l) => /^aml: namespace: \d+ objects from 2 tables$/.test(l))).toBe(true);
    expect(q.lines.some((l) => /^(acpi|aml): .*(error|bad|checksum)/i.test(l))).toBe(false);
  });

  it("answers acpi and aml from the shell, and errors on bad paths", async () => {
    const q = await bootKernel({ machine });
    const acpi = await q.command("acpi");
    for (const sig of ["RSDT", "FACP", "DSDT", "FACS", "APIC", "SSDT", "HPET", "WAET"]) {
      expect(acpi).toMatch(new RegExp(`\\b${sig}@0x[0-9a-f]+ len=\\d+`));
    }
    expect(await q.command("aml \\_SB.VGEN._STA")).toBe('aml: {"path":"\\\\_SB_.VGEN._STA","result":{"type":"Integer","value":"0xf"},"notify":[]}');
    const from = q.lines.length;
    expect(await q.command("aml \\_GPE._E05")).toBe('aml: {"path":"\\\\_GPE._E05","result":null,"notify":[["\\\\_SB_.VGEN","0x80"]]}');
    // Delivered after the answer, by the event loop; no handler yet.
    await q.waitForLine(/^acpi: notify \\_SB_\.VGEN 0x80$/, { from });
    expect(q.lines.slice(from).filter((l) => l.startsWith("aml:"))).toHaveLength(1);
    expect(await q.command("aml \\NOPE")).toBe('aml: {"path":"\\\\NOPE","error":"no object named \\\\NOPE"}');
    expect(await q.command("aml")).toMatch(/^error: aml: expected one namespace path/);
    expect(await q.command("aml bad..path")).toBe('aml: {"path":"bad..path","error":"malformed path \\"bad..path\\""}');
  });

  it("runaway AML loops end with a named error, and the kernel's heap and shell survive them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clonesafe-loops-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync("iasl", ["-p", join(dir, "loops"), resolve(REPO, "test/aml/limits/loops.asl")], { stdio: "ignore" });
    const q = await bootKernel({ machine, acpiTables: [join(dir, "loops.aml")] });
    const budget = /"error":"(allocated about 4 MiB in one event \(runaway loop\?\)|Concatenate of two Strings of \d+ characters would allocate \d+ bytes, more than the \d+ left of this event's 4 MiB AML budget)/;
    for (let round = 0; round < 3; round++) { // garbage of one is gone before the next
      expect(await q.command("aml \\NEST")).toMatch(budget);
      expect(await q.command("aml \\CATS")).toMatch(budget);
    }
    expect(await q.command("aml \\LP4K")).toBe('aml: {"path":"\\\\LP4K","result":{"type":"Integer","value":"0x1000"},"notify":[]}');
    // Two commands in one burst are two events: the second has its own budget.
    const from = q.lines.length;
    q.sendBytes("aml \\CATS\raml \\LP4K\r");
    const second = await q.waitForLine(/^aml: \{"path":"\\\\LP4K"/, { from });
    expect(q.lines.slice(from, second.index).some((l) => budget.test(l))).toBe(true);
    expect(second.line).toBe('aml: {"path":"\\\\LP4K","result":{"type":"Integer","value":"0x1000"},"notify":[]}');
    expect(await q.command("rand 16")).toMatch(/^rand: epoch=1 [0-9a-f]{32}$/);
    const pages = Number(/\bheap_pages=(\d+)/.exec(await q.command("stats"))![1]);
    expect(pages).toBeLessThanOrEqual(256);
  });

  it("results too large for the serial shell are refused by name; cyclic packages print to a bounded depth", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clonesafe-results-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync("iasl", ["-p", join(dir, "results"), resolve(REPO, "test/aml/limits/results.asl")], { stdio: "ignore" });
    const q = await bootKernel({ machine, acpiTables: [join(dir, "results.aml")] });
    for (const [path, type] of [["\\BIGB", "Buffer"], ["\\BIGP", "Package"]]) {
      expect(await q.command(`aml ${path}`)).toBe(`error: aml: ${path} evaluated to a ${type} whose JSON is longer than ` +
        "16384 characters, the most the shell prints (clonesafe aml on the host prints any size)");
    }
    expect(await q.command("aml \\SMLB")).toContain(`"value":"${"00".repeat(0x1000)}"`);
    expect(await q.command("aml \\PKA")).toContain('{"type":"Package","omitted":"nested deeper than 16 levels"}');
    expect(await q.command("rand 16")).toMatch(/^rand: epoch=1 [0-9a-f]{32}$/);
  });

  it("boots without vmgenid: no ADDR line, no VGEN device", async () => {
    const q = await bootKernel({ machine, vmgenid: false });
    expect(q.lines.some((l) => l.includes("ADDR"))).toBe(false);
    expect(q.lines).toContain("vmgenid: no VM generation ID device");
    expect(await q.command("guid")).toBe("guid: none");
    expect(await q.command("mm")).toBe("mm: no windows");
    expect(await q.command("aml \\_SB.VGEN")).toBe('aml: {"path":"\\\\_SB_.VGEN","error":"no object named \\\\_SB_.VGEN"}');
  });
});
