// Unit-test access to the host build of the kernel.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IASL, IASL_FLAGS } from "../../tools/aml/build-cases.js";
import { fixturesRoot } from "../../tools/fixtures.js";
import { setHostKernelPath } from "../../tools/sim/host-kernel.js";

export const REPO = resolve(import.meta.dirname, "../..");
/** test/fixtures: every test reads its fixtures from here (tools/fixtures.ts). */
export const FIXTURES = fixturesRoot(REPO);
/**
 * The host entry compiled with the kernel's runtime and heap settings (asc
 * target host-kernel-runtime: minimal runtime, __alloc routed to the boot
 * arena, 16 MiB heap), for hostKernel(…, wasm) and fuzzKernel().
 */
export const HOST_KERNEL_RUNTIME_WASM = resolve(REPO, "build/host-kernel-runtime/kernel.wasm");
// CLONESAFE_HOST_WASM lets a parallel build use its own output file.
setHostKernelPath(process.env.CLONESAFE_HOST_WASM ?? resolve(REPO, "build/host/kernel.wasm"));

export * from "../../tools/sim/host-kernel.js";
export { MachineHalted, SimMachine } from "../../tools/sim/machine.js";

/** Compiles ASL text with iasl (the ASL cases' flags) in a temporary folder (removed again) and returns the table's bytes. */
export function compileAsl(asl: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-asl-"));
  try {
    writeFileSync(join(dir, "t.asl"), asl);
    execFileSync(IASL, [...IASL_FLAGS, "-p", join(dir, "t"), join(dir, "t.asl")], { stdio: "ignore" });
    return new Uint8Array(readFileSync(join(dir, "t.aml")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
