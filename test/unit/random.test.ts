// The CRNG and the vmgenid driver on the host build: fast key erasure against
// Node's BLAKE2s and ChaCha20, from the draws alone (the kernel shows no
// key, not even to the host build), the every-draw check through the real boot path on a
// simulated QEMU pc, and discovery on every hypervisor's way of writing the
// device.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCases } from "../../tools/aml/build-cases.js";
import { qemuAmlFiles } from "../../tools/fixtures.js";
import {
  guidWindowWrite, MBI_ADDRESS, MULTIBOOT_MAGIC, simulatedQemuPc, writeCpuModel, writeLoaderPageTables,
  writeMultiboot,
} from "../../tools/sim/qemu-pc.js";
import { FIXTURES, hostKernel, REPO, SimMachine, typeAndServe, uint8ArrayId, type HostKernel } from "../support/host.js";

type K = HostKernel;

/** ChaCha20 keystream (RFC 8439, 96-bit nonce 0) from block `counter` on. */
function keystream(keyHex: string, counter: number, length: number): string {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  return createCipheriv("chacha20", Buffer.from(keyHex, "hex"), iv).update(Buffer.alloc(length)).toString("hex");
}

/**
 * The key of a fresh CRNG after crngSeedForTest(seed): the pool's digest
 * folded into the all-zero key, BLAKE2s-256(BLAKE2s-256(seed) || 0^32)
 * (reseed(), kernel/random/crng.ts).
 */
function seededKey(seed: Buffer): string {
  const pool = createHash("blake2s256").update(seed).digest();
  return createHash("blake2s256").update(pool).update(Buffer.alloc(32)).digest("hex");
}

function seededCrng(seed: Buffer): K {
  const k = hostKernel(new SimMachine()).kernel;
  k.crngSeedForTest(k.__newArray(uint8ArrayId(k), seed));
  return k;
}

describe("CRNG", () => {
  it("serves nothing before its first seeding", () => {
    const k = hostKernel(new SimMachine()).kernel;
    expect(k.__getString(k.crngDrawHex(32))).toBe("");
  });

  it("erases the key with each request's first block before any output leaves", () => {
    const seed = randomBytes(32);
    const k = seededCrng(seed);
    const out = k.__getString(k.crngDrawHex(100));
    const next = k.__getString(k.crngDrawHex(16));
    const k0 = seededKey(seed);
    const stream = keystream(k0, 0, 192);
    // Block 0: the next key, then the first 32 output bytes; blocks 1.. the rest.
    expect(out).toBe(stream.slice(64, 128) + stream.slice(128, 128 + 136));
    const k1 = stream.slice(0, 64);
    expect(out.includes(k1)).toBe(false);
    expect(k1).not.toBe(k0);
    // The next request runs on the new key only: not on k0 again, not on a
    // key taken from what the first request put out.
    expect(next).toBe(keystream(k1, 0, 64).slice(64, 96));
    expect(stream.includes(next)).toBe(false);
  });

  it("moves the key on with every request, whatever the seeding (no model of the reseed)", () => {
    const seed = randomBytes(32);
    const a = seededCrng(seed);
    const b = seededCrng(seed);
    const long = a.__getString(a.crngDrawHex(32));
    const first = b.__getString(b.crngDrawHex(16));
    const second = b.__getString(b.crngDrawHex(16));
    expect(first).toBe(long.slice(0, 32)); // identical seeding: the same key, the same keystream
    expect(second).not.toBe(first); // a key left in place would give the same bytes again
    expect(second).not.toBe(long.slice(32, 64)); // nor are the rest of a request's bytes kept for the next
  });
});

function bootSimulatedPc(guid: string): { m: SimMachine; k: K } {
  const m = simulatedQemuPc({ fixtures: FIXTURES, rdrand: true });
  for (let i = 0; i < 64; i++) m.rdrandValues.push(BigInt("0x" + randomBytes(8).toString("hex")));
  const k = hostKernel(m).kernel;
  guidWindowWrite(m, guid); // what QEMU's firmware put in the GUID page
  k.boot(MULTIBOOT_MAGIC, MBI_ADDRESS);
  return { m, k };
}

const G1 = "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87";
const G2 = "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

describe("vmgenid and the every-draw check (real boot path, simulated pc)", () => {
  it("boots with the GUID on the ready line and an RDRAND-seeded epoch 1", () => {
    const { m } = bootSimulatedPc(G1);
    expect(m.lines()).toContain(`clonesafe ready guid=${G1} epoch=1`);
    expect(m.lines()).toContain("random: seeded epoch=1 (rdrand 4 words)");
    expect(m.lines().some((l) => l.startsWith("vmgenid: \\_SB_.VGEN (QEMUVGID) guid=" + G1 + " at 0x7fff028"))).toBe(true);
  });

  it("notices a changed GUID before the first output byte, then still reseeds on the notify", () => {
    const { m, k } = bootSimulatedPc(G1);
    const before = typeAndServe(m, k, "rand 32\r").at(-1)!;
    expect(before).toMatch(/^rand: epoch=1 [0-9a-f]{64}$/);
    guidWindowWrite(m, G2); // a restore: QEMU rewrote the GUID while the vCPU was stopped
    const after = typeAndServe(m, k, "rand 32\r").at(-1)!;
    expect(after).toMatch(/^rand: epoch=2 [0-9a-f]{64}$/);
    expect(typeAndServe(m, k, "guid\r").at(-1)).toBe(`guid: ${G2}`);
    expect(typeAndServe(m, k, "stats\r").at(-1)).toMatch(/ reseed=2 fastpath=1 fastpath_tsc=\d+ epoch=2 rdrand=ok /);
    // The GPE's notify arrives later: it reseeds again and reports the change
    // against the GUID of the previous notify, not the fast path's.
    const out = typeAndServe(m, k, "aml \\_GPE._E05\r");
    expect(out).toContain("acpi: notify \\_SB_.VGEN 0x80");
    expect(out).toContain(`vmgenid: notify gen=1 guid=${G2} changed=1 epoch=3`);
    expect(typeAndServe(m, k, "epoch\r").at(-1)).toBe("epoch: 3");
  });

  it("reseeds on a notify with an unchanged GUID (a same-process loadvm)", () => {
    const { m, k } = bootSimulatedPc(G1);
    const out = typeAndServe(m, k, "aml \\_GPE._E05\r");
    expect(out).toContain(`vmgenid: notify gen=1 guid=${G1} changed=0 epoch=2`);
  });

  it("uuid gives version-4 UUIDs and drops its batch at a generation change", () => {
    const { m, k } = bootSimulatedPc(G1);
    const a = typeAndServe(m, k, "uuid\r").at(-1)!;
    expect(a).toMatch(/^uuid: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const reseeds = () => Number(/reseed=(\d+)/.exec(typeAndServe(m, k, "stats\r").at(-1)!)![1]);
    const before = reseeds();
    guidWindowWrite(m, G2);
    typeAndServe(m, k, "uuid\r");
    expect(reseeds()).toBe(before + 1); // the uuid draw itself triggered the check
  });

  it("rejects bad rand arguments", () => {
    const { m, k } = bootSimulatedPc(G1);
    expect(typeAndServe(m, k, "rand 0\r").at(-1)).toBe('error: rand: expected a byte count 1..4096, got "0"');
    expect(typeAndServe(m, k, "rand 4097\r").at(-1)).toBe('error: rand: expected a byte count 1..4096, got "4097"');
    expect(typeAndServe(m, k, "rand\r").at(-1)).toBe("error: rand: expected a byte count 1..4096");
    expect(typeAndServe(m, k, "rand 4096\r").at(-1)).toMatch(/^rand: epoch=1 [0-9a-f]{8192}$/);
  });
});

describe("vmgenid discovery in every hypervisor's shape", () => {
  const cases = new Map(buildCases(REPO).map((c) => [c.name, c]));
  function probe(name: string, prepare: (m: SimMachine) => void = () => {}): { result: string; log: string[] } {
    return probeTables([cases.get(name)!.aml], prepare);
  }
  function probeTables(files: string[], prepare: (m: SimMachine) => void = () => {}): { result: string; log: string[] } {
    const m = new SimMachine();
    writeLoaderPageTables(m);
    writeMultiboot(m, [[0n, 0x9fc00n, 1], [0x100000n, 0x7ee0000n, 1], [0x7fe0000n, 0x20000n, 2]]);
    writeCpuModel(m);
    prepare(m);
    const k = hostKernel(m).kernel;
    k.vmgenidMemoryInit(MULTIBOOT_MAGIC, MBI_ADDRESS);
    k.amlReset();
    for (const file of files) {
      const table = new Uint8Array(readFileSync(file));
      expect(k.__getString(k.amlLoadTable(k.__newArray(uint8ArrayId(k), table)))).toBe("");
    }
    return { result: k.__getString(k.vmgenidProbe()), log: m.lines().filter((l) => l.startsWith("vmgenid:")) };
  }

  // The GUID sits 0x28 into the last page of RAM: 128 MiB, 256 MiB (hotplug) and 512 MiB (smp4) guests.
  it.each([
    ["pc", "0x7fff028"], ["q35", "0x7fff028"], ["pc-smp2-hotplug", "0xffff028"], ["q35-smp4", "0x1ffff028"],
    ["pc-novmgenid", null], ["microvm", null],
  ] as const)("QEMU 7.2 %s fixture tables: GUID at %s", (config, address) => {
    const result = probeTables(qemuAmlFiles(FIXTURES, config)).result;
    if (address) expect(result).toMatch(new RegExp(`^\\\\_SB_\\.VGEN QEMUVGID ${address} `));
    else expect(result).toBe("none");
  });

  it("Firecracker: _HID FCVMGID, ADDR a Name(Package)", () => {
    expect(probe("vmgenid-firecracker").result).toMatch(/^\\_SB_\.\w{4} FCVMGID 0x7ffff0[0-9a-f]{2} /);
  });

  it("Hyper-V: _CID a Package, no _STA, ADDR read from SystemMemory fields", () => {
    const { result } = probe("vmgenid-hyperv", (m) => {
      const regs = new Uint8Array(8);
      new DataView(regs.buffer).setUint32(0, 0x7ffe0010, true); // GNLO, GNHI = 0
      m.writePhys(0xf0f00, regs);
    });
    expect(result).toMatch(/^\\_SB_\.VMOD\.GENC Hyper_V_Gen_Counter_V1 0x7ffe0010 /);
  });

  it("Hyper-V with ADDR still 0: a clear error, no device", () => {
    const { result, log } = probe("vmgenid-hyperv");
    expect(result).toBe("none");
    expect(log.join("\n")).toMatch(/\\_SB_\.VMOD\.GENC \(Hyper_V_Gen_Counter_V1\): ADDR is 0; running without vmgenid/);
  });

  it("Xen: _HID EisaId(XEN0000) is an Integer outside the ID list, so _CID matches; GUID above 4 GiB", () => {
    expect(probe("vmgenid-xen").result).toMatch(/^\\_SB_\.\w{4} VM_Gen_Counter 0x1fefff0[0-9a-f]{2} /);
  });

  it("decodes EISA ids as EisaId() encodes them", () => {
    const k = hostKernel(new SimMachine()).kernel;
    expect(k.__getString(k.vmgenidEisaText(0x030ad041n))).toBe("PNP0A03"); // QEMU's PCI0 _HID
    expect(k.__getString(k.vmgenidEisaText(0xae60n))).toBe("XEN0000");
  });

  it("bhyve: _HID a Method; its page sits in UC MMIO, so the write-back window is refused (R1e)", () => {
    const { result, log } = probe("vmgenid-bhyve");
    expect(result).toBe("none");
    expect(log.join("\n")).toMatch(/: cannot map the GUID page: window for 0xfedb0000 would be UC, not WB \(MTRR UC\); running without vmgenid/);
  });
});
