// Host-build entry points for the vmgenid discovery tests (never linked into
// the machine image): memory setup, AML loading and discovery on a
// simulated machine, as boot() does them, without the rest of boot.

import { memoryInit } from "../mm/index";
import { currentGuidText, device, vmgenidInit } from "../drivers/vmgenid/index";

export function vmgenidMemoryInit(magic: u32, mbi: u32): void {
  memoryInit(magic, mbi);
}

/** Runs discovery; returns "<path> <id> 0x<addr> <guid>" or "none" (the log says why). */
export function vmgenidProbe(): string {
  vmgenidInit();
  const d = device;
  if (d == null) return "none";
  return d.node.path() + " " + d.matchedId + " 0x" + d.phys.toString(16) + " " + currentGuidText();
}

export { eisaIdText as vmgenidEisaText } from "../drivers/vmgenid/index";
