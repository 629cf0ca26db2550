// `make fixtures`: regenerates the firmware fixtures from the QEMU installed
// here, with the kernel itself reading them — the same walk that boots it:
// each configuration of test/fixtures/README.md is booted, `acpi` lists what
// the kernel found, and `acpi dump <n>` / `acpi dump rsdp` print the bytes
// it read, one table a line, which become <config>/<sig>.dat. The
// guest-memory captures are QMP `pmemsave` of the BIOS area and the top of
// RAM, with a manifest whose expectations come from the kernel's own
// vmgenid line. Output goes to test/fixtures/acpi/qemu-<major.minor>/ and
// physmem/qemu-<major.minor>-<machine>-128M/: with the QEMU the fixtures
// came from, `git status` then shows whether anything changed; with a new
// QEMU it is a new set beside the old, for the tests to move to.
//
// Owns: the configurations' QEMU arguments and the files' names.
// May call: the launcher, QMP, node:fs. Never: writes outside the fixture
// root; leaves a QEMU or a temporary folder behind; reports success for a
// configuration it could not boot.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fixturesRoot } from "./fixtures.js";
import type { MachineType } from "./qemu/args.js";
import { killAllQemu, launchQemu, type QemuInstance } from "./qemu/launcher.js";

interface Config {
  name: string;
  machine: MachineType;
  memoryMiB: number;
  /** QEMU arguments beyond -machine and -m (the README's table). */
  extra: string[];
  vmgenid: boolean;
}

/** The README's table, less microvm (clonesafe boots by multiboot, which microvm's firmware does not offer). */
const CONFIGS: readonly Config[] = [
  { name: "pc", machine: "pc", memoryMiB: 128, extra: [], vmgenid: true },
  { name: "pc-novmgenid", machine: "pc", memoryMiB: 128, extra: [], vmgenid: false },
  { name: "pc-smp2-hotplug", machine: "pc", memoryMiB: 256, extra: ["-m", "256,slots=2,maxmem=1G", "-smp", "2,maxcpus=4"], vmgenid: true },
  { name: "q35", machine: "q35", memoryMiB: 128, extra: [], vmgenid: true },
  { name: "q35-smp4", machine: "q35", memoryMiB: 512, extra: ["-smp", "4"], vmgenid: true },
];

/** The guest-memory captures: pc and q35 at 128 MiB, with a fixed GUID so the files are reproducible. */
const CAPTURE_GUID = "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87";
const CAPTURE_BYTES = 0x20000;
const BIOS_AREA = 0xe0000;

const READY = /^clonesafe ready\b/;

function qemuVersion(): string {
  const text = execFileSync("qemu-system-x86_64", ["--version"], { encoding: "utf8" });
  const m = /version (\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`cannot read QEMU's version from: ${text.split("\n")[0]}`);
  return `${m[1]}.${m[2]}`;
}

function fileName(signature: string, seen: Map<string, number>): string {
  const base = signature.toLowerCase().replace(/[^a-z0-9]/g, "_");
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? `${base}.dat` : `${base}${n}.dat`;
}

/** Every table the kernel found and read whole, and the RSDP, as files. */
async function dumpTables(q: QemuInstance): Promise<Map<string, Buffer>> {
  const listing = await q.command("acpi");
  const count = (listing.match(/@0x/g) ?? []).length;
  if (count === 0) throw new Error(`the kernel found no tables: ${listing}`);
  const files = new Map<string, Buffer>();
  const seen = new Map<string, number>();
  for (const which of ["rsdp", ...Array.from({ length: count }, (_, i) => String(i))]) {
    const line = await q.command(`acpi dump ${which}`);
    const m = /^acpi: dump (\S+) 0x[0-9a-f]+ ([0-9a-f]*)$/.exec(line);
    if (!m) throw new Error(`acpi dump ${which}: ${line}`);
    files.set(m[1] === "RSDP" ? "rsdp.dat" : fileName(m[1], seen), Buffer.from(m[2], "hex"));
  }
  return files;
}

async function boot(config: Config, workDir: string, guid: string | false): Promise<QemuInstance> {
  const q = await launchQemu({
    image: resolve("build/clonesafe.elf"), machine: config.machine, memoryMiB: config.memoryMiB,
    vmgenid: guid, extra: config.extra, workDir, lifetimeSec: 300, qmp: true,
  });
  await q.waitForLine(READY, { timeoutMs: 120_000 });
  return q;
}

async function makeTables(config: Config, outDir: string): Promise<number> {
  const workDir = newWorkDir();
  let q: QemuInstance | null = null;
  try {
    q = await boot(config, workDir, config.vmgenid ? "auto" : false);
    const files = await dumpTables(q);
    const dir = join(outDir, config.name);
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    return files.size;
  } finally {
    await q?.kill();
    removeWorkDir(workDir);
  }
}

async function makeCapture(machine: MachineType, outDir: string, version: string): Promise<string> {
  const workDir = newWorkDir();
  let q: QemuInstance | null = null;
  try {
    const config: Config = { name: machine, machine, memoryMiB: 128, extra: [], vmgenid: true };
    q = await boot(config, workDir, CAPTURE_GUID);
    const vmgenid = q.lines.find((l) => /^vmgenid: \\_SB_\.VGEN .* guid=/.test(l));
    const m = vmgenid && /guid=([0-9a-f-]{36}) at 0x([0-9a-f]+)/.exec(vmgenid);
    if (!m) throw new Error(`no vmgenid line with the GUID's address in the boot log:\n${q.lines.join("\n")}`);
    const guidAddress = parseInt(m[2], 16);
    const vgia = guidAddress - 0x28;
    const top = config.memoryMiB * 0x100000 - CAPTURE_BYTES;
    const dir = join(outDir, `qemu-${version}-${machine}-128M`);
    mkdirSync(dir, { recursive: true });
    const regions = [{ base: BIOS_AREA, file: `${BIOS_AREA.toString(16)}.bin` }, { base: top, file: `${top.toString(16)}.bin` }];
    for (const r of regions) {
      const scratch = join(workDir, r.file);
      await q.qmp!.execute("pmemsave", { val: r.base, size: CAPTURE_BYTES, filename: scratch });
      writeFileSync(join(dir, r.file), readFileSync(scratch));
    }
    const hex8 = (v: number) => `0x${v.toString(16).padStart(8, "0")}`;
    // SeaBIOS keeps its version string (e.g. "1.16.2-debian-1.16.2-1") in the BIOS area.
    const bios = /\0(\d+\.\d+\.\d+)-[\x21-\x7e]*\0/.exec(readFileSync(join(dir, regions[0].file)).toString("latin1"));
    const description = `Guest-physical memory captured with QMP pmemsave from qemu-system-x86_64 ${version} ` +
      `-machine ${machine} -m 128 -device vmgenid,guid=${CAPTURE_GUID}` + (bios ? ` under SeaBIOS ${bios[1]}` : "") +
      `, after boot. Holds the BIOS area (RSDP) and the top 128 KiB of RAM (ACPI tables and the vmgenid GUID page ` +
      `at ${hex8(vgia)}, GUID at +0x28).`;
    // Laid out as the committed manifests are, so that regenerating them changes nothing.
    const manifest = [
      "{",
      `  "description": ${JSON.stringify(description)},`,
      `  "regions": [`,
      regions.map((r) => `    { "base": "${hex8(r.base)}", "file": "${r.file}" }`).join(",\n"),
      "  ],",
      `  "expect": { "vgia": "${hex8(vgia)}", "guid_address": "${hex8(guidAddress)}", "guid": "${m[1]}" }`,
      "}",
    ].join("\n") + "\n";
    writeFileSync(join(dir, "manifest.json"), manifest);
    return dir;
  } finally {
    await q?.kill();
    removeWorkDir(workDir);
  }
}

/** Temporary folders in use, removed on Ctrl-C too (the launcher's exit hook kills the QEMUs). */
const workDirs = new Set<string>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`fixtures: ${signal}: stopping; files written so far stay\n`);
    void killAllQemu().finally(() => {
      for (const d of workDirs) rmSync(d, { recursive: true, force: true });
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  });
}

function newWorkDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-fixtures-"));
  workDirs.add(dir);
  return dir;
}

function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  workDirs.delete(dir);
}

async function main(): Promise<void> {
  const version = qemuVersion();
  const root = fixturesRoot(process.cwd());
  const acpiDir = join(root, "acpi", `qemu-${version}`);
  const physmemDir = join(root, "physmem");
  for (const config of CONFIGS) {
    process.stderr.write(`fixtures: ${config.name}: booting QEMU ${version} -machine ${config.machine} ${config.extra.join(" ")}\n`);
    const n = await makeTables(config, acpiDir);
    console.log(`${join(acpiDir, config.name)}: ${n} tables`);
  }
  for (const machine of ["pc", "q35"] as const) {
    process.stderr.write(`fixtures: ${machine} memory capture\n`);
    console.log(`${await makeCapture(machine, physmemDir, version)}: e0000.bin, top of RAM, manifest.json`);
  }
  console.log("fixtures: done; `git status test/fixtures` shows what changed");
}

main().catch((e: unknown) => {
  console.error(`fixtures: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
