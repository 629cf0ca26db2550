// The test fixtures (tools/fixtures.ts): they live in the repository, every
// listed set is there, and a missing fixture is an error that names its path
// — never an empty set that lets a test pass on nothing.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadFixtureTables } from "../../tools/aml/fuzz.js";
import {
  fixtureFiles, qemuAmlFiles, QEMU_AML_TABLES, QEMU_CONFIGS, QEMU_TABLES, readFixture,
} from "../../tools/fixtures.js";
import { loadPhysmemFixture } from "../../tools/sim/physmem.js";
import { simulatedQemuPc } from "../../tools/sim/qemu-pc.js";
import { FIXTURES, REPO, SimMachine } from "../support/host.js";

const CAPTURES = ["qemu-7.2-pc-128M", "qemu-7.2-q35-128M"];

describe("test fixtures", () => {
  const empty = mkdtempSync(join(tmpdir(), "clonesafe-fixtures-"));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it("are read from test/fixtures in the repository, and every listed set is there", () => {
    expect(FIXTURES).toBe(join(REPO, "test/fixtures"));
    expect(readdirSync(join(FIXTURES, QEMU_TABLES)).sort()).toEqual([...QEMU_CONFIGS].sort());
    for (const config of QEMU_CONFIGS) {
      expect(qemuAmlFiles(FIXTURES, config)).toEqual(QEMU_AML_TABLES[config].map((t) => join(FIXTURES, QEMU_TABLES, config, t)));
      expect(fixtureFiles(join(FIXTURES, QEMU_TABLES, config), ".dat")).toContain("facp.dat");
    }
    expect(readdirSync(join(FIXTURES, "physmem")).sort()).toEqual(CAPTURES);
    for (const capture of CAPTURES) {
      const { regions } = loadPhysmemFixture(new SimMachine(), join(FIXTURES, "physmem", capture));
      expect(regions.map((r) => r.bytes.length)).toEqual([0x20000, 0x20000]);
    }
  });

  it("a missing fixture is an error naming its path, never an empty set", () => {
    const pcDsdt = join(empty, QEMU_TABLES, "pc/dsdt.dat");
    expect(() => readFixture(pcDsdt)).toThrow(`fixture ${pcDsdt} is missing`);
    expect(() => qemuAmlFiles(empty, "pc")).toThrow(`fixture ${pcDsdt} is missing`);
    expect(() => qemuAmlFiles(empty, "pc-q99")).toThrow('no QEMU 7.2 table set "pc-q99"');
    expect(() => fixtureFiles(join(empty, QEMU_TABLES, "pc"), ".dat")).toThrow(`fixture ${join(empty, QEMU_TABLES, "pc")} is missing`);
    expect(() => fixtureFiles(empty, ".dat")).toThrow(`fixture folder ${empty} has no *.dat files`);
    // The fuzzer's loader: the first set in sorted order is microvm.
    expect(() => loadFixtureTables(empty)).toThrow(`fixture ${join(empty, QEMU_TABLES, "microvm/dsdt.dat")} is missing`);
    // Memory captures: the manifest, then each region file it names.
    const capture = join(empty, "physmem/qemu-7.2-pc-128M");
    expect(() => loadPhysmemFixture(new SimMachine(), capture)).toThrow(`fixture ${join(capture, "manifest.json")} is missing`);
    expect(() => simulatedQemuPc({ fixtures: empty })).toThrow(`fixture ${join(capture, "manifest.json")} is missing`);
    mkdirSync(capture, { recursive: true });
    copyFileSync(join(FIXTURES, "physmem/qemu-7.2-pc-128M/manifest.json"), join(capture, "manifest.json"));
    expect(() => loadPhysmemFixture(new SimMachine(), capture)).toThrow(`fixture ${join(capture, "e0000.bin")} is missing`);
  });

  it("a table set without one of its AML tables fails, naming the table (the SSDT is not optional where listed)", () => {
    const pc = join(empty, QEMU_TABLES, "pc");
    mkdirSync(pc, { recursive: true });
    copyFileSync(join(FIXTURES, QEMU_TABLES, "pc/dsdt.dat"), join(pc, "dsdt.dat"));
    expect(() => qemuAmlFiles(empty, "pc")).toThrow(`fixture ${join(pc, "ssdt.dat")} is missing`);
    expect(qemuAmlFiles(FIXTURES, "pc-novmgenid")).toHaveLength(1);
  });
});
