// The kernel on Firecracker's shape (host build, tools/sim/firecracker.ts):
// PVH boot, the RSDP in the BIOS area, a hardware-reduced FADT, interrupts
// through the local APIC and the IOAPIC, VMGenID notified through a GED
// interrupt — and no GPE, so the restore fence is the GUID comparison
// alone. The restore cases of restore-fence.test.ts on this shape, for both
// _HIDs Firecracker has used, and a GED whose _EVT fails.
//
// A clone is a twin: the simulated machine is deterministic (fixed TSC
// steps, the same RDRAND values), so two VMs booted alike are in the same
// state — what one snapshot restored twice gives. Only what each restore
// writes (its new ID) can make their output differ.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { IASL, IASL_FLAGS } from "../../tools/aml/build-cases.js";
import { FIRECRACKER_ASL } from "../../tools/fixtures.js";
import {
  FirecrackerVm, ID_ADDRESS, LAPIC_ADDRESS, PVH_INFO_ADDRESS, PVH_MAGIC, VMCLOCK_ADDRESS, VMCLOCK_GSI, VMGENID_GSI,
} from "../../tools/sim/firecracker.js";
import { guidBytes } from "../../tools/sim/qemu-pc.js";
import { FIXTURES, hostKernel, type HostKernel } from "../support/host.js";

const G1 = "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87";
const G2 = "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const G3 = "0f9e8d7c-6b5a-4948-3726-15f4e3d2c1b0";
const RAND32 = /^rand: epoch=(\d+) ([0-9a-f]{64})$/;
const NOTIFY = /^vmgenid: notify gen=(\d+) guid=([0-9a-f-]{36}) changed=([01]) epoch=(\d+)$/;
const STREAM = /^stream: seq=(\d+) epoch=(\d+) ([0-9a-f]*)( \[cut by restore\])?$/;

const VARIANTS = [
  { hid: "VMGENCTR", file: "dsdt-vmgenctr.asl", release: "1.16" },
  { hid: "FCVMGID", file: "dsdt-fcvmgid.asl", release: "1.15" },
] as const;
const HOSTILE = "dsdt-hostile-evt.asl";

const aml = new Map<string, Uint8Array>();
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-firecracker-"));
  try {
    for (const file of [...VARIANTS.map((v) => v.file), HOSTILE]) {
      const name = file.replace(/\.asl$/, "");
      execFileSync(IASL, [...IASL_FLAGS, "-p", join(dir, name), join(FIXTURES, FIRECRACKER_ASL, file)], { stdio: "pipe" });
      aml.set(file, new Uint8Array(readFileSync(join(dir, `${name}.aml`))));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Booted { vm: FirecrackerVm; k: HostKernel }

/** The same every boot: twins stay twins until a restore writes them different IDs. */
function rdrandValues(): bigint[] {
  return Array.from({ length: 256 }, (_, i) => BigInt.asUintN(64, 0x9e3779b97f4a7c15n * BigInt(i + 1)));
}

/** Idle-loop housekeeping after an event (kernel/main.ts): collect, and a new AML budget. */
function collect(k: HostKernel): void {
  k.collectAtIdle();
  k.amlNewEvent();
}

function boot(file: string, o: { rsdpInStartInfo?: boolean } = {}): Booted {
  const vm = new FirecrackerVm({ dsdt: aml.get(file)!, id: G1, rdrand: true, rsdpInStartInfo: o.rsdpInStartInfo });
  vm.machine.rdrandValues.push(...rdrandValues());
  const k = hostKernel(vm.machine).kernel;
  k.boot(PVH_MAGIC, PVH_INFO_ADDRESS);
  collect(k);
  return { vm, k };
}

/** Serves the pending interrupts, then every queued command, as the idle loop does; returns the new lines. */
function serve({ vm, k }: Booted): string[] {
  const m = vm.machine;
  const before = m.lines().length;
  const lines = m.pendingIrqs;
  m.pendingIrqs = 0;
  k.step(lines);
  collect(k);
  while (k.inputPending()) { k.step(0); collect(k); }
  return m.lines().slice(before);
}

/** Types `text` (COM1's interrupt pending with whatever else is) and serves. */
function send(b: Booted, text: string): string[] {
  b.vm.machine.type(text);
  return serve(b);
}

function answer(out: string[]): RegExpExecArray {
  const line = out.find((l) => RAND32.test(l));
  expect(line, out.join("\n")).toBeDefined();
  return RAND32.exec(line!)!;
}

function stats(b: Booted): string {
  return send(b, "stats\r").at(-1)!;
}

for (const v of VARIANTS) {
  describe(`Firecracker ${v.release} (simulated), VGEN _HID "${v.hid}"`, () => {
    it("boots by PVH through the BIOS-area RSDP onto the local APIC, routes the GED and finds VGEN", () => {
      const { vm } = boot(v.file);
      const m = vm.machine;
      const lines = m.lines();
      expect(lines).toContain("boot: PVH start info at 0x6000: version 1, no RSDP");
      expect(lines).toContain(`acpi: RSDP@0xe0000 rev=2 FIRECK XSDT=0x${vm.tables.xsdt.toString(16)}`);
      expect(lines.find((l) => l.startsWith("acpi: FADT "))).toMatch(/ sci=0 .*gpe0=none gpe1=none flags=0x100030 hardware-reduced$/);
      expect(lines).toContain("irq: local APIC 0xfee00000 id 0 version 0x14, ioapic0 GSI 0-23 " +
        "(hardware-reduced ACPI; the 8259 stays masked)");
      expect(lines.find((l) => l.startsWith("vmgenid: \\_SB_.VGEN ("))).toBe(`vmgenid: \\_SB_.VGEN (${v.hid}) guid=${G1} at 0xdfff0, window 0x10ff0 WB; the firmware's map: e820 reserved`);
      expect(lines).toContain("ged: \\_SB_.GED_ (ACPI0013): GSI 5 (edge, active-high, IOAPIC 0 pin 5, line 5) -> _EVT(5)");
      expect(lines).toContain("ged: \\_SB_.GED_ (ACPI0013): GSI 6 (edge, active-high, IOAPIC 0 pin 6, line 6) -> _EVT(6)");
      expect(lines).toContain("vmclock: \\_SB_.VCLK (AMZNC10C) page 0xde000 version 1 seq=0 disruption=0 flags=0x300 " +
        "(vm_gen_counter_present,notification_present) generation=0, window 0x11000 PTE WB");
      expect(lines).toContain("random: restore fence: complete: the vmclock page's vm_generation_counter (changed on every incoming state), " +
        "one load before every draw; the GUID read only once it moved");
      expect(lines).toContain("irq: COM1 on GSI 4 (edge, active-high, IOAPIC 0 pin 4, line 4)");
      expect(lines.at(-1)).toBe(`clonesafe ready guid=${G1} epoch=1`);
      // What the devices were left with: the APIC chosen, vectors 0x20 + GSI
      // to APIC id 0, edge and unmasked for exactly COM1 and the two GED
      // interrupts, the 8259 untouched (fully masked).
      expect(m.apicMode).toEqual({ lapic: LAPIC_ADDRESS });
      expect(vm.lapic.registers.get(0xf0)).toBe(0x1ff); // SVR: enabled, spurious vector 0xff
      expect(vm.lapic.registers.get(0x350)).toBe(0x10000); // LINT0 masked
      const open = [...Array(24).keys()].filter((pin) => !vm.ioapic.masked(pin));
      expect(open).toEqual([4, VMGENID_GSI, VMCLOCK_GSI]);
      for (const pin of open) expect([vm.ioapic.redirection[2 * pin], vm.ioapic.redirection[2 * pin + 1]]).toEqual([0x20 + pin, 0]);
      expect(m.picMask).toEqual([0xff, 0xff]);
    });

    it("boots the same with the RSDP given in hvm_start_info (which Firecracker leaves 0)", () => {
      const { vm } = boot(v.file, { rsdpInStartInfo: true });
      expect(vm.machine.lines()).toContain("boot: PVH start info at 0x6000: version 1, RSDP at 0xe0000");
      expect(vm.machine.lines().at(-1)).toBe(`clonesafe ready guid=${G1} epoch=1`);
    });

    it("a request served before the GED interrupt meets a reseeded key: clones of one snapshot differ", () => {
      const [a, b, stale] = [boot(v.file), boot(v.file), boot(v.file)];
      const before = [a, b, stale].map((t) => answer(send(t, "rand 32\r")));
      expect(new Set(before.map((x) => x[0])).size).toBe(1); // one state, three times
      expect(before[0][1]).toBe("1");
      // Each clone's restore writes its own new ID; the GED interrupt has not arrived yet.
      a.vm.restoreVm({ ged: false, id: G2 });
      b.vm.restoreVm({ ged: false, id: G3 });
      const [ra, rb, rs] = [a, b, stale].map((t) => answer(send(t, "rand 32\r")));
      expect(rs[1]).toBe("1"); // the timeline the snapshot would have continued
      expect([ra[1], rb[1]]).toEqual(["2", "2"]);
      expect(ra[2]).not.toBe(rb[2]);
      expect(ra[2]).not.toBe(rs[2]);
      expect(rb[2]).not.toBe(rs[2]);
      expect(stats(a)).toMatch(/ reseed=2 fastpath=1 .* epoch=2 /); // caught by the draw's GUID comparison
      // Then the interrupt: its notify reseeds again and reports the change.
      expect(a.vm.raiseGsi(VMGENID_GSI)).toBe(true);
      const out = serve(a);
      expect(out).toContain(`vmgenid: notify gen=1 guid=${G2} changed=1 epoch=3`);
      expect(out).toContain("acpi: notify \\_SB_.VGEN 0x80");
    });

    it("a request that arrives with the GED interrupt is answered after its notify", () => {
      const t = boot(v.file);
      send(t, "rand 32\r");
      const id = t.vm.restoreVm({ ged: true });
      const out = send(t, "rand 32\r"); // COM1 and both GED lines pending at once
      const notify = out.findIndex((l) => NOTIFY.test(l));
      const rand = out.findIndex((l) => RAND32.test(l));
      expect(notify, out.join("\n")).toBeGreaterThanOrEqual(0);
      expect(notify).toBeLessThan(rand);
      expect(out[notify]).toBe(`vmgenid: notify gen=1 guid=${id} changed=1 epoch=2`);
      expect(out).toContain("acpi: notify \\_SB_.VCLK 0x80"); // VMClock's interrupt, delivered; nothing handles it
      expect(answer(out)[1]).toBe("2");
      expect(stats(t)).toMatch(/ reseed=2 fastpath=0 .* ged=2$/); // the notify acknowledged the ID before the draw
      expect(send(t, "guid\r").at(-1)).toBe(`guid: ${id}`);
    });

    it("a request after the GED interrupt was served meets the reseeded key", () => {
      const t = boot(v.file);
      t.vm.restoreVm({ ged: true, id: G2 });
      expect(serve(t)).toContain(`vmgenid: notify gen=1 guid=${G2} changed=1 epoch=2`);
      expect(answer(send(t, "rand 32\r"))[1]).toBe("2");
    });

    it("a restore in the middle of a rand answer cuts it at the next character", () => {
      const t = boot(v.file);
      const m = t.vm.machine;
      let digits = -1;
      m.onTransmit = () => {
        if (digits < 0 && m.tx.endsWith("rand: epoch=1 ")) digits = 0;
        else if (digits >= 0 && ++digits === 10) t.vm.restoreVm({ ged: false, id: G2 }); // the vCPU stopped after the 10th digit
      };
      const out = send(t, "rand 32\r");
      m.onTransmit = null;
      expect(out.at(-1)).toMatch(/^rand: epoch=1 [0-9a-f]{10} \[cut by restore\]$/);
      expect(answer(send(t, "rand 32\r"))[1]).toBe("2");
      expect(stats(t)).toMatch(/ fastpath=1 .* cut=1 /);
    });

    it("stream: the line in flight at a restore is cut, and every later line comes from a reseeded key", () => {
      const t = boot(v.file);
      const m = t.vm.machine;
      let sent = 0, stopped = false;
      m.onTransmit = (byte) => {
        if (m.tx.endsWith("stream: seq=5 epoch=1 ")) sent = 1;
        else if (sent > 0 && ++sent === 31) t.vm.restoreVm({ ged: true, id: G2 }); // 30 digits into the sixth line
        if (!stopped && byte === 0x0a && /stream: seq=11 [^\n]*\n$/.test(m.tx.slice(-120))) { m.rx.push(0x78); stopped = true; } // then "x"
      };
      const out = send(t, "stream\r");
      m.onTransmit = null;
      const lines = out.filter((l) => STREAM.test(l)).map((l) => STREAM.exec(l)!);
      expect(lines.slice(0, 5).every((l) => l[2] === "1" && l[3].length === 64 && !l[4])).toBe(true);
      expect(lines[5][0]).toMatch(/^stream: seq=5 epoch=1 [0-9a-f]{30} \[cut by restore\]$/);
      // The GED interrupt, raised mid-line, is served by the busy loop before the next line's draw.
      const after = lines.slice(6);
      expect(after.length).toBeGreaterThan(2);
      expect(after.every((l) => l[2] === "2" && l[3].length === 64 && !l[4])).toBe(true);
      expect(new Set(after.map((l) => l[3])).size).toBe(after.length);
      const notify = out.findIndex((l) => NOTIFY.test(l));
      expect(out[notify]).toBe(`vmgenid: notify gen=1 guid=${G2} changed=1 epoch=2`);
      expect(notify).toBeGreaterThan(out.indexOf(lines[5][0]));
      expect(notify).toBeLessThan(out.indexOf(after[0][0]));
      expect(out.at(-1)).toBe("stream: stopped");
    });

    it("a restore that keeps the ID (Firecracker never does) is still caught before the draw: by the VMClock's vm_generation_counter", () => {
      const [t, stale] = [boot(v.file), boot(v.file)];
      t.vm.restoreVm({ ged: false, id: G1 });
      const out = send(t, "rand 32\r");
      expect(out).toContain("vmclock: restore seen before a draw: disruption 0 -> 1 generation=1 seq=2; reseeded epoch=2");
      const served = answer(out);
      expect(served[1]).toBe("2");
      expect(served[2]).not.toBe(answer(send(stale, "rand 32\r"))[2]);
      t.vm.raiseGsi(VMGENID_GSI);
      expect(serve(t)).toContain(`vmgenid: notify gen=1 guid=${G1} changed=0 epoch=3`);
    });
  });
}

describe("Firecracker's GED with a failing _EVT (hostile variant, not Firecracker's AML)", () => {
  it("has no VMClock: the fence is the GUID alone, and the documented limit holds — a restore that keeps the ID is caught only by its notify", () => {
    const [t, stale] = [boot(HOSTILE), boot(HOSTILE)];
    expect(t.vm.machine.lines()).toContain("random: restore fence: the GUID only, read before every draw: complete where every " +
      "restore writes a new ID (Firecracker); a restore that keeps the ID is caught by its notify, not before the first draw");
    t.vm.restoreVm({ ged: false, id: G1 });
    const served = answer(send(t, "rand 32\r"));
    expect(served[1]).toBe("1");
    expect(served[2]).toBe(answer(send(stale, "rand 32\r"))[2]); // the snapshot's own bytes, as the boot line says
  });

  it("vmgenid's _EVT divides by zero: one line, no notify, and the GUID comparison still reseeds", () => {
    const [t, stale] = [boot(HOSTILE), boot(HOSTILE)];
    t.vm.restoreVm({ ged: true, id: G2 });
    const out = serve(t);
    expect(out).toEqual([expect.stringMatching(/^ged: \\_SB_\.GED_\._EVT\(5\) failed: Divide by zero \(/)]);
    expect(t.vm.undelivered).toEqual([VMCLOCK_GSI]); // this GED has no VMClock interrupt: its pin stays masked
    const [r, s] = [answer(send(t, "rand 32\r")), answer(send(stale, "rand 32\r"))];
    expect(r[1]).toBe("2");
    expect(r[2]).not.toBe(s[2]);
    expect(send(t, "guid\r").at(-1)).toBe(`guid: ${G2}`);
  });

  it("an _EVT that reads above 4 GiB fails with one line and the kernel keeps serving", () => {
    const t = boot(HOSTILE);
    expect(t.vm.raiseGsi(9)).toBe(true);
    expect(serve(t)).toEqual([
      expect.stringMatching(/^ged: \\_SB_\.GED_\._EVT\(9\) failed: SystemMemory access at 0x100000000 width 4 is outside the physical memory the kernel maps \(0-4 GiB\)/),
    ]);
    expect(answer(send(t, "rand 32\r"))[1]).toBe("1");
    expect(t.vm.ioapic.masked(9)).toBe(false); // one failure: still open
  });

  it("an _EVT that loops forever is stopped by the AML work limit; the next command is answered", () => {
    const t = boot(HOSTILE);
    t.vm.raiseGsi(10);
    expect(serve(t)).toEqual([
      expect.stringMatching(/^ged: \\_SB_\.GED_\._EVT\(10\) failed: AML work limit reached: 524288 terms and field accesses in one event/),
    ]);
    expect(send(t, "epoch\r").at(-1)).toBe("epoch: 1");
  });

  it("eight failures in a row mask the interrupt at the IOAPIC: the ninth edge is not delivered", () => {
    const t = boot(HOSTILE);
    const out: string[] = [];
    for (let i = 0; i < 8; i++) {
      expect(t.vm.raiseGsi(9)).toBe(true);
      out.push(...serve(t));
    }
    expect(out.filter((l) => l.includes("failed: SystemMemory access"))).toHaveLength(8);
    expect(out.at(-1)).toBe("ged: \\_SB_.GED_._EVT(9) failed 8 times in a row; not called again, its line stays masked");
    expect(t.vm.ioapic.masked(9)).toBe(true);
    expect(t.vm.raiseGsi(9)).toBe(false);
    expect(serve(t)).toEqual([]);
    // The other interrupts are untouched: vmgenid's still arrives (and fails its own way).
    expect(t.vm.ioapic.masked(VMGENID_GSI)).toBe(false);
  });
});

describe("the simulated Firecracker itself", () => {
  it("keeps the ID where ADDR says, and shows it in the kernel's window after a restore", () => {
    const t = boot(VARIANTS[0].file);
    expect(Array.from(t.vm.idBytes())).toEqual(Array.from(guidBytes(G1)));
    t.vm.restoreVm({ ged: false, id: G2 });
    expect(Array.from(t.vm.machine.readPhys(ID_ADDRESS, 16))).toEqual(Array.from(guidBytes(G2)));
    const window = new Uint8Array(t.vm.machine.memory!.buffer, 0x10ff0, 16);
    expect(Array.from(window)).toEqual(Array.from(guidBytes(G2)));
    // VMClock's do_post_restore: seq_count odd then even again, disruption_marker and vm_generation_counter + 1.
    const clock = new DataView(t.vm.machine.readPhys(VMCLOCK_ADDRESS, 112).buffer);
    expect([clock.getUint32(0, true), clock.getUint32(12, true)]).toEqual([0x4b4c4356, 2]);
    expect([clock.getBigUint64(16, true), clock.getBigUint64(104, true)]).toEqual([1n, 1n]);
  });
});
