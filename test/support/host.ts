// Unit-test access to the host build of the kernel.
import { resolve } from "node:path";
import { setHostKernelPath } from "../../tools/sim/host-kernel.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const FIXTURES = resolve(REPO, "../shared/fixtures");
// CLONESAFE_HOST_WASM lets a parallel build use its own output file.
setHostKernelPath(process.env.CLONESAFE_HOST_WASM ?? resolve(REPO, "build/host/kernel.wasm"));

export * from "../../tools/sim/host-kernel.js";
export { MachineHalted, SimMachine } from "../../tools/sim/machine.js";
