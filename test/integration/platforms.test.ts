// The platform shapes beyond pc/q35 with SeaBIOS and multiboot, on the real
// images under QEMU: microvm (hardware-reduced ACPI, IOAPICs, a GED, no
// 8259 wired to the CPU) booted by multiboot and by PVH, and the power
// button and ACPI S5 everywhere: QMP system_powerdown (what `virsh
// shutdown` sends) must end the VM, and `exit N` without isa-debug-exit
// must power off (QEMU's status 0: the N is lost, as on real hardware).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { compileLimit, limitCases } from "../aml/limits.js";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { bootKernel, IMAGE, PVH_IMAGE } from "../support/qemu.js";

const RAND32 = /^rand: epoch=1 ([0-9a-f]{64})$/;
const UUID = /^uuid: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EXIT_WAIT_MS = 20_000;

/** Resolves with QEMU's exit, or rejects naming what the kernel last said. */
async function exitWithin(q: Awaited<ReturnType<typeof bootKernel>>, what: string): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: QEMU still running after ${EXIT_WAIT_MS} ms:\n${q.lines.slice(-8).join("\n")}`)), EXIT_WAIT_MS);
  });
  try {
    return (await Promise.race([q.exited, timeout])).code;
  } finally {
    clearTimeout(timer);
  }
}

describe.each([
  { boot: "multiboot", image: IMAGE },
  { boot: "pvh", image: PVH_IMAGE },
])("microvm (hardware-reduced ACPI) with the $boot image, -cpu qemu64", ({ boot, image }) => {
  it("routes through the local APIC, seeds from its timer, serves rand, uuid and stream, and powers off on system_powerdown", async () => {
    const q = await bootKernel({ machine: "microvm", image, cpu: "qemu64" });
    const has = (re: RegExp) => expect(q.lines.some((l) => re.test(l)), `${re}\n${q.lines.join("\n")}`).toBe(true);
    if (boot === "pvh") has(/^boot: PVH start info at 0x[0-9a-f]+: version 1, RSDP at 0x[0-9a-f]+$/);
    has(/^acpi: FADT rev=5 .* hardware-reduced$/);
    has(/^irq: local APIC 0xfee00000 id 0 version 0x[0-9a-f]+, ioapic0 GSI 0-23, ioapic1 GSI 24-47 \(hardware-reduced ACPI; the 8259 stays masked\)$/);
    has(/^random: seeded epoch=1 \(no cpu source, timer interrupts 256 bits\)$/);
    has(/^ged: \\_SB_\.GED_ \(ACPI0013\): GSI 9 \(edge, active-high, IOAPIC 0 pin 9, line 9\) -> _EVT\(9\)$/);
    has(/^power: power button device \\_SB_\.PWRB \(PNP0C0C\): a press powers off \(S5\)$/);
    has(/^random: restore fence: no restore signal: no VM generation ID device/);
    has(/^irq: COM1 on GSI 4 \(edge, active-high, IOAPIC 0 pin 4, line 4\)$/);
    expect(q.lines.some((l) => l.includes("fired with no handler")), q.lines.join("\n")).toBe(false);

    const a = RAND32.exec(await q.command("rand 32"));
    const b = RAND32.exec(await q.command("rand 32"));
    expect(a && b && a[1] !== b[1]).toBe(true);
    expect(await q.command("uuid")).toMatch(UUID);
    const from = q.lines.length;
    q.sendLine("stream");
    await q.waitForLine(/^stream: seq=10 /, { from });
    q.sendBytes("x");
    await q.waitForLine(/^stream: stopped$/, { from });

    const before = q.lines.length;
    await q.qmp!.execute("system_powerdown");
    expect(await exitWithin(q, "system_powerdown")).toBe(0);
    const after = q.lines.slice(before);
    expect(after).toContain("power: power button pressed (\\_SB_.PWRB notify 0x80): powering off through ACPI S5");
    expect(after).toContain("power: entering S5: SLP_TYP 5 to the sleep control register");
  });
});

describe.each(MACHINE_TYPES)("power on -machine %s", (machine) => {
  it("system_powerdown raises PM1 PWRBTN_STS and the kernel enters S5", async () => {
    const q = await bootKernel({ machine });
    expect(q.lines).toContain("acpi: fixed power button enabled (PM1 PWRBTN_EN)");
    const before = q.lines.length;
    await q.qmp!.execute("system_powerdown");
    expect(await exitWithin(q, "system_powerdown")).toBe(0);
    const after = q.lines.slice(before);
    expect(after).toContain("power: power button pressed (PM1 PWRBTN_STS): powering off through ACPI S5");
    expect(after).toContain("power: entering S5: SLP_TYP 0 to PM1 control");
  });

  it("exit N without isa-debug-exit powers off through S5 (status 0: N is lost)", async () => {
    const q = await bootKernel({ machine, debugExit: false, qmp: false });
    q.sendLine("exit 5");
    expect(await exitWithin(q, "exit 5")).toBe(0);
    expect(q.lines).toContain("power: no isa-debug-exit at 0xf4: powering off through ACPI S5 instead (status 5 is lost, as on real hardware)");
  });
});

// A GED whose _EVT fails (or never returns) on COM1's own interrupt: the
// shell keeps answering on the line they share, the _EVT is given up after
// 8 failures in a row, and the kernel still reseeds on a restore.
describe.each(["hostile-ged", "hostile-ged-loop"])("%s.asl on -machine pc", (name) => {
  it("the shell keeps answering on the shared line, the _EVT is given up after 8 failures, a restore still reseeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clonesafe-ged-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const c = limitCases().find((l) => l.name === name)!;
    const q = await bootKernel({ machine: "pc", snapshots: true, acpiTables: [compileLimit(c, dir)] });
    // Commands until the _EVT is given up: how many COM1 interrupts a command
    // raises depends on how its bytes arrive, so the loop waits for the line.
    const GIVEN_UP = /^ged: \\_SB_\.GED[EL]\._EVT\(4\) failed 8 times in a row; not called again \(its line stays open for the device sharing it\)$/;
    for (let i = 0; i < 200 && !q.lines.some((l) => GIVEN_UP.test(l)); i++) expect(await q.command("epoch", 60_000)).toBe("epoch: 1");
    for (let i = 0; i < 4; i++) expect(await q.command("epoch", 60_000)).toBe("epoch: 1"); // and after it
    const given = q.lines.filter((l) => GIVEN_UP.test(l));
    expect(given, q.lines.slice(-20).join("\n")).toHaveLength(1);
    expect(q.lines.filter((l) => /^ged: \\_SB_\.GED[EL]\._EVT\(4\) failed: /.test(l))).toHaveLength(8);
    await q.qmp!.hmp("savevm s1");
    const from = q.lines.length;
    await q.qmp!.hmp("loadvm s1");
    await q.waitForLine(/^vmgenid: notify gen=1 guid=[0-9a-f-]{36} changed=0 epoch=2$/, { from });
    expect(await q.command("rand 32")).toMatch(/^rand: epoch=2 [0-9a-f]{64}$/);
    expect(q.exitInfo).toBeNull();
  }, 240_000);
});
