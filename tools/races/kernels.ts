// The guest kernels the restore-race scenarios can run: clonesafe, and a
// peer (Linux 6.1 with the static /init of bench/peers/linux) that speaks
// the same line protocol. Owns: what differs between them as the scenarios
// and the judge see it — how QEMU boots it (-kernel, -initrd, -append, -m),
// its ready line, whether its answers carry an epoch, and the lines (if any)
// by which it announces a handled restore. May call: nothing (pure data).
// Never: starts QEMU (the scenarios do, through the launcher).

import { CLONE_NOTIFY } from "../clone/clones.js";
import type { KernelLaunch } from "../qemu/args.js";

export interface GuestKernel {
  /** "clonesafe" or "linux": the name results are filed under. */
  name: string;
  launch: KernelLaunch;
  /** The line the kernel prints when it accepts commands. */
  ready: RegExp;
  /**
   * Whether `rand` and `stream` lines carry `epoch=<n>`. When true, a line
   * without one, or at an epoch not past the snapshot's, is not fresh; when
   * false (Linux: nothing the guest can read counts reseeds), the judge can
   * only check that output differs from the snapshot timeline's and from
   * every other trial's.
   */
  hasEpoch: boolean;
  /**
   * Lines, in order, by which the kernel announces a handled restore; a
   * same-process trial waits for them so the next one starts from a quiet
   * console. Empty: the kernel announces nothing.
   */
  restoreAnnounced: readonly RegExp[];
  /** Whether the guest answers `uptime` with `uptime: <seconds>`. */
  uptime: boolean;
}

export function clonesafeKernel(image: string): GuestKernel {
  return {
    name: "clonesafe",
    launch: { image },
    ready: /^clonesafe ready\b/,
    hasEpoch: true,
    restoreAnnounced: [CLONE_NOTIFY, /^acpi: notify /],
    uptime: false,
  };
}

/** The command line the Linux peer boots with: output on COM1, no kernel chatter, reboot (and with -no-reboot, exit) on panic. */
export const LINUX_APPEND = "console=ttyS0 quiet panic=-1";
/** The memory the peer is booted with (clonesafe's default is 128 MiB; the peer was checked at 256). */
export const LINUX_MEMORY_MIB = 256;

export function linuxKernel(vmlinuz: string, initramfs: string): GuestKernel {
  return {
    name: "linux",
    launch: { image: vmlinuz, initrd: initramfs, append: LINUX_APPEND, memoryMiB: LINUX_MEMORY_MIB },
    ready: /^linux ready\b/,
    hasEpoch: false,
    restoreAnnounced: [],
    uptime: true,
  };
}
