// Compiles the hand-written ASL test cases test/aml/cases/*.asl with iasl
// into build/aml/cases/<name>.aml.
//
// Contract: buildCases(repo) compiles every case whose .aml is missing or
// older than its .asl (`iasl -vw 6002 -vw 6034 -vw 6035 -vw 6047 -p
// build/aml/cases/<name> <file>`, see IASL_FLAGS), leaves up-to-date ones
// alone (so it is cheap to call from every test file's beforeAll), and
// returns all cases sorted by name. Compilation goes to a
// private temporary prefix and is renamed into place, so concurrent callers
// (vitest workers) never see a half-written .aml. An iasl error throws with
// iasl's own messages. Run directly (bundled, or through vitest's loader) it
// builds the cases of the repository it lives in and prints one line each.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export interface AslCase {
  name: string;
  asl: string;
  aml: string;
}

export const IASL = process.env.CLONESAFE_IASL ?? "iasl";

/**
 * Passed to every compilation: the VM generation counter cases carry the
 * IDs real hypervisors use ("Hyper_V_Gen_Counter_V1", "FCVMGID"), which are
 * not valid ACPI/PNP IDs and which iasl otherwise refuses as errors 6002
 * (string must be entirely alphanumeric), 6034 (_HID prefix must be
 * uppercase) and 6035 (_HID suffix must be hex digits). QEMU, bhyve and
 * Firecracker generate their AML without iasl, so nothing checks them there.
 * 6047 (granularity must be zero for fixed Min/Max): QEMU 10's vmclock
 * _CRS (vmclock-qemu10.asl) writes it as all ones.
 */
export const IASL_FLAGS: readonly string[] = ["-vw", "6002", "-vw", "6034", "-vw", "6035", "-vw", "6047"];

export function caseSources(repo: string): string[] {
  const dir = join(repo, "test/aml/cases");
  return readdirSync(dir).filter((f) => f.endsWith(".asl")).sort().map((f) => join(dir, f));
}

export function buildCases(repo: string): AslCase[] {
  const outDir = join(repo, "build/aml/cases");
  mkdirSync(outDir, { recursive: true });
  return caseSources(repo).map((asl) => {
    const name = basename(asl, ".asl");
    const aml = join(outDir, `${name}.aml`);
    if (!existsSync(aml) || statSync(aml).mtimeMs < statSync(asl).mtimeMs) compile(asl, aml, outDir, name);
    return { name, asl, aml };
  });
}

function compile(asl: string, aml: string, outDir: string, name: string): void {
  const tmp = join(outDir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(tmp);
  try {
    try {
      execFileSync(IASL, [...IASL_FLAGS, "-p", join(tmp, name), asl], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const out = e as { stdout?: string; stderr?: string };
      const messages = `${out.stdout ?? ""}${out.stderr ?? ""}`.split("\n")
        .filter((l) => /Error|Warning|^\S+\.asl\s+\d+:/.test(l)).join("\n");
      throw new Error(`iasl failed on ${asl}:\n${messages}`);
    }
    renameSync(join(tmp, `${name}.aml`), aml);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const invoked = process.argv[1] ? resolve(process.argv[1]) : "";
if (invoked.endsWith("build-cases.ts") || invoked.endsWith("build-cases.mjs")) {
  const repo = resolve(process.env.CLONESAFE_REPO ?? process.cwd());
  for (const c of buildCases(repo)) process.stdout.write(`${c.aml}\n`);
}
