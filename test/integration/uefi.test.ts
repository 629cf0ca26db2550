// clonesafe under UEFI: build/clonesafe.efi booted by OVMF (Debian's ovmf,
// OVMF_CODE_4M.fd read-only, its variables in RAM: tools/qemu/firmware.ts)
// on pc and q35, on the system's QEMU 7.2 (and a boot and loadvm on the
// 10.0 leg, with its vmclock). Boot, where OVMF put the
// generation ID and how it is mapped; clones from one snapshot sharing no
// output; a clone asked for bytes as it resumes; migration to a file with
// the same and a new GUID; then the race suite's scenarios whose request
// waits in a stopped guest's UART (premise asserted, tools/qmp/uart.ts),
// same-process loadvm and -loadvm and -incoming restores alike.
import { execFile, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { incomingFromFile, MACHINE_TYPES } from "../../tools/qemu/args.js";
import { CLONE_NOTIFY, migrateToFile, startClones } from "../../tools/clone/clones.js";
import { ovmfCode } from "../../tools/qemu/firmware.js";
import { qemuLegs } from "../../tools/qemu/versions.js";
import { SCENARIOS } from "../../tools/races/scenarios.js";
import { bootKernel, REPO, startQemu } from "../support/qemu.js";
import { describeRaces } from "../support/races.js";
import { expectWaitingRequestFresh } from "../support/clone-waiting.js";

const EFI_IMAGE = resolve(REPO, "build/clonesafe.efi");
const RAND32 = /^rand: epoch=(\d+) ([0-9a-f]{64})$/;
const QEMU = qemuLegs()[0]; // the system's QEMU, as OVMF is the system's
const UEFI = { qemu: QEMU, image: EFI_IMAGE, firmware: "uefi" as const };
/** The scenarios that write their request into a stopped guest (the race as a clone meets it). */
const WAITING = ["loadvm-stopped", "clone-same-guid", "clone-new-guid", "incoming-same-guid", "incoming-new-guid"];
const UEFI_TRIALS = 4;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-uefi-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.each(MACHINE_TYPES.map((machine) => ({ machine })))(`QEMU ${QEMU.name} under OVMF (UEFI) on -machine $machine`, ({ machine }) => {
  it("boots clonesafe.efi to ready: the UEFI hand-off, its RSDP, the GUID in ACPI NVS mapped write-back, the fence armed", async () => {
    ovmfCode(); // OVMF is there, or the test fails naming the package
    const q = await bootKernel({ ...UEFI, machine, vmgenid: "11111111-2222-4333-8444-555555555555" });
    const line = (re: RegExp) => q.lines.find((l) => re.test(l));
    expect(line(/^boot: UEFI hand-off at 0x[0-9a-f]+: version 1, ExitBootServices after \d+ attempt\(s\), RSDP at 0x[0-9a-f]+$/)).toBeDefined();
    expect(line(/^mm: \d+ UEFI memory descriptors \(\d+ runs\), \d+ KiB usable RAM$/)).toBeDefined();
    // OVMF allocates the vmgenid blob (QEMU's linker/loader "etc/vmgenid_guid") as EfiACPIMemoryNVS, and the MTRRs make it WB.
    expect(line(/^vmgenid: \\_SB_\.VGEN \(QEMUVGID\) guid=11111111-2222-4333-8444-555555555555 at 0x[0-9a-f]+, window 0x[0-9a-f]+ WB; the firmware's map: UEFI ACPINVS$/)).toBeDefined();
    expect(line(/^random: restore fence: complete: /)).toBeDefined();
    expect(await q.command("guid")).toBe("guid: 11111111-2222-4333-8444-555555555555");
    expect(await q.command("stats")).toMatch(/ boot_tsc=\d+ /);
  });

  it("four clones from one snapshot: new GUIDs, changed=1, pairwise-distinct rand, none equal to the parent's", async () => {
    const parent = await bootKernel({ ...UEFI, machine, snapshots: true });
    await parent.qmp!.hmp("savevm s1");
    const continuation = RAND32.exec(await parent.command("rand 32"))![2];
    await parent.qmp!.execute("stop");
    const clones = await startClones({
      ...UEFI, stateFile: join(parent.workDir, "state.qcow2"), tag: "s1", count: 4, machine, workDir: tempDir(),
    });
    onTestFinished(async () => { await Promise.all(clones.map((c) => c.qemu.kill())); });
    const outputs = new Set<string>([continuation]);
    for (const c of clones) {
      expect(c.changed).toBe(true);
      const r = RAND32.exec(await c.qemu.command("rand 32"))!;
      expect(Number(r[1])).toBe(c.epoch);
      outputs.add(r[2]);
    }
    expect(outputs.size).toBe(5);
  });

  it("a clone asked for bytes as it resumes: the request is in its UART before cont, one reseed, before the draw", async () => {
    await expectWaitingRequestFresh({ ...UEFI, machine });
  });

  it("migration to a file: a new GUID gives changed=1, the same GUID changed=0, both reseed", async () => {
    const guid = "11111111-2222-4333-8444-555555555555";
    const source = await bootKernel({ ...UEFI, machine, vmgenid: guid });
    const file = join(tempDir(), "migration.bin");
    const before = RAND32.exec(await source.command("rand 32"))!;
    await migrateToFile(source.qmp!, file);
    for (const [target, changed] of [["auto", "1"], [guid, "0"]] as const) {
      const q = await startQemu({ ...UEFI, machine, vmgenid: target, incoming: incomingFromFile(file) });
      const { match } = await q.waitForLine(CLONE_NOTIFY, { timeoutMs: 60_000 });
      expect(match[3]).toBe(changed);
      expect(Number(match[4])).toBe(Number(before[1]) + 1);
      expect(RAND32.exec(await q.command("rand 32"))![2]).not.toBe(before[2]);
    }
  });
});

// The second leg boots under the same OVMF too, with its vmclock as the fence (the races above stay on 7.2).
const SECOND = qemuLegs().filter((q) => q.name !== QEMU.name);
describe.each(SECOND.flatMap((qemu) => MACHINE_TYPES.map((machine) => ({ qemu, version: qemu.name, machine }))))(
  "QEMU $version under OVMF (UEFI) on -machine $machine, -device vmclock", ({ qemu, machine }) => {
    it("boots clonesafe.efi to ready with the vmclock page as the fence, and a same-process loadvm reseeds", async () => {
      const q = await bootKernel({ ...UEFI, qemu, machine, vmclock: true, snapshots: true });
      expect(q.lines.some((l) => /^boot: UEFI hand-off at /.test(l))).toBe(true);
      expect(q.lines.find((l) => l.startsWith("random: restore fence: "))).toMatch(/^random: restore fence: complete: the vmclock page's disruption_marker/);
      await q.qmp!.hmp("savevm s1");
      const before = RAND32.exec(await q.command("rand 32"))!;
      const from = q.lines.length;
      await q.qmp!.hmp("loadvm s1");
      await q.waitForLine(CLONE_NOTIFY, { from });
      const after = RAND32.exec(await q.command("rand 32"))!;
      expect(Number(after[1])).toBeGreaterThan(1);
      expect(after[2]).not.toBe(before[2]);
    });
  });

describeRaces(MACHINE_TYPES.map((machine) => ({
  qemu: QEMU, machine, boot: "uefi" as const, image: EFI_IMAGE, firmware: "uefi" as const,
  scenarios: SCENARIOS.filter((s) => WAITING.includes(s.id)), vmclock: false, devices: " (OVMF)", trials: UEFI_TRIALS,
})));

describe("the CLI under OVMF, as a user runs it", () => {
  it("run --firmware uefi (q35), snapshot, exit 0, then clone --firmware uefi: two clones, distinct bytes, nothing left behind", async () => {
    // A build folder of its own, as cli.test.ts makes: the bundle, both images, tmp/ as the CLI's TMPDIR.
    const dir = tempDir();
    mkdirSync(join(dir, "tools"));
    mkdirSync(join(dir, "tmp"));
    copyFileSync(resolve(REPO, "build/tools/clonesafe.mjs"), join(dir, "tools/clonesafe.mjs"));
    copyFileSync(resolve(REPO, "build/clonesafe.elf"), join(dir, "clonesafe.elf"));
    copyFileSync(EFI_IMAGE, join(dir, "clonesafe.efi"));
    const env = { ...process.env, TMPDIR: join(dir, "tmp") };
    const bundle = join(dir, "tools/clonesafe.mjs");
    const run = spawn(process.execPath, [bundle, "run", "--firmware", "uefi"], { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    onTestFinished(() => { if (run.exitCode === null && run.pid) try { process.kill(-run.pid, "SIGKILL"); } catch { /* gone */ } });
    let out = "";
    run.stdout!.setEncoding("latin1").on("data", (d: string) => { out += d; });
    const exited = new Promise<number | null>((done) => run.once("close", (code) => done(code)));
    const ready = await Promise.race([
      new Promise<boolean>((done) => { const t = setInterval(() => { if (/clonesafe ready/.test(out)) { clearInterval(t); done(true); } }, 50); }),
      exited.then(() => false),
    ]);
    expect(ready, out).toBe(true);
    expect(out).toMatch(/^boot: UEFI hand-off at /m);
    const cli = (args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, [bundle, ...args], { env, timeout: 120_000, encoding: "utf8" },
        (e, stdout, stderr) => done({ code: e ? (typeof (e as { code?: unknown }).code === "number" ? (e as { code: number }).code : null) : 0, stdout, stderr })));
    const saved = await cli(["snapshot", "--qmp", join(dir, "qmp.sock"), "--tag", "s1"]);
    expect(saved.code, saved.stderr).toBe(0);
    run.stdin!.write("exit 0\r");
    expect(await exited).toBe(0);
    const cloned = await cli(["clone", "--firmware", "uefi", "--machine", "q35", "--state", join(dir, "state.qcow2"), "--tag", "s1", "--count", "2"]);
    expect(cloned.code, cloned.stderr).toBe(0);
    const lines = cloned.stdout.trim().split("\n").map((l) => JSON.parse(l) as { clone: number; epoch: number; rand: string });
    expect(lines.map((l) => l.clone)).toEqual([0, 1]);
    expect(lines.every((l) => l.epoch >= 2)).toBe(true);
    expect(new Set(lines.map((l) => l.rand)).size).toBe(2);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  }, 180_000);
});
