// Which firmware boots clonesafe: SeaBIOS, QEMU's default for pc and q35,
// with the multiboot image; or OVMF (UEFI) with build/clonesafe.efi.
// Owns: OVMF's path and how it is attached. OVMF's code is attached
// read-only as pflash unit 0 and no variable store is attached: OVMF then
// keeps its variables in RAM (its emulated store), so a snapshot, a clone or
// a migration file carries them with the rest of the VM state, and no
// instance needs a copy of OVMF_VARS (with a writable raw store, savevm
// refuses: pflash1 cannot hold a snapshot). Never: runs QEMU.

import { existsSync } from "node:fs";

export type Firmware = "bios" | "uefi";
export const FIRMWARES: readonly Firmware[] = ["bios", "uefi"];

/** Debian's ovmf package (2022.11 on Debian 12): the 4 MiB build, without Secure Boot. */
export const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";

/** The OVMF code image, or an error naming the package when it is not installed. */
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
