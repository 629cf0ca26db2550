// Unit-test access to the host build of the kernel.
import { resolve } from "node:path";
import { fixturesRoot } from "../../tools/fixtures.js";
import { setHostKernelPath } from "../../tools/sim/host-kernel.js";

export const REPO = resolve(import.meta.dirname, "../..");
/** test/fixtures: every test reads its fixtures from here (tools/fixtures.ts). */
export const FIXTURES = fixturesRoot(REPO);
// CLONESAFE_HOST_WASM lets a parallel build use its own output file.
setHostKernelPath(process.env.CLONESAFE_HOST_WASM ?? resolve(REPO, "build/host/kernel.wasm"));

export * from "../../tools/sim/host-kernel.js";
export { MachineHalted, SimMachine } from "../../tools/sim/machine.js";
