// The restore races of races.test.ts with QEMU 10's `-device vmclock` in
// every QEMU process of each scenario: the parent and every -loadvm or
// -incoming restore (a destination without the device refuses the state).
// On every leg whose QEMU has the device (tools/qemu/versions.ts: 10.0; under
// `make test` the leg is required, so this file cannot pass by running
// nothing), all twelve scenarios on pc and q35, RACE_TRIALS trials each, every
// trial fresh (tools/races/judge.ts), and the parent's boot showing the
// vmclock driver found the page. races.test.ts runs the same without it.
import { afterAll, describe, expect, it } from "vitest";
import { MACHINE_TYPES, VMCLOCK_DEVICE } from "../../tools/qemu/args.js";
import { liveQemuCount } from "../../tools/qemu/launcher.js";
import { hasDevice, qemuLegs } from "../../tools/qemu/versions.js";
import { SCENARIOS } from "../../tools/races/scenarios.js";
import { IMAGE } from "../support/qemu.js";
import { describeRaces, RACE_TRIALS } from "../support/races.js";

const LEGS = qemuLegs().filter((qemu) => hasDevice(qemu.binary, VMCLOCK_DEVICE));

describeRaces(LEGS.flatMap((qemu) => MACHINE_TYPES.map((machine) => ({
  qemu, machine, boot: "multiboot" as const, image: IMAGE, scenarios: SCENARIOS, vmclock: true, devices: ", -device vmclock", trials: RACE_TRIALS,
}))));

// Only by hand without build/qemu10 (make test requires the leg): say why nothing ran.
if (LEGS.length === 0) {
  describe("restore races with -device vmclock", () => {
    it.skip("needs a QEMU with vmclock: build/qemu10 (make qemu10)", () => {});
  });
}

afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
