// The product's promise where it is hardest to keep: a request, or a running
// `stream`, meets a snapshot restore. Whatever the order in which the
// restore's SCI and the request's COM1 interrupt reach the kernel, no byte
// may come from the state the snapshot froze. Each scenario (tools/races/
// scenarios.ts) restores one snapshot TRIALS times, sending its request
// without waiting for the `vmgenid: notify` line, and judges every trial
// (tools/races/judge.ts): epoch past the snapshot's, output different from
// the snapshot timeline's and from every other trial's. `make soak` runs the
// same scenarios hundreds of times.
import { describe, expect, it, onTestFinished } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { runScenario, SCENARIOS, STREAM_LINES_PER_TRIAL, type ScenarioResult } from "../../tools/races/scenarios.js";
import { IMAGE, PVH_IMAGE } from "../support/qemu.js";

const TRIALS = 8;

function staleTrials(r: ScenarioResult): string[] {
  return r.trials.filter((t) => !t.fresh).map((t) => `trial ${t.index}: ${t.why.join("; ")}`);
}

// The PVH image (build/clonesafe-pvh.elf, booted through QEMU's PVH path)
// on the same machines: the same-process and new-process -loadvm races.
const PVH_SCENARIOS = ["loadvm-stopped", "loadvm-running", "clone-same-guid", "clone-new-guid"];

const legs = [
  ...MACHINE_TYPES.map((machine) => ({ machine, boot: "multiboot", image: IMAGE, scenarios: SCENARIOS })),
  ...MACHINE_TYPES.map((machine) => ({
    machine, boot: "pvh", image: PVH_IMAGE, scenarios: SCENARIOS.filter((s) => PVH_SCENARIOS.includes(s.id)),
  })),
];

describe.each(legs)("restore races on -machine $machine, $boot image", ({ machine, image, scenarios }) => {
  it.each(scenarios.map((s) => [s.id, s.title, s] as const))("%s (%s): every trial fresh", async (_id, _title, scenario) => {
    const r = await runScenario(scenario, {
      image, machine, trials: TRIALS, lifetimeSec: 300, onCleanup: (cleanup) => onTestFinished(cleanup),
    });
    expect(r.trials).toHaveLength(TRIALS);
    expect(staleTrials(r), `${scenario.id} -machine ${machine}: ${TRIALS - staleTrials(r).length}/${TRIALS} fresh`).toEqual([]);
    if (r.kind === "rand") {
      expect(new Set(r.trials.map((t) => t.answer?.hex)).size).toBe(TRIALS);
    } else {
      for (const t of r.trials) expect(t.outputs.length).toBeGreaterThanOrEqual(STREAM_LINES_PER_TRIAL);
    }
  }, 300_000);
});
