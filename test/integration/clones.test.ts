// The product's promise, as users run it: real QEMU processes restored from
// one snapshot with new generation IDs never hand out the same random bytes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { CLONE_NOTIFY, startClones } from "../../tools/clone/clones.js";
import { bootKernel, IMAGE, startQemu } from "../support/qemu.js";

const RAND32 = /^rand: epoch=(\d+) ([0-9a-f]{64})$/;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-clones-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.each(MACHINE_TYPES)("clones on -machine %s", (machine) => {
  it("eight clones from one snapshot: new GUIDs, changed=1, pairwise-distinct rand, none equal to the parent's", async () => {
    const parent = await bootKernel({ machine, snapshots: true });
    await parent.qmp!.hmp("savevm s1");
    const continuation = RAND32.exec(await parent.command("rand 32"))![2];
    await parent.qmp!.execute("stop");
    const stateFile = join(parent.workDir, "state.qcow2");
    const clones = await startClones({ image: IMAGE, stateFile, tag: "s1", count: 8, machine, workDir: tempDir() });
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

  it("migration to a file: a new GUID gives changed=1, the same GUID changed=0, both reseed", async () => {
    const guid = "11111111-2222-4333-8444-555555555555";
    const source = await bootKernel({ machine, vmgenid: guid });
    const dir = tempDir();
    const file = join(dir, "migration.bin");
    const before = RAND32.exec(await source.command("rand 32"))!;
    await source.qmp!.execute("migrate", { uri: `exec:cat > ${file}` });
    for (let i = 0; i < 200; i++) {
      const info = await source.qmp!.execute<{ status: string }>("query-migrate");
      if (info.status === "completed") break;
      if (info.status === "failed") throw new Error("migration failed");
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const [target, changed] of [["auto", "1"], [guid, "0"]] as const) {
      const q = await startQemu({ machine, vmgenid: target, incoming: `exec:cat ${file}` });
      const { match } = await q.waitForLine(CLONE_NOTIFY, { timeoutMs: 60_000 });
      expect(match[3]).toBe(changed);
      expect(Number(match[4])).toBe(Number(before[1]) + 1);
      const after = RAND32.exec(await q.command("rand 32"))!;
      expect(after[2]).not.toBe(before[2]);
    }
  });
});
