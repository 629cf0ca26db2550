// Usage texts and argument parsing for every `clonesafe` subcommand.
// Owns: the usage text of each subcommand, `--help`/`-h` handling, and
//   turning an argument problem (node:util parseArgs or our own checks)
//   into a UsageError (exit status 2, with a hint to `--help`).
// May call: nothing outside this file (callers pass their parseArgs call in).
// Never: starts processes, touches files, or prints anything itself.

/** A wrong command line: exit status 2, "error: …" and a hint to `clonesafe <command> --help`. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) { super(message); }
}

export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  run: `usage: clonesafe run [--machine pc|q35|microvm] [--firmware bios|uefi] [--boot multiboot|pvh] [--guid G|auto|none] [--cpu MODEL] [--debug] [--image FILE] [--incoming FILE]
  Boot clonesafe under QEMU (TCG) with the serial console on this terminal,
  QMP at build/qmp.sock and a qcow2 state drive at build/state.qcow2.
  --boot pvh boots build/clonesafe-pvh.elf (the PVH entry) instead of the
  multiboot image. --firmware uefi boots build/clonesafe.efi under OVMF
  (Debian's ovmf; q35 unless --machine pc). microvm has no vmgenid: its
  clonesafe has no restore signal.
  --incoming FILE restores the state saved by migrate-file. Refuses to start
  while another instance answers on build/qmp.sock. Exit status: the kernel's
  (\`exit N\` gives N, a panic its QEMU status), 1 if QEMU fails, 130 on Ctrl-C.`,
  aml: `usage: clonesafe aml --table FILE [--table FILE]... [--trace] namespace
       clonesafe aml --table FILE [--table FILE]... [--trace] eval PATH [PATH...]
  Load DSDT/SSDT files into the kernel's AML interpreter (host build) and
  list the namespace (one "<path> <type>" line per object, sorted) or
  evaluate paths (one JSON line each). --trace shows operation-region
  accesses on stderr.`,
  snapshot: `usage: clonesafe snapshot --qmp SOCK --tag T
  savevm T on a running instance (e.g. --qmp build/qmp.sock under make run).
  QEMU's QMP socket serves one client at a time: close other clients first.`,
  clone: `usage: clonesafe clone --state FILE --tag T [--count N] [--machine pc|q35] [--firmware bios|uefi] [--cpu MODEL] [--keep]
       clonesafe clone --libvirt DOMAIN --tag T [--count N] [--connect URI] [--keep]
  N (default 1, at most 64) QEMU processes restored from snapshot T, each on
  its own copy of the qcow2 FILE with a fresh GUID; one JSON line per clone
  after it reseeds: {"clone":k,"guid":…,"epoch":…,"rand":…}. --firmware
  uefi: the snapshot was taken under OVMF (run --firmware uefi). --keep leaves
  them running. Ctrl-C stops them all and removes their copies.
  --libvirt: clones of the libvirt snapshot T of DOMAIN, through libvirt:
  domains DOMAIN-clone-<k>, each defined on its own copy of the disk and
  reverted to T (a new genid each); the JSON adds "domain" and "genid"
  (libvirt's). --keep leaves them defined and running.`,
  libvirt: `usage: clonesafe libvirt define [--name N] [--machine pc|q35] [--firmware bios|uefi] [--serial unix|pty] [--connect URI] [--dir DIR] [--image FILE]
       clonesafe libvirt undefine [--name N] [--connect URI]
  define: fill the domain template (tools/libvirt/domain.xml) into
  DIR/N.xml (DIR: build/libvirt, N: clonesafe), create the qcow2 DIR/N.qcow2
  for snapshots if absent, and virsh define it on URI (default
  $LIBVIRT_DEFAULT_URI or qemu:///system). COM1 is the unix socket
  DIR/N.serial.sock, or a pty for virsh console. --firmware uefi boots
  build/clonesafe.efi under OVMF (Debian's ovmf: /usr/share/ovmf/OVMF.fd as
  a ROM, since libvirt refuses internal snapshots with pflash firmware; q35
  unless --machine pc). undefine: stop the domain if it runs and undefine it
  with its snapshot metadata; files are kept.`,
  compare: `usage: clonesafe compare [--peer linux|clonesafe] [--machine pc|q35] [--trials N] [--only M,...] [--json FILE] [--write]
       clonesafe compare --from-json FILE [--write]
  clonesafe and an unmodified Linux 6.1 guest (Debian 12's generic kernel,
  fetched into build/peers/linux by make peer-linux on first use) through the
  same QEMU command lines and restore scenarios; one table on stdout,
  progress on stderr. --peer and --machine run one kernel or one machine
  (default both of each); --trials N (default 8) per scenario; --only runs
  some measurements: boot, races, aged, stream, first-fresh, icount, or one
  race scenario. --json FILE saves the results; --write saves them to
  bench/compare.json and the README's comparison section (make compare).
  --from-json FILE [--write] prints (and writes) saved results, running nothing.
  Exit status 1 if a measurement failed; Ctrl-C stops every QEMU (130).`,
  "migrate-file": `usage: clonesafe migrate-file --qmp SOCK --file F
  Save the running state to F; restore it with run --incoming F. The source
  VM stays paused (QMP status postmigrate): resume it with QMP "cont", or
  stop it.`,
};

export const USAGE = `usage: clonesafe <command> [options]      (clonesafe <command> --help for one command)
${Object.values(COMMAND_USAGE).map((u) => u.replace(/^usage: /, "  ").replace(/\n {7}clonesafe/g, "\n  clonesafe")).join("\n")}`;

/** True when `--help` or `-h` is among the arguments: print COMMAND_USAGE[command], exit 0. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/**
 * Runs a parseArgs call for `command`; a parse problem becomes a UsageError
 * naming the command (Node's message, without its advice about "--").
 */
export function parsed<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""), command);
    }
    throw e;
  }
}

export function usageHint(command: string | undefined): string {
  return command ? `(clonesafe ${command} --help shows its usage)` : "(clonesafe --help shows the commands)";
}
