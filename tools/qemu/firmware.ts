// Which firmware boots clonesafe: SeaBIOS, QEMU's default for pc and q35,
// with the multiboot image; or OVMF (UEFI) with build/clonesafe.efi.
// Owns: OVMF's paths and how OVMF is attached. On a QEMU command line,
// OVMF's code is attached read-only as pflash unit 0 and no variable store
// is attached: OVMF then keeps its variables in RAM (its emulated store), so
// a snapshot, a clone or a migration file carries them with the rest of the
// VM state, and no instance needs a copy of OVMF_VARS (with a writable raw
// store, savevm refuses: pflash1 cannot hold a snapshot). Under libvirt
// (tools/libvirt/domain.ts), OVMF is the combined image OVMF_ROM as a ROM
// (<loader type='rom'>, QEMU's -bios): libvirt 9.0 refuses internal
// snapshots of any domain with a pflash loader, even a read-only one
// without <nvram>; as a ROM there is no flash device, so OVMF's variables
// can only be in RAM, as above. Never: runs QEMU.

import { existsSync } from "node:fs";

export type Firmware = "bios" | "uefi";
export const FIRMWARES: readonly Firmware[] = ["bios", "uefi"];

/** Debian's ovmf package (2022.11 on Debian 12): the 4 MiB build, without Secure Boot. */
export const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";

/**
 * The same package's combined image (code and variable store in one file:
 * the 2 MiB build), which QEMU maps read-only below 4 GiB with -bios:
 * libvirt's <loader type='rom'>. OVMF_CODE_4M.fd alone is not one (QEMU:
 * "could not load PC BIOS").
 */
export const OVMF_ROM = "/usr/share/ovmf/OVMF.fd";

/** An OVMF image (the code image by default), or an error naming the package when it is not installed. */
export function ovmfCode(path: string = OVMF_CODE): string {
  if (!existsSync(path)) {
    throw new Error(`OVMF is not installed: ${path} is missing (Debian package ovmf; \`make deps\` installs it)`);
  }
  return path;
}

/** QEMU arguments for `firmware`: none for SeaBIOS, OVMF's code as read-only pflash for UEFI. */
export function firmwareArgs(firmware: Firmware | undefined, code: string = OVMF_CODE): string[] {
  if (firmware !== "uefi") return [];
  return ["-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${code}`];
}
