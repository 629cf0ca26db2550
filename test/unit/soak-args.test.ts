// `make soak`'s command line (tools/races/soak-args.ts): defaults, the QEMU
// leg by version, --vmclock only where the device exists, and a named usage
// error for every bad value. Legs come from a scratch repository whose
// build/qemu10 holds a stand-in QEMU 10 (a shell script answering
// --version and `-device vmclock,help` as QEMU 10.0 does); the system's
// QEMU 7.2 is the real one.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { qemuVersionName, SYSTEM_QEMU } from "../../tools/qemu/versions.js";
import { SCENARIOS } from "../../tools/races/scenarios.js";
import { legLabel, parseSoakArgs, SoakUsageError } from "../../tools/races/soak-args.js";

let scratch = "";
afterEach(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); scratch = ""; });

const QEMU10 = "#!/bin/sh\n" +
  "[ \"$1\" = --version ] && { echo 'QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)'; exit 0; }\n" +
  "[ \"$4\" = vmclock,help ] && echo 'There are no options for vmclock.'\n";

/** A scratch repository with a kernel image and, if asked, a stand-in build/qemu10. */
function repo(withQemu10: boolean): { repo: string; image: string } {
  if (scratch) rmSync(scratch, { recursive: true, force: true }); // one at a time
  scratch = mkdtempSync(join(tmpdir(), "clonesafe-soak-args-"));
  const image = join(scratch, "clonesafe.elf");
  writeFileSync(image, "");
  if (withQemu10) {
    mkdirSync(join(scratch, "build/qemu10/bin"), { recursive: true });
    for (const [name, text] of [["qemu-system-x86_64", QEMU10], ["qemu-img", "#!/bin/sh\n"]]) {
      writeFileSync(join(scratch, "build/qemu10/bin", name), text);
      chmodSync(join(scratch, "build/qemu10/bin", name), 0o755);
    }
  }
  return { repo: scratch, image };
}

function parse(argv: string[], withQemu10 = true) {
  const r = repo(withQemu10);
  return parseSoakArgs(argv, { defaultImage: r.image, repo: r.repo, env: {} });
}

function usageError(argv: string[], withQemu10 = true): string {
  try {
    parse(argv, withQemu10);
  } catch (e) {
    expect(e).toBeInstanceOf(SoakUsageError);
    return (e as Error).message;
  }
  throw new Error(`soak ${argv.join(" ")} was accepted`);
}

const SYSTEM = qemuVersionName(SYSTEM_QEMU.binary);

describe("soak arguments", () => {
  it("defaults: 200 trials, pc and q35, every scenario, the launcher's QEMU, no vmclock", () => {
    const a = parse([]);
    expect(a).toMatchObject({ trials: 200, machines: [...MACHINE_TYPES], scenarios: SCENARIOS.map((s) => s.id), vmclock: false });
    expect(a.qemu).toEqual({ ...SYSTEM_QEMU, name: SYSTEM });
    expect(legLabel(a)).toBe(`QEMU ${SYSTEM}`);
  });

  it("--qemu 10.0 --vmclock: QEMU 10's binary and qemu-img, and the label the table's header shows", () => {
    const a = parse(["--qemu", "10.0", "--vmclock", "--machines", "pc", "--scenarios", "loadvm-stopped,clone-new-guid", "--trials", "2"]);
    expect(a).toMatchObject({ trials: 2, machines: ["pc"], scenarios: ["loadvm-stopped", "clone-new-guid"], vmclock: true });
    expect(a.qemu).toEqual({
      name: "10.0", binary: join(scratch, "build/qemu10/bin/qemu-system-x86_64"), imgBinary: join(scratch, "build/qemu10/bin/qemu-img"),
    });
    expect(legLabel(a)).toBe("QEMU 10.0, -device vmclock");
    expect(parse(["--qemu", SYSTEM]).qemu.binary).toBe(SYSTEM_QEMU.binary);
  });

  it("bad values are usage errors that name them", () => {
    expect(usageError(["--qemu", "9.2"])).toBe(`--qemu: unknown QEMU version "9.2" (this machine has: ${SYSTEM}, 10.0)`);
    expect(usageError(["--qemu", "10.0"], false)).toMatch(/^--qemu: QEMU 10\.0 was asked for, but there is no such build .*run make qemu10/);
    expect(usageError(["--qemu", SYSTEM, "--vmclock"]))
      .toBe(`--vmclock: QEMU ${SYSTEM} (qemu-system-x86_64) has no vmclock device (QEMU 10.0 has: --qemu 10.0)`);
    expect(usageError(["--vmclock"])).toMatch(/^--vmclock: QEMU 7\.2 .* has no vmclock device/); // the default QEMU is the system's
    expect(usageError(["--machines", "pc,microvm"])).toBe('unknown machine "microvm" (pc, q35)');
    expect(usageError(["--scenarios", "loadvm-stopped,nope"])).toBe('unknown scenario "nope"');
    expect(usageError(["--trials", "0"])).toBe('--trials must be a positive integer, got "0"');
    expect(usageError(["--image", "/no/such/image.elf"])).toBe("kernel image /no/such/image.elf not found (run make build)");
    expect(usageError(["--qemu"])).toMatch(/--qemu/);
    expect(usageError(["--vmclock=yes"])).toMatch(/vmclock/);
    expect(usageError(["extra"])).toMatch(/extra/);
  });
});
