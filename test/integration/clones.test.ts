// The product's promise, as users run it: real QEMU processes restored from
// one snapshot with new generation IDs never hand out the same random bytes.
// On every QEMU leg (tools/qemu/versions.ts), each title naming its
// version: every process of a test (parent, clones, migration target, the
// CLI's through CLONESAFE_QEMU) runs that leg's QEMU, its qemu-img the drives.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { incomingFromFile, MACHINE_TYPES } from "../../tools/qemu/args.js";
import { CLONE_NOTIFY, migrateToFile, startClones } from "../../tools/clone/clones.js";
import { liveQemuCount } from "../../tools/qemu/launcher.js";
import { qemuLegs } from "../../tools/qemu/versions.js";
import { buildTable, corruptChecksum } from "../../tools/aml/table.js";
import { bootKernel, IMAGE, REPO, startQemu } from "../support/qemu.js";
import { expectWaitingRequestFresh } from "../support/clone-waiting.js";

const RAND32 = /^rand: epoch=(\d+) ([0-9a-f]{64})$/;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-clones-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const RUNS = qemuLegs().flatMap((qemu) => MACHINE_TYPES.map((machine) => ({ qemu, version: qemu.name, machine })));

describe.each(RUNS)("QEMU $version clones on -machine $machine", ({ qemu, machine }) => {
  it("-cpu max: twenty same-process loadvms, each changed=0 and reseeded, twenty distinct outputs", async () => {
    const q = await bootKernel({ qemu, machine, cpu: "max", snapshots: true });
    await q.qmp!.hmp("savevm s1");
    const original = RAND32.exec(await q.command("rand 32"))!; // the original timeline's next draw
    expect(original[1]).toBe("1");
    const outputs = new Set<string>([original[2]]);
    let next = q.lines.length;
    for (let i = 0; i < 20; i++) {
      await q.qmp!.hmp("loadvm s1");
      const { match, index } = await q.waitForLine(CLONE_NOTIFY, { from: next });
      expect(match[3]).toBe("0");        // same process, same GUID
      expect(match[4]).toBe("2");        // the snapshot's epoch 1, reseeded once
      const r = RAND32.exec(await q.command("rand 32"))!;
      expect(r[1]).toBe("2");
      outputs.add(r[2]);
      next = q.lines.length;
      expect(index).toBeLessThan(next);
    }
    expect(outputs.size).toBe(21);
  });

  it.each(["qemu64", "max"])("-cpu %s: eight clones from one snapshot: new GUIDs, changed=1, pairwise-distinct rand, none equal to the parent's", async (cpu) => {
    const parent = await bootKernel({ qemu, machine, cpu, snapshots: true });
    await parent.qmp!.hmp("savevm s1");
    const continuation = RAND32.exec(await parent.command("rand 32"))![2];
    await parent.qmp!.execute("stop");
    const stateFile = join(parent.workDir, "state.qcow2");
    const clones = await startClones({ qemu, image: IMAGE, stateFile, tag: "s1", count: 8, machine, cpu, workDir: tempDir() });
    onTestFinished(async () => { await Promise.all(clones.map((c) => c.qemu.kill())); });
    const outputs = new Set<string>([continuation]);
    for (const c of clones) {
      expect(c.changed).toBe(true);
      expect(c.guid).toBe(c.qmpGuid);
      expect(await c.qemu.command("guid")).toBe(`guid: ${c.qmpGuid}`);
      const r = RAND32.exec(await c.qemu.command("rand 32"))!;
      expect(Number(r[1])).toBe(c.epoch);
      outputs.add(r[2]);
    }
    expect(outputs.size).toBe(9); // 8 clones + the parent, all different
    expect(new Set(clones.map((c) => c.guid)).size).toBe(8);
  });

  it("a clone asked for bytes as it resumes: one reseed, before the draw, whichever interrupt comes first", async () => {
    await expectWaitingRequestFresh({ qemu, machine });
  });

  it("migration to a file: a new GUID gives changed=1, the same GUID changed=0, both reseed", async () => {
    const guid = "11111111-2222-4333-8444-555555555555";
    const source = await bootKernel({ qemu, machine, vmgenid: guid });
    const dir = tempDir();
    const file = join(dir, "migration.bin");
    const before = RAND32.exec(await source.command("rand 32"))!;
    await migrateToFile(source.qmp!, file); // polls query-migrate until completed (or fails naming why)
    for (const [target, changed] of [["auto", "1"], [guid, "0"]] as const) {
      const q = await startQemu({ qemu, machine, vmgenid: target, incoming: incomingFromFile(file) });
      const { match } = await q.waitForLine(CLONE_NOTIFY, { timeoutMs: 60_000 });
      expect(match[3]).toBe(changed);
      expect(Number(match[4])).toBe(Number(before[1]) + 1);
      const after = RAND32.exec(await q.command("rand 32"))!;
      expect(after[2]).not.toBe(before[2]);
    }
  });

  it("snapshot in the middle of stream: after the restore, two clones' complete lines all differ", async () => {
    const parent = await bootKernel({ qemu, machine, snapshots: true });
    parent.sendLine("stream");
    await parent.waitForLine(/^stream: seq=40 /);
    await parent.qmp!.hmp("savevm s1"); // the VM pauses, is saved mid-stream, and runs on
    await parent.qmp!.execute("stop");
    const snapshotSeq = Math.max(...parent.lines.map((l) => Number(/^stream: seq=(\d+) /.exec(l)?.[1] ?? -1)));
    const clones = await startClones({
      qemu, image: IMAGE, stateFile: join(parent.workDir, "state.qcow2"), tag: "s1", count: 2, machine, workDir: tempDir(),
    });
    onTestFinished(async () => { await Promise.all(clones.map((c) => c.qemu.kill())); });
    const FULL = /^stream: seq=(\d+) epoch=(\d+) ([0-9a-f]{64})$/;
    const byClone = await Promise.all(clones.map(async (c) => {
      // Restored mid-loop, each clone streams on; let it run, then stop it.
      const start = Number(FULL.exec((await c.qemu.waitForLine(FULL)).line)![1]);
      await c.qemu.waitForLine(new RegExp(`^stream: seq=${start + 30} `));
      c.qemu.sendBytes("x");
      await c.qemu.waitForLine(/^stream: stopped$/);
      const lines = new Map<number, { epoch: number; hex: string }>();
      for (const l of c.qemu.lines) {
        const m = FULL.exec(l);
        if (m) lines.set(Number(m[1]), { epoch: Number(m[2]), hex: m[3] });
      }
      return lines;
    }));
    // The first line a clone prints may be the one in flight at the snapshot:
    // drawn in the parent (epoch 1), printed after the restore. Only it may repeat.
    const inFlight = Math.min(...byClone[0].keys(), ...byClone[1].keys());
    let compared = 0, repeated = 0;
    for (const [seq, a] of byClone[0]) {
      const b = byClone[1].get(seq);
      if (!b) continue;
      compared++;
      if (seq === inFlight) { if (a.hex === b.hex) repeated++; continue; }
      expect(a.hex).not.toBe(b.hex);
      expect(a.epoch).toBeGreaterThan(1); // drawn after the every-draw check saw the new GUID
      expect(b.epoch).toBeGreaterThan(1);
    }
    console.log(`stream across restore (-machine ${machine}): snapshot near seq ${snapshotSeq}; ` +
      `${compared} complete lines compared between the clones, ${repeated} repeated`);
    expect(compared).toBeGreaterThanOrEqual(30);
    expect(repeated).toBeLessThanOrEqual(1); // only the line in flight at the snapshot may repeat
  });

  it("no vmgenid device: guid none, rand works, no notify after loadvm", async () => {
    const q = await bootKernel({ qemu, machine, snapshots: true, vmgenid: false });
    expect(q.lines.find((l) => l.startsWith("clonesafe ready"))).toBe("clonesafe ready guid=none epoch=1");
    expect(await q.command("guid")).toBe("guid: none");
    expect(await q.command("rand 32")).toMatch(RAND32);
    await q.qmp!.hmp("savevm s1");
    const from = q.lines.length;
    await q.qmp!.hmp("loadvm s1");
    expect(await q.command("rand 16")).toMatch(/^rand: epoch=1 [0-9a-f]{32}$/);
    expect(q.lines.slice(from).some((l) => /notify/.test(l))).toBe(false);
  });

  it("malformed extra SSDTs are reported, and vmgenid still works across a restore", async () => {
    const dir = tempDir();
    const name = (s: string) => [...s].map((c) => c.charCodeAt(0));
    const tables = {
      // Name (CKSM, One) with its checksum broken
      checksum: corruptChecksum(buildTable({ signature: "SSDT", revision: 2, oemTableId: "BADSUM", aml: new Uint8Array([0x08, ...name("CKSM"), 0x01]) })),
      // Scope (\_SB) whose one-byte PkgLength claims 63 bytes the table does not have
      truncated: buildTable({ signature: "SSDT", revision: 2, oemTableId: "TRUNC", aml: new Uint8Array([0x10, 0x3f, 0x5c, ...name("_SB_")]) }),
      // Method (BADM) { <0x02, no such opcode> }
      opcode: buildTable({ signature: "SSDT", revision: 2, oemTableId: "BADOP", aml: new Uint8Array([0x14, 0x07, ...name("BADM"), 0x00, 0x02]) }),
    };
    const files = Object.entries(tables).map(([k, t]) => { const f = join(dir, `${k}.aml`); writeFileSync(f, t); return f; });
    const q = await bootKernel({ qemu, machine, snapshots: true, acpiTables: files });
    const log = q.lines.join("\n");
    // QEMU recomputes the checksum of every -acpitable table, so a bad one never
    // reaches the guest this way (the walker's checksum path is covered by
    // test/unit/acpi-tables.test.ts on real memory images): the table loads.
    expect(await q.command("aml \\CKSM")).toBe('aml: {"path":"\\\\CKSM","result":{"type":"Integer","value":"0x1"},"notify":[]}');
    expect(log, log).toMatch(/aml: SSDT TRUNC: PkgLength 63 runs past the end of its enclosing object \(6 bytes left\) \(opcode 0x10 Scope at SSDT TRUNC offset 0x24\)/);
    expect(await q.command("aml \\BADM")).toMatch(/"error":"unknown opcode 0x2 \(opcode 0x2 unknown at SSDT BADOP offset 0x2b\)"/);
    expect(log).toMatch(/^vmgenid: \\_SB_\.VGEN \(QEMUVGID\) guid=/m);
    await q.qmp!.hmp("savevm s1");
    const from = q.lines.length;
    await q.qmp!.hmp("loadvm s1");
    await q.waitForLine(/^vmgenid: notify gen=1 guid=[0-9a-f-]{36} changed=0 epoch=2$/, { from });
  });

  it("the clonesafe CLI: snapshot a running instance, then clone it twice", async () => {
    const parent = await bootKernel({ qemu, machine, snapshots: true });
    const cli = resolve(REPO, "build/tools/clonesafe.mjs");
    const run = promisify(execFile);
    const env = { ...process.env, CLONESAFE_QEMU: qemu.binary, CLONESAFE_QEMU_IMG: qemu.imgBinary }; // the CLI's QEMU: this leg's
    parent.qmp!.close(); // QEMU's QMP socket serves one client at a time: the CLI's turn
    const snap = await run(process.execPath, [cli, "snapshot", "--qmp", parent.qmpSocketPath, "--tag", "s1"], { env });
    expect(snap.stdout).toBe("snapshot: s1 saved\n");
    await parent.kill(); // the snapshot is on disk; the parent must not keep writing the file
    const { stdout, stderr } = await run(process.execPath, [
      cli, "clone", "--state", join(parent.workDir, "state.qcow2"), "--tag", "s1", "--count", "2", "--machine", machine,
    ], { timeout: 120_000, env });
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { clone: number; guid: string; epoch: number; rand: string });
    expect(lines.map((l) => l.clone).sort()).toEqual([0, 1]);
    for (const l of lines) {
      expect(l.guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(l.epoch).toBeGreaterThanOrEqual(2);
      expect(l.rand).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(lines[0].rand).not.toBe(lines[1].rand);
    expect(stderr).toMatch(/clone 1: reseeded, epoch \d+/);
  });
});

afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
