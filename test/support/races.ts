// The restore-race suite's body, shared by test/integration/races.test.ts
// (every QEMU leg, no vmclock) and races-vmclock.test.ts (the legs whose
// QEMU has -device vmclock, with it): one describe per run, one test per
// scenario, every trial judged fresh (tools/races/judge.ts). Two files, so
// vitest's two workers share the suite's longest part.
// Owns: nothing but the tests it declares; each scenario's QEMUs and
// folders go with its test (onTestFinished). May call: tools/races.

import { describe, expect, it, onTestFinished } from "vitest";
import type { QemuLeg } from "../../tools/qemu/versions.js";
import type { MachineType } from "../../tools/qemu/args.js";
import type { Firmware } from "../../tools/qemu/firmware.js";
import { runScenario, STREAM_LINES_PER_TRIAL, type Scenario, type ScenarioResult } from "../../tools/races/scenarios.js";

/** The vmclock driver's boot line for QEMU 10's device (vmclock.test.ts asserts it whole). */
const VMCLOCK_FOUND = /^vmclock: \\_SB_\.VCLK \(AMZNC10C\) page 0xfeffb000 /;

/** The kernel's first line about clonesafe.efi's hand-off (kernel/mm/index.ts). */
const UEFI_BOOT = /^boot: UEFI hand-off at /;

/** Trials per scenario, machine, image and leg, with vmclock and without (the suite's time: README "Tests"). */
export const RACE_TRIALS = 8;

export interface RaceRun {
  qemu: QemuLeg;
  machine: MachineType;
  boot: "multiboot" | "pvh" | "uefi";
  image: string;
  /** OVMF instead of SeaBIOS (boot "uefi", image build/clonesafe.efi). */
  firmware?: Firmware;
  scenarios: readonly Scenario[];
  /** -device vmclock in every QEMU of each scenario. */
  vmclock: boolean;
  /** Appended to the title: which devices the run has, where the leg could have vmclock. */
  devices: string;
  trials: number;
}

export function staleTrials(r: ScenarioResult): string[] {
  return r.trials.filter((t) => !t.fresh).map((t) => `trial ${t.index}: ${t.why.join("; ")}`);
}

/** One describe per run ("QEMU 10.0 restore races on -machine pc, multiboot image, -device vmclock"; "uefi image": OVMF), a test per scenario. */
export function describeRaces(runs: readonly RaceRun[]): void {
  for (const { qemu, machine, boot, image, firmware, scenarios, vmclock, devices, trials } of runs) {
    describe(`QEMU ${qemu.name} restore races on -machine ${machine}, ${boot} image${devices}`, () => {
      it.each(scenarios.map((s) => [s.id, s.title, s] as const))("%s (%s): every trial fresh", async (_id, _title, scenario) => {
        const r = await runScenario(scenario, {
          image, firmware, machine, trials, qemu, vmclock, lifetimeSec: 300, onCleanup: (cleanup) => onTestFinished(cleanup),
        });
        // The parent booted the machine asked for: the kernel's vmclock driver found the device exactly when it was there.
        expect(r.parentBootLines.some((l) => VMCLOCK_FOUND.test(l)), r.parentBootLines.join("\n")).toBe(vmclock);
        // …and the firmware asked for: clonesafe.efi's hand-off exactly under OVMF.
        expect(r.parentBootLines.some((l) => UEFI_BOOT.test(l)), r.parentBootLines.join("\n")).toBe(firmware === "uefi");
        expect(r.trials).toHaveLength(trials);
        expect(staleTrials(r), `${scenario.id} -machine ${machine}: ${trials - staleTrials(r).length}/${trials} fresh`).toEqual([]);
        if (r.kind === "rand") {
          expect(new Set(r.trials.map((t) => t.answer?.hex)).size).toBe(trials);
        } else {
          for (const t of r.trials) expect(t.outputs.length).toBeGreaterThanOrEqual(STREAM_LINES_PER_TRIAL);
        }
      }, 300_000);
    });
  }
}
