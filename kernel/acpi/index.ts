// ACPI table discovery: RSDP → RSDT/XSDT → every listed table, plus the DSDT
// and FACS the FADT points to. The result (AcpiDiscovery) is what the rest
// of the kernel uses: the decoded FADT and MADT for interrupt and event
// setup, and the DSDT and SSDT copies for the AML loader.
// Owns: the order of the walk, the boot log lines of ACPI, and the `acpi`
// shell command. May call: the acpi/ modules, the console (log, shell, and
// the UART for `acpi dump`). Never:
// stops the boot — whatever firmware got wrong ends up in `errors` and the
// log, and discovery returns what it could find.

import { log } from "../console/log";
import { Answer, fail, ok, printed, registerCommand } from "../console/shell";
import { uartWrite, uartWriteHex } from "../console/uart";
import { hex0x, parseUnsigned } from "../lib/fmt";
import { findRsdp, Rsdp } from "./rsdp";
import { AcpiError, AcpiErrors, AcpiTable, copyPhysical, REASON_DUPLICATE, rootEntries, TableLoader } from "./tables";
import { ADDRESS_SPACE_IO, ADDRESS_SPACE_MEMORY, decodeFadt, Fadt, RegisterBlock } from "./fadt";
import { decodeMadt, Madt, polarityName, TRIGGER_CONFORMS, POLARITY_CONFORMS, triggerName } from "./madt";

export { AcpiError, AcpiTable } from "./tables";
export { Rsdp } from "./rsdp";
export { Fadt, RegisterBlock, ADDRESS_SPACE_IO, ADDRESS_SPACE_MEMORY } from "./fadt";
export {
  Madt, LocalApic, IoApic, InterruptOverride,
  POLARITY_CONFORMS, POLARITY_ACTIVE_HIGH, POLARITY_ACTIVE_LOW,
  TRIGGER_CONFORMS, TRIGGER_EDGE, TRIGGER_LEVEL,
} from "./madt";

export class AcpiDiscovery {
  /** Null when no valid RSDP was found; then everything else is empty. */
  rsdp: Rsdp | null = null;
  /** The XSDT or RSDT the walk used (possibly bad; check `ok`). */
  root: AcpiTable | null = null;
  /** Every table reached, good or bad, in walk order: the root, then each entry, with the DSDT and FACS right after the FADT that points to them. */
  readonly tables: Array<AcpiTable> = new Array<AcpiTable>();
  /** The first valid FADT's decode. */
  fadt: Fadt | null = null;
  /** The first valid MADT's decode. */
  madt: Madt | null = null;
  /** The valid DSDT, copied whole (header included), for the AML loader. */
  dsdt: AcpiTable | null = null;
  /** The valid FACS, when the FADT names one (hardware-reduced machines have none). */
  facs: AcpiTable | null = null;
  /** Every valid SSDT, in RSDT/XSDT order; the AML loader loads them after the DSDT. */
  readonly ssdts: Array<AcpiTable> = new Array<AcpiTable>();
  /** Everything that was wrong, in the order found. */
  errors: Array<AcpiError> = new Array<AcpiError>();

  /** The `instance`-th table (0-based) with `signature` that passed its checks. */
  findTable(signature: string, instance: i32 = 0): AcpiTable | null {
    let seen = 0;
    for (let i = 0; i < this.tables.length; i++) {
      const table = this.tables[i];
      if (table.ok && table.signature == signature) {
        if (seen == instance) return table;
        seen++;
      }
    }
    return null;
  }
}

/** Walks the firmware's tables, logs one line per table, and returns what it found. */
export function discoverAcpi(rsdpGiven: u64 = 0): AcpiDiscovery {
  const discovery = new AcpiDiscovery();
  const errors = new AcpiErrors();
  discovery.errors = errors.list;

  const rsdp = findRsdp(errors, rsdpGiven);
  if (rsdp == null) {
    log("acpi", "no RSDP found in the EBDA or at 0xe0000-0xfffff; continuing without ACPI");
    return discovery;
  }
  discovery.rsdp = rsdp;
  log("acpi", "RSDP@" + hex0x(rsdp.phys) + " rev=" + rsdp.revision.toString() + " " + rsdp.oemId +
    (rsdp.usesXsdt ? " XSDT=" + hex0x(rsdp.xsdtAddress) : " RSDT=" + hex0x(rsdp.rsdtAddress)));

  const loader = new TableLoader(errors);
  const root = loadRoot(rsdp, loader);
  discovery.root = root;
  const entries = rootEntries(root, errors);
  for (let i = 0; i < entries.length; i++) {
    const phys = entries[i];
    // A second listing of an address is skipped. An address the FADT already
    // led to counts only if that load succeeded: a DSDT pointer aimed at an
    // SSDT fails as a DSDT, but the SSDT is still the root table's to load.
    const earlier = loader.loadedAt(phys);
    if (earlier != null) {
      const again = listedBefore(entries, i);
      if (again || earlier.ok) {
        errors.report(earlier.signature, phys, REASON_DUPLICATE, again
          ? root.signature + " lists this address again; ignored"
          : "already loaded through the FADT; the " + root.signature + " entry is ignored");
        continue;
      }
    }
    const table = loader.load(phys, "");
    if (!table.ok) continue;
    if (table.signature == "FACP") {
      // Firmware has one FADT; should a second appear, the first one wins.
      if (discovery.fadt == null) followFadt(discovery, decodeFadt(table, errors), loader);
    } else if (table.signature == "APIC") {
      if (discovery.madt == null) discovery.madt = decodeMadt(table, errors);
    } else if (table.signature == "SSDT") {
      discovery.ssdts.push(table);
    }
  }

  for (let i = 0; i < loader.tables.length; i++) {
    discovery.tables.push(loader.tables[i]);
    log("acpi", describeTable(loader.tables[i]));
  }
  const fadt = discovery.fadt;
  if (fadt != null) log("acpi", describeFadt(fadt));
  const madt = discovery.madt;
  if (madt != null) log("acpi", describeMadt(madt));
  return discovery;
}

/** The XSDT when the RSDP has one, falling back to the RSDT if the XSDT is bad. */
function loadRoot(rsdp: Rsdp, loader: TableLoader): AcpiTable {
  if (rsdp.usesXsdt) {
    const xsdt = loader.load(rsdp.xsdtAddress, "XSDT");
    if (xsdt.ok || rsdp.rsdtAddress == 0) return xsdt;
    log("acpi", "XSDT unusable; falling back to the RSDT at " + hex0x(rsdp.rsdtAddress));
  }
  return loader.load(<u64>rsdp.rsdtAddress, "RSDT");
}

/** Records the FADT and loads the DSDT and FACS it points to. */
function followFadt(discovery: AcpiDiscovery, fadt: Fadt, loader: TableLoader): void {
  discovery.fadt = fadt;
  const dsdt = tableAt(loader, fadt.dsdtAddress, "DSDT");
  if (dsdt.ok) discovery.dsdt = dsdt;
  // Hardware-reduced machines have no FACS; its pointers are then zero.
  if (fadt.facsAddress != 0) {
    const facs = tableAt(loader, fadt.facsAddress, "FACS");
    if (facs.ok) discovery.facs = facs;
  }
}

/**
 * The table with `signature` at `phys`, reusing an earlier load of the same
 * address when it found that signature (some firmware also lists the DSDT
 * in its RSDT), else loading it expecting that signature.
 */
function tableAt(loader: TableLoader, phys: u64, signature: string): AcpiTable {
  const earlier = loader.loadedAt(phys);
  if (earlier != null && earlier.signature == signature) return earlier;
  return loader.load(phys, signature);
}

function listedBefore(entries: Array<u64>, index: i32): bool {
  for (let i = 0; i < index; i++) if (entries[i] == entries[index]) return true;
  return false;
}

// ---- text forms ----------------------------------------------------------------

function tableHeadline(table: AcpiTable): string {
  let text = table.signature + "@" + hex0x(table.phys) + " len=" + table.length.toString();
  if (table.hasStandardHeader) text += " rev=" + table.revision.toString();
  return text;
}

/** `SIG@0xaddr len=n [rev=n] [bad=reason]`: one table as the `acpi` command lists it. */
export function listTable(table: AcpiTable): string {
  return tableHeadline(table) + (table.ok ? "" : " bad=" + table.badReason);
}

/** The boot log's line for one table: the listing with the OEM ids before any `bad=`. */
export function describeTable(table: AcpiTable): string {
  let text = tableHeadline(table);
  if (table.oemId.length > 0 || table.oemTableId.length > 0) text += " " + table.oemId + " " + table.oemTableId;
  return text + (table.ok ? "" : " bad=" + table.badReason);
}

function describeBlock(block: RegisterBlock): string {
  if (!block.present) return "none";
  let space: string;
  if (block.addressSpace == ADDRESS_SPACE_IO) space = "io";
  else if (block.addressSpace == ADDRESS_SPACE_MEMORY) space = "mem";
  else space = "space" + block.addressSpace.toString();
  return space + ":" + hex0x(block.address) + "/" + block.length.toString();
}

export function describeFadt(fadt: Fadt): string {
  return "FADT rev=" + fadt.revision.toString() + " sci=" + fadt.sciInt.toString() +
    " smi_cmd=" + hex0x(fadt.smiCmd) + " enable=" + hex0x(fadt.acpiEnable) + " disable=" + hex0x(fadt.acpiDisable) +
    " pm1a_evt=" + describeBlock(fadt.pm1aEvtBlk) + " pm1a_cnt=" + describeBlock(fadt.pm1aCntBlk) +
    " gpe0=" + describeBlock(fadt.gpe0Blk) + " gpe1=" + describeBlock(fadt.gpe1Blk) +
    " flags=" + hex0x(fadt.flags) + (fadt.hardwareReduced ? " hardware-reduced" : "");
}

export function describeMadt(madt: Madt): string {
  let enabled = 0;
  for (let i = 0; i < madt.localApics.length; i++) if (madt.localApics[i].enabled) enabled++;
  let text = "MADT local_apic=" + hex0x(madt.localApicAddress) + (madt.pcatCompat ? " pcat_compat" : "") +
    " cpus=" + enabled.toString() + "/" + madt.localApics.length.toString();
  for (let i = 0; i < madt.ioApics.length; i++) {
    const io = madt.ioApics[i];
    text += " ioapic" + io.id.toString() + "=" + hex0x(io.address) + "/gsi" + io.gsiBase.toString();
  }
  for (let i = 0; i < madt.overrides.length; i++) {
    const o = madt.overrides[i];
    text += " irq" + o.source.toString() + "->gsi" + o.gsi.toString();
    if (o.trigger != TRIGGER_CONFORMS || o.polarity != POLARITY_CONFORMS) {
      text += ":" + triggerName(o.trigger) + "," + polarityName(o.polarity);
    }
  }
  return text;
}

/** The text of the `acpi` command's answer (after "acpi: "). */
export function acpiListing(discovery: AcpiDiscovery): string {
  if (discovery.rsdp == null) return "no RSDP found";
  const parts = new Array<string>();
  for (let i = 0; i < discovery.tables.length; i++) parts.push(listTable(discovery.tables[i]));
  return parts.join(" ");
}

// ---- shell command -------------------------------------------------------------

let shownDiscovery: AcpiDiscovery | null = null;
let commandRegistered = false;

function acpiCommand(args: Array<string>): Answer {
  const discovery = shownDiscovery;
  if (discovery == null) return fail("discovery has not run");
  if (args.length == 2 && args[0] == "dump") return dumpTable(discovery, args[1]);
  if (args.length != 0) return fail("takes no arguments, or dump <n|rsdp>");
  return ok(acpiListing(discovery));
}

/**
 * `acpi dump <n>`: the n-th table of the listing (0-based, walk order), and
 * `acpi dump rsdp` the RSDP, as the bytes the kernel read:
 * `acpi: dump <SIG> 0x<phys> <hex>` on one line (`make fixtures` writes
 * them to files). Written piecewise: a table's hex is never one string.
 */
function dumpTable(discovery: AcpiDiscovery, which: string): Answer {
  let signature: string, phys: u64, bytes: Uint8Array;
  const rsdp = discovery.rsdp;
  if (which == "rsdp") {
    if (rsdp == null) return fail("no RSDP found");
    signature = "RSDP"; // its signature, "RSD PTR ", has spaces
    phys = rsdp.phys;
    bytes = copyPhysical(rsdp.phys, rsdp.length);
  } else {
    const n = parseUnsigned(which);
    const count = discovery.tables.length;
    if (n < 0 || n >= <i64>count) {
      return fail("no table " + which + (count == 0 ? " (none found)" : " (0.." + (count - 1).toString() + " or rsdp)"));
    }
    const table = discovery.tables[<i32>n];
    if (<u32>table.bytes.length != table.length) {
      return fail("table " + which + " (" + table.signature + ") was not read whole: " + table.bytes.length.toString() +
        " of " + table.length.toString() + " bytes (" + (table.badReason.length > 0 ? table.badReason : "rejected") + ")");
    }
    signature = table.signature;
    phys = table.phys;
    bytes = table.bytes;
  }
  uartWrite("acpi: dump " + signature + " " + hex0x(phys) + " ");
  for (let i = 0; i < bytes.length; i++) uartWriteHex(<u64>bytes[i], 2);
  uartWrite("\r\n");
  return printed();
}

/**
 * Makes `acpi` answer with `discovery`. Registering again replaces the
 * discovery shown (the command itself is registered once).
 */
export function registerAcpiCommand(discovery: AcpiDiscovery): void {
  shownDiscovery = discovery;
  if (!commandRegistered) {
    registerCommand("acpi", "acpi [dump <n|rsdp>]", acpiCommand);
    commandRegistered = true;
  }
}
