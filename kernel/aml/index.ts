// The AML subsystem's face to the rest of the kernel and to the host CLI.
// Owns: the one Interpreter instance, table validation before loading,
// evaluation by path with JSON results, the smaller allocation limit of
// identification objects, Notify delivery to registered handlers, and the
// `aml <path>` shell command.
// May call: the interpreter (interpreter.ts, machine.ts), the meter,
// json.ts, acpi/tables.ts's header readers, the console. Never: reaches
// hardware except through operation regions (region.ts); begins an AML
// event on its own in the kernel (main.ts does, after each collection).

import { amlBeginEvent, amlLimitTo, amlRestoreLimit } from "./meter";
import { Interpreter, PendingNotify } from "./machine";
import { evaluateNode, loadDefinitionBlock, newInterpreter } from "./interpreter";
import { NamespaceNode, NotifyHandler } from "./namespace";
import { AmlInteger, AmlObject, typeName } from "./objects";
import { jsonLengthBound, jsonString, objectJson } from "./json";
import { parseTextPath, segmentKey } from "./names";
import { log } from "../console/log";
import { Answer, fail, ok, registerCommand } from "../console/shell";
import { hex } from "../lib/fmt";
import { AcpiTable, HEADER_LENGTH as ACPI_HEADER_LENGTH, asciiField, byteSum, readU32 } from "../acpi/tables";

let interpreter = newInterpreter();

const NO_NOTIFIES = new Array<PendingNotify>(0);
const NO_ARGS = new Array<AmlObject | null>(0);

export function amlInterpreter(): Interpreter {
  return interpreter;
}

/** Starts over with an empty namespace (host tools load several table sets). */
export function amlReset(): void {
  interpreter = newInterpreter();
  amlBeginEvent();
}

/**
 * amlNewEvent: a new AML event, the allocation budget and the work count
 * start over (meter.ts's amlBeginEvent). The kernel calls it only after
 * collecting garbage (main.ts); the host tools before each evaluation.
 */
export { amlBeginEvent as amlNewEvent } from "./meter";

/**
 * Objects that identify a device and that firmware defines as constants, or
 * as methods that return one. The kernel evaluates them for every device in
 * one event (boot's discovery), so each may allocate only this much: a
 * method that allocates more cannot starve the evaluations after it.
 */
const IDENTIFICATION_NAMES: string[] = ["_HID", "_CID", "_UID", "_ADR", "_STA", "_SUN", "_DDN", "_CLS", "_SUB", "_HRV"];
export const IDENTIFICATION_BUDGET: u64 = 128 << 10;

/** IDENTIFICATION_NAMES' segment keys, computed once: every evaluation (an SCI's `_Exx` too) checks them. */
const IDENTIFICATION_KEYS: StaticArray<u32> = identificationKeys();

function identificationKeys(): StaticArray<u32> {
  const keys = new StaticArray<u32>(IDENTIFICATION_NAMES.length);
  for (let i = 0; i < IDENTIFICATION_NAMES.length; i++) keys[i] = segmentKey(IDENTIFICATION_NAMES[i]);
  return keys;
}

function isIdentification(node: NamespaceNode): bool {
  const key = node.key;
  for (let i = 0, n = IDENTIFICATION_KEYS.length; i < n; i++) if (unchecked(IDENTIFICATION_KEYS[i]) == key) return true;
  return false;
}

/**
 * Checks that `bytes` is a whole definition block (DSDT or SSDT) with a
 * correct checksum, as the ACPI walker (acpi/tables.ts) checks every table it
 * copies: with its readers. Returns "" or what is wrong. For bytes from
 * elsewhere (the host CLI's files); the kernel's own tables come checked.
 */
export function checkDefinitionBlock(bytes: Uint8Array): string {
  if (<u32>bytes.length < ACPI_HEADER_LENGTH) return "not an ACPI table: " + bytes.length.toString() + " bytes, shorter than a table header";
  const signature = asciiField(bytes, 0, 4, false);
  if (signature != "DSDT" && signature != "SSDT") {
    return "not an AML definition block: signature \"" + signature + "\" (expected DSDT or SSDT)";
  }
  const length = readU32(bytes, 4);
  if (length != <u32>bytes.length) {
    return signature + " header says " + length.toString() + " bytes but the table has " + bytes.length.toString();
  }
  const sum = byteSum(bytes, length);
  if (sum != 0) return signature + " checksum is wrong (bytes sum to 0x" + hex(<u64>sum, 2) + ", not 0)";
  return "";
}

/** Loads a definition block after checkDefinitionBlock; returns "" or the problem or load error (objects created before it stay). */
export function amlLoadTable(bytes: Uint8Array): string {
  const problem = checkDefinitionBlock(bytes);
  if (problem.length > 0) return problem;
  return loadDefinitionBlock(interpreter, bytes, asciiField(bytes, 0, 4, false), asciiField(bytes, 16, 8, true));
}

/** Loads a DSDT or SSDT the ACPI walker copied and checked (its length and checksum): no second pass over its bytes. */
export function amlLoadAcpiTable(table: AcpiTable): string {
  return loadDefinitionBlock(interpreter, table.bytes, table.signature, table.oemTableId);
}

export function amlNamespaceListing(): string {
  return interpreter.ns.listing().join("\n");
}

export function amlFind(path: string): NamespaceNode | null {
  const p = parseTextPath(path);
  if (p == null) return null;
  return interpreter.ns.lookup(p, interpreter.ns.root);
}

export class EvalOutcome {
  result: AmlObject | null = null;
  error: string = "";
  /** Notifies the evaluation queued (a shared empty array when there were none: read only). */
  notifies: Array<PendingNotify> = NO_NOTIFIES;
  /** The evaluated node; null when the path did not resolve (then `pathText` says what was asked). */
  node: NamespaceNode | null = null;
  pathText: string = "";

  /** Built only when asked for: the GPE path evaluates methods on every event and never needs it. */
  get path(): string {
    const node = this.node;
    return node != null ? node.path() : this.pathText;
  }
}

/** Evaluates a node with no arguments; the notifies it queued are returned, not delivered. */
export function amlEvaluateNode(node: NamespaceNode): EvalOutcome {
  return amlEvaluateNodeWith(node, NO_ARGS);
}

/** Calls the method at `node` with Integer arguments (a GED's `_EVT(gsi)`, `_PTS(5)`); notifies as amlEvaluateNode. */
export function amlCallWithIntegers(node: NamespaceNode, values: Array<u64>): EvalOutcome {
  const args = new Array<AmlObject | null>(values.length);
  for (let i = 0; i < values.length; i++) args[i] = new AmlInteger(values[i]);
  return amlEvaluateNodeWith(node, args);
}

/** The evaluation itself: an identification object held to its smaller budget. Notifies stay in interpreter.notifies. */
function evaluateHeld(node: NamespaceNode, args: Array<AmlObject | null>): AmlObject | null {
  interpreter.notifies.length = 0; // a table load's stray notifies are not this evaluation's
  if (!isIdentification(node)) return evaluateNode(interpreter, node, args);
  const saved = amlLimitTo(IDENTIFICATION_BUDGET, node.name);
  const result = evaluateNode(interpreter, node, args);
  amlRestoreLimit(saved);
  return result;
}

/**
 * Evaluates a node with no arguments (a GPE's `_Exx`/`_Lxx`) and queues
 * the notifies it made for deliverPendingNotifies, as amlEvaluateNode and
 * queueNotifies would; returns the error ("" when none). Builds no
 * EvalOutcome and hands over no array: the SCI path allocates only what the
 * AML itself does.
 */
export function amlEvaluateQueuingNotifies(node: NamespaceNode): string {
  evaluateHeld(node, NO_ARGS);
  const error = interpreter.error;
  const made = interpreter.notifies;
  for (let i = 0, n = made.length; i < n; i++) pendingNotifies.push(unchecked(made[i]));
  made.length = 0;
  return error != null ? error.toString() : "";
}

function amlEvaluateNodeWith(node: NamespaceNode, args: Array<AmlObject | null>): EvalOutcome {
  const outcome = new EvalOutcome();
  outcome.node = node;
  outcome.result = evaluateHeld(node, args);
  if (interpreter.error != null) {
    outcome.error = interpreter.error!.toString();
    outcome.result = null;
  }
  // The interpreter's list is handed over and replaced only when used.
  if (interpreter.notifies.length > 0) {
    outcome.notifies = interpreter.notifies;
    interpreter.notifies = new Array<PendingNotify>();
  }
  return outcome;
}

export function amlEvaluate(path: string): EvalOutcome {
  const p = parseTextPath(path);
  if (p == null) {
    const bad = new EvalOutcome();
    bad.pathText = path;
    bad.error = "malformed path \"" + path + "\"";
    return bad;
  }
  const node = interpreter.ns.lookup(p, interpreter.ns.root);
  if (node == null) {
    const missing = new EvalOutcome();
    missing.pathText = p.absolute ? p.toString() : "\\" + p.toString();
    missing.error = "no object named " + missing.path;
    return missing;
  }
  return amlEvaluateNode(node);
}

/** The JSON line of the `eval` CLI command and the `aml` shell command. */
export function outcomeJson(o: EvalOutcome): string {
  if (o.error.length > 0) return "{\"path\":" + jsonString(o.path) + ",\"error\":" + jsonString(o.error) + "}";
  const notes = new Array<string>();
  for (let i = 0; i < o.notifies.length; i++) {
    notes.push("[" + jsonString(o.notifies[i].node.path()) + ",\"0x" + hex(<u64>o.notifies[i].value) + "\"]");
  }
  return "{\"path\":" + jsonString(o.path) + ",\"result\":" + objectJson(interpreter, o.result) + ",\"notify\":[" + notes.join(",") + "]}";
}

/** The host CLI's `eval`: each path is one event, as one `aml` command is in the kernel. */
export function amlEvaluateJson(path: string): string {
  amlBeginEvent();
  return outcomeJson(amlEvaluate(path));
}

export function registerNotifyHandler(node: NamespaceNode, handler: NotifyHandler): void {
  node.notifyHandler = handler;
}

// Notifies wait here until the evaluation (or shell command) that queued
// them has finished; the event loop then delivers them in order.
const pendingNotifies = new Array<PendingNotify>();

export function queueNotifies(notifies: Array<PendingNotify>): void {
  for (let i = 0; i < notifies.length; i++) pendingNotifies.push(notifies[i]);
}

let notifiesDelivered: u32 = 0;

export function amlNotifyCount(): u32 {
  return notifiesDelivered;
}

/**
 * Delivers every queued notify: one `acpi: notify <path> 0x<value>` line
 * each, then the node's handler if one is registered (a notify without a
 * handler is only logged). Returns how many were delivered.
 */
export function deliverPendingNotifies(): i32 {
  let delivered = 0;
  while (pendingNotifies.length > 0) {
    const n = pendingNotifies.shift();
    // The handler first, the log line after: a vmgenid reseed must not wait
    // for the UART, so the handler's own lines come before this one.
    const handler = n.node.notifyHandler;
    if (handler != null) handler(n.node, n.value);
    log("acpi", "notify " + n.node.path() + " 0x" + hex(<u64>n.value));
    delivered++;
    notifiesDelivered++;
  }
  return delivered;
}

/** The longest result the serial shell prints: the kernel must not build a line of megabytes to send it. */
export const SHELL_RESULT_LIMIT: i64 = 16384;

function amlCommand(args: Array<string>): Answer {
  if (args.length != 1) return fail("expected one namespace path, e.g. aml \\_SB.VGEN.ADDR");
  const outcome = amlEvaluate(args[0]);
  queueNotifies(outcome.notifies);
  if (jsonLengthBound(interpreter, outcome.result, SHELL_RESULT_LIMIT) > SHELL_RESULT_LIMIT) {
    return fail(outcome.path + " evaluated to a " + typeName(outcome.result!.type) + " whose JSON is longer than " +
      SHELL_RESULT_LIMIT.toString() + " characters, the most the shell prints (clonesafe aml on the host prints any size)");
  }
  return ok(outcomeJson(outcome));
}

export function registerAmlCommand(): void {
  registerCommand("aml", "aml <path>", amlCommand);
}
