// The vmclock driver (kernel/drivers/vmclock) through the real boot path on
// the simulated pc (tools/sim/qemu-pc.ts) made QEMU 10 with `-device
// vmclock`: its page at 0xfeffb000 with its reserved e820 entry, and the
// SSDT of test/aml/cases/vmclock-qemu10.asl (QEMU 10's, byte for byte in its
// body). What is asserted is what the serial line shows: the boot line, the
// `vmclock` and `mm` commands, `stats`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCases, IASL, IASL_FLAGS } from "../../tools/aml/build-cases.js";
import {
  addSsdt, MBI_ADDRESS, MULTIBOOT_MAGIC, simulatedQemuPc, vmclockRestore, type VmclockFields,
} from "../../tools/sim/qemu-pc.js";
import { FIXTURES, hostKernel, REPO, typeAndServe, type SimMachine, type HostKernel } from "../support/host.js";

let dir = "";
let qemuSsdt: Uint8Array;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "clonesafe-vmclock-"));
  qemuSsdt = new Uint8Array(readFileSync(buildCases(REPO).find((c) => c.name === "vmclock-qemu10")!.aml));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** An SSDT with one AMZNC10C device whose _CRS is `resource` (an ASL resource descriptor). */
function vclkSsdt(name: string, resource: string): Uint8Array {
  const asl = join(dir, `${name}.asl`);
  writeFileSync(asl, `DefinitionBlock ("", "SSDT", 1, "CLNSF", "VCLKTEST", 1)
{
    Scope (\\_SB)
    {
        Device (VCLK)
        {
            Name (_HID, "AMZNC10C")
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate () { ${resource} })
        }
    }
}`);
  execFileSync(IASL, [...IASL_FLAGS, "-p", join(dir, name), asl], { stdio: "ignore" });
  return new Uint8Array(readFileSync(join(dir, `${name}.aml`)));
}

const qword = (cache: string, min: string, max: string, length: string) =>
  `QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, ${cache}, ReadOnly, 0x0, ${min}, ${max}, 0x0, ${length})`;

interface Booted { m: SimMachine; k: HostKernel; lines: string[] }

/** QEMU 10 pc with vmclock: the page (`page` over QEMU's fields after boot) and `ssdt`, then boot. */
function boot(o: { page?: VmclockFields | null; ssdt?: Uint8Array | null; prepare?: (m: SimMachine) => void } = {}): Booted {
  const m = simulatedQemuPc({ fixtures: FIXTURES, rdrand: true, vmclock: o.page === null ? undefined : o.page ?? {} });
  for (let i = 0; i < 64; i++) m.rdrandValues.push(BigInt(i + 1) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn);
  if (o.ssdt !== null) addSsdt(m, o.ssdt ?? qemuSsdt);
  o.prepare?.(m);
  const k = hostKernel(m).kernel;
  k.boot(MULTIBOOT_MAGIC, MBI_ADDRESS);
  return { m, k, lines: m.lines() };
}

const vmclockLines = (lines: string[]) => lines.filter((l) => l.startsWith("vmclock: "));
const run = (b: Booted, command: string) => typeAndServe(b.m, b.k, `${command}\r`).at(-1)!;

describe("vmclock on a simulated QEMU 10 pc", () => {
  it("boot reads the page QEMU leaves: seq 2, disruption 1, no flags; the window is a WB entry the MTRRs make UC", () => {
    const b = boot();
    expect(vmclockLines(b.lines)).toEqual([
      "vmclock: \\_SB_.VCLK (AMZNC10C) page 0xfeffb000 version 1 seq=2 disruption=1 flags=0x0 (none), window 0x11000 PTE WB (UC by the MTRRs)",
    ]);
    expect(b.lines.at(-1)).toMatch(/^clonesafe ready guid=/);
    expect(run(b, "vmclock")).toBe(
      "vmclock: \\_SB_.VCLK page=0xfeffb000 version=1 size=4096 seq=2 disruption=1 generation=none flags=0x0 (none) counter_id=0xff time_type=0 clock_status=0");
    expect(run(b, "mm")).toMatch(/ window=0x11000 phys=0xfeffb000 type=UC pte=WB$/);
    expect(run(b, "help")).toMatch(/\bvmclock\b/);
    expect(run(b, "vmclock extra")).toBe("error: vmclock: takes no arguments");
  });

  it("each restore (QEMU's post_load) is seen by the next read: seq 4, disruption 2; then seq 6, disruption 3", () => {
    const b = boot();
    vmclockRestore(b.m);
    expect(run(b, "vmclock")).toMatch(/ seq=4 disruption=2 generation=none /);
    vmclockRestore(b.m);
    expect(run(b, "vmclock")).toMatch(/ seq=6 disruption=3 generation=none /);
    expect(run(b, "stats")).toMatch(/ vmclock_reads=3 vmclock_retries=0 vmclock_unstable=0 /);
  });

  it("decodes the flags; vm_generation_counter is read when its flag is present", () => {
    const b = boot({ page: { flags: (1n << 8n) | (1n << 9n) | 1n | (1n << 12n), generation: 7n, clockStatus: 2, timeType: 1, counterId: 1 } });
    expect(vmclockLines(b.lines)[0]).toMatch(
      / seq=2 disruption=1 flags=0x1301 \(tai_offset_valid,vm_gen_counter_present,notification_present,unknown 0x1000\) generation=7, window /);
    vmclockRestore(b.m, { generation: true });
    expect(run(b, "vmclock")).toBe(
      "vmclock: \\_SB_.VCLK page=0xfeffb000 version=1 size=4096 seq=4 disruption=2 generation=8 flags=0x1301 " +
      "(tai_offset_valid,vm_gen_counter_present,notification_present,unknown 0x1000) counter_id=0x01 time_type=1 clock_status=2");
  });

  it("an update in progress at boot that the hypervisor finishes is waited for, a bounded number of reads", () => {
    let barriers = 0;
    const b = boot({
      page: { seq: 3 },
      prepare: (m) => {
        m.onReadBarrier = () => { if (++barriers === 5) vmclockRestore(m); }; // 3 | 1 = 3, then 4, disruption 2
      },
    });
    expect(vmclockLines(b.lines)[0]).toMatch(/ seq=4 disruption=2 flags=0x0 /);
    expect(run(b, "stats")).toMatch(/ vmclock_reads=1 vmclock_retries=[1-9]\d* vmclock_unstable=0 /);
  });

  it("a read whose seq_count moves while the fields are read is retried: never a torn read", () => {
    const b = boot();
    let barriers = 0;
    // Between the field reads and the second seq_count read, a whole update lands (odd, marker + 1, even).
    b.m.onReadBarrier = () => { if (++barriers === 2) vmclockRestore(b.m); };
    expect(run(b, "vmclock")).toMatch(/ seq=4 disruption=2 /);
    expect(run(b, "stats")).toMatch(/ vmclock_retries=1 vmclock_unstable=0 /);
  });

  it("a page whose seq_count stays odd is refused at boot, one line, and the kernel runs on without vmclock", () => {
    const b = boot({ page: { seq: 5 } });
    expect(vmclockLines(b.lines)).toEqual([
      "vmclock: \\_SB_.VCLK (AMZNC10C): the page at 0xfeffb000 is unstable: seq_count 0x5 stayed odd or kept moving for 1024 reads; running without vmclock",
    ]);
    expect(b.lines.at(-1)).toMatch(/^clonesafe ready guid=/);
    expect(run(b, "vmclock")).toBe("vmclock: none");
    expect(run(b, "mm")).not.toMatch(/feffb000/); // its window was given back
    expect(run(b, "rand 16")).toMatch(/^rand: epoch=1 [0-9a-f]{32}$/);
  });

  it("a page that becomes unstable after boot is reported as unstable, not as its old values", () => {
    const b = boot();
    vmclockRestore(b.m, { leaveOdd: true });
    expect(run(b, "vmclock")).toBe("vmclock: \\_SB_.VCLK page=0xfeffb000 unstable: seq_count 0x3 stayed odd or kept moving for 1024 reads");
    expect(run(b, "stats")).toMatch(/ vmclock_unstable=1 /);
    vmclockRestore(b.m); // the hypervisor finishes: 3 → 4, disruption 2
    expect(run(b, "vmclock")).toMatch(/ seq=4 disruption=2 /);
  });

  it.each([
    ["a wrong magic", { magic: 0x12345678 }, "the page at 0xfeffb000 has magic 0x12345678, not 0x4b4c4356 (\"VCLK\")"],
    ["a page with nothing in it", { magic: 0, size: 0, version: 0, counterId: 0, seq: 0, disruption: 0n }, "the page at 0xfeffb000 has magic 0x00000000, not 0x4b4c4356 (\"VCLK\")"],
    ["a size below the structure", { size: 0x6f }, "the page at 0xfeffb000 says its size is 111 bytes, less than the 112 the driver reads"],
    ["version 2", { version: 2 }, "the page at 0xfeffb000 is version 2, not 1"],
  ] as const)("%s is refused by name", (_what, page, why) => {
    const b = boot({ page });
    expect(vmclockLines(b.lines)).toEqual([`vmclock: \\_SB_.VCLK (AMZNC10C): ${why}; running without vmclock`]);
    expect(run(b, "vmclock")).toBe("vmclock: none");
    expect(b.lines.at(-1)).toMatch(/^clonesafe ready guid=/);
  });

  it.each([
    ["a _CRS past the direct map (1 TiB)", qword("Cacheable", "0x10000000000", "0x10000000FFF", "0x1000"),
      "the page of _CRS QWordMemory 0x10000000000 length 0x1000 at 0x10000000000 width 4096 is outside the physical memory the kernel maps (0-4 GiB)"],
    ["a non-cacheable descriptor", qword("NonCacheable", "0xFEFFB000", "0xFEFFBFFF", "0x1000"),
      "_CRS QWordMemory 0xfeffb000 length 0x1000 is non-cacheable: the page must be declared cacheable and is only mapped write-back"],
    ["a write-combining descriptor", qword("WriteCombining", "0xFEFFB000", "0xFEFFBFFF", "0x1000"),
      "_CRS QWordMemory 0xfeffb000 length 0x1000 is write-combining: the page must be declared cacheable"],
    ["a Memory32Fixed descriptor (no cache type)", "Memory32Fixed (ReadOnly, 0xFEFFB000, 0x1000)",
      "_CRS Memory32Fixed 0xfeffb000 length 0x1000 is non-cacheable (a Memory32Fixed descriptor has no cache type)"],
    ["a page in usable RAM", qword("Cacheable", "0x200000", "0x200FFF", "0x1000"),
      "_CRS QWordMemory 0x200000 length 0x1000 lies in usable RAM, not firmware-reserved memory"],
    ["a range shorter than a page", qword("Cacheable", "0xFEFFB000", "0xFEFFB07F", "0x80"),
      "_CRS lists no memory range of at least 4 KiB"],
    ["a page not page-aligned", qword("Cacheable", "0xFEFFB010", "0xFEFFC00F", "0x1000"),
      "_CRS QWordMemory 0xfeffb010 length 0x1000 does not start on a page boundary"],
    ["no memory descriptor at all", "IO (Decode16, 0x0510, 0x0510, 0x01, 0x01)", "_CRS lists no memory range of at least 4 KiB"],
  ] as const)("%s is refused by name, before anything is mapped", (name, resource, why) => {
    const b = boot({ ssdt: vclkSsdt(name.replace(/\W+/g, "-"), resource) });
    const lines = vmclockLines(b.lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`vmclock: \\_SB_.VCLK (AMZNC10C): ${why}`);
    expect(lines[0]).toMatch(/; running without vmclock$/);
    expect(run(b, "mm")).not.toMatch(/type=UC pte=WB/);
    expect(run(b, "vmclock")).toBe("vmclock: none");
  });

  it("a page whose _CRS points where QEMU 7.2 has nothing: refused by its magic", () => {
    const b = boot({ page: null }); // the SSDT, but no page (reads as zero here)
    expect(vmclockLines(b.lines)).toEqual([
      "vmclock: \\_SB_.VCLK (AMZNC10C): the page at 0xfeffb000 has magic 0x00000000, not 0x4b4c4356 (\"VCLK\"); running without vmclock",
    ]);
  });

  it("no device: one line, and the command answers none", () => {
    const b = boot({ ssdt: null });
    expect(vmclockLines(b.lines)).toEqual(["vmclock: no vmclock device"]);
    expect(run(b, "vmclock")).toBe("vmclock: none");
    expect(run(b, "stats")).toMatch(/ vmclock_reads=0 vmclock_retries=0 vmclock_unstable=0 /);
  });
});

// The restore fence on the page (kernel/random/fence.ts): with a usable
// vmclock the every-draw check is the page's sequence count, no port read.
describe("the restore fence on a simulated QEMU 10 pc with vmclock", () => {
  const stat = (line: string, key: string) => Number(new RegExp(` ${key}=(\\d+)(?: |$)`).exec(line)![1]);
  const fenceLine = (b: Booted) => b.lines.find((l) => l.startsWith("random: restore fence: "));

  it("says at boot that the page is the fence, and draws read no port", () => {
    const b = boot();
    expect(fenceLine(b)).toBe("random: restore fence: complete: the vmclock page's disruption_marker (changed on every incoming state), " +
      "one load before every draw; 1 GPE status register and the GUID read only once it moved");
    const before = stat(run(b, "stats"), "fence_port_reads");
    for (let i = 0; i < 3; i++) expect(run(b, "rand 32")).toMatch(/^rand: epoch=1 [0-9a-f]{64}$/);
    expect(stat(run(b, "stats"), "fence_port_reads")).toBe(before);
  });

  it("a restore written into the page is served by the next draw, before its bytes: reseeded, one line", () => {
    const b = boot();
    const old = run(b, "rand 32");
    vmclockRestore(b.m); // QEMU's post_load: seq 2 → 3 → 4, disruption 1 → 2; no SCI here
    const out = typeAndServe(b.m, b.k, "rand 32\r");
    const seen = out.findIndex((l) => l === "vmclock: restore seen before a draw: disruption 1 -> 2 seq=4; reseeded epoch=2");
    const drawn = out.findIndex((l) => /^rand: epoch=2 [0-9a-f]{64}$/.test(l));
    expect(seen, out.join("\n")).toBeGreaterThanOrEqual(0);
    expect(drawn).toBeGreaterThan(seen);
    expect(out[drawn]).not.toBe(old);
    const stats = run(b, "stats");
    expect([stat(stats, "vmclock_restores"), stat(stats, "counter_before_draw"), stat(stats, "epoch")]).toEqual([1, 1, 2]);
    expect(run(b, "rand 32")).toMatch(/^rand: epoch=2 /); // acknowledged: served once
  });

  it("a page update that leaves the counter (a clock update) is acknowledged without a reseed", () => {
    const b = boot();
    b.m.writePhys(0xfeffb00c, new Uint8Array([4, 0, 0, 0])); // seq 2 → 4, disruption unchanged
    expect(run(b, "rand 32")).toMatch(/^rand: epoch=1 /);
    const stats = run(b, "stats");
    expect([stat(stats, "vmclock_restores"), stat(stats, "fence_port_reads")]).toEqual([0, 0]);
  });

  it("with VM_GEN_COUNTER_PRESENT the fence trusts vm_generation_counter: a migration's disruption alone does not reseed", () => {
    const b = boot({ page: { flags: 1n << 8n, generation: 7n } });
    expect(fenceLine(b)).toMatch(/^random: restore fence: complete: the vmclock page's vm_generation_counter /);
    vmclockRestore(b.m); // disruption 1 → 2, generation stays 7: a live migration
    expect(run(b, "rand 32")).toMatch(/^rand: epoch=1 /);
    vmclockRestore(b.m, { generation: true }); // a snapshot load: generation 7 → 8
    expect(run(b, "rand 32")).toMatch(/^rand: epoch=2 /);
    expect(stat(run(b, "stats"), "vmclock_restores")).toBe(1);
  });

  it("a page left odd at a draw is given up with one line; that draw and the later ones read the GPE port", () => {
    const b = boot();
    vmclockRestore(b.m, { leaveOdd: true });
    const out = typeAndServe(b.m, b.k, "rand 32\r");
    expect(out.filter((l) => l.startsWith("vmclock: "))).toEqual([
      "vmclock: \\_SB_.VCLK: seq_count 0x3 stayed odd or kept moving for 1024 reads; the restore fence no longer reads the page and falls back to the GPE status and the GUID",
    ]);
    expect(out.at(-1)).toMatch(/^rand: epoch=1 [0-9a-f]{64}$/); // no restore signal raised in the registers: nothing to serve
    const first = run(b, "stats");
    expect(stat(first, "counter_given_up")).toBe(1);
    expect(stat(first, "fence_port_reads")).toBeGreaterThanOrEqual(1);
    run(b, "rand 32");
    expect(stat(run(b, "stats"), "fence_port_reads")).toBeGreaterThan(stat(first, "fence_port_reads"));
    vmclockRestore(b.m); // the page is not read again
    expect(run(b, "rand 32")).toMatch(/^rand: epoch=1 /);
  });
});
