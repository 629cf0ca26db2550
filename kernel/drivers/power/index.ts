// The power button and power-off: what the platform's "shut down" request
// (QMP system_powerdown, virsh shutdown, a host's ACPI power button) does.
// Two sources: the fixed-feature event (PM1 PWRBTN_STS, acpi/events.ts)
// and a power button device (_HID PNP0C0C) that firmware notifies with
// 0x80, as QEMU microvm's GED `_EVT` does for `\_SB.PWRB`. Either one
// powers the machine off through ACPI S5 (acpi/sleep.ts).
// Owns: the press-pending flag and the log lines of the power button.
// May call: acpi/sleep.ts, the AML subsystem (notify registration), the
// device-id matcher, the console. Never: powers off inside another
// subsystem's work — a press is recorded, and served by the event loop
// after the event that delivered it (servePowerButton).

import { log } from "../../console/log";
import { NamespaceNode } from "../../aml/namespace";
import { registerNotifyHandler } from "../../aml/index";
import { Fadt } from "../../acpi/fadt";
import { enterS5, sleepInit } from "../../acpi/sleep";
import { findDevices } from "../ids";

const POWER_BUTTON_IDS: string[] = ["PNP0C0C"];
/** Notify value of a power button press (ACPI 6.5 §5.6.6, table 5.xx "Device-Specific Notifications"). */
const NOTIFY_POWER_BUTTON_PRESSED: u32 = 0x80;

let pending = "";
export let presses: u32 = 0;

function onNotify(node: NamespaceNode, value: u32): void {
  if (value != NOTIFY_POWER_BUTTON_PRESSED) {
    log("power", node.path() + " notified 0x" + value.toString(16) + ", not a press (0x80); ignored");
    return;
  }
  powerButtonPressed(node.path() + " notify 0x80");
}

/** Finds the power button devices and readies S5; logs what the button will do. */
export function powerInit(fadt: Fadt | null): void {
  sleepInit(fadt);
  const devices = findDevices(POWER_BUTTON_IDS);
  for (let i = 0; i < devices.length; i++) registerNotifyHandler(devices[i], onNotify);
  const names = new Array<string>();
  for (let i = 0; i < devices.length; i++) names.push(devices[i].path());
  if (names.length > 0) log("power", "power button device " + names.join(", ") + " (PNP0C0C): a press powers off (S5)");
}

/** Records a press from `source`; the event loop powers off after the current event. */
export function powerButtonPressed(source: string): void {
  presses++;
  if (pending.length == 0) pending = source;
}

/** Powers off if a press is pending (returns only if the platform did not). */
export function servePowerButton(): bool {
  if (pending.length == 0) return false;
  log("power", "power button pressed (" + pending + "): powering off through ACPI S5");
  pending = "";
  enterS5();
  return true;
}

/** `exit` without isa-debug-exit: power off, since the status has nowhere to go. */
export function powerOffForExit(status: u32): void {
  log("power", "no isa-debug-exit at 0xf4: powering off through ACPI S5 instead (status " + status.toString() +
    " is lost, as on real hardware)");
  enterS5();
}
