// The one place that builds QEMU command lines for clonesafe: `make run`,
// the CLI and every integration test go through qemuArgs(), so they boot
// the same machine. `make compare` boots its peer kernel (Linux, with an
// initrd and a command line) through the same function, so both kernels get
// the same machine, devices and vmgenid.

import { firmwareArgs, type Firmware } from "./firmware.js";

/**
 * pc and q35 (SeaBIOS or OVMF, legacy ACPI with a GPE block, vmgenid), and QEMU's
 * microvm with ACPI (qboot, hardware-reduced ACPI, a GED, no vmgenid in its
 * tables).
 */
export type MachineType = "pc" | "q35" | "microvm";

export type SerialSpec =
  | { kind: "stdio" }
  /** A unix socket QEMU listens on and waits for before starting the guest. */
  | { kind: "socket"; path: string };

export interface QemuOptions {
  /** -kernel: clonesafe's multiboot image (build/clonesafe.efi under UEFI), or a peer's bzImage. */
  image: string;
  /** SeaBIOS (the default) or OVMF (tools/qemu/firmware.ts); pc and q35 only. */
  firmware?: Firmware;
  /** -initrd and -append, for a peer kernel (Linux) only. */
  initrd?: string;
  append?: string;
  machine: MachineType;
  memoryMiB?: number;
  /** false: no vmgenid device. A GUID string or "auto" otherwise. */
  vmgenid?: false | string;
  cpu?: string;
  serial: SerialSpec;
  qmpSocket?: string;
  /** qcow2 file for savevm/loadvm (attached with if=none). */
  stateDrive?: string;
  loadvm?: string;
  incoming?: string;
  acpiTables?: string[];
  /** false: no isa-debug-exit device (then `exit` powers off through ACPI S5). */
  debugExit?: boolean;
  /** -s -S: wait for gdb on :1234. */
  gdb?: boolean;
  /**
   * QEMU 10's `-device vmclock` (7.2 has no such device). Part of the
   * machine: a restore's destination needs it exactly when the source had it.
   */
  vmclock?: boolean;
  extra?: string[];
}

/** What boots: the kernel and, for a peer, its initrd, command line and memory. */
export type KernelLaunch = Pick<QemuOptions, "image" | "initrd" | "append" | "memoryMiB" | "firmware">;

/** The machines with a VM generation ID device: what restore, clone and compare commands accept. */
export const MACHINE_TYPES: readonly MachineType[] = ["pc", "q35"];
/** Every machine clonesafe boots on (`clonesafe run`). */
export const RUN_MACHINE_TYPES: readonly MachineType[] = ["pc", "q35", "microvm"];
/** microvm's ACPI tables are off unless asked for; clonesafe needs them. */
const MICROVM_MACHINE = "microvm,acpi=on";
export const DEBUG_EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=4";
/** QEMU 10's vmclock device (QemuOptions.vmclock). */
export const VMCLOCK_DEVICE = "vmclock";
/** The vmgenid device's QOM path: `qom-set` of its `guid` followed by a loadvm is an in-process clone. */
export const VMGENID_ID = "vmgenid0";
export const VMGENID_QOM_PATH = `/machine/peripheral/${VMGENID_ID}`;

export function qemuArgs(o: QemuOptions): string[] {
  const args = [
    "-machine", o.machine === "microvm" ? MICROVM_MACHINE : o.machine,
    "-accel", "tcg",
    "-m", String(o.memoryMiB ?? 128),
    ...firmwareArgs(o.firmware),
    "-kernel", o.image,
    ...(o.initrd ? ["-initrd", o.initrd] : []),
    ...(o.append !== undefined ? ["-append", o.append] : []),
    ...(o.debugExit === false ? [] : ["-device", DEBUG_EXIT_DEVICE]),
    "-display", "none",
    "-monitor", "none",
    "-no-reboot",
  ];
  // microvm's ACPI builder has no vmgenid SSDT: QEMU would accept the
  // device and the guest could not find it.
  const guid = o.machine === "microvm" ? false : o.vmgenid ?? "auto";
  if (guid !== false) args.push("-device", `vmgenid,id=${VMGENID_ID},guid=${guid}`);
  if (o.vmclock) args.push("-device", VMCLOCK_DEVICE);
  if (o.cpu) args.push("-cpu", o.cpu);
  if (o.serial.kind === "stdio") {
    args.push("-serial", "stdio");
  } else {
    args.push("-chardev", `socket,id=serial0,path=${o.serial.path},server=on,wait=on`, "-serial", "chardev:serial0");
  }
  if (o.qmpSocket) args.push("-qmp", `unix:${o.qmpSocket},server=on,wait=off`);
  if (o.stateDrive) args.push("-drive", `if=none,id=vmstate,file=${o.stateDrive},format=qcow2`);
  for (const table of o.acpiTables ?? []) args.push("-acpitable", `file=${table}`);
  if (o.loadvm) args.push("-loadvm", o.loadvm);
  if (o.incoming) args.push("-incoming", o.incoming);
  if (o.gdb) args.push("-s", "-S");
  args.push(...(o.extra ?? []));
  return args;
}

export function formatCommandLine(binary: string, args: readonly string[]): string {
  return [binary, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

/** A word for /bin/sh: QEMU runs the text after `exec:` with `sh -c`. */
export function shellWord(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** The `-incoming` URI that reads a migration-file (`exec:cat 'FILE'`). */
export function incomingFromFile(file: string): string {
  return `exec:cat ${shellWord(file)}`;
}

/** The `migrate` URI that writes a migration file (`exec:cat > 'FILE'`). */
export function migrationToFile(file: string): string {
  return `exec:cat > ${shellWord(file)}`;
}
