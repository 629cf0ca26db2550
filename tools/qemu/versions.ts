// Which QEMU runs clonesafe: the system's (Debian 12's 7.2, `make
// system-deps`) always, and QEMU 10.0 when `make qemu10` has unpacked it into
// build/qemu10 (tools/qemu/fetch-qemu10.sh). Each is a binary and the
// qemu-img of the same build, which the tools must use together (a qcow2 for
// savevm made by one build, read by the other's -loadvm, would test neither).
// Which legs run: those that exist, unless CLONESAFE_QEMU_LEGS names them
// (`make test` sets it to every leg, REQUIRED_LEGS): then exactly those, and
// a named leg that is missing is an error naming `make qemu10`, so the suite
// fails instead of skipping half of what it promises.
// Owns: the legs a test runs on, the default build (CLONESAFE_QEMU), the
// version a binary reports and whether it has a device. May call: the file
// system, `<binary> --version` and `<binary> -device <name>,help`. Never: fetches,
// installs or chooses a QEMU the caller did not name or `make qemu10` did
// not leave complete.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** A QEMU system emulator and the qemu-img of the same build. */
export interface QemuBinaries {
  binary: string;
  imgBinary: string;
}

/** One build the tests run on: its version as "<major>.<minor>" ("7.2", "10.0"), for titles. */
export interface QemuLeg extends QemuBinaries {
  name: string;
}

export const SYSTEM_QEMU: QemuBinaries = { binary: "qemu-system-x86_64", imgBinary: "qemu-img" };

const REPO = resolve(import.meta.dirname, "../..");

/** build/qemu10 under `repo`, the folder `make qemu10` makes. */
export function qemu10Dir(repo = REPO): string {
  return join(repo, "build", "qemu10");
}

/** QEMU 10 when `make qemu10` made it (the folder appears only complete), else null. */
export function qemu10(repo = REPO): QemuBinaries | null {
  const bin = join(qemu10Dir(repo), "bin");
  const binary = join(bin, "qemu-system-x86_64");
  const imgBinary = join(bin, "qemu-img");
  return existsSync(binary) && existsSync(imgBinary) ? { binary, imgBinary } : null;
}

/**
 * The QEMU the launcher and the CLI use unless told otherwise: the system's,
 * or CLONESAFE_QEMU=<path to a qemu-system-x86_64>, whose qemu-img is
 * CLONESAFE_QEMU_IMG, else the qemu-img beside it, else the system's.
 */
export function defaultQemu(env: NodeJS.ProcessEnv = process.env): QemuBinaries {
  const binary = env.CLONESAFE_QEMU;
  if (!binary) return SYSTEM_QEMU;
  const beside = join(dirname(binary), "qemu-img");
  const imgBinary = env.CLONESAFE_QEMU_IMG || (binary.includes("/") && existsSync(beside) ? beside : SYSTEM_QEMU.imgBinary);
  return { binary, imgBinary };
}

const versions = new Map<string, string>();

/** "<major>.<minor>" from `<binary> --version` ("QEMU emulator version 10.0.2 (…)"); throws, quoting it, otherwise. */
export function qemuVersionName(binary: string): string {
  const known = versions.get(binary);
  if (known) return known;
  let said: string;
  try {
    said = execFileSync(binary, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  } catch (e) {
    throw new Error(`${binary} --version failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  const m = /^QEMU emulator version (\d+)\.(\d+)\./m.exec(said);
  if (!m) throw new Error(`${binary} --version did not name a QEMU version: "${said.split("\n")[0]}"`);
  const name = `${m[1]}.${m[2]}`;
  versions.set(binary, name);
  return name;
}

/** The versions `make test` requires (CLONESAFE_QEMU_LEGS): the system's Debian 12 QEMU and `make qemu10`'s. */
export const REQUIRED_LEGS: readonly string[] = ["7.2", "10.0"];
/** The version `make qemu10` unpacks (tools/qemu/fetch-qemu10.sh). */
export const QEMU10_NAME = "10.0";

/** The legs CLONESAFE_QEMU_LEGS names ("7.2,10.0"), or null without it (then: those that exist). */
export function requiredLegNames(env: NodeJS.ProcessEnv = process.env): string[] | null {
  const said = env.CLONESAFE_QEMU_LEGS?.trim();
  if (!said) return null;
  const names = said.split(",").map((n) => n.trim()).filter((n) => n !== "");
  for (const n of names) {
    if (!/^\d+\.\d+$/.test(n)) throw new Error(`CLONESAFE_QEMU_LEGS=${said}: "${n}" is not a QEMU version (<major>.<minor>, e.g. 7.2,10.0)`);
  }
  return names;
}

/** Every build there is, each named by what it reports: the system's, then QEMU 10 if build/qemu10 exists. */
function presentLegs(repo: string): QemuLeg[] {
  const builds = [SYSTEM_QEMU, qemu10(repo)].filter((b): b is QemuBinaries => b !== null);
  return builds.map((b) => ({ ...b, name: qemuVersionName(b.binary) }));
}

function missing(name: string, why: string, present: readonly QemuLeg[]): Error {
  const have = present.map((l) => l.name).join(", ") || "none";
  const fix = name === QEMU10_NAME ? "run make qemu10 (it unpacks QEMU 10.0 into build/qemu10)" : "install it as the system's qemu-system-x86 (make system-deps)";
  return new Error(`QEMU ${name} ${why}, but there is no such build (found: ${have}): ${fix}`);
}

/**
 * The legs to run on. Without CLONESAFE_QEMU_LEGS: the system's QEMU, then
 * QEMU 10 if build/qemu10 exists. With it: exactly the legs it names, in
 * the order found; throws naming `make qemu10` when one is missing.
 */
export function qemuLegs(repo = REPO, env: NodeJS.ProcessEnv = process.env): QemuLeg[] {
  const present = presentLegs(repo);
  const required = requiredLegNames(env);
  if (!required) return present;
  for (const name of required) {
    if (!present.some((l) => l.name === name)) throw missing(name, `is a required leg (CLONESAFE_QEMU_LEGS=${env.CLONESAFE_QEMU_LEGS})`, present);
  }
  return present.filter((l) => required.includes(l.name));
}

/**
 * The QEMU 10 leg alone (tests of what only QEMU 10 has, such as -device
 * vmclock), or null when build/qemu10 does not exist; throws instead when
 * CLONESAFE_QEMU_LEGS requires it.
 */
export function qemu10Leg(repo = REPO, env: NodeJS.ProcessEnv = process.env): QemuLeg | null {
  const b = qemu10(repo);
  if (!b) {
    if (requiredLegNames(env)?.includes(QEMU10_NAME)) throw missing(QEMU10_NAME, `is a required leg (CLONESAFE_QEMU_LEGS=${env.CLONESAFE_QEMU_LEGS})`, presentLegs(repo));
    return null;
  }
  return { ...b, name: qemuVersionName(b.binary) };
}

/** The leg a command line names (`--qemu 7.2`, `--qemu 10.0`); throws naming the ones there are, and `make qemu10` for 10.0. */
export function qemuLegNamed(name: string, repo = REPO): QemuLeg {
  const present = presentLegs(repo);
  const leg = present.find((l) => l.name === name);
  if (leg) return leg;
  if (name === QEMU10_NAME) throw missing(name, "was asked for", present);
  throw new Error(`unknown QEMU version "${name}" (this machine has: ${present.map((l) => l.name).join(", ")}` +
    `${present.some((l) => l.name === QEMU10_NAME) ? "" : `; ${QEMU10_NAME} after make qemu10`})`);
}

const devices = new Map<string, boolean>();

/**
 * Whether `<binary> -device <device>,help` describes the device (QEMU 10
 * has vmclock; 7.2 answers "Device 'vmclock' not found", with status 0).
 * Throws when the binary does not run.
 */
export function hasDevice(binary: string, device: string): boolean {
  const key = `${binary}\0${device}`;
  const known = devices.get(key);
  if (known !== undefined) return known;
  const r = spawnSync(binary, ["-machine", "none", "-device", `${device},help`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  if (r.error) throw new Error(`${binary} -device ${device},help failed: ${r.error.message}`);
  const has = new RegExp(`^(There are no options for ${device}\\.|${device} options:)`, "m").test(r.stdout);
  devices.set(key, has);
  return has;
}
