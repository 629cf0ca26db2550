// The test fixtures: where they live and how they are read. Owns: the
// fixture root (test/fixtures inside the repository; test/fixtures/README.md
// says where each set comes from), the list of QEMU 7.2 table sets with the
// AML tables each one has, the folder of the Firecracker ASL, and reading a
// fixture. May call: node:fs,
// node:path. Never: names a location outside the repository, or treats a
// missing fixture as absent or empty — every lookup throws an error that
// names the path, so no test can pass on fixtures it did not read.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** The fixture root, relative to the repository. The one place that names it. */
export const FIXTURES_DIR = "test/fixtures";

/** The fixture root of the repository at `repo`. */
export function fixturesRoot(repo: string): string {
  return resolve(repo, FIXTURES_DIR);
}

/** The QEMU 7.2 table sets, under <root>/acpi/qemu-7.2/<config>/. */
export const QEMU_TABLES = "acpi/qemu-7.2";

/** Every QEMU 7.2 table set and its AML tables in load order (an SSDT only where vmgenid is configured). */
export const QEMU_AML_TABLES: Readonly<Record<string, readonly string[]>> = {
  pc: ["dsdt.dat", "ssdt.dat"],
  q35: ["dsdt.dat", "ssdt.dat"],
  "pc-novmgenid": ["dsdt.dat"],
  "pc-smp2-hotplug": ["dsdt.dat", "ssdt.dat"],
  "q35-smp4": ["dsdt.dat", "ssdt.dat"],
  microvm: ["dsdt.dat"],
};

export const QEMU_CONFIGS: readonly string[] = Object.keys(QEMU_AML_TABLES);

/** The Firecracker DSDTs, as ASL written from Firecracker's source (<root>/acpi/firecracker/README.md). */
export const FIRECRACKER_ASL = "acpi/firecracker";

function missing(path: string, e: unknown): Error {
  const why = (e as { code?: string }).code ?? String(e);
  return new Error(`fixture ${path} is missing or unreadable (${why}); the fixtures are part of the repository, under ${FIXTURES_DIR}`, { cause: e });
}

/** `path`, after checking that it exists. */
export function fixturePath(path: string): string {
  try { statSync(path); } catch (e) { throw missing(path, e); }
  return path;
}

/** The bytes of the fixture file at `path`. */
export function readFixture(path: string): Buffer {
  try { return readFileSync(path); } catch (e) { throw missing(path, e); }
}

/** The names of the files in fixture folder `dir` that end in `suffix`, sorted; at least one. */
export function fixtureFiles(dir: string, suffix: string): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch (e) { throw missing(dir, e); }
  const files = names.filter((n) => n.endsWith(suffix)).sort();
  if (files.length === 0) throw new Error(`fixture folder ${dir} has no *${suffix} files; the fixtures are part of the repository, under ${FIXTURES_DIR}`);
  return files;
}

/** The paths of a QEMU 7.2 table set's AML tables in load order, each checked to exist. */
export function qemuAmlFiles(root: string, config: string): string[] {
  const tables = QEMU_AML_TABLES[config];
  if (!tables) throw new Error(`no QEMU 7.2 table set ${JSON.stringify(config)} (known: ${QEMU_CONFIGS.join(", ")})`);
  return tables.map((t) => fixturePath(join(root, QEMU_TABLES, config, t)));
}
