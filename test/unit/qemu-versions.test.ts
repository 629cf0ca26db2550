// tools/qemu/versions.ts: which QEMU builds the tests run on and which
// qemu-img goes with each, on a scratch repository whose build/qemu10 holds
// stand-in binaries (shell scripts that answer --version as QEMU does).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultQemu, qemu10, qemu10Leg, qemuLegs, qemuVersionName, SYSTEM_QEMU } from "../../tools/qemu/versions.js";

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
    expect(qemu10Leg(repo)).toBeNull();
    expect(qemuLegs(repo).map((l) => l.binary)).toEqual([SYSTEM_QEMU.binary]);
  });

  it("QEMU 10 second, with its own qemu-img, named by what it reports", () => {
    const repo = repoWith({ "build/qemu10/bin/qemu-system-x86_64": QEMU10_SAYS, "build/qemu10/bin/qemu-img": "#!/bin/sh\n" });
    const legs = qemuLegs(repo);
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
