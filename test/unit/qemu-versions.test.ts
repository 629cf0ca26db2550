// tools/qemu/versions.ts: which QEMU builds the tests run on and which
// qemu-img goes with each, on a scratch repository whose build/qemu10 holds
// stand-in binaries (shell scripts that answer --version as QEMU does).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  defaultQemu, hasDevice, qemu10, qemu10Leg, qemuLegNamed, qemuLegs, qemuVersionName, requiredLegNames, SYSTEM_QEMU,
} from "../../tools/qemu/versions.js";

let scratch = "";
afterEach(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); scratch = ""; });

function repoWith(files: Record<string, string>): string {
  scratch = mkdtempSync(join(tmpdir(), "clonesafe-versions-"));
  for (const [path, text] of Object.entries(files)) {
    const full = join(scratch, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, text);
    chmodSync(full, 0o755);
  }
  return scratch;
}

const QEMU10_SAYS = "#!/bin/sh\necho 'QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)'\n";

describe("QEMU legs", () => {
  it("the system's QEMU only, until build/qemu10 holds both binaries", () => {
    const repo = repoWith({ "build/qemu10/bin/qemu-system-x86_64": QEMU10_SAYS });
    expect(qemu10(repo)).toBeNull(); // no qemu-img yet
    expect(qemu10Leg(repo, {})).toBeNull();
    expect(qemuLegs(repo, {}).map((l) => l.binary)).toEqual([SYSTEM_QEMU.binary]);
  });

  it("QEMU 10 second, with its own qemu-img, named by what it reports", () => {
    const repo = repoWith({ "build/qemu10/bin/qemu-system-x86_64": QEMU10_SAYS, "build/qemu10/bin/qemu-img": "#!/bin/sh\n" });
    const legs = qemuLegs(repo, {});
    expect(legs.map((l) => l.binary)).toEqual([SYSTEM_QEMU.binary, join(repo, "build/qemu10/bin/qemu-system-x86_64")]);
    expect(legs[1]).toEqual({
      name: "10.0", binary: join(repo, "build/qemu10/bin/qemu-system-x86_64"), imgBinary: join(repo, "build/qemu10/bin/qemu-img"),
    });
    expect(legs[0].name).toMatch(/^\d+\.\d+$/); // the system's, as it reports itself
  });

  it("a binary that does not report a QEMU version is an error quoting it", () => {
    const repo = repoWith({ "bin/not-qemu": "#!/bin/sh\necho 'something else 1.2.3'\n" });
    expect(() => qemuVersionName(join(repo, "bin/not-qemu"))).toThrow('did not name a QEMU version: "something else 1.2.3"');
    expect(() => qemuVersionName(join(repo, "bin/missing"))).toThrow("--version failed");
  });
});

const QEMU10 = { "build/qemu10/bin/qemu-system-x86_64": QEMU10_SAYS, "build/qemu10/bin/qemu-img": "#!/bin/sh\n" };
const SYSTEM = qemuVersionName(SYSTEM_QEMU.binary); // Debian 12's: 7.2

describe("required legs (CLONESAFE_QEMU_LEGS, set by make test)", () => {
  it("without the variable the legs are what exists: a missing QEMU 10 is no error", () => {
    const repo = repoWith({});
    expect(requiredLegNames({})).toBeNull();
    expect(qemuLegs(repo, {}).map((l) => l.name)).toEqual([SYSTEM]);
    expect(qemu10Leg(repo, {})).toBeNull();
  });

  it("with it, a required leg that is missing is an error naming make qemu10, from qemuLegs and qemu10Leg alike", () => {
    const repo = repoWith({});
    const env = { CLONESAFE_QEMU_LEGS: `${SYSTEM},10.0` };
    const said = `QEMU 10.0 is a required leg (CLONESAFE_QEMU_LEGS=${SYSTEM},10.0), but there is no such build (found: ${SYSTEM}): ` +
      "run make qemu10 (it unpacks QEMU 10.0 into build/qemu10)";
    expect(() => qemuLegs(repo, env)).toThrow(said);
    expect(() => qemu10Leg(repo, env)).toThrow(said);
  });

  it("with it and every leg present: exactly the legs named", () => {
    const repo = repoWith(QEMU10);
    expect(qemuLegs(repo, { CLONESAFE_QEMU_LEGS: `${SYSTEM},10.0` }).map((l) => l.name)).toEqual([SYSTEM, "10.0"]);
    expect(qemuLegs(repo, { CLONESAFE_QEMU_LEGS: "10.0" }).map((l) => l.name)).toEqual(["10.0"]);
    expect(qemu10Leg(repo, { CLONESAFE_QEMU_LEGS: "10.0" })?.name).toBe("10.0");
  });

  it("a required version no build reports is an error naming it; a malformed list is refused", () => {
    const repo = repoWith(QEMU10);
    expect(() => qemuLegs(repo, { CLONESAFE_QEMU_LEGS: "9.2" })).toThrow(`QEMU 9.2 is a required leg (CLONESAFE_QEMU_LEGS=9.2), but there is no such build (found: ${SYSTEM}, 10.0)`);
    expect(() => requiredLegNames({ CLONESAFE_QEMU_LEGS: "7.2,ten" })).toThrow('"ten" is not a QEMU version');
    expect(requiredLegNames({ CLONESAFE_QEMU_LEGS: " 7.2, 10.0 " })).toEqual(["7.2", "10.0"]);
  });
});

describe("a leg by name (soak --qemu)", () => {
  it("the system's and QEMU 10 by their versions; 10.0 missing names make qemu10; anything else is unknown", () => {
    const repo = repoWith(QEMU10);
    expect(qemuLegNamed(SYSTEM, repo).binary).toBe(SYSTEM_QEMU.binary);
    expect(qemuLegNamed("10.0", repo).imgBinary).toBe(join(repo, "build/qemu10/bin/qemu-img"));
    expect(() => qemuLegNamed("9.2", repo)).toThrow(`unknown QEMU version "9.2" (this machine has: ${SYSTEM}, 10.0)`);
    rmSync(join(repo, "build"), { recursive: true });
    expect(() => qemuLegNamed("10.0", repo)).toThrow("QEMU 10.0 was asked for, but there is no such build");
    expect(() => qemuLegNamed("10.0", repo)).toThrow("run make qemu10");
    expect(() => qemuLegNamed("9.2", repo)).toThrow(`unknown QEMU version "9.2" (this machine has: ${SYSTEM}; 10.0 after make qemu10)`);
  });

  it("hasDevice: what `-device <name>,help` describes (the system's 7.2 has vmgenid and no vmclock)", () => {
    expect(hasDevice(SYSTEM_QEMU.binary, "vmgenid")).toBe(true);
    expect(hasDevice(SYSTEM_QEMU.binary, "vmclock")).toBe(false);
    const repo = repoWith({ "bin/q": "#!/bin/sh\n[ \"$4\" = vmclock,help ] && echo 'There are no options for vmclock.'\nexit 0\n" });
    expect(hasDevice(join(repo, "bin/q"), "vmclock")).toBe(true);
    expect(hasDevice(join(repo, "bin/q"), "pvpanic")).toBe(false);
  });
});

describe("defaultQemu (CLONESAFE_QEMU)", () => {
  it("the system's without the variable", () => {
    expect(defaultQemu({})).toEqual(SYSTEM_QEMU);
  });

  it("the named binary with the qemu-img beside it, or CLONESAFE_QEMU_IMG, or the system's", () => {
    const repo = repoWith({ "a/qemu-system-x86_64": QEMU10_SAYS, "a/qemu-img": "#!/bin/sh\n", "b/qemu-system-x86_64": QEMU10_SAYS });
    expect(defaultQemu({ CLONESAFE_QEMU: join(repo, "a/qemu-system-x86_64") }))
      .toEqual({ binary: join(repo, "a/qemu-system-x86_64"), imgBinary: join(repo, "a/qemu-img") });
    expect(defaultQemu({ CLONESAFE_QEMU: join(repo, "a/qemu-system-x86_64"), CLONESAFE_QEMU_IMG: "/x/qemu-img" }).imgBinary).toBe("/x/qemu-img");
    expect(defaultQemu({ CLONESAFE_QEMU: join(repo, "b/qemu-system-x86_64") }).imgBinary).toBe(SYSTEM_QEMU.imgBinary);
  });
});
