// A simulated Firecracker x86_64 microVM (v1.15/v1.16, one vCPU, no virtio
// devices, PCI disabled) for the host build: the shape of what Firecracker
// puts in guest memory and in front of the vCPU, written from its source
// (test/fixtures/acpi/firecracker/README.md names the files), since
// Firecracker itself needs KVM.
// Owns: the guest-memory layout (PVH start info and memory map, the RSDP in
// the BIOS area, XSDT/FADT/MADT/MCFG built here as Firecracker's
// acpi-tables crate lays them out, the DSDT the caller compiled from the
// fixtures, the 16-byte generation ID and the VMClock page), the CPU model
// (CPUID, MTRRs as Firecracker sets them, IA32_APIC_BASE), MMIO models of
// the local APIC and the IOAPIC, and restoreVm(): a snapshot load.
// May call: SimMachine, the loader page tables of qemu-pc.ts, the table
// builder of tools/aml. Never: raises an interrupt the IOAPIC would not
// deliver (a masked redirection entry, another destination), or writes the
// ID while kernel code runs — restoreVm is called while the kernel is
// suspended, between its calls or inside one of its hw calls (a port
// write: the vCPU stopped at that instruction).
//
// Firecracker's restore (src/vmm/src/device_manager/persist.rs, ACPIDeviceManager's
// restore): VmGenId::restore makes a fresh random ID, activate_vmgenid
// writes it into guest memory, do_post_restore_vmgenid triggers the
// vmgenid GSI; then the VMClock's counters are bumped and its GSI
// triggered — all before the vCPUs resume.

import { randomBytes } from "node:crypto";
import { buildTable, concat } from "../aml/table.js";
import { SimMachine, type MmioDevice } from "./machine.js";
import { guidBytes, writeLoaderPageTables } from "./qemu-pc.js";

/** hvm_start_info's magic: what the PVH entry passes the kernel as its boot magic. */
export const PVH_MAGIC = 0x336ec578;
/** layout::PVH_INFO_START, MEMMAP_START, CMDLINE_START. */
export const PVH_INFO_ADDRESS = 0x6000;
const MEMMAP_ADDRESS = 0x7000;
const CMDLINE_ADDRESS = 0x20000;
/** layout::RSDP_ADDR: Firecracker writes the RSDP here and leaves hvm_start_info.rsdp_paddr 0. */
export const RSDP_ADDRESS = 0xe0000;
/** layout::SYSTEM_MEM_START..RSDP_ADDR: reserved in the memory map; the MP table, ACPI tables, ID and VMClock live here. */
const SYSTEM_MEM_START = 0x9fc00;
const SYSTEM_MEM_END = 0xe0000;
/** mptable::compute_mp_size(1): allocated first (FirstMatch), before the ACPI tables. Not modelled: left zero. */
const MPTABLE_BYTES = 16 + 44 + 20 + 8 + 8 + 8 * 24 + 8 * 2;
/** VmGenId::new: 16 bytes, alignment 8, AllocPolicy::LastMatch; VmClock::new: 4 KiB, alignment 4 KiB, LastMatch. */
export const ID_ADDRESS = 0xdfff0;
export const VMCLOCK_ADDRESS = 0xde000;
/** The first two legacy GSIs (GSI_LEGACY_START = 5), VMGenID's then VMClock's, with no virtio devices before them. */
export const VMGENID_GSI = 5;
export const VMCLOCK_GSI = 6;
export const LAPIC_ADDRESS = 0xfee00000;
export const IOAPIC_ADDRESS = 0xfec00000;
const IOAPIC_PINS = 24;
/** layout::PCI_MMCONFIG_START (IOAPIC_ADDR − 256 MiB), reserved in the memory map and named by the MCFG. */
const PCI_MMCONFIG_START = 0xec000000;
const PCI_MMCONFIG_SIZE = 0x10000000;
/** The loader's line stubs: line n is vector 0x20 + n (kernel/irq/apic.ts). */
const VECTOR_BASE = 0x20;

// acpi-tables: OEM_ID "FIRECK", OEM revision 0, creator "FCAT" 0x20240119.
const OEM = { oemId: "FIRECK", oemRevision: 0, creatorId: "FCAT", creatorRevision: 0x20240119 };

function le(bytes: number, value: number | bigint): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (256 - sum) & 0xff;
}

/**
 * acpi-tables' Fadt (276 bytes, revision 6, minor version 5): only X_DSDT
 * set (DSDT, FIRMWARE_CTRL and every register block zero, SCI_INT 0),
 * flags HW_REDUCED_ACPI | PWR_BUTTON | SLP_BUTTON (bits 20, 4, 5: no fixed
 * buttons), IA-PC boot flags "VGA not present" (bit 2), hypervisor vendor
 * "FIRECKVM".
 */
export function firecrackerFadt(dsdt: number): Uint8Array {
  const body = new Uint8Array(276 - 36);
  const at = (offset: number) => offset - 36;
  body.set(le(2, 1 << 2), at(109));                       // IAPC_BOOT_ARCH
  body.set(le(4, (1 << 20) | (1 << 4) | (1 << 5)), at(112)); // Flags
  body[at(131)] = 5;                                      // FADT minor version
  body.set(le(8, dsdt), at(140));                         // X_DSDT
  body.set(ascii("FIRECKVM"), at(268));                   // hypervisor vendor identity
  return buildTable({ signature: "FACP", revision: 6, oemTableId: "FCVMFADT", ...OEM, aml: body });
}

/** acpi-tables' Madt (revision 6): local APIC address, flags 0 (no PCAT_COMPAT), the IOAPIC, then one local APIC per vCPU. */
export function firecrackerMadt(vcpus: number): Uint8Array {
  const entries: Uint8Array[] = [le(4, LAPIC_ADDRESS), le(4, 0)];
  entries.push(concat([1, 12, 0, 0], le(4, IOAPIC_ADDRESS), le(4, 0)));  // IOAPIC id 0, GSI base 0
  for (let i = 0; i < vcpus; i++) entries.push(concat([0, 8, i, i], le(4, 1))); // enabled
  return buildTable({ signature: "APIC", revision: 6, oemTableId: "FCVMMADT", ...OEM, aml: concat(...entries) });
}

/** A MADT of the given entries (each a whole entry: type, length, body) after the local APIC address and `flags`. */
export function madtTable(flags: number, entries: Uint8Array[]): Uint8Array {
  return buildTable({ signature: "APIC", revision: 6, oemTableId: "FCVMMADT", ...OEM, aml: concat(le(4, LAPIC_ADDRESS), le(4, flags), ...entries) });
}

/** MADT entries: an IOAPIC, a local APIC, an interrupt source override (ACPI 6.5 §5.2.12). */
export const madtEntry = {
  ioApic: (id: number, address: number, gsiBase: number) => concat([1, 12, id, 0], le(4, address), le(4, gsiBase)),
  localApic: (uid: number, apicId: number) => concat([0, 8, uid, apicId], le(4, 1)),
  override: (source: number, gsi: number, flags: number) => concat([2, 10, 0, source], le(4, gsi), le(2, flags)),
};

/** acpi-tables' Mcfg (revision 1): 8 reserved bytes, one range, segment 0, buses 0-0. */
export function firecrackerMcfg(): Uint8Array {
  return buildTable({
    signature: "MCFG", revision: 1, oemTableId: "FCMVMCFG", ...OEM,
    aml: concat(le(8, 0), le(8, PCI_MMCONFIG_START), le(2, 0), [0, 0], le(4, 0)),
  });
}

export function firecrackerXsdt(tables: number[]): Uint8Array {
  return buildTable({ signature: "XSDT", revision: 1, oemTableId: "FCMVXSDT", ...OEM, aml: concat(...tables.map((t) => le(8, t))) });
}

/** acpi-tables' Rsdp: revision 2, no RSDT, 36 bytes, both checksums. */
export function firecrackerRsdp(xsdt: number): Uint8Array {
  const r = concat(ascii("RSD PTR "), [0], ascii(OEM.oemId), [2], le(4, 0), le(4, 36), le(8, xsdt), [0, 0, 0, 0]);
  r[8] = checksum(r.subarray(0, 20));
  r[32] = checksum(r);
  return r;
}

/** The local APIC's registers as KVM emulates them: reads give what was written, ID and version fixed, EOI not stored. */
export class LocalApicModel implements MmioDevice {
  readonly base = LAPIC_ADDRESS;
  readonly length = 0x1000;
  readonly registers = new Map<number, number>([[0xf0, 0xff], [0x320, 0x10000], [0x350, 0x10000], [0x360, 0x10000], [0x370, 0x10000]]);
  /** Every register write but EOI's, in order. */
  readonly writes: Array<{ register: number; value: number }> = [];
  eois = 0;
  constructor(readonly apicId = 0) {}

  read(addr: number, width: number): bigint {
    const register = addr - this.base;
    if (width !== 4 || (register & 0xf) !== 0) throw new Error(`local APIC: ${width}-byte read at +0x${register.toString(16)} (only aligned 32-bit accesses)`);
    if (register === 0x20) return BigInt(this.apicId << 24) & 0xffffffffn;
    if (register === 0x30) return 0x00050014n; // version 0x14, 6 LVT entries
    return BigInt(this.registers.get(register) ?? 0);
  }

  write(addr: number, width: number, value: bigint): void {
    const register = addr - this.base;
    if (width !== 4 || (register & 0xf) !== 0) throw new Error(`local APIC: ${width}-byte write at +0x${register.toString(16)} (only aligned 32-bit accesses)`);
    if (register === 0xb0) { this.eois++; return; }
    this.writes.push({ register, value: Number(value) });
    if (register !== 0x20 && register !== 0x30) this.registers.set(register, Number(value));
  }
}

/** An IOAPIC: IOREGSEL at +0, IOWIN at +0x10; ID, version (24 pins), arbitration, and redirection entries that read back. */
export class IoApicModel implements MmioDevice {
  readonly base = IOAPIC_ADDRESS;
  readonly length = 0x1000;
  select = 0;
  /** Redirection entries, two 32-bit words per pin; every pin masked at reset. */
  readonly redirection: number[] = Array.from({ length: 2 * IOAPIC_PINS }, (_, i) => (i % 2 === 0 ? 0x10000 : 0));
  constructor(readonly id = 0) {}

  read(addr: number, width: number): bigint {
    const offset = addr - this.base;
    if (width !== 4) throw new Error(`IOAPIC: ${width}-byte read at +0x${offset.toString(16)}`);
    if (offset === 0) return BigInt(this.select);
    if (offset !== 0x10) return 0n;
    const r = this.select;
    if (r === 0 || r === 2) return BigInt(this.id << 24);
    if (r === 1) return BigInt(((IOAPIC_PINS - 1) << 16) | 0x11);
    if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_PINS) return BigInt(this.redirection[r - 0x10] >>> 0);
    return 0n;
  }

  write(addr: number, width: number, value: bigint): void {
    const offset = addr - this.base;
    if (width !== 4) throw new Error(`IOAPIC: ${width}-byte write at +0x${offset.toString(16)}`);
    if (offset === 0) { this.select = Number(value) & 0xff; return; }
    if (offset !== 0x10) return;
    const r = this.select;
    if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_PINS) this.redirection[r - 0x10] = Number(value) >>> 0;
  }

  masked(pin: number): boolean {
    return (this.redirection[2 * pin] & 0x10000) !== 0;
  }
}

export interface FirecrackerOptions {
  /** The DSDT, compiled from test/fixtures/acpi/firecracker (it must name ADDR = ID_ADDRESS to be found). */
  dsdt: Uint8Array;
  /** The generation ID Firecracker writes at boot, in QEMU's GUID text form (guidBytes). */
  id: string;
  /** Guest memory in MiB (Firecracker's mem_size_mib), below the PCI MMCONFIG hole. */
  memoryMiB?: number;
  vcpus?: number;
  /** CPUID reports RDRAND / RDSEED (values from machine.rdrandValues / rdseedValues). */
  rdrand?: boolean;
  rdseed?: boolean;
  /** Give the RSDP in hvm_start_info.rsdp_paddr; Firecracker leaves it 0 and the kernel scans the BIOS area. */
  rsdpInStartInfo?: boolean;
  /** A MADT to use instead of Firecracker's (hostile-table tests; madtTable builds one). */
  madt?: Uint8Array;
}

export interface TableAddresses { dsdt: number; fadt: number; madt: number; mcfg: number; xsdt: number; rsdp: number }

function randomId(): string {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class FirecrackerVm {
  readonly machine = new SimMachine();
  readonly lapic = new LocalApicModel(0);
  readonly ioapic = new IoApicModel(0);
  readonly tables: TableAddresses;
  /** The generation ID in guest memory now (text form). */
  id: string;
  restores = 0;
  /** GSIs raised while their redirection entry was masked or aimed elsewhere: not delivered. */
  readonly undelivered: number[] = [];

  constructor(o: FirecrackerOptions) {
    const m = this.machine;
    const memory = (o.memoryMiB ?? 128) * 0x100000;
    if (memory > PCI_MMCONFIG_START) throw new Error("memoryMiB: this model has no RAM above the PCI MMCONFIG hole");
    m.mirrorWindows = true;
    m.mmio.push(this.lapic, this.ioapic);
    // System memory [0x9FC00, 0xE0000), FirstMatch in allocation order: the MP table, then the DSDT, FADT, MADT, MCFG, XSDT.
    let next = SYSTEM_MEM_START + MPTABLE_BYTES;
    const place = (bytes: Uint8Array): number => {
      const at = next;
      next += bytes.length;
      if (next > VMCLOCK_ADDRESS) throw new Error("ACPI tables overflow Firecracker's system memory");
      m.writePhys(at, bytes);
      return at;
    };
    const dsdt = place(o.dsdt);
    const fadt = place(firecrackerFadt(dsdt));
    const madt = place(o.madt ?? firecrackerMadt(o.vcpus ?? 1));
    const mcfg = place(firecrackerMcfg());
    const xsdt = place(firecrackerXsdt([fadt, madt, mcfg]));
    m.writePhys(RSDP_ADDRESS, firecrackerRsdp(xsdt));
    this.tables = { dsdt, fadt, madt, mcfg, xsdt, rsdp: RSDP_ADDRESS };
    this.writeStartInfo(memory, o.rsdpInStartInfo === true);
    writeLoaderPageTables(m);
    this.writeCpuModel(o);
    this.id = o.id;
    m.writePhys(ID_ADDRESS, guidBytes(o.id));
    this.writeVmClock();
  }

  /** configure_pvh: hvm_start_info version 1 at 0x6000, the memory map at 0x7000. */
  private writeStartInfo(memory: number, withRsdp: boolean): void {
    const map: Array<[number, number, number]> = [
      [0, SYSTEM_MEM_START, 1],
      [SYSTEM_MEM_START, SYSTEM_MEM_END - SYSTEM_MEM_START, 2],
      [PCI_MMCONFIG_START, PCI_MMCONFIG_SIZE, 2],
      [0x100000, memory - 0x100000, 1],
    ];
    this.machine.writePhys(MEMMAP_ADDRESS, concat(...map.map(([addr, size, type]) => concat(le(8, addr), le(8, size), le(4, type), le(4, 0)))));
    this.machine.writePhys(PVH_INFO_ADDRESS, concat(
      le(4, PVH_MAGIC), le(4, 1), le(4, 0), le(4, 0),        // magic, version, flags, nr_modules
      le(8, 0), le(8, CMDLINE_ADDRESS),                        // modlist_paddr, cmdline_paddr
      le(8, withRsdp ? RSDP_ADDRESS : 0),                      // rsdp_paddr
      le(8, MEMMAP_ADDRESS), le(4, map.length), le(4, 0),      // memmap_paddr, memmap_entries, reserved
    ));
  }

  /**
   * CPUID (host-passthrough, as Firecracker's templates leave these bits):
   * APIC, MTRR and PAT, RDRAND/RDSEED when asked. MSRs: MTRRdefType
   * (1 << 11) | 6 as msr.rs sets it (enabled, WB default, fixed ranges
   * off, no variable range), KVM's MTRRcap, IA32_APIC_BASE at 0xFEE00000
   * with the global enable (bit 11) and BSP (bit 8) bits.
   */
  private writeCpuModel(o: FirecrackerOptions): void {
    const m = this.machine;
    m.cpuidLeaves.set("0:0", [7, 0, 0, 0]);
    m.cpuidLeaves.set("1:0", [0, 0, o.rdrand ? 1 << 30 : 0, (1 << 9) | (1 << 12) | (1 << 16)]);
    m.cpuidLeaves.set("7:0", [0, o.rdseed ? 1 << 18 : 0, 0, 0]);
    m.msrs.set(0xfe, 0x508n);
    m.msrs.set(0x2ff, 0x806n);
    m.msrs.set(0x1b, BigInt(LAPIC_ADDRESS) | (1n << 11n) | (1n << 8n));
  }

  /** VmClock::new's vmclock_abi: magic "VCLK", size, version 1, counter invalid, flags VM_GEN_COUNTER_PRESENT | NOTIFICATION_PRESENT. */
  private writeVmClock(): void {
    const m = this.machine;
    m.writePhys(VMCLOCK_ADDRESS, concat(le(4, 0x4b4c4356), le(4, 0x1000), le(2, 1), [0xff, 0], le(4, 0), le(8, 0), le(8, 0x300)));
  }

  private vmClockField(offset: number, bytes: number, update: (v: bigint) => bigint): void {
    const old = this.machine.readPhys(VMCLOCK_ADDRESS + offset, bytes);
    let v = 0n;
    for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(old[i]);
    this.machine.writePhys(VMCLOCK_ADDRESS + offset, le(bytes, BigInt.asUintN(8 * bytes, update(v))));
  }

  /** The generation ID as guest memory holds it, 16 bytes. */
  idBytes(): Uint8Array {
    return this.machine.readPhys(ID_ADDRESS, 16);
  }

  /**
   * What the IOAPIC does with an edge on `gsi`: delivered (the line its
   * redirection entry's vector names set in pendingIrqs) when the entry is
   * unmasked and aimed at this CPU's APIC id; otherwise lost, recorded in
   * `undelivered`. Returns whether it was delivered.
   */
  raiseGsi(gsi: number): boolean {
    const pin = gsi; // the one IOAPIC's GSI base is 0
    const deliver = (): number => {
      if (pin < 0 || pin >= IOAPIC_PINS || this.ioapic.masked(pin)) return -1;
      const low = this.ioapic.redirection[2 * pin], high = this.ioapic.redirection[2 * pin + 1];
      if (high >>> 24 !== this.lapic.apicId) return -1;
      const line = (low & 0xff) - VECTOR_BASE;
      return line >= 0 && line < 32 ? line : -1;
    };
    const line = deliver();
    if (line < 0) { this.undelivered.push(gsi); return false; }
    this.machine.pendingIrqs |= 1 << line;
    return true;
  }

  /**
   * A snapshot load, with the vCPU stopped: a new generation ID written
   * into guest memory (fresh random unless `id` is given — Firecracker
   * always makes a new one), the VMClock's seq_count, disruption_marker and
   * vm_generation_counter bumped, and, with `ged`, the vmgenid and VMClock
   * GSIs raised, as Firecracker triggers them. Without `ged` the
   * interrupts have not arrived yet when the vCPU first runs.
   */
  restoreVm(o: { ged: boolean; id?: string }): string {
    this.id = o.id ?? randomId();
    this.machine.writePhys(ID_ADDRESS, guidBytes(this.id));
    this.vmClockField(12, 4, (v) => v | 1n);
    this.vmClockField(16, 8, (v) => v + 1n);
    this.vmClockField(104, 8, (v) => v + 1n);
    this.vmClockField(12, 4, (v) => v + 1n);
    this.restores++;
    if (o.ged) {
      this.raiseGsi(VMGENID_GSI);
      this.raiseGsi(VMCLOCK_GSI);
    }
    return this.id;
  }
}
