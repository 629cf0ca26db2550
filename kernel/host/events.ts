// Host-build entry points for the GPE dispatch unit tests (never linked into
// the machine image): an AcpiEvents over register blocks the test simulates.

import { AcpiEvents, EventRegisters } from "../acpi/events";
import { ADDRESS_SPACE_IO, ADDRESS_SPACE_MEMORY, RegisterBlock } from "../acpi/fadt";
import { deliverPendingNotifies } from "../aml/index";
import { readS5 } from "../acpi/sleep";

let testEvents: AcpiEvents | null = null;

export function eventsCreate(gpe0: u32, gpe0Len: u32, pm1aEvt: u32, pm1EvtLen: u32, pm1aCnt: u32, smiCmd: u32, acpiEnable: u32): void {
  const r = new EventRegisters();
  r.gpe0 = new RegisterBlock(ADDRESS_SPACE_IO, gpe0, <u8>gpe0Len, false);
  r.gpe0Len = gpe0Len;
  r.pm1aEvt = new RegisterBlock(ADDRESS_SPACE_IO, pm1aEvt, <u8>pm1EvtLen, false);
  r.pm1EvtLen = pm1EvtLen;
  r.pm1aCnt = new RegisterBlock(ADDRESS_SPACE_IO, pm1aCnt, 2, false);
  r.fixedPowerButton = true;
  r.smiCmd = smiCmd;
  r.acpiEnable = acpiEnable;
  testEvents = new AcpiEvents(r);
  testEvents!.init();
}

/** Events whose only block is a GPE0 block in SystemMemory at `gpe0` (the FADT's X_GPE0_BLK), no PM1. */
export function eventsCreateMemoryGpe(gpe0: u64, gpe0Len: u32): void {
  const r = new EventRegisters();
  r.gpe0 = new RegisterBlock(ADDRESS_SPACE_MEMORY, gpe0, <u8>gpe0Len, true);
  r.gpe0Len = gpe0Len;
  testEvents = new AcpiEvents(r);
  testEvents!.init();
}

export function eventsSci(): string {
  const e = testEvents!;
  e.handleSci();
  deliverPendingNotifies();
  return "sci=" + e.sciCount.toString() + " gpe=" + e.gpeCount.toString() + " fixed=" + e.fixedEventCount.toString();
}

/** Whether the SCIs since the last call found the fixed power button pressed. */
export function eventsTakePowerButton(): bool {
  return testEvents!.takePowerButton();
}

/** `\_S5` as the power-off path reads it: "SLP_TYPa=a SLP_TYPb=b", or its error. */
export function sleepReadS5(): string {
  const t = readS5();
  return t.error.length > 0 ? "error: " + t.error : "SLP_TYPa=" + t.a.toString() + " SLP_TYPb=" + t.b.toString();
}
