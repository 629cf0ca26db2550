// The kernel proper: boot sequence and the interrupt-driven event loop body.
// Owns: the order in which subsystems start and which IRQ lines are served.
// May call: every subsystem. Never: sleeps itself — kmain (main.ts) owns the
// idle loop, so the host build can drive step() from a test.

import { uartGetByte, uartInit, COM1_IRQ } from "./console/uart";
import { log, writeLine } from "./console/log";
import { shellFeedByte } from "./console/shell";
import { picUnmask } from "./irq/pic";
import { physCopyIn } from "./hw";
import { registerExitCommand } from "./machine/exit";
import { registerPanicCommand } from "./machine/panic";
import { hex0x } from "./lib/fmt";
import { AcpiDiscovery, AcpiTable, discoverAcpi, registerAcpiCommand } from "./acpi/index";
import {
  amlEvaluateNode, amlInterpreter, amlLoadTable, deliverPendingNotifies, outcomeJson, queueNotifies,
  registerAmlCommand,
} from "./aml/index";
import { ObjectType } from "./aml/objects";
import { NamespaceNode as NamespaceNodeRef } from "./aml/namespace";

const MULTIBOOT_MAGIC: u32 = 0x2badb002;
const multibootHeader = memory.data(16);

function describeMultiboot(magic: u32, mbi: u32): void {
  if (magic != MULTIBOOT_MAGIC) {
    log("boot", "not started by a multiboot loader (magic " + hex0x(magic) + ")");
    return;
  }
  physCopyIn(multibootHeader, <u64>mbi, 16);
  const flags = load<u32>(multibootHeader);
  if ((flags & 1) == 0) {
    log("boot", "multiboot info at " + hex0x(mbi) + " has no memory sizes");
    return;
  }
  const lowerKiB = load<u32>(multibootHeader, 4);
  const upperKiB = load<u32>(multibootHeader, 8);
  log("boot", "multiboot info at " + hex0x(mbi) + ": " + lowerKiB.toString() + " KiB low, " +
    upperKiB.toString() + " KiB above 1 MiB");
}

function loadDefinitionBlock(table: AcpiTable): void {
  const problem = amlLoadTable(table.bytes);
  if (problem.length > 0) log("aml", table.signature + " " + table.oemTableId + ": " + problem);
}

/** DSDT first, then every SSDT, into one namespace. */
function loadNamespace(acpi: AcpiDiscovery): void {
  const dsdt = acpi.dsdt;
  if (dsdt == null) {
    log("aml", "no valid DSDT; the namespace holds only the predefined objects");
  } else {
    loadDefinitionBlock(dsdt);
  }
  for (let i = 0; i < acpi.ssdts.length; i++) loadDefinitionBlock(acpi.ssdts[i]);
  const count = amlInterpreter().ns.listing().length;
  log("aml", "namespace: " + count.toString() + " objects from " +
    ((dsdt == null ? 0 : 1) + acpi.ssdts.length).toString() + " tables");
}

/** Evaluates every ADDR method of a Device (the VM generation ID's locator) and logs it. */
function logGenerationIdAddresses(): void {
  const ns = amlInterpreter().ns;
  const stack = new Array<NamespaceNodeRef>();
  stack.push(ns.root);
  while (stack.length > 0) {
    const node = stack.pop();
    for (let i = 0; i < node.children.length; i++) stack.push(node.children[i]);
    const parent = node.parent;
    if (node.name == "ADDR" && parent != null && parent.type == ObjectType.Device) {
      const outcome = amlEvaluateNode(node);
      log("aml", outcomeJson(outcome));
      queueNotifies(outcome.notifies);
    }
  }
}

export function boot(magic: u32, mbi: u32): void {
  uartInit();
  log("clonesafe", "booting");
  describeMultiboot(magic, mbi);
  const acpi = discoverAcpi();
  loadNamespace(acpi);
  logGenerationIdAddresses();
  registerAcpiCommand(acpi);
  registerAmlCommand();
  registerExitCommand();
  registerPanicCommand();
  deliverPendingNotifies();
  picUnmask(COM1_IRQ);
  writeLine("clonesafe ready");
}

/** Serves the IRQ lines in `lines` (bit n = IRQ n), then reopens them. */
export function step(lines: u32): void {
  if ((lines & (<u32>1 << COM1_IRQ)) != 0) {
    for (let byte = uartGetByte(); byte >= 0; byte = uartGetByte()) shellFeedByte(<u32>byte);
    deliverPendingNotifies();
    picUnmask(COM1_IRQ);
    lines &= ~(<u32>1 << COM1_IRQ);
  }
  for (let line: u32 = 0; line < 16; line++) {
    // Lines nobody owns stay masked; say so once each time one fires.
    if ((lines & (<u32>1 << line)) != 0) log("irq", "line " + line.toString() + " fired with no handler; left masked");
  }
}
