// clonesafe as a libvirt guest, under a real libvirtd: the test set-up
// starts a private one (tools/libvirt/private-libvirtd.sh: its own mount
// namespace, all of its state in a temporary folder, nothing of the host's
// libvirt changed) and stops it afterwards by the PID it started; `make test`
// installs libvirt first (make libvirt-deps). If libvirt is missing or will
// not start, every test here fails with the reason: none is skipped.
//
// What a libvirt user does, on pc and q35, with SeaBIOS and with UEFI
// (`--firmware uefi`: OVMF as a ROM booting clonesafe.efi, the serial showing
// the UEFI hand-off before the ready line): `clonesafe libvirt define`, start,
// `virsh snapshot-create-as`, `virsh snapshot-revert` N times — each revert
// a new QEMU with a new <genid>, the kernel's `guid` equal to it, a reseed
// (`stats`), an answer that is fresh (tools/races/judge.ts) even for a
// request queued in the UART of the reverted, still paused domain; the same
// for `virsh save` and `virsh restore` — then
// `clonesafe clone --libvirt`: N clones of one snapshot, each with its own
// genid, sharing no output; and `virsh shutdown`, which must end the domain
// (each under both firmwares). Domains, daemon and folders are removed pass or
// fail.
//
// QEMU 7.2 only: libvirtd starts the system's QEMU (its <emulator>, Debian
// 12's qemu-system-x86_64), not a QEMU leg of tools/qemu/versions.ts, so
// this file has no QEMU 10.0 leg; the restores it covers run on both legs
// in races.test.ts and clones.test.ts.

import { execFile } from "node:child_process";
import { setTimeout as pause } from "node:timers/promises";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { CLONE_NOTIFY } from "../../tools/clone/clones.js";
import { startPrivateLibvirtd, type PrivateLibvirtd } from "../../tools/libvirt/daemon.js";
import { genidOf, loaderOf, machineOf } from "../../tools/libvirt/domain.js";
import { domainNames, hmpMonitor, removeDomain, virsh } from "../../tools/libvirt/virsh.js";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { FIRMWARES, OVMF_ROM, type Firmware } from "../../tools/qemu/firmware.js";
import { sendIntoStoppedUart } from "../../tools/qmp/uart.js";
import { openSerialConsole, type SerialConsole } from "../../tools/qemu/serial.js";
import { judgeRand, parseRand, RAND_ANSWER, type RandObservation } from "../../tools/races/judge.js";
import { REPO } from "../support/qemu.js";

const CLI = resolve(REPO, "build/tools/clonesafe.mjs");
const READY = /^clonesafe ready guid=(\S+) epoch=(\d+)$/;
const UEFI_HANDOFF = /^boot: UEFI hand-off at /;
const STATS = /^stats: sci=(\d+) gpe=\d+ notify=(\d+) reseed=(\d+) .* epoch=(\d+) /;
const REVERTS = 3;
const CLONES = 3;
const TAG = "s1";

// Started by the first test that needs it, shared by the rest of this file.
// Not in beforeAll: a failing hook would report the tests as skipped; this
// way every test that needs libvirt fails, with the reason the daemon gave.
let starting: Promise<PrivateLibvirtd> | undefined;
let uri = "";

async function libvirtd(): Promise<string> {
  starting ??= startPrivateLibvirtd({ lifetimeSec: 1800 });
  uri = (await starting).uri;
  return uri;
}

afterAll(async () => {
  await (await starting?.catch(() => undefined))?.stop();
}, 60_000);

interface Run { code: number | null; stdout: string; stderr: string }

/** The bundled CLI, to completion (its own TMPDIR when given). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 240_000, encoding: "utf8" }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: unknown; killed?: boolean }) | null;
      done({ code: e ? (typeof e.code === "number" ? e.code : null) : 0, stdout, stderr: e?.killed ? stderr + "\n[killed after 240 s]" : stderr });
    });
  });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-libvirt-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A domain defined by `clonesafe libvirt define` (with `--firmware` when given), removed when the test ends. */
async function defineDomain(name: string, machine: string, dir: string, firmware?: Firmware): Promise<void> {
  onTestFinished(async () => { await removeDomain(uri, name).catch(() => undefined); });
  const r = await cli(["libvirt", "define", "--name", name, "--machine", machine, "--connect", uri, "--dir", dir,
    ...(firmware ? ["--firmware", firmware] : [])]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(`libvirt: domain ${name} defined from ${join(dir, `${name}.xml`)}\n`);
}

/** Consoles opened by a test, closed when it ends. */
function consoles(): (path: string) => Promise<SerialConsole> {
  const opened: SerialConsole[] = [];
  onTestFinished(() => { for (const c of opened) c.closeSerial(); });
  return async (path) => {
    const c = await openSerialConsole(path);
    opened.push(c);
    return c;
  };
}

/**
 * Starts the domain paused, connects to its console, resumes it, waits for
 * the ready line; asserts the firmware that booted it: under UEFI the
 * kernel's hand-off line comes first, under SeaBIOS there is none.
 */
async function boot(name: string, serial: string, open: (p: string) => Promise<SerialConsole>, firmware: Firmware = "bios"): Promise<{ console: SerialConsole; guid: string }> {
  await virsh(uri, ["start", name, "--paused"]);
  const console = await open(serial);
  await virsh(uri, ["resume", name]);
  const { match, index } = await console.waitForLine(READY, { timeoutMs: 90_000 });
  expect(Number(match[2])).toBe(1);
  const handoff = console.lines.slice(0, index).findIndex((l) => UEFI_HANDOFF.test(l));
  if (firmware === "uefi") expect(handoff, `booted under UEFI: a "boot: UEFI hand-off at" line before the ready line\n${console.lines.slice(0, index + 1).join("\n")}`).toBeGreaterThanOrEqual(0);
  else expect(handoff, "booted by SeaBIOS: no UEFI hand-off line").toBe(-1);
  return { console, guid: match[1] };
}

async function genid(name: string): Promise<string> {
  const g = genidOf(await virsh(uri, ["dumpxml", name]));
  expect(g, `${name} has a <genid>`).not.toBeNull();
  return g!;
}

describe.each(MACHINE_TYPES)("clonesafe under libvirt, -machine %s", (machine) => {
  it.each(FIRMWARES)(`--firmware %s: define, start, snapshot-create-as, ${REVERTS} × snapshot-revert, save/restore: each a new genid = guid, a reseed, a fresh answer even when queued before the resume; undefine`, async (firmware) => {
    await libvirtd();
    const dir = tempDir();
    const open = consoles();
    const name = `clonesafe-${machine}-${firmware}`;
    const serial = join(dir, `${name}.serial.sock`);
    await defineDomain(name, machine, dir, firmware);
    const xml = await virsh(uri, ["dumpxml", name, "--inactive"]);
    expect(machineOf(xml)).toMatch(machine === "pc" ? /^pc-i440fx-/ : /^pc-q35-/);
    expect(loaderOf(xml), "the firmware libvirt keeps in the definition").toEqual(firmware === "uefi" ? { type: "rom", file: OVMF_ROM } : null);

    const first = await boot(name, serial, open, firmware);
    const genids = [await genid(name)];
    expect(first.guid).toBe(genids[0]);
    expect(await first.console.command("guid")).toBe(`guid: ${genids[0]}`);
    await virsh(uri, ["snapshot-create-as", name, TAG]);
    const timeline = parseRand(await first.console.command("rand 32"))!; // the snapshot's own timeline
    expect(timeline).not.toBeNull();
    expect(timeline.epoch, "clonesafe's answers carry an epoch").not.toBeNull();
    const timelineEpoch = timeline.epoch!;
    first.console.closeSerial();

    const observations: RandObservation[] = [];
    /**
     * One restore (`restore` runs the virsh command): with `queued`, the
     * domain comes back paused, the request is written into its UART,
     * asserted there through the monitor (virsh qemu-monitor-command
     * --hmp: the whole 8 bytes, the receive interrupt raised; the trial
     * fails naming that premise otherwise) and it is resumed (the restore's
     * SCI and the request's interrupt are pending together); otherwise
     * libvirt resumes it itself and the request goes as soon as the
     * console connects. Checks the new genid,
     * `guid`, `stats`; returns the console (open) for the next step.
     */
    const trial = async (what: string, queued: boolean, epochBefore: number, restore: () => Promise<unknown>): Promise<SerialConsole> => {
      await restore();
      expect((await virsh(uri, ["domstate", name])).trim(), what).toBe(queued ? "paused" : "running");
      const console = await open(serial);
      if (queued) {
        await sendIntoStoppedUart(console, hmpMonitor(uri, name), "rand 32\r", { context: what });
        await virsh(uri, ["resume", name]);
      } else {
        console.sendLine("rand 32");
      }
      const g = await genid(name);
      expect(genids, `${what}: libvirt gave a new genid`).not.toContain(g);
      genids.push(g);
      let observation: RandObservation;
      try {
        const { line } = await console.waitForLine(RAND_ANSWER, { timeoutMs: 60_000 });
        observation = { answer: parseRand(line)! };
      } catch (e) {
        observation = { error: `${what}: ${(e as Error).message.split("\n")[0]}` };
      }
      observations.push(observation);
      if (queued) {
        // Connected before the resume: the notify line is there too.
        const notify = await console.waitForLine(CLONE_NOTIFY, { timeoutMs: 60_000 });
        expect(notify.match[2], what).toBe(g);
        expect(notify.match[3], what).toBe("1");
      }
      expect(await console.command("guid"), what).toBe(`guid: ${g}`);
      const stats = STATS.exec(await console.command("stats"));
      expect(stats, `${what}: stats line`).not.toBeNull();
      expect(Number(stats![1]), `${what}: an SCI was served`).toBeGreaterThanOrEqual(1);
      expect(Number(stats![2]), `${what}: a notify was handled`).toBeGreaterThanOrEqual(1);
      expect(Number(stats![4]), `${what}: the epoch advanced once past the saved state's`).toBe(epochBefore + 1);
      expect(observation.answer?.epoch, what).toBe(Number(stats![4]));
      return console;
    };
    let last: SerialConsole | undefined;
    for (let i = 0; i < REVERTS; i++) {
      last?.closeSerial();
      const queued = i % 2 === 0;
      last = await trial(`revert ${i}`, queued, timelineEpoch,
        () => virsh(uri, ["snapshot-revert", name, TAG, ...(queued ? ["--paused"] : [])]));
    }
    // save/restore: the state saved is the last revert's (its epoch); the restore gives a new genid again.
    const saved = Number(/^epoch: (\d+)$/.exec(await last!.command("epoch"))![1]);
    last!.closeSerial();
    const saveFile = join(dir, "saved.state");
    await virsh(uri, ["save", name, saveFile]);
    expect((await virsh(uri, ["domstate", name])).trim()).toBe("shut off");
    (await trial("restore", true, saved, () => virsh(uri, ["restore", saveFile, "--paused"]))).closeSerial();

    const verdicts = judgeRand(timeline, observations);
    expect(verdicts.filter((v) => !v.fresh).map((v) => `trial ${v.index}: ${v.why.join("; ")}`)).toEqual([]);
    expect(new Set(observations.map((o) => o.answer!.hex)).size).toBe(REVERTS + 1);

    const r = await cli(["libvirt", "undefine", "--name", name, "--connect", uri]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`libvirt: domain ${name} stopped and undefined, with its snapshot metadata (its files are kept)\n`);
    expect(await domainNames(uri)).not.toContain(name);
  }, 420_000);

  it.each(FIRMWARES)(`--firmware %s: clone --libvirt: ${CLONES} clones of one snapshot, each its own genid = guid, no output shared with each other or the parent`, async (firmware) => {
    await libvirtd();
    const dir = tempDir();
    const open = consoles();
    const name = `clonesafe-${machine}-${firmware}-parent`;
    await defineDomain(name, machine, dir, firmware);
    const parent = await boot(name, join(dir, `${name}.serial.sock`), open, firmware);
    await virsh(uri, ["snapshot-create-as", name, TAG]);
    const timeline = parseRand(await parent.console.command("rand 32"))!;
    expect(timeline).not.toBeNull();
    await virsh(uri, ["suspend", name]); // the parent waits; its disk is copied as it is
    const cloneTmp = join(dir, "tmp");
    mkdirSync(cloneTmp);
    onTestFinished(async () => {
      for (const n of await domainNames(uri).catch(() => [])) if (n.startsWith(`${name}-clone-`)) await removeDomain(uri, n).catch(() => undefined);
    });

    const r = await cli(["clone", "--libvirt", name, "--tag", TAG, "--count", String(CLONES), "--connect", uri], { TMPDIR: cloneTmp });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { clone: number; domain: string; guid: string; genid: string; epoch: number; rand: string });
    expect(lines.map((l) => l.clone)).toEqual([...Array(CLONES).keys()]);
    for (const l of lines) {
      expect(l.domain).toBe(`${name}-clone-${l.clone}`);
      expect(l.guid, `clone ${l.clone}: the kernel's guid is libvirt's genid`).toBe(l.genid);
      expect(l.genid).not.toBe(parent.guid);
    }
    expect(new Set(lines.map((l) => l.genid)).size).toBe(CLONES);
    const verdicts = judgeRand(timeline, lines.map((l) => ({ answer: { epoch: l.epoch, hex: l.rand } })));
    expect(verdicts.filter((v) => !v.fresh).map((v) => `clone ${v.index}: ${v.why.join("; ")}`)).toEqual([]);
    // The clones are gone (domains and folder); the parent is as it was.
    expect((await domainNames(uri)).filter((n) => n.startsWith(`${name}-clone-`))).toEqual([]);
    expect(readdirSync(cloneTmp)).toEqual([]);
    expect((await virsh(uri, ["domstate", name])).trim()).toBe("paused");
  }, 420_000);

  it.each(FIRMWARES)("--firmware %s: virsh shutdown: the power button reaches the kernel, which powers the domain off through ACPI S5", async (firmware) => {
    await libvirtd();
    const dir = tempDir();
    const open = consoles();
    const name = `clonesafe-${machine}-${firmware}-shutdown`;
    await defineDomain(name, machine, dir, firmware);
    const { console } = await boot(name, join(dir, `${name}.serial.sock`), open, firmware);
    const from = console.lines.length;
    await virsh(uri, ["shutdown", name]);
    await console.waitForLine(/^power: power button pressed \(PM1 PWRBTN_STS\): powering off through ACPI S5$/, { from, timeoutMs: 20_000 });
    // Polls libvirt's view of the domain until it is off: a condition, with a deadline.
    const deadline = Date.now() + 20_000;
    let state = "";
    while (Date.now() < deadline && (state = (await virsh(uri, ["domstate", name])).trim()) !== "shut off") await pause(100); // poll interval of a condition wait
    expect(state, `domain state after virsh shutdown:\n${console.lines.slice(from).join("\n")}`).toBe("shut off");
  }, 120_000);
});

describe("clonesafe libvirt: mistakes", () => {
  it("--help works; usage errors exit 2; a missing domain or snapshot exits 1 naming it, and leaves nothing", async () => {
    for (const args of [["libvirt", "--help"], ["libvirt", "define", "--help"], ["libvirt", "undefine", "-h"], ["clone", "--help"]]) {
      const r = await cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: clonesafe ${args[0]} `));
      expect(r.stdout).toContain(args[0] === "clone" ? "clonesafe clone --libvirt DOMAIN --tag T" : "clonesafe libvirt undefine");
      if (args[0] === "libvirt") expect(r.stdout).toContain("clonesafe libvirt define [--name N] [--machine pc|q35] [--firmware bios|uefi]");
    }
    for (const args of [
      ["libvirt"],
      ["libvirt", "create"],
      ["libvirt", "define", "--machine", "isapc"],
      ["libvirt", "define", "--firmware", "efi"],
      ["libvirt", "define", "--serial", "tcp"],
      ["libvirt", "define", "--name", "a/b"],
      ["clone", "--libvirt", "x", "--tag", "s1", "--state", "x.qcow2"],
      ["clone", "--libvirt", "x"],
      ["clone", "--state", "x.qcow2", "--tag", "s1", "--connect", "qemu:///system"],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      if (args.length > 1) expect(r.stderr, args.join(" ")).toMatch(new RegExp(`^error: .*\n\\(clonesafe ${args[0]} --help shows its usage\\)\n$`));
    }
    await libvirtd();
    const dir = tempDir();
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    let r = await cli(["clone", "--libvirt", "no-such-domain", "--tag", TAG, "--connect", uri], { TMPDIR: tmp });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: no domain named no-such-domain on ${uri}\n`);
    r = await cli(["libvirt", "undefine", "--name", "no-such-domain", "--connect", uri]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: no domain named no-such-domain on ${uri}\n`);
    // An image of the other firmware's kind: exit 1 naming it, before a file is written or a domain defined.
    const elf = resolve(REPO, "build/clonesafe.elf");
    const efi = resolve(REPO, "build/clonesafe.efi");
    for (const [firmware, image, why] of [
      ["uefi", elf, `--firmware uefi boots an EFI application (build/clonesafe.efi); ${elf} is not one (no MZ header)`],
      ["bios", efi, `--firmware bios boots an ELF kernel (build/clonesafe.elf); ${efi} is not one (it is an EFI application: use --firmware uefi)`],
    ]) {
      const out = join(dir, `wrong-${firmware}`);
      r = await cli(["libvirt", "define", "--name", `clonesafe-wrong-${firmware}`, "--firmware", firmware, "--image", image, "--connect", uri, "--dir", out]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe(`error: ${why}\n`);
      expect(existsSync(out), `${out} not created`).toBe(false);
      expect(await domainNames(uri)).not.toContain(`clonesafe-wrong-${firmware}`);
    }
    const name = "clonesafe-nosnap";
    await defineDomain(name, "pc", dir);
    r = await cli(["clone", "--libvirt", name, "--tag", TAG, "--connect", uri], { TMPDIR: tmp });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: virsh snapshot-dumpxml failed: .*snapshot/);
    expect(readdirSync(tmp)).toEqual([]);
    expect((await domainNames(uri)).filter((n) => n.startsWith(`${name}-clone-`))).toEqual([]);
  }, 120_000);
});
