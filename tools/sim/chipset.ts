// The part of QEMU's PIIX4 power-management device that a restore touches,
// for the host build: GPE0 at 0xafe0 (two status bytes, write-1-to-clear,
// then two enable bytes), as `-machine pc` has it. restoreVm() does what
// QEMU's vmgenid post_load does while the vCPU is stopped: write the GUID
// (a new one, or the same again) and raise GPE0 status bit 5. Whether the
// SCI (IRQ 9) is pending when the vCPU resumes is the caller's choice: the
// interrupt order after a restore is not guaranteed.

import type { SimMachine } from "./machine.js";
import { guidWindowWrite } from "./qemu-pc.js";

export const PC_GPE0 = 0xafe0;
export const SCI_IRQ = 9;
const VMGENID_GPE_BIT = 5;

export interface GpeBlockState { status: number[]; enable: number[] }

/** Adds the pc GPE0 block to `m`; returns its registers for inspection. */
export function addPcGpeBlock(m: SimMachine): GpeBlockState {
  const s: GpeBlockState = { status: [0, 0], enable: [0, 0] };
  m.devices.push({
    base: PC_GPE0, length: 4,
    read: (port) => (port < PC_GPE0 + 2 ? s.status[port - PC_GPE0] : s.enable[port - PC_GPE0 - 2]),
    write: (port, _w, v) => {
      if (port >= PC_GPE0 + 2) s.enable[port - PC_GPE0 - 2] = v & 0xff;
      else s.status[port - PC_GPE0] &= ~v; // write-1-to-clear
    },
  });
  return s;
}

/** A restore: the GUID written (when given), GPE 5's status raised, the SCI pending only if `sci`. */
export function restoreVm(m: SimMachine, gpe: GpeBlockState, o: { guid?: string; sci: boolean }): void {
  if (o.guid) guidWindowWrite(m, o.guid);
  gpe.status[0] |= 1 << VMGENID_GPE_BIT;
  if (o.sci && (gpe.enable[0] & (1 << VMGENID_GPE_BIT)) !== 0) m.pendingIrqs |= 1 << SCI_IRQ;
}
