// JSON forms of AML values, shared by the `aml` shell command and the host
// CLI so both print the same bytes. Owns: the result schema
// {"type":…,"value":…} with lowercase hex integers and buffer bytes, and the
// names a result's Packages hold, resolved once per printing: resolving a
// field name reads hardware, so jsonLengthBound() and the objectJson() that
// follows it share one resolution (and one read) of each.
// May call: interpreter.ts (resolvePackageName: a name's object, a field's
// value read), objects. Never: resolves a name twice in one printing.

import { AmlBuffer, AmlInteger, AmlObject, AmlPackage, AmlReference, AmlString, RefKind, typeName } from "./objects";
import { Interpreter } from "./machine";
import { resolvePackageName } from "./interpreter";

/** This printing's resolutions. A printing starts at a depth-0 jsonLengthBound() and ends with its objectJson(). */
let resolved = new Map<AmlReference, AmlObject | null>();

function resolveOnce(it: Interpreter, ref: AmlReference): AmlObject | null {
  if (resolved.has(ref)) return resolved.get(ref);
  const target = resolvePackageName(it, ref);
  resolved.set(ref, target);
  return target;
}

function forgetResolutions(): void {
  if (resolved.size > 0) resolved = new Map<AmlReference, AmlObject | null>();
}
import { hex } from "../lib/fmt";
import { TextBuilder } from "../lib/text";

export function jsonString(s: string): string {
  const out = new TextBuilder(s.length + 2).char(0x22);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22 || c == 0x5c) out.char(0x5c).char(c);
    else if (c < 0x20 || c > 0x7e) out.text("\\u").hex(<u64>c, 4);
    else out.char(c);
  }
  return out.char(0x22).toString();
}

/** Packages may name each other, even in a cycle: past this depth an element prints as omitted. */
export const JSON_MAX_DEPTH: i32 = 16;

/** The object a named element in a Package stands for, or null when it prints by its type alone. */
function resolvedData(it: Interpreter, obj: AmlObject): AmlObject | null {
  const kind = obj instanceof AmlReference ? (obj as AmlReference).kind : RefKind.PackageElement;
  if (kind == RefKind.Named || kind == RefKind.Unresolved) {
    const target = resolveOnce(it, obj as AmlReference);
    if (target instanceof AmlInteger || target instanceof AmlString || target instanceof AmlBuffer || target instanceof AmlPackage) {
      return target;
    }
  }
  return null;
}

/**
 * An upper bound on objectJson(obj)'s length, computed without building it;
 * counting stops once it passes `limit` (the kernel's shell and boot log must
 * not build a multi-megabyte line to find out it is too long).
 */
export function jsonLengthBound(it: Interpreter, obj: AmlObject | null, limit: i64): i64 {
  forgetResolutions(); // a new printing
  const bound = lengthBound(it, obj, limit, 0);
  if (bound > limit) forgetResolutions(); // refused: no objectJson() follows
  return bound;
}

function lengthBound(it: Interpreter, obj: AmlObject | null, limit: i64, depth: i32): i64 {
  if (obj == null) return 4;
  const target = resolvedData(it, obj);
  if (target != null) return lengthBound(it, target, limit, depth);
  if (obj instanceof AmlInteger) return 48;
  if (obj instanceof AmlString) return 40 + 6 * <i64>(obj as AmlString).value.length;
  if (obj instanceof AmlBuffer) return 40 + 2 * <i64>(obj as AmlBuffer).data.length;
  if (obj instanceof AmlPackage) {
    if (depth >= JSON_MAX_DEPTH) return 80;
    let total: i64 = 40;
    const elements = (obj as AmlPackage).elements;
    for (let i = 0; i < elements.length && total <= limit; i++) total += 1 + lengthBound(it, elements[i], limit - total, depth + 1);
    return total;
  }
  return 64;
}

/** `obj` as JSON, names in Packages resolved in `it`'s namespace; it ends the printing a jsonLengthBound() of the same object began. */
export function objectJson(it: Interpreter, obj: AmlObject | null): string {
  const text = valueJson(it, obj, 0);
  forgetResolutions();
  return text;
}

function valueJson(it: Interpreter, obj: AmlObject | null, depth: i32): string {
  if (obj == null) return "null";
  // A name in a Package stands for its object: a data object prints as its
  // value, anything else by its type (as acpiexec resolves them).
  const target = resolvedData(it, obj);
  if (target != null) return valueJson(it, target, depth);
  if (obj instanceof AmlInteger) return "{\"type\":\"Integer\",\"value\":\"0x" + hex((obj as AmlInteger).value) + "\"}";
  if (obj instanceof AmlString) return "{\"type\":\"String\",\"value\":" + jsonString((obj as AmlString).value) + "}";
  if (obj instanceof AmlBuffer) {
    const data = (obj as AmlBuffer).data;
    const text = new TextBuilder(data.length * 2 + 32).text("{\"type\":\"Buffer\",\"value\":\"");
    for (let i = 0; i < data.length; i++) text.hex(<u64>data[i], 2);
    return text.text("\"}").toString();
  }
  if (obj instanceof AmlPackage) {
    if (depth >= JSON_MAX_DEPTH) return "{\"type\":\"Package\",\"omitted\":\"nested deeper than " + JSON_MAX_DEPTH.toString() + " levels\"}";
    const parts = new Array<string>();
    for (let i = 0; i < (obj as AmlPackage).elements.length; i++) parts.push(valueJson(it, (obj as AmlPackage).elements[i], depth + 1));
    return "{\"type\":\"Package\",\"value\":[" + parts.join(",") + "]}";
  }
  const kind = obj instanceof AmlReference ? (obj as AmlReference).kind : RefKind.PackageElement;
  if (kind == RefKind.Named || kind == RefKind.Unresolved) {
    const other = resolveOnce(it, obj as AmlReference);
    if (other != null) return "{\"type\":\"" + typeName(other.type) + "\"}";
  }
  return "{\"type\":\"" + typeName(obj.type) + "\"}";
}
