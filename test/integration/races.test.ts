// The product's promise where it is hardest to keep: a request, or a running
// `stream`, meets a snapshot restore. Whatever the order in which the
// restore's SCI and the request's COM1 interrupt reach the kernel, no byte
// may come from the state the snapshot froze. Each scenario (tools/races/
// scenarios.ts) restores one snapshot TRIALS times, sending its request
// without waiting for the `vmgenid: notify` line, and judges every trial
// (tools/races/judge.ts): epoch past the snapshot's, output different from
// the snapshot timeline's and from every other trial's. `make soak` runs the
// same scenarios hundreds of times. A scenario that writes its request into
// a stopped guest asserts that the request is in the UART before `cont`
// (tools/qmp/uart.ts) and fails naming that premise otherwise; the last test
// here shows that check firing, the request held back on purpose.
//
// On every QEMU leg (tools/qemu/versions.ts: the system's 7.2 and, after
// `make qemu10`, 10.0), each title naming its version, and on 10.0 saying
// "no vmclock": races-vmclock.test.ts runs the same scenarios there with
// `-device vmclock` in every process of each scenario (test/support/races.ts
// holds the body both files share).
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { MACHINE_TYPES, VMCLOCK_DEVICE } from "../../tools/qemu/args.js";
import { liveQemuCount } from "../../tools/qemu/launcher.js";
import { hasDevice, qemuLegs } from "../../tools/qemu/versions.js";
import { PremiseError, UART_DEADLINE_MS } from "../../tools/qmp/uart.js";
import { runScenario, SCENARIOS } from "../../tools/races/scenarios.js";
import { IMAGE, PVH_IMAGE } from "../support/qemu.js";
import { describeRaces, RACE_TRIALS as TRIALS } from "../support/races.js";

// The PVH image (build/clonesafe-pvh.elf, booted through QEMU's PVH path)
// on the same machines: the same-process and new-process -loadvm races.
const PVH_SCENARIOS = ["loadvm-stopped", "loadvm-running", "clone-same-guid", "clone-new-guid"];

const LEGS = qemuLegs();

describeRaces(LEGS.flatMap((qemu) => {
  // On a QEMU that has vmclock, the title says the device is absent here.
  const devices = hasDevice(qemu.binary, VMCLOCK_DEVICE) ? ", no vmclock" : "";
  return [
    ...MACHINE_TYPES.map((machine) => ({
      qemu, machine, boot: "multiboot" as const, image: IMAGE, scenarios: SCENARIOS, vmclock: false, devices, trials: TRIALS,
    })),
    ...MACHINE_TYPES.map((machine) => ({
      qemu, machine, boot: "pvh" as const, image: PVH_IMAGE, scenarios: SCENARIOS.filter((s) => PVH_SCENARIOS.includes(s.id)),
      vmclock: false, devices, trials: TRIALS,
    })),
  ];
}));

// The check is QEMU's UART seen through QMP, the same on every leg: shown once, on the first.
describe(`QEMU ${LEGS[0].name}: the premise of a race into a stopped guest`, () => {
  it("loadvm-stopped with its request held back past the check fails, naming the premise (one boot)", async () => {
    const scenario = SCENARIOS.find((s) => s.id === "loadvm-stopped")!;
    const run = runScenario(scenario, {
      image: IMAGE, machine: "pc", trials: 1, lifetimeSec: 120, qemu: LEGS[0], onCleanup: (cleanup) => onTestFinished(cleanup),
      requestDelayMs: UART_DEADLINE_MS + 2000, // written only after the check has given up (then not at all)
    });
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PremiseError);
    expect((error as Error).message).toBe("loadvm-stopped -machine pc, trial 1: premise failed: the request was not in the UART " +
      `(LSR=0x60, data-ready clear) after ${UART_DEADLINE_MS} ms with the guest stopped; the race would have run in the friendly order`);
    expect(liveQemuCount()).toBe(0); // the scenario cleaned up as it failed
  }, 120_000);
});

afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
