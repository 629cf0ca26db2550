// `clonesafe snapshot`, `clone` and `migrate-file`: the snapshot/restore
// workflows of the integration suite, for users. Progress goes to stderr
// (one line per clone and step); results go to stdout as JSON lines.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startClones } from "../clone/clones.js";
import { MACHINE_TYPES, type MachineType } from "../qemu/args.js";
import { QmpClient } from "../qmp/client.js";

export class CommandError extends Error {}

function machineOf(value: string | undefined): MachineType {
  const m = value ?? "pc";
  if (!(MACHINE_TYPES as readonly string[]).includes(m)) throw new CommandError(`--machine must be pc or q35, got "${m}"`);
  return m as MachineType;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new CommandError(`${flag} is required`);
  return value;
}

/** `snapshot --qmp SOCK --tag T`: savevm on a running instance. */
export async function snapshotCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { qmp: { type: "string" }, tag: { type: "string" } }, strict: true });
  const qmp = await QmpClient.connect(required(values.qmp, "--qmp"));
  try {
    const tag = required(values.tag, "--tag");
    await qmp.hmp(`savevm ${tag}`, 300_000);
    process.stdout.write(`snapshot: ${tag} saved\n`);
    return 0;
  } finally {
    qmp.close();
  }
}

/** `migrate-file --qmp SOCK --file F`: saves the running state to F (restore with `run --incoming F`). */
export async function migrateFileCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { qmp: { type: "string" }, file: { type: "string" } }, strict: true });
  const file = required(values.file, "--file");
  if (/['"\s]/.test(file)) throw new CommandError("--file must not contain quotes or spaces (it goes into exec:cat)");
  const qmp = await QmpClient.connect(required(values.qmp, "--qmp"));
  try {
    await qmp.execute("migrate", { uri: `exec:cat > ${file}` });
    for (;;) {
      const info = await qmp.execute<{ status: string; "error-desc"?: string }>("query-migrate");
      if (info.status === "completed") break;
      if (info.status === "failed" || info.status === "cancelled") {
        throw new CommandError(`migration ${info.status}${info["error-desc"] ? `: ${info["error-desc"]}` : ""}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    process.stdout.write(`migrate-file: state saved to ${file}\n`);
    return 0;
  } finally {
    qmp.close();
  }
}

/**
 * `clone --state FILE --tag T --count N [--machine M] [--cpu C] [--keep]`:
 * N clones, each on its own copy of FILE with a fresh GUID; one JSON line
 * per clone once it has reseeded: {"clone":k,"guid":…,"epoch":…,"rand":…}.
 */
export async function cloneCommand(argv: string[], image: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      state: { type: "string" }, tag: { type: "string" }, count: { type: "string" },
      machine: { type: "string" }, cpu: { type: "string" }, keep: { type: "boolean", default: false },
    },
    strict: true,
  });
  const count = Number(values.count ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new CommandError("--count must be an integer 1..64");
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-clone-"));
  const tty = process.stderr.isTTY;
  const status = new Array<string>(count).fill("waiting");
  const progress = (i: number, s: string) => {
    status[i] = s;
    if (tty) process.stderr.write(`\r${status.map((x, k) => `clone ${k}: ${x}`).join(" | ")}\x1b[K`);
    else process.stderr.write(`clone ${i}: ${s}\n`);
  };
  const clones = await startClones({
    image, stateFile: required(values.state, "--state"), tag: required(values.tag, "--tag"), count,
    machine: machineOf(values.machine), cpu: values.cpu, workDir, onProgress: progress,
    lifetimeSec: values.keep ? 7 * 24 * 3600 : 600,
  });
  if (tty) process.stderr.write("\n");
  try {
    for (const c of clones) {
      const answer = await c.qemu.command("rand 32");
      const m = /^rand: epoch=(\d+) ([0-9a-f]{64})$/.exec(answer);
      if (!m) throw c.qemu.failure(`clone ${c.index} answered "${answer}" to rand 32`);
      process.stdout.write(JSON.stringify({ clone: c.index, guid: c.guid, epoch: Number(m[1]), rand: m[2] }) + "\n");
    }
  } finally {
    if (values.keep) {
      for (const c of clones) {
        process.stderr.write(`clone ${c.index}: qmp ${c.qemu.qmpSocketPath} serial ${c.qemu.serialSocketPath}\n`);
        c.qemu.detach();
      }
    } else {
      await Promise.all(clones.map((c) => c.qemu.kill()));
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  return 0;
}
