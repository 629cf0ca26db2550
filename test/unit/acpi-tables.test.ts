// The ACPI table walker (kernel/acpi/), run as the host build on a simulated
// machine: real QEMU 7.2 memory captures, every QEMU table fixture placed in
// a synthetic physical memory, and deliberately broken firmware data.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureFiles, QEMU_CONFIGS, QEMU_TABLES, readFixture } from "../../tools/fixtures.js";
import {
  FIXTURES,
  hostKernel,
  MBI_ADDRESS,
  MULTIBOOT_MAGIC,
  SimMachine,
  typeAndServe,
  type HostKernel,
} from "../support/host.js";
import { loadPhysmemFixture, type PhysmemManifest } from "../../tools/sim/physmem.js";
import type { BlockJson, DiscoveryJson, FadtJson, MadtJson, TableJson } from "../../tools/sim/host-json.js";

type AcpiKernel = HostKernel;

/** The host kernel, booted on `machine` (whose memory the test has filled). */
function bootOn(machine: SimMachine): AcpiKernel {
  const { kernel } = hostKernel(machine);
  kernel.boot(MULTIBOOT_MAGIC, MBI_ADDRESS);
  return kernel;
}

interface Discovered {
  kernel: AcpiKernel;
  discovery: DiscoveryJson;
  /** Serial lines written during discovery. */
  log: string[];
  /** The AML tables' copies (DSDT first, then SSDTs) as hex. */
  amlHex: string[];
}

function discover(machine: SimMachine): Discovered {
  const kernel = bootOn(machine);
  const before = machine.lines().length;
  const memReadsBefore = machine.memLog.length;
  const portsBefore = machine.portLog.length;
  const discovery = JSON.parse(kernel.__getString(kernel.acpiDiscoverJson())) as DiscoveryJson;
  // Hardware access rule: tables arrive through phys_copy_in only; the one
  // single read is the BDA's EBDA pointer, and no port but COM1 is touched.
  expect(machine.memLog.slice(memReadsBefore).map((m) => `${m.dir}@${m.addr.toString(16)}/${m.width}`)).toEqual(["read@40e/2"]);
  expect(machine.portLog.slice(portsBefore).filter((p) => p.port < 0x3f8 || p.port > 0x3ff)).toEqual([]);
  // Hex of the AML copies, except the artificial megabyte tables some tests build.
  const amlHex = discovery.aml.map((t, i) => (t.length <= 0x10000 ? kernel.__getString(kernel.acpiAmlTableHex(i)) : ""));
  return { kernel, discovery, log: machine.lines().slice(before), amlHex };
}

const hex0x = (n: number | bigint) => "0x" + n.toString(16);
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const u32le = (n: number) => toHex(new Uint8Array(new Uint32Array([n]).buffer));
/** `Name(VGIA, <u32>)` as QEMU's VMGENID SSDT encodes it: NameOp, "VGIA", DWordPrefix, value. */
const vgiaAml = (vgia: number) => "0856474941" + "0c" + u32le(vgia);

function tableNamed(discovery: DiscoveryJson, signature: string): TableJson {
  const found = discovery.tables.filter((t) => t.signature === signature);
  expect(found, `exactly one ${signature}`).toHaveLength(1);
  return found[0];
}

// ---- building physical memory ---------------------------------------------------

const TABLE_FIXTURES = join(FIXTURES, QEMU_TABLES);
const PHYSMEM_FIXTURES = join(FIXTURES, "physmem");
const CONFIGS = QEMU_CONFIGS;

/** A config's tables by file name (the signature, lowercased: facp, apic, …). */
function readTableFixtures(config: string): Map<string, Uint8Array> {
  const tables = new Map<string, Uint8Array>();
  for (const file of fixtureFiles(join(TABLE_FIXTURES, config), ".dat")) {
    tables.set(file.slice(0, -4), new Uint8Array(readFixture(join(TABLE_FIXTURES, config, file))));
  }
  return tables;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const getU32 = (b: Uint8Array, off: number) => view(b).getUint32(off, true);
const setU32 = (b: Uint8Array, off: number, v: number) => view(b).setUint32(off, v, true);
const getU64 = (b: Uint8Array, off: number) => view(b).getBigUint64(off, true);
const setU64 = (b: Uint8Array, off: number, v: bigint) => view(b).setBigUint64(off, v, true);

function setAscii(b: Uint8Array, off: number, text: string): void {
  for (let i = 0; i < text.length; i++) b[off + i] = text.charCodeAt(i);
}

/** Sets the checksum byte so the first `length` bytes sum to 0 mod 256. */
function fixChecksum(b: Uint8Array, checksumOffset: number, length = b.length): void {
  b[checksumOffset] = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += b[i];
  b[checksumOffset] = (256 - (sum & 0xff)) & 0xff;
}

/** A table with a standard header and a correct checksum. */
function sdt(signature: string, body: Uint8Array, revision = 1): Uint8Array {
  const t = new Uint8Array(36 + body.length);
  setAscii(t, 0, signature);
  setU32(t, 4, t.length);
  t[8] = revision;
  setAscii(t, 10, "CLSAFE");
  setAscii(t, 16, "TESTROOT");
  setU32(t, 24, 1);
  setAscii(t, 28, "TEST");
  setU32(t, 32, 1);
  t.set(body, 36);
  fixChecksum(t, 9);
  return t;
}

function rsdtBody(entries: number[]): Uint8Array {
  const body = new Uint8Array(4 * entries.length);
  entries.forEach((e, i) => setU32(body, 4 * i, e));
  return body;
}

function xsdtBody(entries: bigint[]): Uint8Array {
  const body = new Uint8Array(8 * entries.length);
  entries.forEach((e, i) => setU64(body, 8 * i, e));
  return body;
}

function rsdpV0(rsdt: number, oemId = "CLSAFE"): Uint8Array {
  const r = new Uint8Array(20);
  setAscii(r, 0, "RSD PTR ");
  setAscii(r, 9, oemId);
  r[15] = 0;
  setU32(r, 16, rsdt);
  fixChecksum(r, 8, 20);
  return r;
}

function rsdpV2(rsdt: number, xsdt: bigint): Uint8Array {
  const r = new Uint8Array(36);
  setAscii(r, 0, "RSD PTR ");
  setAscii(r, 9, "CLSAFE");
  r[15] = 2;
  setU32(r, 16, rsdt);
  setU32(r, 20, 36);
  setU64(r, 24, xsdt);
  fixChecksum(r, 8, 20);
  fixChecksum(r, 32, 36);
  return r;
}

const RSDP_ADDRESS = 0xe0000;
const TABLE_BASE = 0x0340_0000;
const PAGE = 0x1000;

// FADT pointer fields: the 32-bit one and its 64-bit X_ twin.
const FADT_FIRMWARE_CTRL = 36;
const FADT_DSDT = 40;
const FADT_X_FIRMWARE_CTRL = 132;
const FADT_X_DSDT = 140;
const FADT_X_GPE0_BLK = 220;

interface BuildOptions {
  /** Root table to build: the RSDT (with an RSDP revision 0) or the XSDT (RSDP revision 2, RSDT address 0). */
  root?: "rsdt" | "xsdt";
  /** Edits applied to a table (by file name) after relocation; the test's header length and checksum are then recomputed. */
  edit?: Record<string, (table: Uint8Array) => Uint8Array | void>;
  /** Addresses appended to the root table's entries. */
  extraEntries?: number[];
}

interface Image {
  machine: SimMachine;
  /** Where each table (by file name) was placed. */
  addr: Record<string, number>;
  /** The bytes placed there (after relocation and edits). */
  placed: Map<string, Uint8Array>;
  rootAddress: number;
  rootSignature: "RSDT" | "XSDT";
  /** File names in the root table's order. */
  rootOrder: string[];
}

/** Points a FADT pointer at `target`: each of the 32-bit and X_ fields that the original set. */
function repointFadt(fadt: Uint8Array, legacy: number, extended: number, target: number): void {
  if (getU32(fadt, legacy) !== 0) setU32(fadt, legacy, target);
  if (fadt.length >= extended + 8 && getU64(fadt, extended) !== 0n) setU64(fadt, extended, BigInt(target));
}

/**
 * Places a config's tables (all but its rsdp/rsdt/xsdt) at made-up addresses
 * one page apart, repoints the FADT at the moved DSDT and FACS, and builds a
 * fresh root table and an RSDP at 0xe0000, all with correct checksums.
 */
function buildImage(config: string, options: BuildOptions = {}): Image {
  const fixtures = readTableFixtures(config);
  for (const name of ["rsdp", "rsdt", "xsdt"]) fixtures.delete(name);
  const machine = new SimMachine();
  const addr: Record<string, number> = {};
  let next = TABLE_BASE;
  for (const [name, bytes] of fixtures) {
    addr[name] = next;
    next += Math.ceil(bytes.length / PAGE) * PAGE + PAGE; // a zero page between tables
  }
  const placed = new Map<string, Uint8Array>();
  for (const [name, original] of fixtures) {
    let bytes: Uint8Array = original.slice();
    if (name === "facp") {
      repointFadt(bytes, FADT_DSDT, FADT_X_DSDT, addr.dsdt);
      repointFadt(bytes, FADT_FIRMWARE_CTRL, FADT_X_FIRMWARE_CTRL, addr.facs ?? 0);
    }
    const edited = options.edit?.[name]?.(bytes);
    if (edited) bytes = edited;
    if (name !== "facs") {
      setU32(bytes, 4, bytes.length);
      fixChecksum(bytes, 9);
    }
    placed.set(name, bytes);
    machine.writePhys(addr[name], bytes);
  }
  const rootOrder = ["facp", "apic", ...[...fixtures.keys()].filter((n) => !["dsdt", "facs", "facp", "apic"].includes(n))];
  const entries = [...rootOrder.map((n) => addr[n]), ...(options.extraEntries ?? [])];
  const rootAddress = next;
  if (options.root === "xsdt") {
    machine.writePhys(rootAddress, sdt("XSDT", xsdtBody(entries.map(BigInt))));
    machine.writePhys(RSDP_ADDRESS, rsdpV2(0, BigInt(rootAddress)));
  } else {
    machine.writePhys(rootAddress, sdt("RSDT", rsdtBody(entries)));
    machine.writePhys(RSDP_ADDRESS, rsdpV0(rootAddress));
  }
  return { machine, addr, placed, rootAddress, rootSignature: options.root === "xsdt" ? "XSDT" : "RSDT", rootOrder };
}

/** The signatures in the order the walker reaches them: root, entries, DSDT/FACS right after the FADT. */
function expectedWalkOrder(image: Image): string[] {
  const order: string[] = [image.rootSignature];
  for (const name of image.rootOrder) {
    order.push(name.toUpperCase());
    if (name === "facp") {
      order.push("DSDT");
      if (image.addr.facs !== undefined) order.push("FACS");
    }
  }
  return order;
}

// ---- what QEMU 7.2 puts in its tables (checked against the fixture bytes) --------------

interface FadtExpectation {
  revision: number;
  sciInt: number;
  smiCmd: number;
  acpiEnable: number;
  acpiDisable: number;
  pm1aEvt: Partial<BlockJson>;
  pm1aCnt: Partial<BlockJson>;
  gpe0: Partial<BlockJson>;
  hardwareReduced: boolean;
}

// PIIX4 (pc): ACPI 1.0 FADT, PM base 0x600, GPE0 at 0xafe0.
const PC_FADT: FadtExpectation = {
  revision: 1, sciInt: 9, smiCmd: 0xb2, acpiEnable: 0xf1, acpiDisable: 0xf0,
  pm1aEvt: { space: 1, address: "0x600", length: 4, extended: false },
  pm1aCnt: { space: 1, address: "0x604", length: 2, extended: false },
  gpe0: { space: 1, address: "0xafe0", length: 4, extended: false },
  hardwareReduced: false,
};
// ICH9 (q35): ACPI 2.0 FADT whose X_ blocks are filled in. Its SMI_CMD is
// 0xb2 with enable/disable values 2/3 (the fixture bytes; iasl agrees).
const Q35_FADT: FadtExpectation = {
  revision: 3, sciInt: 9, smiCmd: 0xb2, acpiEnable: 0x02, acpiDisable: 0x03,
  pm1aEvt: { space: 1, address: "0x600", length: 4, extended: true },
  pm1aCnt: { space: 1, address: "0x604", length: 2, extended: true },
  gpe0: { space: 1, address: "0x620", length: 16, extended: true },
  hardwareReduced: false,
};
// microvm: hardware-reduced ACPI 5.0 FADT, no fixed blocks, no FACS.
const MICROVM_FADT: FadtExpectation = {
  revision: 5, sciInt: 0, smiCmd: 0, acpiEnable: 0, acpiDisable: 0,
  pm1aEvt: { address: "0x0", length: 0 },
  pm1aCnt: { address: "0x0", length: 0 },
  gpe0: { address: "0x0", length: 0 },
  hardwareReduced: true,
};

interface ConfigExpectation {
  fadt: FadtExpectation;
  /** MADT local APIC entries: total and enabled. */
  cpus: number;
  enabledCpus: number;
  ioApics: Array<{ id: number; address: string; gsiBase: number }>;
  /** ISA overrides as "irq->gsi:trigger,polarity". */
  overrides: string[];
  vmgenid: boolean;
}

const PC_OVERRIDES = [
  "0->2:conforms,conforms",
  "5->5:level,active-high",
  "9->9:level,active-high",
  "10->10:level,active-high",
  "11->11:level,active-high",
];
const IOAPIC0 = { id: 0, address: "0xfec00000", gsiBase: 0 };

const EXPECT: Record<string, ConfigExpectation> = {
  pc: { fadt: PC_FADT, cpus: 1, enabledCpus: 1, ioApics: [IOAPIC0], overrides: PC_OVERRIDES, vmgenid: true },
  "pc-novmgenid": { fadt: PC_FADT, cpus: 1, enabledCpus: 1, ioApics: [IOAPIC0], overrides: PC_OVERRIDES, vmgenid: false },
  // -smp 2,maxcpus=4: two hot-pluggable CPUs are listed disabled.
  "pc-smp2-hotplug": { fadt: PC_FADT, cpus: 4, enabledCpus: 2, ioApics: [IOAPIC0], overrides: PC_OVERRIDES, vmgenid: true },
  q35: { fadt: Q35_FADT, cpus: 1, enabledCpus: 1, ioApics: [IOAPIC0], overrides: PC_OVERRIDES, vmgenid: true },
  "q35-smp4": { fadt: Q35_FADT, cpus: 4, enabledCpus: 4, ioApics: [IOAPIC0], overrides: PC_OVERRIDES, vmgenid: true },
  microvm: {
    fadt: MICROVM_FADT, cpus: 1, enabledCpus: 1,
    ioApics: [IOAPIC0, { id: 1, address: "0xfec10000", gsiBase: 24 }],
    overrides: [], vmgenid: false,
  },
};

function expectFadt(fadt: FadtJson | null, want: FadtExpectation): void {
  expect(fadt).not.toBeNull();
  expect(fadt).toMatchObject({
    revision: want.revision,
    sciInt: want.sciInt,
    smiCmd: want.smiCmd,
    acpiEnable: want.acpiEnable,
    acpiDisable: want.acpiDisable,
    pm1aEvtBlk: want.pm1aEvt,
    pm1aCntBlk: want.pm1aCnt,
    gpe0Blk: want.gpe0,
    hardwareReduced: want.hardwareReduced,
  });
  expect(fadt!.gpe0BlkLen).toBe(want.gpe0.length);
  expect(fadt!.gpe1Blk.address).toBe("0x0");
}

function expectMadt(madt: MadtJson | null, want: ConfigExpectation): void {
  expect(madt).not.toBeNull();
  expect(madt!.localApicAddress).toBe("0xfee00000");
  expect(madt!.pcatCompat).toBe(true);
  expect(madt!.complete).toBe(true);
  expect(madt!.localApics).toHaveLength(want.cpus);
  expect(madt!.localApics.filter((c) => c.enabled)).toHaveLength(want.enabledCpus);
  expect(madt!.ioApics).toEqual(want.ioApics);
  expect(madt!.overrides.map((o) => `${o.source}->${o.gsi}:${o.trigger},${o.polarity}`)).toEqual(want.overrides);
  expect(madt!.overrides.every((o) => o.bus === 0)).toBe(true);
  expect(madt!.nmiEntries).toBe(1); // QEMU's one local APIC NMI (LINT1, all processors)
  expect(madt!.otherEntries).toBe(0);
}

// ---- 1. QEMU memory captures ------------------------------------------------------

interface Capture {
  machine: SimMachine;
  manifest: PhysmemManifest;
}

/**
 * The capture's RAM window starts at 0x7fe0000, but SeaBIOS put the FACS
 * (0x7fdf000) and the DSDT's first 4032 bytes (0x7fdf040) just below it.
 * With `supplyBelowWindow`, those bytes come from the same configuration's
 * table fixtures — after checking that the DSDT's captured tail matches.
 */
function loadCapture(name: string, config: string, supplyBelowWindow: boolean): Capture {
  const machine = new SimMachine();
  const { manifest } = loadPhysmemFixture(machine, join(PHYSMEM_FIXTURES, name));
  if (supplyBelowWindow) {
    const tables = readTableFixtures(config);
    const dsdt = tables.get("dsdt")!;
    const dsdtAddress = 0x7fdf040;
    const window = 0x7fe0000;
    expect(toHex(machine.readPhys(window, dsdt.length - (window - dsdtAddress)))).toBe(toHex(dsdt.subarray(window - dsdtAddress)));
    machine.writePhys(dsdtAddress, dsdt.subarray(0, window - dsdtAddress));
    machine.writePhys(0x7fdf000, tables.get("facs")!);
  }
  return { machine, manifest };
}

const CAPTURES = [
  {
    name: "qemu-7.2-pc-128M", config: "pc", rsdp: "0xf59d0", rsdt: "0x7fe0ba2",
    walk: ["RSDT", "FACP", "DSDT", "FACS", "APIC", "SSDT", "HPET", "WAET"],
    ssdt: "0x7fe0a78", fadt: PC_FADT,
  },
  {
    name: "qemu-7.2-q35-128M", config: "q35", rsdp: "0xf59e0", rsdt: "0x7fe13ab",
    walk: ["RSDT", "FACP", "DSDT", "FACS", "APIC", "SSDT", "HPET", "MCFG", "WAET"],
    ssdt: "0x7fe1245", fadt: Q35_FADT,
  },
];

describe("ACPI discovery on QEMU 7.2 memory captures", () => {
  for (const capture of CAPTURES) {
    describe(capture.name, () => {
      it("follows RSDP → RSDT → every table, with checksums OK and no errors", () => {
        const { machine } = loadCapture(capture.name, capture.config, true);
        const { discovery } = discover(machine);
        expect(discovery.rsdp).toEqual({
          phys: capture.rsdp, revision: 0, oemId: "BOCHS", rsdtAddress: capture.rsdt, xsdtAddress: "0x0", length: 20,
        });
        expect(discovery.root).toMatchObject({ signature: "RSDT", phys: capture.rsdt, bad: "" });
        expect(discovery.tables.map((t) => t.signature)).toEqual(capture.walk);
        for (const t of discovery.tables) {
          expect(t, t.signature).toMatchObject({ checksumOk: true, bad: "" });
          expect(t.copiedLength, t.signature).toBe(t.length);
        }
        expect(tableNamed(discovery, "DSDT").phys).toBe("0x7fdf040");
        expect(discovery.facs).toMatchObject({ signature: "FACS", phys: "0x7fdf000", length: 64 });
        expect(discovery.errors).toEqual([]);
      });

      it("hands the DSDT and the VMGENID SSDT, whole, to the AML loader", () => {
        const { machine, manifest } = loadCapture(capture.name, capture.config, true);
        const { discovery, amlHex } = discover(machine);
        expect(discovery.aml.map((t) => `${t.signature}@${t.phys}`)).toEqual(["DSDT@0x7fdf040", `SSDT@${capture.ssdt}`]);
        const ssdt = discovery.aml[1];
        expect(ssdt).toMatchObject({ oemId: "BOCHS", oemTableId: "VMGENID", revision: 1, length: 202 });
        // The copy is the whole table, header included, byte for byte.
        expect(amlHex[1]).toBe(toHex(machine.readPhys(Number(ssdt.phys), ssdt.length)));
        expect(amlHex[1].startsWith(toHex(new TextEncoder().encode("SSDT")))).toBe(true);
        const vgia = Number.parseInt(manifest.expect.vgia, 16);
        expect(amlHex[1]).toContain(vgiaAml(vgia));
        expect(amlHex[0].length / 2).toBe(discovery.aml[0].length);
      });

      it("decodes the FADT and the MADT's SCI override", () => {
        const { machine } = loadCapture(capture.name, capture.config, true);
        const { discovery } = discover(machine);
        expectFadt(discovery.fadt, capture.fadt);
        expect(discovery.fadt).toMatchObject({ dsdt: "0x7fdf040", facs: "0x7fdf000" });
        const sciOverride = discovery.madt!.overrides.find((o) => o.source === discovery.fadt!.sciInt);
        // Bytes 02 0a 00 09 09000000 0d00: ISA IRQ 9 → GSI 9, flags 0x000d.
        expect(sciOverride).toEqual({ bus: 0, source: 9, gsi: 9, flags: 0x0d, polarity: "active-high", trigger: "level" });
      });

      it("logs one summary line per table, plus the FADT and MADT decodes", () => {
        const { machine } = loadCapture(capture.name, capture.config, true);
        const { log } = discover(machine);
        expect(log).toContain(`acpi: SSDT@${capture.ssdt} len=202 rev=1 BOCHS VMGENID`);
        expect(log).toContain("acpi: FACS@0x7fdf000 len=64");
        expect(log.filter((l) => /^acpi: (?!RSDP)[A-Z]{4}@0x/.test(l))).toHaveLength(capture.walk.length);
        expect(log).toContainEqual(expect.stringMatching(
          new RegExp(`^acpi: FADT rev=${capture.fadt.revision} sci=9 smi_cmd=0xb2 .* gpe0=io:${capture.fadt.gpe0.address}/${capture.fadt.gpe0.length} `)));
        expect(log).toContainEqual(expect.stringMatching(/^acpi: MADT local_apic=0xfee00000 pcat_compat cpus=1\/1 .*irq9->gsi9:level,active-high/));
      });

      it("reports the DSDT and FACS outside the capture as absent, and still finds the rest", () => {
        const { machine } = loadCapture(capture.name, capture.config, false);
        const { discovery } = discover(machine);
        // 0x7fdf000 reads as zeros here: no signature, so no table.
        expect(discovery.errors.map((e) => `${e.signature}@${e.phys} ${e.reason}`)).toEqual([
          "????@0x7fdf040 bad-signature",
          "????@0x7fdf000 bad-signature",
        ]);
        expect(discovery.aml.map((t) => t.signature)).toEqual(["SSDT"]);
        expect(discovery.facs).toBeNull();
        expect(discovery.fadt).not.toBeNull();
        expect(discovery.madt).not.toBeNull();
        expect(discovery.tables.filter((t) => t.bad === "").map((t) => t.signature))
          .toEqual(capture.walk.filter((s) => s !== "DSDT" && s !== "FACS"));
      });
    });
  }
});

// ---- 2. every QEMU table fixture in synthetic memory -------------------------------------

describe("ACPI discovery on every QEMU 7.2 table set, relocated", () => {
  for (const config of CONFIGS) {
    it(`${config}: finds every table, checksums OK, and decodes FADT and MADT`, () => {
      const image = buildImage(config, { root: config === "microvm" ? "xsdt" : "rsdt" });
      const { discovery, amlHex } = discover(image.machine);
      const want = EXPECT[config];

      expect(discovery.rsdp?.phys).toBe(hex0x(RSDP_ADDRESS));
      expect(discovery.root).toMatchObject({ signature: image.rootSignature, phys: hex0x(image.rootAddress) });
      expect(discovery.tables.map((t) => t.signature)).toEqual(expectedWalkOrder(image));
      for (const [name, bytes] of image.placed) {
        const table = tableNamed(discovery, name.toUpperCase());
        expect(table, name).toMatchObject({ phys: hex0x(image.addr[name]), length: bytes.length, checksumOk: true, bad: "" });
      }
      expect(discovery.errors).toEqual([]);

      expectFadt(discovery.fadt, want.fadt);
      expect(discovery.fadt!.dsdt).toBe(hex0x(image.addr.dsdt));
      expect(discovery.fadt!.facs).toBe(image.addr.facs === undefined ? "0x0" : hex0x(image.addr.facs));
      expect(discovery.facs?.phys ?? null).toBe(image.addr.facs === undefined ? null : hex0x(image.addr.facs));
      expectMadt(discovery.madt, want);

      // AML tables: the DSDT, then the SSDT when vmgenid is configured; the
      // copies equal the fixture bytes exactly.
      expect(discovery.aml.map((t) => t.signature)).toEqual(want.vmgenid ? ["DSDT", "SSDT"] : ["DSDT"]);
      expect(amlHex[0]).toBe(toHex(image.placed.get("dsdt")!));
      if (want.vmgenid) {
        expect(discovery.aml[1].oemTableId).toBe("VMGENID");
        expect(amlHex[1]).toBe(toHex(image.placed.get("ssdt")!));
        expect(amlHex[1]).toMatch(/08564749410c[0-9a-f]{8}/);
      }
    });
  }

  it("microvm: uses its own RSDP revision 2 and XSDT at their original addresses", () => {
    const tables = readTableFixtures("microvm");
    const rsdp = tables.get("rsdp")!;
    const xsdt = tables.get("xsdt")!;
    const xsdtAddress = Number(getU64(rsdp, 24));
    const machine = new SimMachine();
    machine.writePhys(RSDP_ADDRESS, rsdp);
    machine.writePhys(xsdtAddress, xsdt);
    // The XSDT's two entries are the FADT and the MADT; the FADT names the DSDT.
    const [facpAddress, apicAddress] = [Number(getU64(xsdt, 36)), Number(getU64(xsdt, 44))];
    const facp = tables.get("facp")!;
    machine.writePhys(facpAddress, facp);
    machine.writePhys(apicAddress, tables.get("apic")!);
    machine.writePhys(Number(getU64(facp, FADT_X_DSDT)), tables.get("dsdt")!);

    const { discovery } = discover(machine);
    expect(discovery.rsdp).toMatchObject({ revision: 2, length: 36, rsdtAddress: "0x0", xsdtAddress: hex0x(xsdtAddress) });
    expect(discovery.tables.map((t) => `${t.signature}@${t.phys}`)).toEqual([
      `XSDT@${hex0x(xsdtAddress)}`, `FACP@${hex0x(facpAddress)}`, "DSDT@0xefd00", `APIC@${hex0x(apicAddress)}`,
    ]);
    expect(discovery.errors).toEqual([]);
    expect(discovery.fadt).toMatchObject({ revision: 5, length: 268, hardwareReduced: true, facs: "0x0" });
    expect(discovery.fadt!.flags & (1 << 20)).not.toBe(0);
  });
});

// ---- 3. bad input ---------------------------------------------------------------------

function errorsOf(discovery: DiscoveryJson): string[] {
  return discovery.errors.map((e) => `${e.signature}@${e.phys} ${e.reason}`);
}

describe("bad tables are reported by signature and reason, skipped, and the walk goes on", () => {
  it("a table with a wrong checksum", () => {
    const image = buildImage("pc");
    image.machine.writePhys(image.addr.hpet + 40, new Uint8Array([0x5a])); // body byte, checksum untouched
    const { discovery, log } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`HPET@${hex0x(image.addr.hpet)} checksum`]);
    expect(tableNamed(discovery, "HPET")).toMatchObject({ checksumOk: false, bad: "checksum" });
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`^acpi: HPET@${hex0x(image.addr.hpet)} checksum: bytes sum to 0x[0-9a-f]+ \\(must be 0\\); skipped$`)));
    expect(log).toContain(`acpi: HPET@${hex0x(image.addr.hpet)} len=56 rev=1 BOCHS BXPC bad=checksum`);
    for (const sig of ["FACP", "DSDT", "FACS", "APIC", "SSDT", "WAET"]) expect(tableNamed(discovery, sig).bad, sig).toBe("");
    expect(discovery.fadt).not.toBeNull();
    expect(discovery.madt).not.toBeNull();
  });

  it("an SSDT with a wrong checksum is not handed to the AML loader", () => {
    const image = buildImage("pc");
    image.machine.writePhys(image.addr.ssdt + 100, new Uint8Array([0x00]));
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`SSDT@${hex0x(image.addr.ssdt)} checksum`]);
    expect(discovery.aml.map((t) => t.signature)).toEqual(["DSDT"]);
  });

  it("a DSDT with a wrong checksum leaves dsdt empty; the FADT decode stands", () => {
    const image = buildImage("q35");
    image.machine.writePhys(image.addr.dsdt + 500, new Uint8Array([0xee]));
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`DSDT@${hex0x(image.addr.dsdt)} checksum`]);
    expect(discovery.aml.map((t) => t.signature)).toEqual(["SSDT"]);
    expect(discovery.fadt?.gpe0Blk.address).toBe("0x620");
  });

  it("lengths: below the header, above 1 MiB, and running past 4 GiB", () => {
    const image = buildImage("pc", { extraEntries: [0xffff_ff00, 0xffff_fff0] });
    const view32 = (addr: number, value: number) => {
      const b = new Uint8Array(4);
      setU32(b, 0, value);
      image.machine.writePhys(addr, b);
    };
    view32(image.addr.waet + 4, 20);
    view32(image.addr.hpet + 4, 0x20_0000);
    // A plausible header 256 bytes below 4 GiB that claims 512 bytes.
    const high = sdt("OEM1", new Uint8Array(0));
    setU32(high, 4, 512);
    image.machine.writePhys(0xffff_ff00, high);
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([
      `HPET@${hex0x(image.addr.hpet)} length-too-large`,
      `WAET@${hex0x(image.addr.waet)} length-too-small`,
      "OEM1@0xffffff00 beyond-4gib",
      // Not even a header fits below 4 GiB here: nothing is read.
      "????@0xfffffff0 beyond-4gib",
    ]);
    expect(tableNamed(discovery, "HPET")).toMatchObject({ length: 0x20_0000, copiedLength: 0, bad: "length-too-large" });
    expect(tableNamed(discovery, "WAET")).toMatchObject({ length: 20, copiedLength: 0, bad: "length-too-small" });
    expect(discovery.aml.map((t) => t.signature)).toEqual(["DSDT", "SSDT"]);
  });

  it("a table of exactly 1 MiB is accepted and one byte more is not", () => {
    const big = new Uint8Array((1 << 20) - 36);
    big[0] = 0x10; // anything: the walker does not parse SSDT bodies
    const exact = sdt("SSDT", big);
    const over = sdt("SSDT", new Uint8Array(1 << 20).fill(0, 0));
    const image = buildImage("pc-novmgenid", { extraEntries: [0x0100_0000, 0x0200_0000] });
    image.machine.writePhys(0x0100_0000, exact);
    image.machine.writePhys(0x0200_0000, over);
    const { kernel, discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual(["SSDT@0x2000000 length-too-large"]);
    expect(discovery.aml.map((t) => `${t.signature}@${t.phys}/${t.length}`)).toEqual([
      `DSDT@${hex0x(image.addr.dsdt)}/6476`, `SSDT@0x1000000/${1 << 20}`,
    ]);
    const copy = kernel.__getString(kernel.acpiAmlTableHex(1));
    expect(copy.length).toBe(2 << 20);
    expect(copy.slice(0, 80)).toBe(toHex(exact.subarray(0, 40)));
  });

  it("stops copying at the 4 MiB budget instead of exhausting memory", () => {
    const body = new Uint8Array((1 << 20) - 36);
    const entries = [0x0100_0000, 0x0120_0000, 0x0140_0000, 0x0160_0000];
    const image = buildImage("pc-novmgenid", { extraEntries: entries });
    for (const at of entries) image.machine.writePhys(at, sdt("SSDT", body));
    const { discovery } = discover(image.machine);
    // The QEMU tables and three 1 MiB SSDTs fit; the fourth would not.
    expect(errorsOf(discovery)).toEqual(["SSDT@0x1600000 copy-budget"]);
    expect(discovery.aml).toHaveLength(4);
  });

  it("root entries pointing at nothing and at garbage", () => {
    const garbage = new Uint8Array(256);
    let seed = 0x1234567;
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      garbage[i] = seed >>> 24;
    }
    garbage.set([0x80, 0x81, 0x82, 0x83], 0); // not ASCII
    const plausible = sdt("JUNK", new Uint8Array(64).fill(7));
    plausible[50] ^= 0xff;
    const image = buildImage("pc", { extraEntries: [0, 0x0500_0000, 0x0500_1000] });
    image.machine.writePhys(0x0500_0000, garbage);
    image.machine.writePhys(0x0500_1000, plausible);
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([
      "????@0x0 null-address",
      "????@0x5000000 bad-signature",
      "JUNK@0x5001000 checksum",
    ]);
    expect(discovery.tables.filter((t) => t.bad === "").map((t) => t.signature))
      .toEqual(["RSDT", "FACP", "DSDT", "FACS", "APIC", "HPET", "SSDT", "WAET"]);
  });

  it("an address listed twice is loaded once", () => {
    const probe = buildImage("pc");
    const image = buildImage("pc", { extraEntries: [probe.addr.ssdt, probe.addr.facp] });
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([
      `SSDT@${hex0x(image.addr.ssdt)} duplicate`,
      `FACP@${hex0x(image.addr.facp)} duplicate`,
    ]);
    expect(discovery.errors[0].detail).toBe("RSDT lists this address again; ignored");
    expect(discovery.aml.map((t) => t.signature)).toEqual(["DSDT", "SSDT"]);
    expect(discovery.tables.filter((t) => t.signature === "SSDT")).toHaveLength(1);
  });

  it("an RSDT that also lists the DSDT: loaded once, before or after the FADT", () => {
    const after = buildImage("pc");
    after.machine.writePhys(after.rootAddress, sdt("RSDT", rsdtBody([...after.rootOrder.map((n) => after.addr[n]), after.addr.dsdt])));
    const late = discover(after.machine).discovery;
    expect(errorsOf(late)).toEqual([`DSDT@${hex0x(after.addr.dsdt)} duplicate`]);
    expect(late.errors[0].detail).toBe("already loaded through the FADT; the RSDT entry is ignored");
    expect(late.aml.map((t) => t.signature)).toEqual(["DSDT", "SSDT"]);

    const before = buildImage("pc");
    before.machine.writePhys(before.rootAddress, sdt("RSDT", rsdtBody([before.addr.dsdt, ...before.rootOrder.map((n) => before.addr[n])])));
    const early = discover(before.machine).discovery;
    expect(early.errors).toEqual([]);
    expect(early.tables.map((t) => t.signature)).toEqual(["RSDT", "DSDT", "FACP", "FACS", "APIC", "HPET", "SSDT", "WAET"]);
    expect(early.aml.map((t) => `${t.signature}@${t.phys}`)).toEqual([`DSDT@${hex0x(before.addr.dsdt)}`, `SSDT@${hex0x(before.addr.ssdt)}`]);
  });

  it("a FADT pointing its DSDT at the SSDT: DSDT wrong, SSDT still loaded", () => {
    const probe = buildImage("pc");
    const image = buildImage("pc", { edit: { facp: (t) => setU32(t, FADT_DSDT, probe.addr.ssdt) } });
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`SSDT@${hex0x(image.addr.ssdt)} wrong-signature`]);
    expect(discovery.errors[0].detail).toBe("expected DSDT, found SSDT");
    expect(discovery.aml.map((t) => `${t.signature}@${t.phys}`)).toEqual([`SSDT@${hex0x(image.addr.ssdt)}`]);
  });

  it("a root table full of zero entries stops at the entry limit", () => {
    // 300 distinct addresses of zeroed memory after the 4 real entries.
    const nowhere = Array.from({ length: 300 }, (_, i) => 0x0600_0000 + 16 * i);
    const image = buildImage("pc-novmgenid", { extraEntries: nowhere });
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)[0]).toBe(`RSDT@${hex0x(image.rootAddress)} too-many-entries`);
    // 256 entries walked: FACP, APIC, HPET, WAET and the first 252 empty addresses.
    expect(discovery.errors.filter((e) => e.reason === "bad-signature")).toHaveLength(252);
    expect(discovery.errors.at(-1)?.phys).toBe(hex0x(0x0600_0000 + 16 * 251));
    expect(discovery.fadt).not.toBeNull();
  });

  it("an RSDT with a trailing partial entry uses the whole ones", () => {
    const image = buildImage("pc");
    const rsdt = image.machine.readPhys(image.rootAddress, 36 + 5 * 4);
    const longer = new Uint8Array(rsdt.length + 2);
    longer.set(rsdt);
    setU32(longer, 4, longer.length);
    fixChecksum(longer, 9);
    image.machine.writePhys(image.rootAddress, longer);
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`RSDT@${hex0x(image.rootAddress)} partial-entry`]);
    expect(discovery.tables).toHaveLength(8);
  });
});

describe("RSDP search", () => {
  it("skips a candidate with a bad checksum and finds a good one later in the scan", () => {
    const image = buildImage("pc");
    const bad = rsdpV0(image.rootAddress);
    bad[19] ^= 1;
    image.machine.writePhys(RSDP_ADDRESS, bad);
    image.machine.writePhys(0xf0010, rsdpV0(image.rootAddress, "GOODPT"));
    const { discovery, log } = discover(image.machine);
    expect(discovery.rsdp).toMatchObject({ phys: "0xf0010", oemId: "GOODPT" });
    expect(errorsOf(discovery)).toEqual(["RSDP@0xe0000 checksum"]);
    expect(log[0]).toMatch(/^acpi: RSDP@0xe0000 checksum: first 20 bytes sum to 0x[0-9a-f]+ \(must be 0\); skipped$/);
    expect(discovery.fadt).not.toBeNull();
  });

  it("with no valid RSDP anywhere, says so and finds nothing", () => {
    const image = buildImage("pc");
    const bad = rsdpV0(image.rootAddress);
    bad[8] ^= 0x40;
    image.machine.writePhys(RSDP_ADDRESS, bad);
    const { discovery, log } = discover(image.machine);
    expect(discovery.rsdp).toBeNull();
    expect(discovery.tables).toEqual([]);
    expect(errorsOf(discovery)).toEqual(["RSDP@0xe0000 checksum"]);
    expect(log.at(-1)).toBe("acpi: no RSDP found in the EBDA or at 0xe0000-0xfffff; continuing without ACPI");
  });

  // The scan passes over four boundaries at a time (acpi/rsdp.ts): a
  // candidate in any slot of a group, at a 4 KiB copy's last boundary or
  // at the region's last one it fits in is still found where it is.
  it.each([0xe0010, 0xe0020, 0xe0030, 0xe0040, 0xe0ff0, 0xe1000, 0xf59d0, 0xfffe0])("finds a lone RSDP at %s", (at) => {
    const image = buildImage("pc");
    image.machine.writePhys(RSDP_ADDRESS, new Uint8Array(20));
    image.machine.writePhys(at, rsdpV0(image.rootAddress, "MOVED"));
    const { discovery } = discover(image.machine);
    expect(discovery.rsdp).toMatchObject({ phys: hex0x(at), oemId: "MOVED" });
    expect(discovery.errors).toEqual([]);
  });

  it("after a bad candidate, finds a good one in the next slot of the same group", () => {
    const image = buildImage("pc");
    const bad = rsdpV0(image.rootAddress);
    bad[19] ^= 1;
    image.machine.writePhys(RSDP_ADDRESS, new Uint8Array(20));
    image.machine.writePhys(0xe0410, bad);
    image.machine.writePhys(0xe0420, rsdpV0(image.rootAddress, "NEXT"));
    const { discovery } = discover(image.machine);
    expect(discovery.rsdp).toMatchObject({ phys: "0xe0420", oemId: "NEXT" });
    expect(errorsOf(discovery)).toEqual(["RSDP@0xe0410 checksum"]);
  });

  it("reports a signature at the last boundary, where 20 bytes do not fit", () => {
    const image = buildImage("pc");
    image.machine.writePhys(RSDP_ADDRESS, new Uint8Array(20));
    image.machine.writePhys(0xffff0, rsdpV0(image.rootAddress).subarray(0, 16));
    const { discovery } = discover(image.machine);
    expect(discovery.rsdp).toBeNull();
    expect(errorsOf(discovery)).toEqual(["RSDP@0xffff0 rsdp-length"]);
  });

  it("ignores a signature that is not on a 16-byte boundary", () => {
    const image = buildImage("pc");
    image.machine.writePhys(RSDP_ADDRESS, new Uint8Array(20));
    image.machine.writePhys(0xe0108, rsdpV0(image.rootAddress));
    const { discovery } = discover(image.machine);
    expect(discovery.rsdp).toBeNull();
    expect(discovery.errors).toEqual([]);
  });

  it("looks in the first KiB of the EBDA before the BIOS area", () => {
    const image = buildImage("pc");
    const ebdaSegment = new Uint8Array([0xc0, 0x9f]); // 0x9fc0 → 0x9fc00
    image.machine.writePhys(0x40e, ebdaSegment);
    image.machine.writePhys(0x9fc00 + 0x3e0, rsdpV0(image.rootAddress, "EBDA")); // last slot it fits in
    const { discovery } = discover(image.machine);
    expect(discovery.rsdp).toMatchObject({ phys: "0x9ffe0", oemId: "EBDA" });
    expect(discovery.errors).toEqual([]);
  });

  it("does not look past the EBDA's first KiB", () => {
    const image = buildImage("pc");
    image.machine.writePhys(0x40e, new Uint8Array([0x00, 0x90])); // 0x9000 → 0x90000
    image.machine.writePhys(0x90000 + 0x400, rsdpV0(image.rootAddress, "EBDA"));
    const { discovery } = discover(image.machine);
    expect(discovery.rsdp).toMatchObject({ phys: "0xe0000", oemId: "CLSAFE" });
  });

  it("checks a revision 2 RSDP's extended checksum", () => {
    const image = buildImage("pc", { root: "xsdt" });
    const bad = rsdpV2(0, BigInt(image.rootAddress));
    bad[35] ^= 0x10; // a reserved byte: covered only by the extended checksum
    image.machine.writePhys(RSDP_ADDRESS, bad);
    const { discovery } = discover(image.machine);
    expect(discovery.rsdp).toBeNull();
    expect(errorsOf(discovery)).toEqual(["RSDP@0xe0000 extended-checksum"]);
  });

  it("prefers the XSDT, and falls back to the RSDT when the XSDT is bad", () => {
    const image = buildImage("q35", { root: "xsdt" });
    const entries = image.rootOrder.map((n) => image.addr[n]);
    const rsdtAddress = image.rootAddress + PAGE;
    image.machine.writePhys(rsdtAddress, sdt("RSDT", rsdtBody(entries)));
    image.machine.writePhys(RSDP_ADDRESS, rsdpV2(rsdtAddress, BigInt(image.rootAddress)));

    const good = discover(image.machine);
    expect(good.discovery.root).toMatchObject({ signature: "XSDT", phys: hex0x(image.rootAddress) });
    expect(good.discovery.tables.map((t) => t.signature)).not.toContain("RSDT");

    image.machine.writePhys(image.rootAddress + 36, new Uint8Array([0x99])); // XSDT checksum now wrong
    const fallback = discover(image.machine);
    expect(errorsOf(fallback.discovery)).toEqual([`XSDT@${hex0x(image.rootAddress)} checksum`]);
    expect(fallback.discovery.root).toMatchObject({ signature: "RSDT", phys: hex0x(rsdtAddress) });
    expect(fallback.log).toContain(`acpi: XSDT unusable; falling back to the RSDT at ${hex0x(rsdtAddress)}`);
    expect(fallback.discovery.aml.map((t) => t.signature)).toEqual(["DSDT", "SSDT"]);
  });

  it("reads 64-bit XSDT entries and refuses those above 4 GiB", () => {
    const image = buildImage("q35", { root: "xsdt" });
    const entries = [...image.rootOrder.map((n) => BigInt(image.addr[n])), 0x1_0000_0000n + BigInt(image.addr.hpet)];
    image.machine.writePhys(image.rootAddress, sdt("XSDT", xsdtBody(entries)));
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`????@${hex0x(0x1_0000_0000n + BigInt(image.addr.hpet))} beyond-4gib`]);
    expect(tableNamed(discovery, "HPET").phys).toBe(hex0x(image.addr.hpet));
  });
});

describe("FADT decoding", () => {
  it("prefers non-zero X_ fields over the 32-bit ones", () => {
    const image = buildImage("q35", {
      edit: {
        facp: (t) => {
          setU32(t, FADT_DSDT, 0x0bad_0000); // never read: X_DSDT wins
          setU64(t, FADT_X_GPE0_BLK + 4, 0x640n);
          t[FADT_X_GPE0_BLK] = 0; // SystemMemory
        },
      },
    });
    const { discovery } = discover(image.machine);
    expect(discovery.errors).toEqual([]);
    expect(discovery.fadt!.dsdt).toBe(hex0x(image.addr.dsdt));
    expect(discovery.fadt!.gpe0Blk).toEqual({ space: 0, address: "0x640", length: 16, extended: true });
    expect(discovery.fadt!.pm1aEvtBlk).toEqual({ space: 1, address: "0x600", length: 4, extended: true });
  });

  it("falls back to the 32-bit fields where the X_ field is zero", () => {
    const image = buildImage("q35", {
      edit: {
        facp: (t) => {
          setU64(t, FADT_X_DSDT, 0n);
          setU64(t, FADT_X_GPE0_BLK + 4, 0n);
        },
      },
    });
    const { discovery } = discover(image.machine);
    expect(discovery.errors).toEqual([]);
    expect(discovery.aml[0].phys).toBe(hex0x(image.addr.dsdt));
    expect(discovery.fadt!.gpe0Blk).toEqual({ space: 1, address: "0x620", length: 16, extended: false });
  });

  it("reads nothing past a revision 1 FADT's 116 bytes", () => {
    const image = buildImage("pc");
    // What follows the FADT in memory looks like X_ fields full of ones.
    image.machine.writePhys(image.addr.facp + 116, new Uint8Array(256).fill(0xff));
    const { discovery } = discover(image.machine);
    expect(discovery.errors).toEqual([]);
    expectFadt(discovery.fadt, PC_FADT);
    expect(discovery.fadt).toMatchObject({ length: 116, dsdt: hex0x(image.addr.dsdt), facs: hex0x(image.addr.facs) });
  });

  it("decodes what fits in a truncated FADT and says it is short", () => {
    const image = buildImage("pc", { edit: { facp: (t) => t.slice(0, 64) } });
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`FACP@${hex0x(image.addr.facp)} short-fadt`]);
    expect(discovery.fadt).toMatchObject({ length: 64, sciInt: 9, smiCmd: 0xb2, acpiEnable: 0xf1, dsdt: hex0x(image.addr.dsdt) });
    expect(discovery.fadt!.pm1aEvtBlk.address).toBe("0x600"); // offset 56..59 fits
    expect(discovery.fadt!.pm1aCntBlk.address).toBe("0x0"); // offset 64 does not
    expect(discovery.fadt!.gpe0Blk).toEqual({ space: 1, address: "0x0", length: 0, extended: false });
    expect(discovery.aml[0].signature).toBe("DSDT");
  });
});

describe("MADT decoding", () => {
  // pc's MADT entries start at 0x2c: local APIC (8), IOAPIC (12), five
  // overrides (10 each, at 0x40, 0x4a, 0x54, 0x5e, 0x68), local APIC NMI (6).
  it("stops at an entry of length 0, naming its offset, and keeps what came before", () => {
    const image = buildImage("pc", { edit: { apic: (t) => { t[0x4a + 1] = 0; } } });
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`APIC@${hex0x(image.addr.apic)} entry-length`]);
    expect(discovery.errors[0].detail).toBe("entry at offset 0x4a (type 2) has length 0; rest of the table ignored");
    expect(discovery.madt).toMatchObject({ complete: false, nmiEntries: 0 });
    expect(discovery.madt!.localApics).toHaveLength(1);
    expect(discovery.madt!.ioApics).toHaveLength(1);
    expect(discovery.madt!.overrides.map((o) => o.source)).toEqual([0]);
    expect(discovery.aml.map((t) => t.signature)).toEqual(["DSDT", "SSDT"]);
  });

  it("stops at an entry that runs past the table's end", () => {
    const image = buildImage("pc", { edit: { apic: (t) => { t[0x72 + 1] = 0x20; } } });
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`APIC@${hex0x(image.addr.apic)} entry-overrun`]);
    expect(discovery.errors[0].detail).toMatch(/^entry at offset 0x72 \(type 4, length 32\) runs past the table's end \(120 bytes\)/);
    expect(discovery.madt!.overrides).toHaveLength(5);
    expect(discovery.madt!.complete).toBe(false);
  });

  it("skips a known entry too short for its type and walks on", () => {
    // The IOAPIC entry (0x34) claims 4 bytes; the walk resumes at 0x38, which
    // now lands inside the old entry, so build a clean table instead.
    const body = new Uint8Array([
      0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00, // local APIC address, PCAT_COMPAT
      0x01, 0x04, 0x00, 0x00, // IOAPIC with length 4
      0x02, 0x0a, 0x00, 0x09, 0x09, 0x00, 0x00, 0x00, 0x0f, 0x00, // IRQ 9: level, active low
      0x05, 0x0c, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00, // local APIC address override
      0x09, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // x2APIC: stepped over
    ]);
    const image = buildImage("pc", { edit: { apic: () => sdt("APIC", body) } });
    const { discovery } = discover(image.machine);
    expect(errorsOf(discovery)).toEqual([`APIC@${hex0x(image.addr.apic)} entry-too-short`]);
    expect(discovery.madt).toMatchObject({ localApicAddress: "0x1fee00000", complete: true, otherEntries: 1, ioApics: [] });
    expect(discovery.madt!.overrides).toEqual([
      { bus: 0, source: 9, gsi: 9, flags: 0x0f, polarity: "active-low", trigger: "level" },
    ]);
  });
});

describe("copies, not views", () => {
  it("keeps the copied bytes when physical memory changes afterwards", () => {
    const image = buildImage("pc");
    const { kernel, discovery, amlHex } = discover(image.machine);
    image.machine.writePhys(image.addr.ssdt, new Uint8Array(202).fill(0xcc));
    expect(discovery.aml[1].signature).toBe("SSDT");
    expect(kernel.__getString(kernel.acpiAmlTableHex(1))).toBe(amlHex[1]);
    expect(kernel.__getString(kernel.acpiAmlTableHex(2))).toBe("");
    expect(kernel.__getString(kernel.acpiAmlTableHex(-1))).toBe("");
  });
});

// ---- 4. the `acpi` shell command ----------------------------------------------------------

describe("acpi shell command", () => {
  it("answers one line listing every table of the pc capture", () => {
    const { machine } = loadCapture("qemu-7.2-pc-128M", "pc", true);
    const kernel = bootOn(machine);
    kernel.acpiDiscoverJson();
    expect(typeAndServe(machine, kernel, "acpi\r")).toEqual([
      "acpi",
      "acpi: RSDT@0x7fe0ba2 len=56 rev=1 FACP@0x7fe098c len=116 rev=1 DSDT@0x7fdf040 len=6476 rev=1 " +
        "FACS@0x7fdf000 len=64 APIC@0x7fe0a00 len=120 rev=1 SSDT@0x7fe0a78 len=202 rev=1 " +
        "HPET@0x7fe0b42 len=56 rev=1 WAET@0x7fe0b7a len=40 rev=1",
    ]);
  });

  it("marks bad tables with their reason", () => {
    const image = buildImage("pc");
    image.machine.writePhys(image.addr.waet + 39, new Uint8Array([0x77]));
    const kernel = bootOn(image.machine);
    kernel.acpiDiscoverJson();
    const out = typeAndServe(image.machine, kernel, "acpi\r");
    expect(out).toHaveLength(2);
    expect(out[1]).toMatch(/^acpi: RSDT@0x[0-9a-f]+ len=56 rev=1 /);
    expect(out[1]).toContain(`WAET@${hex0x(image.addr.waet)} len=40 rev=1 bad=checksum`);
    expect(out[1].match(/bad=/g)).toHaveLength(1);
  });

  it("answers no RSDP found when there is none", () => {
    const machine = new SimMachine();
    const kernel = bootOn(machine);
    kernel.acpiDiscoverJson();
    expect(typeAndServe(machine, kernel, "acpi\r")).toEqual(["acpi", "acpi: no RSDP found"]);
  });

  it("shows the latest discovery, is listed by help, and takes no arguments but dump", () => {
    const image = buildImage("microvm", { root: "xsdt" });
    const kernel = bootOn(image.machine);
    kernel.acpiDiscoverJson();
    image.machine.writePhys(RSDP_ADDRESS, new Uint8Array(36));
    kernel.acpiDiscoverJson(); // registering again replaces what the command shows
    expect(typeAndServe(image.machine, kernel, "acpi\r").at(-1)).toBe("acpi: no RSDP found");
    expect(typeAndServe(image.machine, kernel, "help\r").at(-1)).toMatch(/^help: .*\bacpi \[dump <n\|rsdp>\]/);
    expect(typeAndServe(image.machine, kernel, "acpi tables\r").at(-1)).toBe("error: acpi: takes no arguments, or dump <n|rsdp>");
    expect(typeAndServe(image.machine, kernel, "acpi dump rsdp\r").at(-1)).toBe("error: acpi: no RSDP found");
  });

  it("dump: each table and the RSDP as the bytes read, which make fixtures writes to files", () => {
    const image = buildImage("pc");
    const kernel = bootOn(image.machine);
    kernel.acpiDiscoverJson();
    const listing = typeAndServe(image.machine, kernel, "acpi\r").at(-1)!;
    const found = [...listing.matchAll(/([A-Z]{4})@0x([0-9a-f]+) len=(\d+)/g)];
    expect(found.length).toBe(image.rootOrder.length + 3); // the root, its entries, the DSDT and FACS
    found.forEach(([, signature, at, length], n) => {
      const line = typeAndServe(image.machine, kernel, `acpi dump ${n}\r`).at(-1)!;
      const m = /^acpi: dump ([A-Z]{4}) 0x([0-9a-f]+) ([0-9a-f]+)$/.exec(line);
      expect(m, line.slice(0, 80)).not.toBeNull();
      expect([m![1], m![2], m![3].length]).toEqual([signature, at, 2 * Number(length)]);
      // Every table but the root (which the test builds) is a fixture file, byte for byte.
      if (signature !== "RSDT") expect(Buffer.from(m![3], "hex").equals(Buffer.from(image.placed.get(signature.toLowerCase())!))).toBe(true);
    });
    const rsdp = typeAndServe(image.machine, kernel, "acpi dump rsdp\r").at(-1)!;
    expect(rsdp).toMatch(new RegExp(`^acpi: dump RSDP 0x${RSDP_ADDRESS.toString(16)} 5253442050545220[0-9a-f]{24}$`));
    expect(typeAndServe(image.machine, kernel, `acpi dump ${found.length}\r`).at(-1))
      .toBe(`error: acpi: no table ${found.length} (0..${found.length - 1} or rsdp)`);
    expect(typeAndServe(image.machine, kernel, "acpi dump x\r").at(-1)).toBe(`error: acpi: no table x (0..${found.length - 1} or rsdp)`);
  });
});
