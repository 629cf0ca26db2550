// `clonesafe` — the host-side command line. Subcommands:
//   run [--machine pc|q35|microvm] [--boot multiboot|pvh] [--guid G|auto|none] [--cpu MODEL] [--debug]
//       boot the kernel with the serial console on this terminal (`make run`).
//   aml --table F [--table F]... [--trace] namespace | eval P [P...]
//       the kernel's AML interpreter on the host (tools/aml/cli.ts).
//   snapshot, clone, migrate-file: snapshot/restore workflows (clone-commands.ts).
//   libvirt define|undefine, clone --libvirt: as a libvirt guest (libvirt-commands.ts).
//   compare: clonesafe against a Linux peer on the same restores (compare-command.ts).
// Owns: dispatch, `run` (its QEMU, and build/qmp.sock while that QEMU lives),
//   and how every failure ends: one `error: …` line on stderr (then, for a
//   QEMU that failed, its command line and last lines), status 1; a wrong
//   command line adds a hint to `<command> --help` and exits 2; Ctrl-C 130.
// May call: the QEMU argument builder, the QEMU process starter (tools/qemu/
//   process.ts: the spawn, QEMU's stderr and how its failure is worded), the
//   AML CLI, the snapshot/clone, libvirt and compare commands.
// Never: removes a QMP socket another instance is listening on, reports a
//   QEMU that failed as a kernel exit, or prints usage for a runtime failure.

import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatCommandLine, incomingFromFile, qemuArgs, RUN_MACHINE_TYPES, type MachineType } from "../qemu/args.js";
import { describeQemuStatus } from "../qemu/exit-status.js";
import { qemuFailed, qemuSaid, spawnQemu } from "../qemu/process.js";
import { defaultQemu } from "../qemu/versions.js";
import { FIRMWARES, ovmfCode, type Firmware } from "../qemu/firmware.js";
import { runAml } from "../aml/cli.js";
import { setHostKernelPath } from "../sim/host-kernel.js";
import { cloneCommand, migrateFileCommand, snapshotCommand } from "./clone-commands.js";
import { libvirtCommand } from "./libvirt-commands.js";
import { compareCommand } from "./compare-command.js";
import { COMMAND_USAGE, parsed, USAGE, usageHint, UsageError, wantsHelp } from "./usage.js";

/** build/ — the CLI is bundled to build/tools/clonesafe.mjs. */
function buildDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..");
}

function machineOption(value: string | undefined, fallback: MachineType = "pc"): MachineType {
  const machine = value ?? fallback;
  if (!(RUN_MACHINE_TYPES as readonly string[]).includes(machine)) {
    throw new UsageError(`--machine must be one of ${RUN_MACHINE_TYPES.join(", ")}, got "${machine}"`, "run");
  }
  return machine as MachineType;
}

function guidOption(value: string | undefined): string | false {
  const guid = value ?? "auto";
  if (guid === "none") return false;
  if (guid !== "auto" && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guid)) {
    throw new UsageError(`--guid must be auto, none or a UUID, got "${guid}"`, "run");
  }
  return guid;
}

/** Whether something accepts connections on the unix socket `path` ("absent", "live" or "stale"). */
function socketState(path: string): Promise<"absent" | "live" | "stale"> {
  if (!existsSync(path)) return Promise.resolve("absent");
  return new Promise((res) => {
    const s = connect(path);
    s.once("connect", () => { s.destroy(); res("live"); });
    s.once("error", (e: NodeJS.ErrnoException) => res(e.code === "ENOENT" ? "absent" : "stale"));
  });
}

async function run(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(COMMAND_USAGE.run + "\n");
    return 0;
  }
  const { values } = parsed("run", () => parseArgs({
    args: argv,
    options: {
      machine: { type: "string" },
      guid: { type: "string" },
      cpu: { type: "string" },
      image: { type: "string" },
      boot: { type: "string" },
      firmware: { type: "string" },
      debug: { type: "boolean", default: false },
      incoming: { type: "string" },
    },
    strict: true,
  }));
  if (values.firmware !== undefined && !(FIRMWARES as readonly string[]).includes(values.firmware)) {
    throw new UsageError(`--firmware must be one of ${FIRMWARES.join(", ")}, got "${values.firmware}"`, "run");
  }
  const firmware = (values.firmware ?? "bios") as Firmware;
  const machine = machineOption(values.machine, firmware === "uefi" ? "q35" : "pc");
  const vmgenid = guidOption(values.guid);
  const build = buildDir();
  if (values.boot !== undefined && values.boot !== "multiboot" && values.boot !== "pvh") {
    throw new UsageError(`--boot must be multiboot or pvh, got "${values.boot}"`, "run");
  }
  if (values.boot !== undefined && values.image !== undefined) throw new UsageError("--boot and --image exclude each other", "run");
  if (firmware === "uefi" && values.boot !== undefined) throw new UsageError("--boot picks a BIOS-side entry; --firmware uefi boots build/clonesafe.efi", "run");
  if (firmware === "uefi" && machine === "microvm") throw new UsageError("--firmware uefi boots pc or q35 (microvm has no OVMF)", "run");
  if (firmware === "uefi") ovmfCode();
  const image = values.image ?? resolve(build, firmware === "uefi" ? "clonesafe.efi" : values.boot === "pvh" ? "clonesafe-pvh.elf" : "clonesafe.elf");
  if (!existsSync(image)) throw new Error(`kernel image ${image} not found (run make build)`);
  if (values.incoming !== undefined) {
    try {
      accessSync(values.incoming, constants.R_OK);
    } catch (e) {
      throw new Error(`cannot read the --incoming file ${values.incoming}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const qmpSocket = resolve(build, "qmp.sock");
  const stateDrive = resolve(build, "state.qcow2");
  mkdirSync(build, { recursive: true });
  // The socket belongs to the instance that made it: refuse while it answers,
  // remove it only when nothing listens (left by an instance that has exited).
  const before = await socketState(qmpSocket);
  if (before === "live") {
    throw new Error(`another instance is running: its QMP socket ${qmpSocket} answers (it also holds ${stateDrive}); ` +
      `stop it first (exit 0 at its shell, or Ctrl-C in its terminal)`);
  }
  if (before === "stale") rmSync(qmpSocket, { force: true });
  const qemu = defaultQemu();
  if (!existsSync(stateDrive)) {
    const made = spawnSync(qemu.imgBinary, ["create", "-q", "-f", "qcow2", stateDrive, "64M"], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`qemu-img could not create ${stateDrive}: ${made.stderr.trim()}`);
  }
  const args = qemuArgs({
    image,
    firmware,
    machine,
    vmgenid,
    cpu: values.cpu,
    serial: { kind: "stdio" },
    qmpSocket,
    stateDrive,
    gdb: values.debug,
    incoming: values.incoming !== undefined ? incomingFromFile(resolve(values.incoming)) : undefined,
  });
  process.stderr.write(`clonesafe: quit with "exit 0" at the shell or Ctrl-C; QMP socket: ${qmpSocket}\n`);
  if (values.debug) {
    process.stderr.write(`clonesafe: waiting for gdb: gdb ${resolve(build, "clonesafe64.elf")} -ex 'target remote :1234'\n`);
  }
  if (process.env.CLONESAFE_VERBOSE) process.stderr.write(`${formatCommandLine(qemu.binary, args)}\n`);
  // QEMU's output passes through (serial console on stdout, warnings on
  // stderr as they happen) and is watched, so a QEMU that fails is told apart
  // from a kernel that exits: a failure leaves QEMU error lines after the
  // last serial output (a kernel's `exit 0` leaves none).
  const running = spawnQemu(qemu.binary, args, { stdin: "inherit", stdout: "pipe", stderrLimit: 8000, echoStderr: process.stderr });
  const child = running.child;
  child.stdout!.on("data", (d: Buffer) => {
    process.stdout.write(d);
    running.markStderr();
  });
  // Ctrl-C at a terminal reaches QEMU too (same process group); a SIGINT sent
  // to this process alone is passed on. Either way the CLI waits for QEMU.
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    try { child.kill(signal); } catch { /* already gone */ }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const outputDone = Promise.all([
    new Promise<void>((res) => { child.stdout!.once("close", res); }),
    new Promise<void>((res) => { child.stderr!.once("close", res); }),
  ]);
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((res, rej) => {
    child.once("error", rej);
    child.once("exit", (c, s) => res({ code: c, signal: s }));
  });
  // Its last message; bounded, as a child of QEMU (exec:cat) may hold the pipe.
  await Promise.race([outputDone, new Promise((r) => setTimeout(r, 1000).unref())]);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if ((await socketState(qmpSocket)) === "stale") rmSync(qmpSocket, { force: true }); // ours; QEMU does not always remove it
  const said = qemuSaid(running.stderrSinceMark());
  const terminated = /terminating on signal (\d+)/.exec(running.stderr);
  if (interrupted || terminated) {
    const n = interrupted === "SIGTERM" ? 15 : interrupted === "SIGINT" ? 2 : Number(terminated![1]);
    process.stderr.write(`clonesafe: ${n === 2 ? "interrupted (Ctrl-C)" : `stopped by signal ${n}`}; QEMU stopped\n`);
    return 128 + n;
  }
  if (code !== 0 && said !== "") throw new Error(`${qemuFailed({ code, signal }, said)}\ncommand: ${running.commandLine}`);
  process.stderr.write(`clonesafe: ${describeQemuStatus(code, signal)}\n`);
  if (code !== null && (code & 1) === 1 && code >> 1 === 0) return 0; // `exit 0`
  return code ?? 1;
}

/** The subcommand a failure belongs to, for its usage hint. */
let currentCommand: string | undefined;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  currentCommand = command !== undefined && command in COMMAND_USAGE ? command : undefined;
  switch (command) {
    case "run":
      return run(rest);
    case "snapshot":
      return snapshotCommand(rest);
    case "clone":
      return cloneCommand(rest, resolve(buildDir(), "clonesafe.elf"));
    case "migrate-file":
      return migrateFileCommand(rest);
    case "libvirt":
      return libvirtCommand(rest, buildDir());
    case "compare":
      return compareCommand(rest, buildDir());
    case "aml":
      if (wantsHelp(rest)) {
        process.stdout.write(COMMAND_USAGE.aml + "\n");
        return 0;
      }
      setHostKernelPath(resolve(buildDir(), "host/kernel.wasm"));
      return parsed("aml", () => runAml(rest, (l) => process.stdout.write(l + "\n"), (l) => process.stderr.write(l + "\n")));
    case undefined:
    case "help":
    case "--help":
    case "-h":
      if (command === "help" && rest[0] !== undefined && rest[0] in COMMAND_USAGE) {
        process.stdout.write(COMMAND_USAGE[rest[0]] + "\n");
        return 0;
      }
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

// exitCode, not process.exit(): exiting at once would drop output still
// queued for a pipe.
main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`error: ${message}\n`);
    if (e instanceof UsageError) process.stderr.write(`${usageHint(e.command ?? currentCommand)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
