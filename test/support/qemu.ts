// Integration-test fixture: boots the real image in QEMU from a fresh
// temporary directory and guarantees the process and the directory are gone
// when the test ends, pass or fail. `qemu` picks the build (a leg of
// tools/qemu/versions.ts); its own qemu-img makes the state drive.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { onTestFinished } from "vitest";
import { launchQemu, type LaunchOptions, type QemuInstance } from "../../tools/qemu/launcher.js";
import { defaultQemu } from "../../tools/qemu/versions.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const IMAGE = resolve(REPO, "build/clonesafe.elf");
/** The same kernel with the PVH entry and no multiboot header. */
export const PVH_IMAGE = resolve(REPO, "build/clonesafe-pvh.elf");
export const READY = /^clonesafe ready\b/;

export type BootOptions = Partial<Omit<LaunchOptions, "workDir" | "stateDrive">> & {
  /** Attach a fresh qcow2 drive so savevm/loadvm work. */
  snapshots?: boolean;
};

export async function startQemu(options: BootOptions = {}): Promise<QemuInstance> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-test-"));
  let instance: QemuInstance | null = null;
  onTestFinished(async () => {
    await instance?.kill();
    rmSync(workDir, { recursive: true, force: true });
  });
  let stateDrive: string | undefined;
  if (options.snapshots) {
    stateDrive = join(workDir, "state.qcow2");
    execFileSync((options.qemu ?? defaultQemu()).imgBinary, ["create", "-q", "-f", "qcow2", stateDrive, "64M"]);
  }
  instance = await launchQemu({ machine: "pc", lifetimeSec: 300, image: IMAGE, ...options, stateDrive, workDir });
  return instance;
}

/** Starts QEMU and waits for the ready line. */
export async function bootKernel(options: BootOptions = {}): Promise<QemuInstance> {
  const q = await startQemu(options);
  await q.waitForLine(READY, { timeoutMs: 60_000 });
  return q;
}
