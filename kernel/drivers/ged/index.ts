// The Generic Event Device (ACPI 6.5 §5.6.9, _HID "ACPI0013"): how a
// hardware-reduced platform signals events. Its _CRS lists interrupts; when
// one fires, the OS calls `_EVT(gsi)`, whose AML finds the cause and
// notifies the device concerned — the power button on QEMU microvm,
// `\_SB_.VGEN` (0x80) on Firecracker, whose notify reseeds exactly as the
// GPE one does on pc and q35.
// Owns: every GED's interrupt routes and the dispatch of its `_EVT`.
// May call: the AML subsystem (evaluation, notify delivery), the resource
// decoder, the irq subsystem (routing, unmasking), the device-id matcher,
// the console. Never: leaves an interrupt storming — an `_EVT` that fails
// MAX_FAILURES times in a row is not called again, said once, and its line
// stays masked unless another device shares it — or routes an interrupt
// whose GED has no one-argument `_EVT`.

import { log } from "../../console/log";
import { NamespaceNode } from "../../aml/namespace";
import { AmlBuffer, AmlMethod, typeName } from "../../aml/objects";
import { amlCallWithIntegers, deliverPendingNotifies, queueNotifies } from "../../aml/index";
import { parseResourceTemplate } from "../../acpi/resources";
import { irqMask, irqRouteGsi, irqRouteIsa, irqRouteOf, irqUnmask } from "../../irq/index";
import { deviceStatus, evaluateChild, findDevices } from "../ids";

const GED_IDS: string[] = ["ACPI0013"];
const MAX_FAILURES: u32 = 8;

export class GedInterrupt {
  failures: u32 = 0;
  /** Set after MAX_FAILURES failures in a row: `_EVT` is not called again. */
  disabled: bool = false;
  events: u32 = 0;
  constructor(public device: NamespaceNode, public evt: NamespaceNode, public gsi: u32, public line: u32) {}
}

export const interrupts = new Array<GedInterrupt>();
let lineMask: u32 = 0;
export let gedEvents: u32 = 0;

function initDevice(node: NamespaceNode): void {
  const problem = new Array<string>();
  const status = deviceStatus(node, problem);
  if ((status & 1) == 0) { log("ged", node.path() + " is not present (_STA 0x" + status.toString(16) + "); ignored"); return; }
  const evt = node.child("_EVT");
  if (evt == null || !(evt.object instanceof AmlMethod) || (evt.object as AmlMethod).argCount != 1) {
    log("ged", node.path() + " has no _EVT method of one argument; its interrupts are not routed");
    return;
  }
  const crs = evaluateChild(node, "_CRS", problem);
  if (crs == null || !(crs instanceof AmlBuffer)) {
    log("ged", node.path() + "._CRS " + (problem.length > 0 ? "failed: " + problem.join("; ") :
      "is " + (crs == null ? "missing" : "of type " + typeName(crs.type) + ", not a resource template Buffer")) + "; no interrupts routed");
    return;
  }
  const resources = parseResourceTemplate((crs as AmlBuffer).data);
  if (resources.error.length > 0) log("ged", node.path() + "._CRS: " + resources.error + "; using the interrupts before it");
  if (resources.irqs.length == 0) { log("ged", node.path() + "._CRS lists no interrupt"); return; }
  for (let i = 0; i < resources.irqs.length; i++) {
    const irq = resources.irqs[i];
    if (irq.source.length > 0) {
      log("ged", node.path() + " interrupt " + irq.gsi.toString() + " belongs to the controller " + irq.source + ", not the GSI space; not routed");
      continue;
    }
    // An IRQ descriptor names an ISA IRQ (the MADT's overrides apply); an Extended Interrupt a GSI.
    const line = irq.isaIrq ? irqRouteIsa(irq.gsi, node.path() + " interrupt") : irqRouteGsi(irq.gsi, !irq.edge, irq.activeLow, node.path() + " interrupt");
    if (line < 0) continue;
    interrupts.push(new GedInterrupt(node, evt, irq.gsi, <u32>line));
    lineMask |= <u32>1 << <u32>line;
    irqUnmask(<u32>line);
    log("ged", node.path() + " (ACPI0013): " + irqRouteOf(<u32>line)!.describe() + " -> _EVT(" + irq.gsi.toString() + ")");
  }
}

/** Finds every GED and routes its interrupts. */
export function gedInit(): void {
  interrupts.length = 0;
  lineMask = 0;
  const devices = findDevices(GED_IDS);
  for (let i = 0; i < devices.length; i++) initDevice(devices[i]);
}

/** The lines GED interrupts arrive on (bit n = line n). */
export function gedLines(): u32 {
  return lineMask;
}

/**
 * Serves the GED interrupts among `lines`: `_EVT(gsi)` for each, its
 * notifies delivered, then its line reopened. Returns the lines it served
 * (a line it shares with another device is that device's to serve too).
 */
export function gedServe(lines: u32): u32 {
  const served = lines & lineMask;
  if (served == 0) return 0;
  for (let i = 0; i < interrupts.length; i++) {
    const g = interrupts[i];
    const bit = <u32>1 << g.line;
    if ((lines & bit) == 0) continue;
    if (g.disabled) {
      if (shared(g)) irqUnmask(g.line);
      continue;
    }
    g.events++;
    gedEvents++;
    const outcome = amlCallWithIntegers(g.evt, [<u64>g.gsi]);
    queueNotifies(outcome.notifies);
    deliverPendingNotifies();
    if (outcome.error.length > 0) {
      g.failures++;
      log("ged", g.evt.path() + "(" + g.gsi.toString() + ") failed: " + outcome.error);
      if (g.failures >= MAX_FAILURES) {
        g.disabled = true;
        const keepOpen = shared(g);
        // Masked here, not merely left closed: the loader closes every line
        // on entry only on the 8259; through the APIC an edge line (every
        // GED interrupt of Firecracker's and microvm's) stays open.
        if (!keepOpen) irqMask(g.line);
        log("ged", g.evt.path() + "(" + g.gsi.toString() + ") failed " + MAX_FAILURES.toString() +
          " times in a row; not called again" + (keepOpen ? " (its line stays open for the device sharing it)" : ", its line stays masked"));
        if (keepOpen) irqUnmask(g.line);
        continue;
      }
    } else {
      g.failures = 0;
    }
    irqUnmask(g.line);
  }
  return served;
}

function shared(g: GedInterrupt): bool {
  const r = irqRouteOf(g.line);
  return r != null && r.owners > 1;
}

export function gedStats(): string {
  return "ged=" + gedEvents.toString();
}
