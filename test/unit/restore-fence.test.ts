// The restore fence on the real boot path (host build, simulated QEMU pc
// with its GPE0 block): a restore raises GPE 5 while the vCPU is stopped,
// and the kernel must act on it before any draw and before any character of
// random output, whatever the interrupt order. And seeding: a clock and a
// timer in lockstep credit nothing.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MBI_ADDRESS, MULTIBOOT_MAGIC, guidWindowWrite, simulatedQemuPc } from "../../tools/sim/qemu-pc.js";
import { addPcGpeBlock, PC_GPE0, restoreVm, type GpeBlockState } from "../../tools/sim/chipset.js";
import { FIXTURES, hostKernel, typeAndServe, type SimMachine, type HostKernel } from "../support/host.js";

const G1 = "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87";
const G2 = "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const RAND32 = /^rand: epoch=(\d+) ([0-9a-f]{64})$/;
const NOTIFY = /^vmgenid: notify gen=\d+ guid=[0-9a-f-]{36} changed=([01]) epoch=(\d+)$/;

function boot(o: { rdrand: boolean; jitter?: boolean; ticksPerHwCall?: number; lockstep?: boolean }): { m: SimMachine; k: HostKernel; gpe: GpeBlockState } {
  const m = simulatedQemuPc({ fixtures: FIXTURES, rdrand: o.rdrand });
  m.pitTicksPerHwCall = o.ticksPerHwCall ?? 0;
  if (o.lockstep) { m.tscStep = () => 0n; m.tscPerHwCall = 1000n; }
  for (let i = 0; i < 64 && o.rdrand; i++) m.rdrandValues.push(BigInt("0x" + randomBytes(8).toString("hex")));
  if (o.jitter) m.irqTsc = () => m.tsc + BigInt(randomBytes(2).readUInt16LE(0));
  const gpe = addPcGpeBlock(m);
  const k = hostKernel(m).kernel;
  guidWindowWrite(m, G1);
  k.boot(MULTIBOOT_MAGIC, MBI_ADDRESS);
  return { m, k, gpe };
}

/** Raises GPE 5 (a restore) on the `n`-th read of the GPE0 status register from now on. */
function restoreOnStatusRead(m: SimMachine, gpe: GpeBlockState, n: number): void {
  let reads = 0;
  const device = m.devices.find((d) => d.base === PC_GPE0)!;
  const read = device.read;
  device.read = (port, width) => {
    if (port === PC_GPE0 && ++reads === n) restoreVm(m, gpe, { sci: false });
    return read(port, width);
  };
}

describe("restore fence (simulated pc)", () => {
  it("boots with GPE 5 enabled and one status register watched", () => {
    const { m, gpe } = boot({ rdrand: true });
    expect(gpe.enable[0] & 0x20).toBe(0x20);
    expect(m.lines()).toContain("acpi: restore fence: 1 GPE status register watched (the random line says when the fence reads them)");
  });

  for (const guid of [undefined, G2]) {
    it(`a request served before the SCI meets a reseeded key (GUID ${guid ? "changed" : "unchanged"})`, () => {
      const { m, k, gpe } = boot({ rdrand: true });
      const timeline = RAND32.exec(typeAndServe(m, k, "rand 32\r").at(-1)!)!;
      expect(timeline[1]).toBe("1");
      // The restore raised GPE 5, but only COM1's interrupt has arrived.
      restoreVm(m, gpe, { guid, sci: false });
      const out = typeAndServe(m, k, "rand 32\r");
      const answer = out.findIndex((l) => RAND32.test(l));
      const notify = out.findIndex((l) => NOTIFY.test(l));
      expect(notify, out.join("\n")).toBeGreaterThanOrEqual(0);
      expect(notify).toBeLessThan(answer); // the SCI's work ran first, from inside the draw
      expect(NOTIFY.exec(out[notify])![1]).toBe(guid ? "1" : "0");
      expect(RAND32.exec(out[answer])![1]).toBe("2");
      expect(gpe.status[0] & 0x20).toBe(0); // served: the status is clear
      expect(typeAndServe(m, k, "stats\r").at(-1)).toMatch(/ reseed=2 fastpath=0 .* signal_before_draw=1 cut=0 /);
    });
  }

  it("uuid and epoch see the restore too", () => {
    const { m, k, gpe } = boot({ rdrand: true });
    typeAndServe(m, k, "uuid\r");
    restoreVm(m, gpe, { sci: false });
    expect(typeAndServe(m, k, "epoch\r").at(-1)).toBe("epoch: 2");
    restoreVm(m, gpe, { sci: false });
    const out = typeAndServe(m, k, "uuid\r");
    expect(out.some((l) => NOTIFY.test(l) && l.endsWith("epoch=3"))).toBe(true);
    expect(out.at(-1)).toMatch(/^uuid: [0-9a-f]{8}-/);
  });

  it("a restore in the middle of a rand answer cuts it at the next character", () => {
    const { m, k, gpe } = boot({ rdrand: true });
    // Read 1 is the draw's check; reads 2.. are one per output character.
    restoreOnStatusRead(m, gpe, 12);
    const out = typeAndServe(m, k, "rand 32\r");
    expect(out.at(-1)).toMatch(/^rand: epoch=1 [0-9a-f]{10} \[cut by restore\]$/);
    const next = typeAndServe(m, k, "rand 32\r");
    expect(next.some((l) => NOTIFY.test(l))).toBe(true);
    expect(next.at(-1)).toMatch(/^rand: epoch=2 [0-9a-f]{64}$/);
    expect(typeAndServe(m, k, "stats\r").at(-1)).toMatch(/ cut=1 /);
  });

  it("stream: the line in flight at a restore is cut, and the next line comes from the reseeded key", () => {
    const { m, k, gpe } = boot({ rdrand: true });
    restoreOnStatusRead(m, gpe, 5 * 65 + 30); // mid-way through the sixth line
    let reads = 0;
    const device = m.devices.find((d) => d.base === PC_GPE0)!;
    const read = device.read;
    device.read = (port, width) => { if (++reads === 12 * 65) m.rx.push(0x78); return read(port, width); }; // then "x"
    const out = typeAndServe(m, k, "stream\r");
    const lines = out.filter((l) => l.startsWith("stream: seq="));
    expect(lines[5]).toMatch(/^stream: seq=5 epoch=1 [0-9a-f]{0,64} \[cut by restore\]$/);
    expect(lines.slice(0, 5).every((l) => / epoch=1 [0-9a-f]{64}$/.test(l))).toBe(true);
    expect(lines.slice(6).length).toBeGreaterThan(2);
    expect(lines.slice(6).every((l) => / epoch=2 [0-9a-f]{64}$/.test(l))).toBe(true);
    expect(out.at(-1)).toBe("stream: stopped");
  });
});

describe("seeding without RDSEED/RDRAND: only timer interrupts are credited", () => {
  it("a timer in lockstep with a fixed-step TSC credits nothing; the kernel refuses to serve bytes", () => {
    const { m, k } = boot({ rdrand: false });
    expect(m.lines().find((l) => l.startsWith("random: "))).toMatch(
      /^random: not seeded: only 0 of 256 bits could be credited \(no cpu source, timer interrupts 0 bits\)/);
    expect(typeAndServe(m, k, "rand 32\r").at(-1)).toMatch(/^error: rand: the CRNG is not seeded/);
    expect(typeAndServe(m, k, "stats\r").at(-1)).toMatch(/ timer_ticks=1024 timer_overlapped=0 /); // it tried: 4 ticks per bit wanted
    expect(m.pitPeriodic).toBe(false); // and stopped the PIT
  });

  it("a timer whose interrupts land at varying TSC values seeds it", () => {
    const { m, k } = boot({ rdrand: false, jitter: true });
    expect(m.lines()).toContain("random: seeded epoch=1 (no cpu source, timer interrupts 256 bits)");
    expect(typeAndServe(m, k, "stats\r").at(-1)).toMatch(/ timer_ticks=258 timer_overlapped=0 /);
    expect(typeAndServe(m, k, "rand 32\r").at(-1)).toMatch(RAND32);
    expect(m.pitPeriodic).toBe(false);
    expect(m.sampleLine).toBe(-1); // the loader samples nothing any more
  });

  it("ticks that arrive while the boot works are credited at the end, and the collector waits only for the rest", () => {
    // The PIT ticks every 64 hw calls: time passing while the boot works,
    // with interrupts open from the timer's start.
    const { m, k } = boot({ rdrand: false, jitter: true, ticksPerHwCall: 64 });
    expect(m.opened).toBe(1);
    expect(m.lines()).toContain("random: seeded epoch=1 (no cpu source, timer interrupts 256 bits)");
    const [, ticks, overlapped] = / timer_ticks=(\d+) timer_overlapped=(\d+) /.exec(typeAndServe(m, k, "stats\r").at(-1)!)!;
    expect(Number(overlapped)).toBeGreaterThan(2); // the premise: ticks did arrive during the boot's work
    expect(Number(overlapped)).toBeLessThanOrEqual(Number(ticks));
    expect(Number(ticks)).toBeGreaterThanOrEqual(258);
    expect(typeAndServe(m, k, "rand 32\r").at(-1)).toMatch(RAND32);
    expect(m.pitPeriodic).toBe(false);
  });

  it("ticks recorded while the boot works with a clock in lockstep still credit nothing", () => {
    // The TSC and the PIT both count hw calls: every interval is 64 calls.
    const { m, k } = boot({ rdrand: false, ticksPerHwCall: 64, lockstep: true });
    expect(m.lines().find((l) => l.startsWith("random: "))).toMatch(/^random: not seeded: only 0 of 256 bits could be credited/);
    const overlapped = / timer_overlapped=(\d+) /.exec(typeAndServe(m, k, "stats\r").at(-1)!);
    expect(Number(overlapped![1])).toBeGreaterThan(2); // they were there, and were not believed
  });
});
