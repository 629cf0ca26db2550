// Snapshot and clone orchestration: many QEMU processes restored from one
// saved state, each on its own copy of the state file (internal snapshots
// live inside the qcow2; an overlay would not carry them) and with its own
// generation ID. Used by `clonesafe clone` and by the integration suite.

import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { migrationToFile, type KernelLaunch, type MachineType } from "../qemu/args.js";
import { launchQemu, type QemuInstance } from "../qemu/launcher.js";
import type { QmpClient } from "../qmp/client.js";
import type { QemuBinaries } from "../qemu/versions.js";

/** The line the kernel prints once a restored clone has reseeded. */
export const CLONE_NOTIFY = /^vmgenid: notify gen=(\d+) guid=([0-9a-f-]{36}) changed=([01]) epoch=(\d+)$/;

export interface CloneOptions extends KernelLaunch {
  stateFile: string;
  tag: string;
  count: number;
  machine: MachineType;
  cpu?: string;
  workDir: string;
  /** GUID per clone; default "auto" (QEMU picks a fresh random one). */
  guid?: (index: number) => string;
  lifetimeSec?: number;
  onProgress?: (index: number, status: string) => void;
  /** Which QEMU restores the clones: the one that made the state file (default: the launcher's). */
  qemu?: QemuBinaries;
  /** -device vmclock, as the state file's machine had it (a restore needs the same devices). */
  vmclock?: boolean;
}

export interface Clone {
  index: number;
  qemu: QemuInstance;
  /** From the kernel's notify line. */
  guid: string;
  changed: boolean;
  epoch: number;
  /** QMP query-vm-generation-id. */
  qmpGuid: string;
}

/**
 * Copies the state file into `<workDir>/clone-<index>` and starts QEMU with
 * `-loadvm`, returning as soon as the serial console is connected: QEMU
 * restores and starts the guest at that moment, so nothing has been handled
 * yet (the restore-race scenarios write their request right then). With
 * `qmp: false` nothing else delays the return; with QMP, the connection is
 * only served once the guest already runs.
 */
export async function launchClone(o: Omit<CloneOptions, "count">, index: number, launch: { qmp?: boolean } = {}): Promise<QemuInstance> {
  const dir = join(o.workDir, `clone-${index}`);
  mkdirSync(dir, { recursive: true });
  const state = join(dir, "state.qcow2");
  o.onProgress?.(index, "copying state");
  copyFileSync(o.stateFile, state);
  o.onProgress?.(index, "restoring");
  return launchQemu({
    image: o.image, initrd: o.initrd, append: o.append, memoryMiB: o.memoryMiB, firmware: o.firmware, machine: o.machine, cpu: o.cpu, workDir: dir, stateDrive: state, loadvm: o.tag,
    vmgenid: o.guid?.(index) ?? "auto", lifetimeSec: o.lifetimeSec ?? 600, qmp: launch.qmp, qemu: o.qemu, vmclock: o.vmclock,
  });
}

/** Starts one clone and waits until it has handled its generation change. */
export async function startClone(o: CloneOptions, index: number): Promise<Clone> {
  const qemu = await launchClone(o, index);
  try {
    const { match } = await qemu.waitForLine(CLONE_NOTIFY, { timeoutMs: 60_000 });
    const qmpGuid = (await qemu.qmp!.execute<{ guid: string }>("query-vm-generation-id")).guid;
    o.onProgress?.(index, `reseeded, epoch ${match[4]}`);
    return { index, qemu, guid: match[2], changed: match[3] === "1", epoch: Number(match[4]), qmpGuid };
  } catch (e) {
    await qemu.kill();
    throw e;
  }
}

/** Starts `count` clones concurrently; on any failure, stops the ones started. */
export async function startClones(o: CloneOptions): Promise<Clone[]> {
  const results = await Promise.allSettled(Array.from({ length: o.count }, (_, i) => startClone(o, i)));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.qemu.kill() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<Clone>).value);
}

/**
 * Saves the running state of `qmp`'s VM to `file` (`migrate` to `exec:cat >
 * 'FILE'`, polling `query-migrate`); restore it with `-incoming
 * incomingFromFile(FILE)`.
 * The source is left paused in `postmigrate`: `cont` resumes it.
 */
export async function migrateToFile(qmp: QmpClient, file: string, timeoutMs = 120_000): Promise<void> {
  await qmp.execute("migrate", { uri: migrationToFile(file) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await qmp.execute<{ status: string; "error-desc"?: string }>("query-migrate");
    if (info.status === "completed") return;
    if (info.status === "failed" || info.status === "cancelled") {
      throw new Error(`migration ${info.status}${info["error-desc"] ? `: ${info["error-desc"]}` : ""}`);
    }
    if (Date.now() > deadline) throw new Error(`migration to ${file} not completed within ${timeoutMs} ms (status ${info.status})`);
    await sleep(50);
  }
}
