// QEMU 10's `-device vmclock` on the real image (the QEMU 10 leg of
// tools/qemu/versions.ts: after `make qemu10`; vitest run by hand without
// it skips these, and says so, while under `make test`, which requires the
// leg, qemu10Leg() throws naming `make qemu10` and the file fails): the driver's boot line, the `vmclock` command, and
// what a savevm/loadvm does to the page as the guest sees it. QEMU's
// vmclock_post_load() runs on every incoming state while the vCPU is
// stopped: the page comes back as it was at the snapshot (seq 2,
// disruption 1) and is updated once (seq 4, disruption 2). So every restore
// of one snapshot shows the same marker, different from the one the
// snapshot's own timeline saw.
import { afterAll, describe, expect, it } from "vitest";
import { liveQemuCount } from "../../tools/qemu/launcher.js";
import { qemu10Leg } from "../../tools/qemu/versions.js";
import { bootKernel } from "../support/qemu.js";

const leg = qemu10Leg();
const VMCLOCK = ["-device", "vmclock"];
const READY_LINE = /^vmclock: \\_SB_\.VCLK \(AMZNC10C\) page 0xfeffb000 version 1 seq=2 disruption=1 flags=0x0 \(none\), window 0x[0-9a-f]+ PTE WB \(UC by the MTRRs\)$/;
const ANSWER = /^vmclock: \\_SB_\.VCLK page=0xfeffb000 version=1 size=4096 seq=(\d+) disruption=(\d+) generation=none flags=0x0 \(none\) counter_id=0xff time_type=0 clock_status=0$/;

function fields(answer: string): { seq: number; disruption: number } {
  const m = ANSWER.exec(answer);
  expect(m, answer).not.toBeNull();
  return { seq: Number(m![1]), disruption: Number(m![2]) };
}

describe.runIf(leg !== null).each(["pc", "q35"] as const)(`QEMU ${leg?.name ?? "10 (not fetched: make qemu10)"} -device vmclock on -machine %s`, (machine) => {
  it("boot finds the page and reads it under its sequence count; the command shows the same fields", async () => {
    const q = await bootKernel({ qemu: leg!, machine, extra: VMCLOCK, qmp: false });
    expect(q.lines.filter((l) => l.startsWith("vmclock: ")), q.lines.join("\n")).toEqual([expect.stringMatching(READY_LINE)]);
    expect(fields(await q.command("vmclock"))).toEqual({ seq: 2, disruption: 1 });
    expect(await q.command("mm")).toMatch(/ phys=0xfeffb000 type=UC pte=WB\b/);
    expect(await q.command("stats")).toMatch(/ vmclock_reads=2 vmclock_retries=0 vmclock_unstable=0 /);
  });

  it("each loadvm of a snapshot bumps disruption_marker past the snapshot's, as the vmclock command sees it", async () => {
    const q = await bootKernel({ qemu: leg!, machine, extra: VMCLOCK, snapshots: true });
    await q.qmp!.hmp("savevm s1");
    expect(fields(await q.command("vmclock"))).toEqual({ seq: 2, disruption: 1 }); // the snapshot's timeline
    for (let restore = 1; restore <= 2; restore++) {
      const from = q.lines.length;
      await q.qmp!.hmp("loadvm s1");
      await q.waitForLine(new RegExp(`^vmgenid: notify gen=1 guid=[0-9a-f-]{36} changed=0 epoch=2$`), { from });
      expect(fields(await q.command("vmclock"))).toEqual({ seq: 4, disruption: 2 });
    }
    expect(q.lines.some((l) => l.startsWith("panic:"))).toBe(false);
  });
});

// Only without the leg (vitest by hand): with it, nothing here is reported as skipped.
if (leg === null) {
  describe("QEMU 10 -device vmclock", () => {
    it.skip("needs build/qemu10 (make qemu10)", () => {});
  });
}

afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
