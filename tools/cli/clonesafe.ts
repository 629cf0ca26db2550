// `clonesafe` — the host-side command line. Subcommands:
//   run [--machine pc|q35] [--guid G|auto|none] [--cpu MODEL] [--debug]
//       boot the kernel with the serial console on this terminal (`make run`).
//   aml --table F [--table F]... [--trace] namespace | eval P [P...]
//       the kernel's AML interpreter on the host (tools/aml/cli.ts).
//   snapshot, clone, migrate-file: snapshot/restore workflows (clone-commands.ts).
// Errors end with one `error: …` line on stderr and status 1 (2 for usage).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatCommandLine, MACHINE_TYPES, qemuArgs, type MachineType } from "../qemu/args.js";
import { describeQemuStatus } from "../qemu/exit-status.js";
import { QEMU_BINARY } from "../qemu/launcher.js";
import { CliError, runAml } from "../aml/cli.js";
import { setHostKernelPath } from "../sim/host-kernel.js";
import { CommandError, cloneCommand, migrateFileCommand, snapshotCommand } from "./clone-commands.js";

class UsageError extends Error {}

const USAGE = `usage: clonesafe <command> [options]
  run [--machine pc|q35] [--guid G|auto|none] [--cpu MODEL] [--debug] [--image FILE] [--incoming FILE]
      Boot clonesafe under QEMU (TCG) with the serial console on this terminal,
      QMP at build/qmp.sock and a qcow2 state drive at build/state.qcow2.
  aml --table FILE [--table FILE]... [--trace] namespace
  aml --table FILE [--table FILE]... [--trace] eval PATH [PATH...]
      Load DSDT/SSDT files into the kernel's AML interpreter (host build) and
      list the namespace (one "<path> <type>" line per object, sorted) or
      evaluate paths (one JSON line each). --trace shows operation-region
      accesses on stderr.
  snapshot --qmp SOCK --tag T
      savevm on a running instance (e.g. --qmp build/qmp.sock under make run).
  clone --state FILE --tag T --count N [--machine pc|q35] [--cpu MODEL] [--keep]
      N QEMU processes restored from snapshot T, each on its own copy of the
      qcow2 FILE with a fresh GUID; one JSON line per clone after it reseeds:
      {"clone":k,"guid":…,"epoch":…,"rand":…}. --keep leaves them running.
  migrate-file --qmp SOCK --file F
      save the running state to F; restore it with run --incoming F.`;

/** build/ — the CLI is bundled to build/tools/clonesafe.mjs. */
function buildDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..");
}

function machineOption(value: string | undefined): MachineType {
  const machine = value ?? "pc";
  if (!(MACHINE_TYPES as readonly string[]).includes(machine)) {
    throw new UsageError(`--machine must be one of ${MACHINE_TYPES.join(", ")}, got "${machine}"`);
  }
  return machine as MachineType;
}

function guidOption(value: string | undefined): string | false {
  const guid = value ?? "auto";
  if (guid === "none") return false;
  if (guid !== "auto" && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guid)) {
    throw new UsageError(`--guid must be auto, none or a UUID, got "${guid}"`);
  }
  return guid;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      machine: { type: "string" },
      guid: { type: "string" },
      cpu: { type: "string" },
      image: { type: "string" },
      debug: { type: "boolean", default: false },
      incoming: { type: "string" },
    },
    strict: true,
  });
  const build = buildDir();
  const image = values.image ?? resolve(build, "clonesafe.elf");
  if (!existsSync(image)) throw new Error(`kernel image ${image} not found (run make build)`);
  const qmpSocket = resolve(build, "qmp.sock");
  const stateDrive = resolve(build, "state.qcow2");
  mkdirSync(build, { recursive: true });
  rmSync(qmpSocket, { force: true });
  if (!existsSync(stateDrive)) {
    const made = spawnSync("qemu-img", ["create", "-q", "-f", "qcow2", stateDrive, "64M"], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`qemu-img could not create ${stateDrive}: ${made.stderr.trim()}`);
  }
  const args = qemuArgs({
    image,
    machine: machineOption(values.machine),
    vmgenid: guidOption(values.guid),
    cpu: values.cpu,
    serial: { kind: "stdio" },
    qmpSocket,
    stateDrive,
    gdb: values.debug,
    incoming: values.incoming ? `exec:cat ${values.incoming}` : undefined,
  });
  process.stderr.write(`clonesafe: quit with "exit 0" at the shell or Ctrl-C; QMP socket: ${qmpSocket}\n`);
  if (values.debug) {
    process.stderr.write(`clonesafe: waiting for gdb: gdb ${resolve(build, "clonesafe64.elf")} -ex 'target remote :1234'\n`);
  }
  if (process.env.CLONESAFE_VERBOSE) process.stderr.write(`${formatCommandLine(QEMU_BINARY, args)}\n`);
  const child = spawn(QEMU_BINARY, args, { stdio: "inherit" });
  // Ctrl-C reaches QEMU through the terminal; the CLI waits for it to exit.
  process.on("SIGINT", () => {});
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((res, rej) => {
    child.once("error", rej);
    child.once("exit", (c, s) => res({ code: c, signal: s }));
  });
  process.stderr.write(`clonesafe: ${describeQemuStatus(code, signal)}\n`);
  if (code !== null && (code & 1) === 1 && code >> 1 === 0) return 0; // `exit 0`
  return code ?? 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return run(rest);
    case "snapshot":
      return snapshotCommand(rest);
    case "clone":
      return cloneCommand(rest, resolve(buildDir(), "clonesafe.elf"));
    case "migrate-file":
      return migrateFileCommand(rest);
    case "aml":
      setHostKernelPath(resolve(buildDir(), "host/kernel.wasm"));
      return runAml(rest, (l) => process.stdout.write(l + "\n"), (l) => process.stderr.write(l + "\n"));
    case undefined:
    case "help":
    case "--help":
    case "-h":
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
    const usage = e instanceof UsageError || e instanceof CommandError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    if (usage) process.stderr.write(USAGE + "\n");
    process.exitCode = usage ? 2 : 1;
  },
);
