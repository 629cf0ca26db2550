// Hostile interrupt tables on a hardware-reduced platform (the simulated
// Firecracker shape, tools/sim/firecracker.ts): IOAPIC entries the kernel
// cannot use, an interrupt source override and a GED interrupt naming a GSI
// no IOAPIC covers. Each is one log line naming what is wrong; the kernel
// boots to ready and, where a path to it remains, still reseeds on a restore.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIRECRACKER_ASL } from "../../tools/fixtures.js";
import {
  FirecrackerVm, IOAPIC_ADDRESS, madtEntry, madtTable, PVH_INFO_ADDRESS, PVH_MAGIC,
} from "../../tools/sim/firecracker.js";
import { compileAsl, FIXTURES, hostKernel, type HostKernel } from "../support/host.js";

const G1 = "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87";
const G2 = "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const DSDT_ASL = readFileSync(join(FIXTURES, FIRECRACKER_ASL, "dsdt-vmgenctr.asl"), "utf8");
const DSDT = compileAsl(DSDT_ASL);
const READY = /^clonesafe ready guid=324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87 epoch=1$/;

function boot(o: { madt?: Uint8Array; dsdt?: Uint8Array }): { vm: FirecrackerVm; k: HostKernel; lines: string[] } {
  const vm = new FirecrackerVm({ dsdt: o.dsdt ?? DSDT, id: G1, rdrand: true, madt: o.madt });
  vm.machine.rdrandValues.push(...Array.from({ length: 256 }, (_, i) => BigInt(i + 1) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn));
  const k = hostKernel(vm.machine).kernel;
  k.boot(PVH_MAGIC, PVH_INFO_ADDRESS);
  k.collectAtIdle();
  k.amlNewEvent();
  return { vm, k, lines: vm.machine.lines() };
}

const has = (lines: string[], line: string) => expect(lines, lines.join("\n")).toContain(line);

describe("hostile MADT and GSIs on a hardware-reduced platform", () => {
  it("an IOAPIC at an unaligned address is ignored; with none left the kernel says so and still boots", () => {
    const { lines } = boot({ madt: madtTable(0, [madtEntry.ioApic(0, IOAPIC_ADDRESS + 4, 0), madtEntry.localApic(0, 0)]) });
    has(lines, "irq: MADT IOAPIC 0: its address 0xfec00004 is not a 16-byte aligned register block; ignored");
    has(lines, "irq: hardware-reduced ACPI, but no usable IOAPIC; trying the 8259");
    expect(lines.some((l) => READY.test(l))).toBe(true);
  });

  it("an IOAPIC whose GSI range overflows 32 bits, and one overlapping another's GSIs, are ignored", () => {
    const { lines } = boot({
      madt: madtTable(0, [
        madtEntry.ioApic(0, IOAPIC_ADDRESS, 0), madtEntry.ioApic(1, IOAPIC_ADDRESS, 8),
        madtEntry.ioApic(2, IOAPIC_ADDRESS, 0xfffffff0), madtEntry.localApic(0, 0),
      ]),
    });
    has(lines, "irq: MADT IOAPIC 1: GSIs 8+ overlap another IOAPIC's; ignored");
    has(lines, "irq: MADT IOAPIC 2: GSI base 4294967280 overflows; ignored");
    expect(lines.some((l) => l.startsWith("irq: local APIC 0xfee00000 id 0 ") && l.includes("ioapic0 GSI 0-23 (hardware-reduced ACPI"))).toBe(true);
    expect(lines.some((l) => READY.test(l))).toBe(true);
  });

  it("an override sending COM1 to a GSI no IOAPIC covers: one line each, and the GED still reseeds on a restore", () => {
    const { vm, k, lines } = boot({
      madt: madtTable(0, [madtEntry.ioApic(0, IOAPIC_ADDRESS, 0), madtEntry.override(4, 200, 0), madtEntry.localApic(0, 0)]),
    });
    has(lines, "irq: COM1: GSI 200 is on no IOAPIC the MADT describes; not routed");
    has(lines, "irq: COM1 has no interrupt line: the shell will not answer");
    expect(lines.some((l) => READY.test(l))).toBe(true);
    vm.restoreVm({ id: G2, ged: true });
    const irqs = vm.machine.pendingIrqs;
    vm.machine.pendingIrqs = 0;
    k.step(irqs);
    expect(vm.machine.lines()).toContain(`vmgenid: notify gen=1 guid=${G2} changed=1 epoch=2`);
  });

  it("a GED interrupt on a GSI no IOAPIC covers is not routed, named by its device", () => {
    const dsdt = compileAsl(DSDT_ASL.replace("0x00000006,", "0x00000063,"));
    const { lines } = boot({ dsdt });
    has(lines, "irq: \\_SB_.GED_ interrupt: GSI 99 is on no IOAPIC the MADT describes; not routed");
    expect(lines.some((l) => l.startsWith("ged: \\_SB_.GED_ (ACPI0013): GSI 5 "))).toBe(true);
    expect(lines.some((l) => READY.test(l))).toBe(true);
  });
});
