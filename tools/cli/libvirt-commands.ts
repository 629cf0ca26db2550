// `clonesafe libvirt define|undefine` and `clonesafe clone --libvirt`:
// clonesafe as a libvirt guest. define fills the repository's domain
// template (tools/libvirt/domain.xml) and defines it with virsh; clone
// --libvirt makes clones of a libvirt snapshot through libvirt
// (tools/libvirt/clones.ts), not with a QEMU command line of its own.
// Owns: these commands' arguments (checked before anything is created: the
//   image there and of the kind its firmware boots, OVMF installed), the
//   files define writes (<dir>/<name>.xml, .qcow2 when absent), the clone
//   work folder and the clone domains until they are removed (every exit:
//   success, failure, Ctrl-C/SIGTERM; kept only by a successful --keep).
// May call: virsh (tools/libvirt/virsh.ts), qemu-img, the libvirt clone
//   orchestration, tools/qemu/firmware.ts to find OVMF.
// Never: overwrites an existing disk, removes a domain it did not define
//   (except `undefine`, which is asked to), or waits without a bound.

import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MACHINE_TYPES, type MachineType } from "../qemu/args.js";
import { FIRMWARES, OVMF_ROM, ovmfCode, type Firmware } from "../qemu/firmware.js";
import { removeClones, startLibvirtClones, type LibvirtClone } from "../libvirt/clones.js";
import { DOMAIN_NAME, domainXml, type SerialKind } from "../libvirt/domain.js";
import { defaultUri, domainExists, domainState, removeDomain, traceVirsh, virsh } from "../libvirt/virsh.js";
import { COMMAND_USAGE, parsed, UsageError, wantsHelp } from "./usage.js";

/** How long an interrupted clone --libvirt waits for the clones under way to stop before removing the domains. */
const INTERRUPT_GRACE_MS = 30_000;

/** A unix socket's path must fit sockaddr_un (108 bytes with its NUL). */
const SOCKET_PATH_MAX = 107;

function nameOption(value: string | undefined, command: string): string {
  const name = value ?? "clonesafe";
  if (!DOMAIN_NAME.test(name)) throw new UsageError(`--name must be 1-63 letters, digits, "_", "." or "-" (not first), got "${name}"`, command);
  return name;
}

/** The first bytes of `file` ("" if it cannot be read). */
function magic(file: string, length: number): string {
  try {
    const fd = openSync(file, "r");
    try {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, readSync(fd, buffer, 0, length, 0)).toString("latin1");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

function verbose(): void {
  if (process.env.CLONESAFE_VERBOSE) traceVirsh((line) => process.stderr.write(`+ ${line}\n`));
}

/** `libvirt define|undefine …` */
export async function libvirtCommand(argv: string[], build: string): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || wantsHelp(rest)) {
    process.stdout.write(COMMAND_USAGE.libvirt + "\n");
    return sub === undefined ? 2 : 0;
  }
  if (sub === "define") return define(rest, build);
  if (sub === "undefine") return undefine(rest);
  throw new UsageError(`unknown libvirt command "${sub}" (define or undefine)`, "libvirt");
}

async function define(argv: string[], build: string): Promise<number> {
  const { values } = parsed("libvirt", () => parseArgs({
    args: argv,
    options: {
      name: { type: "string" }, machine: { type: "string" }, connect: { type: "string" },
      serial: { type: "string" }, dir: { type: "string" }, image: { type: "string" }, firmware: { type: "string" },
    },
    strict: true,
  }));
  const name = nameOption(values.name, "libvirt");
  const firmware = (values.firmware ?? "bios") as Firmware;
  if (!FIRMWARES.includes(firmware)) throw new UsageError(`--firmware must be one of ${FIRMWARES.join(", ")}, got "${values.firmware}"`, "libvirt");
  const machine = (values.machine ?? (firmware === "uefi" ? "q35" : "pc")) as MachineType;
  if (!MACHINE_TYPES.includes(machine)) throw new UsageError(`--machine must be one of ${MACHINE_TYPES.join(", ")}, got "${values.machine}"`, "libvirt");
  const serial = (values.serial ?? "unix") as SerialKind;
  if (serial !== "unix" && serial !== "pty") throw new UsageError(`--serial must be unix or pty, got "${values.serial}"`, "libvirt");
  const uri = values.connect ?? defaultUri();
  const image = resolve(values.image ?? join(build, firmware === "uefi" ? "clonesafe.efi" : "clonesafe.elf"));
  const dir = resolve(values.dir ?? join(build, "libvirt"));
  const serialSocket = join(dir, `${name}.serial.sock`);
  if (serial === "unix" && Buffer.byteLength(serialSocket) > SOCKET_PATH_MAX) {
    throw new UsageError(`the serial socket path ${serialSocket} is longer than a unix socket allows (${SOCKET_PATH_MAX} bytes): use a shorter --dir`, "libvirt");
  }
  if (!existsSync(image)) throw new Error(`kernel image ${image} not found (run make build)`);
  if (firmware === "uefi" && magic(image, 2) !== "MZ") throw new Error(`--firmware uefi boots an EFI application (build/clonesafe.efi); ${image} is not one (no MZ header)`);
  if (firmware === "bios" && magic(image, 4) !== "\x7fELF") throw new Error(`--firmware bios boots an ELF kernel (build/clonesafe.elf); ${image} is not one${magic(image, 2) === "MZ" ? " (it is an EFI application: use --firmware uefi)" : ""}`);
  const ovmf = firmware === "uefi" ? ovmfCode(OVMF_ROM) : undefined;
  verbose();
  mkdirSync(dir, { recursive: true });
  const disk = join(dir, `${name}.qcow2`);
  if (!existsSync(disk)) {
    const made = spawnSync("qemu-img", ["create", "-q", "-f", "qcow2", disk, "64M"], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`qemu-img could not create ${disk}: ${(made.stderr ?? made.error?.message ?? "").trim()}`);
  }
  const xmlFile = join(dir, `${name}.xml`);
  writeFileSync(xmlFile, domainXml({ name, machine, firmware, ovmf, image, disk, serial, serialSocket }));
  const existed = await domainExists(uri, name);
  await virsh(uri, ["define", xmlFile]);
  process.stdout.write(`libvirt: domain ${name} ${existed ? "redefined" : "defined"} from ${xmlFile}\n`);
  const c = uri === defaultUri() ? "" : ` -c '${uri}'`;
  process.stderr.write((ovmf ? `libvirt: firmware OVMF ${ovmf} (as a ROM), booting ${image}\n` : "") +
    `libvirt: disk ${disk}; serial console ${serial === "unix" ? `on ${serialSocket} (socat - UNIX-CONNECT:${serialSocket})` : `on a pty (virsh${c} console ${name})`}\n` +
    `libvirt: start it with: virsh${c} start ${name}\n`);
  return 0;
}

async function undefine(argv: string[]): Promise<number> {
  const { values } = parsed("libvirt", () => parseArgs({
    args: argv, options: { name: { type: "string" }, connect: { type: "string" } }, strict: true,
  }));
  const name = nameOption(values.name, "libvirt");
  const uri = values.connect ?? defaultUri();
  verbose();
  if (!(await domainExists(uri, name))) throw new Error(`no domain named ${name} on ${uri}`);
  const state = await domainState(uri, name);
  await removeDomain(uri, name);
  process.stdout.write(`libvirt: domain ${name} ${state === "shut off" ? "" : "stopped and "}undefined, with its snapshot metadata (its files are kept)\n`);
  return 0;
}

/**
 * `clone --libvirt DOMAIN --tag T [--count N] [--connect URI] [--keep]`:
 * one JSON line per clone once it has reseeded:
 * {"clone":k,"domain":…,"guid":…,"genid":…,"epoch":…,"rand":…}.
 */
export async function cloneLibvirtCommand(o: { source: string; tag: string; count: number; connect?: string; keep: boolean }): Promise<number> {
  const uri = o.connect ?? defaultUri();
  verbose();
  if (!(await domainExists(uri, o.source))) throw new Error(`no domain named ${o.source} on ${uri}`);
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-clone-"));
  chmodSync(workDir, 0o711); // QEMU may run as another user (libvirt-qemu) and must reach the disks
  const defined = new Set<string>();
  let interrupted = false;
  let starting: Promise<LibvirtClone[]> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    if (process.stderr.isTTY) process.stderr.write("\n");
    process.stderr.write(`clonesafe clone: ${signal === "SIGINT" ? "interrupted" : `stopped by ${signal}`}; removing the clones\n`);
    void (async () => {
      // Each clone under way stops at its next step and removes itself;
      // wait for that (bounded), then remove whatever was defined.
      await Promise.race([starting?.catch(() => undefined), new Promise((r) => setTimeout(r, INTERRUPT_GRACE_MS))]);
      await Promise.all([...defined].map((n) => removeDomain(uri, n).catch(() => undefined)));
      rmSync(workDir, { recursive: true, force: true });
      process.exit(signal === "SIGINT" ? 130 : 143);
    })();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const tty = process.stderr.isTTY;
  const status = new Array<string>(o.count).fill("waiting");
  const progress = (i: number, s: string) => {
    if (interrupted) return;
    status[i] = s;
    if (tty) process.stderr.write(`\r${status.map((x, k) => `clone ${k}: ${x}`).join(" | ")}\x1b[K`);
    else process.stderr.write(`clone ${i}: ${s}\n`);
  };
  let clones: LibvirtClone[] = [];
  let keep = false;
  try {
    starting = startLibvirtClones({
      uri, source: o.source, tag: o.tag, count: o.count, workDir, onProgress: progress, onDefined: (n) => defined.add(n),
      stopped: () => interrupted,
    });
    clones = await starting;
    if (tty) process.stderr.write("\n");
    for (const c of clones) {
      const answer = await c.console.command("rand 32");
      const m = /^rand: epoch=(\d+) ([0-9a-f]{64})$/.exec(answer);
      if (!m) throw c.console.failure(`clone ${c.index} (${c.name}) answered "${answer}" to rand 32`);
      process.stdout.write(JSON.stringify({ clone: c.index, domain: c.name, guid: c.guid, genid: c.genid, epoch: Number(m[1]), rand: m[2] }) + "\n");
    }
    if (o.keep) {
      for (const c of clones) {
        process.stderr.write(`clone ${c.index}: domain ${c.name}, serial ${c.serialSocket}, disk ${c.disk}\n`);
        c.console.closeSerial();
      }
      keep = true;
    }
  } catch (e) {
    if (interrupted) return new Promise<number>(() => {});
    if (tty) process.stderr.write("\n");
    throw e;
  } finally {
    if (!keep && !interrupted) {
      await removeClones(uri, clones);
      rmSync(workDir, { recursive: true, force: true });
    }
    if (!interrupted) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
  return 0;
}
