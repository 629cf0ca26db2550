// SCI/GPE event dispatch on a real machine: a snapshot restore raises GPE 5,
// the idle kernel wakes by interrupt, runs \_GPE._E05 and delivers its
// Notify(\_SB.VGEN, 0x80). On every QEMU leg (tools/qemu/versions.ts),
// each title naming its version.
import { afterAll, describe, expect, it } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { liveQemuCount, type QemuInstance } from "../../tools/qemu/launcher.js";
import { qemuLegs } from "../../tools/qemu/versions.js";
import { bootKernel } from "../support/qemu.js";

const NOTIFY = /^acpi: notify \\_SB_\.VGEN 0x80$/;

function stats(line: string): Record<string, number> {
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

function notifyCount(q: QemuInstance, from = 0): number {
  return q.lines.slice(from).filter((l) => NOTIFY.test(l)).length;
}

const RUNS = qemuLegs().flatMap((qemu) => MACHINE_TYPES.map((machine) => ({ qemu, version: qemu.name, machine })));

describe.each(RUNS)("QEMU $version ACPI events on -machine $machine", ({ qemu, machine }) => {
  it("a loadvm wakes the idle kernel: one notify, and sci/gpe/notify count it", async () => {
    const q = await bootKernel({ qemu, machine, snapshots: true });
    expect(stats(await q.command("stats"))).toMatchObject({ sci: 0, gpe: 0, notify: 0 });
    expect(q.lines.some((l) => /^acpi: GPE blocks: 1, enabled .*_E05/.test(l))).toBe(true);
    await q.qmp!.hmp("savevm s1");
    const from = q.lines.length;
    await q.qmp!.hmp("loadvm s1");
    await q.waitForLine(NOTIFY, { from });
    expect(stats(await q.command("stats"))).toMatchObject({ sci: 1, gpe: 1, notify: 1 });
    expect(notifyCount(q, from)).toBe(1);
    // The driver's handler ran: same process, so the GUID did not change.
    const guid = (await q.qmp!.execute<{ guid: string }>("query-vm-generation-id")).guid;
    expect(q.lines.slice(from).filter((l) => l.startsWith("vmgenid: notify"))).toEqual([
      `vmgenid: notify gen=1 guid=${guid} changed=0 epoch=2`,
    ]);
  });

  it("twenty consecutive loadvms give exactly twenty notifies", async () => {
    const q = await bootKernel({ qemu, machine, snapshots: true });
    await q.qmp!.hmp("savevm s1");
    const from = q.lines.length;
    let next = from;
    for (let i = 1; i <= 20; i++) {
      await q.qmp!.hmp("loadvm s1");
      // Each restore returns to the snapshot, so the kernel's own counters
      // restart; the serial log outside the guest keeps the tally. Wait for
      // the dispatch's last line (the handler's reseed line comes first, the
      // acpi notify line after): restoring again while the guest is still
      // printing would cut that line short and glue the next one to it.
      const handled = await q.waitForLine(/^vmgenid: notify gen=1 /, { from: next });
      next = (await q.waitForLine(NOTIFY, { from: handled.index })).index + 1;
    }
    expect(await q.command("stats")).toMatch(/^stats: sci=1 gpe=1 notify=1\b/);
    expect(notifyCount(q, from)).toBe(20);
  });

  it("without vmgenid: GPE 5 stays disabled and a loadvm raises no notify", async () => {
    const q = await bootKernel({ qemu, machine, snapshots: true, vmgenid: false });
    const enabled = q.lines.find((l) => l.startsWith("acpi: GPE blocks:"));
    expect(enabled).toBe("acpi: GPE blocks: 1, enabled _E02 _E01"); // hotplug GPEs only
    await q.qmp!.hmp("savevm s1");
    const from = q.lines.length;
    await q.qmp!.hmp("loadvm s1");
    // The machine is live and answering after the restore, and nothing fired.
    expect(await q.command("stats")).toMatch(/^stats: sci=0 gpe=0 notify=0\b/);
    expect(q.lines.slice(from).some((l) => l.startsWith("acpi: notify"))).toBe(false);
  });
});

afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
