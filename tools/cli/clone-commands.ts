// `clonesafe snapshot`, `clone` and `migrate-file`: the snapshot/restore
// workflows of the integration suite, for users. Progress goes to stderr
// (one line per clone and step); results go to stdout as JSON lines.
// Owns: checking these commands' arguments before anything is created; the
//   clone work folder (made only after the arguments are checked, removed on
//   every exit path: success, failure, Ctrl-C/SIGTERM; kept only by a
//   successful --keep).
// May call: the QMP client, the clone orchestration (which starts QEMU through
//   the launcher), the launcher's killAllQemu on an interrupt; `clone
//   --libvirt` is handed to libvirt-commands.ts once its arguments are checked.
// Never: waits without a bound, prints usage for a runtime failure, or leaves
//   a QEMU it started running (except a successful --keep).

import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { startClones, type Clone } from "../clone/clones.js";
import { MACHINE_TYPES, migrationToFile, type MachineType } from "../qemu/args.js";
import { FIRMWARES, ovmfCode, type Firmware } from "../qemu/firmware.js";
import { killAllQemu } from "../qemu/launcher.js";
import { HmpError, QmpClient } from "../qmp/client.js";
import { cloneLibvirtCommand } from "./libvirt-commands.js";
import { COMMAND_USAGE, parsed, UsageError, wantsHelp } from "./usage.js";

/** How long `snapshot` and `migrate-file` wait for QEMU's QMP greeting. */
const QMP_CONNECT_MS = 5_000;

function machineOf(value: string | undefined): MachineType {
  const m = value ?? "pc";
  if (!(MACHINE_TYPES as readonly string[]).includes(m)) throw new UsageError(`--machine must be pc or q35, got "${m}"`, "clone");
  return m as MachineType;
}

function required(value: string | undefined, flag: string, command: string): string {
  if (!value) throw new UsageError(`${flag} is required`, command);
  return value;
}

function help(command: string): number {
  process.stdout.write(COMMAND_USAGE[command] + "\n");
  return 0;
}

function countOf(value: string | undefined): number {
  const count = Number(value ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new UsageError(`--count must be an integer 1..64, got "${value}"`, "clone");
  return count;
}

/** How long an interrupted clone waits for launches under way before stopping them too. */
const INTERRUPT_GRACE_MS = 15_000;

/** `snapshot --qmp SOCK --tag T`: savevm on a running instance. */
export async function snapshotCommand(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) return help("snapshot");
  const { values } = parsed("snapshot", () => parseArgs({ args: argv, options: { qmp: { type: "string" }, tag: { type: "string" } }, strict: true }));
  const socket = required(values.qmp, "--qmp", "snapshot");
  const tag = required(values.tag, "--tag", "snapshot");
  const qmp = await QmpClient.connect(socket, QMP_CONNECT_MS);
  try {
    await qmp.hmp(`savevm ${tag}`, 300_000);
  } catch (e) {
    if (e instanceof HmpError) throw new Error(`snapshot "${tag}" not saved: QEMU answered "${e.output.split(/\r?\n/)[0].trim()}"`);
    throw e;
  } finally {
    qmp.close();
  }
  process.stdout.write(`snapshot: ${tag} saved\n`);
  return 0;
}

/** `migrate-file --qmp SOCK --file F`: saves the running state to F (restore with `run --incoming F`). */
export async function migrateFileCommand(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) return help("migrate-file");
  const { values } = parsed("migrate-file", () => parseArgs({ args: argv, options: { qmp: { type: "string" }, file: { type: "string" } }, strict: true }));
  const file = required(values.file, "--file", "migrate-file");
  const socket = required(values.qmp, "--qmp", "migrate-file");
  const qmp = await QmpClient.connect(socket, QMP_CONNECT_MS);
  try {
    await qmp.execute("migrate", { uri: migrationToFile(file) });
    const deadline = Date.now() + 300_000;
    for (;;) {
      const info = await qmp.execute<{ status: string; "error-desc"?: string }>("query-migrate");
      if (info.status === "completed") break;
      if (info.status === "failed" || info.status === "cancelled") {
        throw new Error(`migration to ${file} ${info.status}${info["error-desc"] ? `: QEMU said "${info["error-desc"]}"` : ""} (the source VM runs on)`);
      }
      if (Date.now() > deadline) {
        await qmp.execute("migrate_cancel").catch(() => undefined);
        throw new Error(`migration to ${file} did not complete within 300 s (status ${info.status}); cancelled`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    qmp.close();
  }
  process.stdout.write(`migrate-file: state saved to ${file}\n`);
  process.stderr.write(`migrate-file: the source VM is paused (QMP status postmigrate): resume it with QMP "cont", ` +
    `or stop it; restore the state with: clonesafe run --incoming ${file}\n`);
  return 0;
}

/**
 * `clone --state FILE --tag T --count N [--machine M] [--firmware F] [--cpu C] [--keep]`:
 * N clones, each on its own copy of FILE with a fresh GUID; one JSON line
 * per clone once it has reseeded: {"clone":k,"guid":…,"epoch":…,"rand":…}.
 */
export async function cloneCommand(argv: string[], multibootImage: string): Promise<number> {
  let image = multibootImage;
  if (wantsHelp(argv)) return help("clone");
  const { values } = parsed("clone", () => parseArgs({
    args: argv,
    options: {
      state: { type: "string" }, tag: { type: "string" }, count: { type: "string" },
      machine: { type: "string" }, cpu: { type: "string" }, keep: { type: "boolean", default: false },
      firmware: { type: "string" }, libvirt: { type: "string" }, connect: { type: "string" },
    },
    strict: true,
  }));
  if (values.libvirt !== undefined) {
    for (const [flag, v] of [["--state", values.state], ["--machine", values.machine], ["--cpu", values.cpu], ["--firmware", values.firmware]] as const) {
      if (v !== undefined) throw new UsageError(`${flag} does not go with --libvirt (the domain's snapshot decides it)`, "clone");
    }
    const tag = required(values.tag, "--tag", "clone");
    const count = countOf(values.count);
    return cloneLibvirtCommand({ source: required(values.libvirt, "--libvirt", "clone"), tag, count, connect: values.connect, keep: values.keep });
  }
  if (values.connect !== undefined) throw new UsageError("--connect goes only with --libvirt", "clone");
  const stateFile = required(values.state, "--state", "clone");
  const tag = required(values.tag, "--tag", "clone");
  if (values.firmware !== undefined && !(FIRMWARES as readonly string[]).includes(values.firmware)) {
    throw new UsageError(`--firmware must be one of ${FIRMWARES.join(", ")}, got "${values.firmware}"`, "clone");
  }
  const firmware = (values.firmware ?? "bios") as Firmware;
  const machine = machineOf(values.machine);
  const count = countOf(values.count);
  if (firmware === "uefi") {
    ovmfCode();
    image = join(dirname(image), "clonesafe.efi");
  }
  try {
    accessSync(stateFile, constants.R_OK);
  } catch (e) {
    throw new Error(`cannot read the state file ${stateFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }

  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-clone-"));
  let keepWorkDir = false;
  // Ctrl-C (SIGINT) or SIGTERM: stop every clone, remove the folder, exit 128+n.
  let interrupted = false;
  let starting: Promise<Clone[]> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return; // a second Ctrl-C: the cleanup is already under way
    interrupted = true;
    if (process.stderr.isTTY) process.stderr.write("\n");
    process.stderr.write(`clonesafe clone: ${signal === "SIGINT" ? "interrupted" : `stopped by ${signal}`}; stopping the clones\n`);
    void (async () => {
      // Stop what runs, let the launches under way finish (a clone still
      // copying its state spawns its QEMU after this), stop those too, and
      // wait for every process to be gone before the folder and the exit.
      await killAllQemu();
      await Promise.race([starting?.catch(() => undefined), sleep(INTERRUPT_GRACE_MS)]);
      await killAllQemu();
      rmSync(workDir, { recursive: true, force: true });
      process.exit(signal === "SIGINT" ? 130 : 143); // the launcher's exit hook SIGKILLs anything still left
    })();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const tty = process.stderr.isTTY;
  const status = new Array<string>(count).fill("waiting");
  const progress = (i: number, s: string) => {
    if (interrupted) return;
    status[i] = s;
    if (tty) process.stderr.write(`\r${status.map((x, k) => `clone ${k}: ${x}`).join(" | ")}\x1b[K`);
    else process.stderr.write(`clone ${i}: ${s}\n`);
  };
  let clones: Clone[] = [];
  try {
    starting = startClones({
      image, firmware, stateFile, tag, count, machine, cpu: values.cpu, workDir, onProgress: progress,
      lifetimeSec: values.keep ? 7 * 24 * 3600 : 600,
    });
    clones = await starting;
    if (tty) process.stderr.write("\n");
    for (const c of clones) {
      const answer = await c.qemu.command("rand 32");
      const m = /^rand: epoch=(\d+) ([0-9a-f]{64})$/.exec(answer);
      if (!m) throw c.qemu.failure(`clone ${c.index} answered "${answer}" to rand 32`);
      process.stdout.write(JSON.stringify({ clone: c.index, guid: c.guid, epoch: Number(m[1]), rand: m[2] }) + "\n");
    }
    if (values.keep) {
      for (const c of clones) {
        process.stderr.write(`clone ${c.index}: qmp ${c.qemu.qmpSocketPath} serial ${c.qemu.serialSocketPath}\n`);
        c.qemu.detach();
      }
      keepWorkDir = true;
    }
  } catch (e) {
    // Interrupted: the clones failing now is the interrupt's doing, and its
    // handler exits once they are stopped and the folder is gone.
    if (interrupted) return new Promise<number>(() => {});
    if (tty) process.stderr.write("\n");
    throw e;
  } finally {
    if (!keepWorkDir && !interrupted) {
      await Promise.all(clones.map((c) => c.qemu.kill()));
      rmSync(workDir, { recursive: true, force: true });
    }
    if (!interrupted) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
  return 0;
}
