// Which QEMU runs clonesafe: the system's (Debian 12's 7.2, `make
// system-deps`) always, and QEMU 10.0 when `make qemu10` has unpacked it into
// build/qemu10 (tools/qemu/fetch-qemu10.sh). Each is a binary and the
// qemu-img of the same build, which the tools must use together (a qcow2 for
// savevm made by one build, read by the other's -loadvm, would test neither).
// Owns: the legs a test runs on, the default build (CLONESAFE_QEMU), and
// the version a binary reports. May call: the file system and `<binary>
// --version`. Never: fetches, installs or chooses a QEMU the caller did not
// name or `make qemu10` did not leave complete.

import { execFileSync } from "node:child_process";
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

/** The legs to run on: the system's QEMU, then QEMU 10 if build/qemu10 exists. */
export function qemuLegs(repo = REPO): QemuLeg[] {
  const builds = [SYSTEM_QEMU, qemu10(repo)].filter((b): b is QemuBinaries => b !== null);
  return builds.map((b) => ({ ...b, name: qemuVersionName(b.binary) }));
}

/** The QEMU 10 leg alone (tests of what only QEMU 10 has, such as -device vmclock), or null. */
export function qemu10Leg(repo = REPO): QemuLeg | null {
  const b = qemu10(repo);
  return b ? { ...b, name: qemuVersionName(b.binary) } : null;
}
