// Random numbers on a real machine: seeding with and without RDRAND, the
// protocol forms, and what a snapshot restore does to them, on every QEMU
// leg (tools/qemu/versions.ts), each title naming its version.
import { afterAll, describe, expect, it } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { liveQemuCount } from "../../tools/qemu/launcher.js";
import { qemuLegs } from "../../tools/qemu/versions.js";
import { bootKernel } from "../support/qemu.js";

const READY = /^clonesafe ready guid=([0-9a-f-]{36}|none) epoch=(\d+)$/;
const RAND32 = /^rand: epoch=(\d+) ([0-9a-f]{64})$/;

const RUNS = qemuLegs().flatMap((qemu) => MACHINE_TYPES.map((machine) => ({ qemu, version: qemu.name, machine })));

describe.each(RUNS)("QEMU $version random on -machine $machine", ({ qemu, machine }) => {
  it.each(["qemu64", "max"])("-cpu %s: ready line GUID equals QMP's; rand is well formed and differs between boots", async (cpu) => {
    const outputs: string[] = [];
    for (let boot = 0; boot < 2; boot++) {
      const q = await bootKernel({ qemu, machine, cpu });
      const ready = q.lines.find((l) => l.startsWith("clonesafe ready"))!;
      const [, guid, epoch] = READY.exec(ready)!;
      expect(guid).toBe((await q.qmp!.execute<{ guid: string }>("query-vm-generation-id")).guid);
      expect(epoch).toBe("1");
      expect(await q.command("stats")).toMatch(cpu === "max" ? / rdrand=ok / : / rdrand=absent /);
      const rand = RAND32.exec(await q.command("rand 32"))!;
      expect(rand[1]).toBe("1");
      outputs.push(rand[2]);
      expect(await q.command("uuid")).toMatch(/^uuid: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      await q.kill();
    }
    expect(outputs[0]).not.toBe(outputs[1]);
  });

  it("stream runs until a byte arrives, then stops with one stream: stopped", async () => {
    const q = await bootKernel({ qemu, machine });
    const from = q.lines.length;
    q.sendLine("stream");
    await q.waitForLine(/^stream: seq=20 /, { from });
    q.sendBytes("x");
    const stop = await q.waitForLine(/^stream: stopped$/, { from });
    const lines = q.lines.slice(from, stop.index).filter((l) => l.startsWith("stream: seq="));
    lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^stream: seq=${i} epoch=1 [0-9a-f]{64}$`)));
    expect(new Set(lines.map((l) => l.split(" ").at(-1))).size).toBe(lines.length);
    expect(await q.command("epoch")).toBe("epoch: 1"); // the shell is back
  });

  it("a same-process loadvm reseeds: the restored timeline draws different bytes", async () => {
    const q = await bootKernel({ qemu, machine, snapshots: true });
    await q.qmp!.hmp("savevm s1");
    const original = RAND32.exec(await q.command("rand 32"))!;
    const from = q.lines.length;
    await q.qmp!.hmp("loadvm s1");
    await q.waitForLine(/^vmgenid: notify gen=1 guid=[0-9a-f-]{36} changed=0 epoch=2$/, { from });
    const restored = RAND32.exec(await q.command("rand 32"))!;
    expect(restored[1]).toBe("2");
    expect(restored[2]).not.toBe(original[2]);
  });
});

afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
