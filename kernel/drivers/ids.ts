// Matching ACPI devices by identity: _HID and _CID as a String, a
// compressed EISA id (Integer), a Package of either, or a Method returning
// one; _STA, absent meaning present. Every driver finds its devices here.
// Owns: the text form of EISA ids and the matching rules (case-insensitive,
// ACPI 6.5 §6.1.2, §6.1.5). May call: the AML subsystem (evaluation). Never:
// decides what a matched device is used for.

import { NamespaceNode } from "../aml/namespace";
import { AmlInteger, AmlObject, AmlPackage, AmlString, ObjectType } from "../aml/objects";
import { amlEvaluateNode, amlInterpreter } from "../aml/index";

/** A compressed EISA id (as EisaId() stores it) in its 7-character text form. */
export function eisaIdText(value: u64): string {
  const v = <u32>value;
  const be = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >> 8) & 0xff00) | (v >> 24);
  // Three letters and four uppercase hex digits, in one allocation: boot
  // asks for the text of every device's _HID and _CID.
  const text = changetype<string>(__new(14, idof<string>()));
  const at = changetype<usize>(text);
  for (let i = 0; i < 3; i++) store<u16>(at + (<usize>i << 1), 0x40 + ((be >> (26 - 5 * <u32>i)) & 0x1f));
  for (let i = 0; i < 4; i++) {
    const nibble = (be >> (12 - 4 * <u32>i)) & 0xf;
    store<u16>(at + 6 + (<usize>i << 1), nibble < 10 ? 0x30 + nibble : 0x37 + nibble);
  }
  return text;
}

/** The id of `obj` that is one of `ids` (upper case), as the firmware wrote it; "" when none is. */
export function idMatches(obj: AmlObject | null, ids: string[]): string {
  if (obj instanceof AmlString) {
    const s = (obj as AmlString).value.toUpperCase();
    for (let i = 0; i < ids.length; i++) if (s == ids[i]) return (obj as AmlString).value;
    return "";
  }
  if (obj instanceof AmlInteger) {
    const text = eisaIdText((obj as AmlInteger).value);
    for (let i = 0; i < ids.length; i++) if (text == ids[i]) return text;
    return "";
  }
  if (obj instanceof AmlPackage) {
    const elements = (obj as AmlPackage).elements;
    for (let i = 0; i < elements.length; i++) {
      const m = idMatches(elements[i], ids);
      if (m.length > 0) return m;
    }
  }
  return "";
}

/** Evaluates `name` under `device` (Method or Name); null when absent or failing (the failure goes to `problem`). */
export function evaluateChild(device: NamespaceNode, name: string, problem: Array<string>): AmlObject | null {
  const node = device.child(name);
  if (node == null) return null;
  const outcome = amlEvaluateNode(node);
  if (outcome.error.length > 0) { problem.push(node.path() + ": " + outcome.error); return null; }
  return outcome.result;
}

/** The id of `node` (its _HID, else its _CID) among `ids`; "" when neither matches. */
export function deviceMatches(node: NamespaceNode, ids: string[], problem: Array<string>): string {
  const matched = idMatches(evaluateChild(node, "_HID", problem), ids);
  return matched.length > 0 ? matched : idMatches(evaluateChild(node, "_CID", problem), ids);
}

/** `_STA` of `node`: its value, 0x0F when it has none, 0 when it fails. */
export function deviceStatus(node: NamespaceNode, problem: Array<string>): u64 {
  const sta = evaluateChild(node, "_STA", problem);
  return sta instanceof AmlInteger ? (sta as AmlInteger).value : (node.child("_STA") == null ? 0x0f : 0);
}

/** A Device and the ids its _HID and _CID give, upper case (EISA ids as text). */
export class DeviceIdentity {
  readonly ids: Array<string> = new Array<string>();
  constructor(public node: NamespaceNode) {}
}

function collectIds(obj: AmlObject | null, into: Array<string>): void {
  if (obj instanceof AmlString) into.push((obj as AmlString).value.toUpperCase());
  else if (obj instanceof AmlInteger) into.push(eisaIdText((obj as AmlInteger).value));
  else if (obj instanceof AmlPackage) {
    const elements = (obj as AmlPackage).elements;
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i];
      if (!(e instanceof AmlPackage)) collectIds(e, into);
    }
  }
}

// Every driver asks for its devices; the namespace is walked and each
// device's identity evaluated once (the namespace is complete after boot's
// table loads), not once per driver.
let identities: Array<DeviceIdentity> | null = null;
let identitiesRoot: NamespaceNode | null = null;

/** Every Device with its ids, in namespace order; evaluated once per namespace. */
export function deviceIdentities(): Array<DeviceIdentity> {
  const root = amlInterpreter().ns.root;
  const known = identities;
  if (known != null && identitiesRoot === root) return known;
  const list = new Array<DeviceIdentity>();
  const problem = new Array<string>();
  for (let node: NamespaceNode | null = root.firstChild; node != null; node = node!.nextUnder(root)) {
    if (node.type != ObjectType.Device) continue;
    const identity = new DeviceIdentity(node);
    collectIds(evaluateChild(node, "_HID", problem), identity.ids);
    collectIds(evaluateChild(node, "_CID", problem), identity.ids);
    list.push(identity);
  }
  identities = list;
  identitiesRoot = root;
  return list;
}

/** Forgets the identities (a test that loads another namespace into the same root). */
export function forgetDeviceIdentities(): void {
  identities = null;
}

/** Every Device in the namespace whose _HID or _CID is one of `ids`, in namespace order. */
export function findDevices(ids: string[]): Array<NamespaceNode> {
  const found = new Array<NamespaceNode>();
  const all = deviceIdentities();
  for (let i = 0; i < all.length; i++) {
    const d = all[i];
    for (let k = 0; k < d.ids.length; k++) {
      if (ids.includes(d.ids[k])) { found.push(d.node); break; }
    }
  }
  return found;
}
