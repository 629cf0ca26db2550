// Host-build entry points for ACPI discovery (exported by kernel/host/index.ts):
// run discovery on the simulated machine and hand its result to tests and
// host tools as JSON, since only numbers and strings cross the export
// boundary. Addresses are "0x…" strings (u64 does not fit a JSON number).
// Owns: the JSON form of an AcpiDiscovery. May call: acpi/index.ts. Never:
// used by the machine build (main.ts does not import it).

import { hex, hex0x } from "../lib/fmt";
import { AcpiDiscovery, discoverAcpi, registerAcpiCommand } from "../acpi/index";
import { AcpiTable } from "../acpi/tables";
import { Fadt, RegisterBlock } from "../acpi/fadt";
import { Madt, polarityName, triggerName } from "../acpi/madt";

const HEX_DIGITS = "0123456789abcdef";

let lastDiscovery: AcpiDiscovery | null = null;

/**
 * Runs discovery, registers the `acpi` command with its result (as boot
 * does), and returns the result as JSON.
 */
export function acpiDiscoverJson(): string {
  const discovery = discoverAcpi();
  registerAcpiCommand(discovery);
  lastDiscovery = discovery;
  return discoveryJson(discovery);
}

/**
 * The AML tables in load order — index 0 the DSDT (when valid), then each
 * SSDT — as lowercase hex of the whole copy; "" past the end.
 */
export function acpiAmlTableHex(index: i32): string {
  const discovery = lastDiscovery;
  if (discovery == null || index < 0) return "";
  const tables = amlTables(discovery);
  if (index >= tables.length) return "";
  return hexOf(tables[index].bytes);
}

/** Lowercase hex of `bytes`, built in one buffer (tables may be a megabyte). */
function hexOf(bytes: Uint8Array): string {
  const digits = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = <u32>bytes[i];
    digits[2 * i] = <u8>HEX_DIGITS.charCodeAt(b >> 4);
    digits[2 * i + 1] = <u8>HEX_DIGITS.charCodeAt(b & 0xf);
  }
  return String.UTF8.decodeUnsafe(digits.dataStart, <usize>digits.length);
}

function amlTables(discovery: AcpiDiscovery): Array<AcpiTable> {
  const tables = new Array<AcpiTable>();
  const dsdt = discovery.dsdt;
  if (dsdt != null) tables.push(dsdt);
  for (let i = 0; i < discovery.ssdts.length; i++) tables.push(discovery.ssdts[i]);
  return tables;
}

// ---- JSON ------------------------------------------------------------------------

function jsonString(text: string): string {
  let out = "\"";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u" + hex(<u64>c, 4);
    else out += String.fromCharCode(c);
  }
  return out + "\"";
}

function jsonAddress(value: u64): string {
  return jsonString(hex0x(value));
}

function jsonBool(value: bool): string {
  return value ? "true" : "false";
}

function tableJson(table: AcpiTable): string {
  return "{\"signature\":" + jsonString(table.signature) +
    ",\"phys\":" + jsonAddress(table.phys) +
    ",\"length\":" + table.length.toString() +
    ",\"revision\":" + table.revision.toString() +
    ",\"oemId\":" + jsonString(table.oemId) +
    ",\"oemTableId\":" + jsonString(table.oemTableId) +
    ",\"oemRevision\":" + table.oemRevision.toString() +
    ",\"checksumOk\":" + jsonBool(table.checksumOk) +
    ",\"copiedLength\":" + table.bytes.length.toString() +
    ",\"bad\":" + jsonString(table.badReason) + "}";
}

function blockJson(block: RegisterBlock): string {
  return "{\"space\":" + block.addressSpace.toString() +
    ",\"address\":" + jsonAddress(block.address) +
    ",\"length\":" + block.length.toString() +
    ",\"extended\":" + jsonBool(block.fromExtendedField) + "}";
}

function fadtJson(fadt: Fadt): string {
  return "{\"revision\":" + fadt.revision.toString() +
    ",\"length\":" + fadt.length.toString() +
    ",\"dsdt\":" + jsonAddress(fadt.dsdtAddress) +
    ",\"facs\":" + jsonAddress(fadt.facsAddress) +
    ",\"sciInt\":" + fadt.sciInt.toString() +
    ",\"smiCmd\":" + fadt.smiCmd.toString() +
    ",\"acpiEnable\":" + fadt.acpiEnable.toString() +
    ",\"acpiDisable\":" + fadt.acpiDisable.toString() +
    ",\"pm1aEvtBlk\":" + blockJson(fadt.pm1aEvtBlk) +
    ",\"pm1bEvtBlk\":" + blockJson(fadt.pm1bEvtBlk) +
    ",\"pm1aCntBlk\":" + blockJson(fadt.pm1aCntBlk) +
    ",\"pm1bCntBlk\":" + blockJson(fadt.pm1bCntBlk) +
    ",\"gpe0Blk\":" + blockJson(fadt.gpe0Blk) +
    ",\"gpe1Blk\":" + blockJson(fadt.gpe1Blk) +
    ",\"pm1EvtLen\":" + fadt.pm1EvtLen.toString() +
    ",\"pm1CntLen\":" + fadt.pm1CntLen.toString() +
    ",\"gpe0BlkLen\":" + fadt.gpe0BlkLen.toString() +
    ",\"gpe1BlkLen\":" + fadt.gpe1BlkLen.toString() +
    ",\"gpe1Base\":" + fadt.gpe1Base.toString() +
    ",\"flags\":" + fadt.flags.toString() +
    ",\"hardwareReduced\":" + jsonBool(fadt.hardwareReduced) + "}";
}

function madtJson(madt: Madt): string {
  const cpus = new Array<string>();
  for (let i = 0; i < madt.localApics.length; i++) {
    const cpu = madt.localApics[i];
    cpus.push("{\"processorUid\":" + cpu.processorUid.toString() + ",\"apicId\":" + cpu.apicId.toString() +
      ",\"enabled\":" + jsonBool(cpu.enabled) + ",\"onlineCapable\":" + jsonBool(cpu.onlineCapable) + "}");
  }
  const ioApics = new Array<string>();
  for (let i = 0; i < madt.ioApics.length; i++) {
    const io = madt.ioApics[i];
    ioApics.push("{\"id\":" + io.id.toString() + ",\"address\":" + jsonAddress(io.address) +
      ",\"gsiBase\":" + io.gsiBase.toString() + "}");
  }
  const overrides = new Array<string>();
  for (let i = 0; i < madt.overrides.length; i++) {
    const o = madt.overrides[i];
    overrides.push("{\"bus\":" + o.bus.toString() + ",\"source\":" + o.source.toString() +
      ",\"gsi\":" + o.gsi.toString() + ",\"flags\":" + o.flags.toString() +
      ",\"polarity\":" + jsonString(polarityName(o.polarity)) +
      ",\"trigger\":" + jsonString(triggerName(o.trigger)) + "}");
  }
  return "{\"localApicAddress\":" + jsonAddress(madt.localApicAddress) +
    ",\"flags\":" + madt.flags.toString() +
    ",\"pcatCompat\":" + jsonBool(madt.pcatCompat) +
    ",\"localApics\":[" + cpus.join(",") + "]" +
    ",\"ioApics\":[" + ioApics.join(",") + "]" +
    ",\"overrides\":[" + overrides.join(",") + "]" +
    ",\"nmiEntries\":" + madt.nmiEntries.toString() +
    ",\"otherEntries\":" + madt.otherEntries.toString() +
    ",\"complete\":" + jsonBool(madt.complete) + "}";
}

function discoveryJson(discovery: AcpiDiscovery): string {
  const rsdp = discovery.rsdp;
  let rsdpText = "null";
  if (rsdp != null) {
    rsdpText = "{\"phys\":" + jsonAddress(rsdp.phys) + ",\"revision\":" + rsdp.revision.toString() +
      ",\"oemId\":" + jsonString(rsdp.oemId) + ",\"rsdtAddress\":" + jsonAddress(rsdp.rsdtAddress) +
      ",\"xsdtAddress\":" + jsonAddress(rsdp.xsdtAddress) + ",\"length\":" + rsdp.length.toString() + "}";
  }
  const root = discovery.root;
  const tables = new Array<string>();
  for (let i = 0; i < discovery.tables.length; i++) tables.push(tableJson(discovery.tables[i]));
  const aml = amlTables(discovery);
  const amlParts = new Array<string>();
  for (let i = 0; i < aml.length; i++) amlParts.push(tableJson(aml[i]));
  const errors = new Array<string>();
  for (let i = 0; i < discovery.errors.length; i++) {
    const e = discovery.errors[i];
    errors.push("{\"signature\":" + jsonString(e.signature) + ",\"phys\":" + jsonAddress(e.phys) +
      ",\"reason\":" + jsonString(e.reason) + ",\"detail\":" + jsonString(e.detail) + "}");
  }
  const fadt = discovery.fadt;
  const madt = discovery.madt;
  const facs = discovery.facs;
  return "{\"rsdp\":" + rsdpText +
    ",\"root\":" + (root != null ? tableJson(root) : "null") +
    ",\"tables\":[" + tables.join(",") + "]" +
    ",\"aml\":[" + amlParts.join(",") + "]" +
    ",\"facs\":" + (facs != null ? tableJson(facs) : "null") +
    ",\"fadt\":" + (fadt != null ? fadtJson(fadt) : "null") +
    ",\"madt\":" + (madt != null ? madtJson(madt) : "null") +
    ",\"errors\":[" + errors.join(",") + "]}";
}
