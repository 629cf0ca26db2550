// Host-build entry point for the resource-template unit tests (never linked
// into the machine image): decodes a template and returns the list as JSON,
// since only numbers and strings cross the export boundary. 64-bit values
// are "0x…" strings (u64 does not fit a JSON number).
// Owns: the JSON form of a ResourceList. May call: acpi/resources.ts.
// Never: used by the machine build (main.ts does not import it).

import { hex0x } from "../lib/fmt";
import { jsonString } from "../aml/json";
import { parseResourceTemplate, ResourceList } from "../acpi/resources";

function jsonBool(value: bool): string {
  return value ? "true" : "false";
}

function listJson(list: ResourceList): string {
  const irqs = new Array<string>();
  for (let i = 0; i < list.irqs.length; i++) {
    const r = list.irqs[i];
    irqs.push("{\"gsi\":" + r.gsi.toString() + ",\"edge\":" + jsonBool(r.edge) +
      ",\"activeLow\":" + jsonBool(r.activeLow) + ",\"shared\":" + jsonBool(r.shared) +
      ",\"wake\":" + jsonBool(r.wake) + ",\"consumer\":" + jsonBool(r.consumer) +
      ",\"isaIrq\":" + jsonBool(r.isaIrq) + ",\"source\":" + jsonString(r.source) +
      ",\"offset\":" + r.offset.toString() + "}");
  }
  const memory = new Array<string>();
  for (let i = 0; i < list.memory.length; i++) {
    const r = list.memory[i];
    memory.push("{\"kind\":" + jsonString(r.kind) + ",\"base\":" + jsonString(hex0x(r.base)) +
      ",\"length\":" + jsonString(hex0x(r.length)) + ",\"cache\":" + r.cache.toString() +
      ",\"writable\":" + jsonBool(r.writable) + ",\"maximum\":" + jsonString(hex0x(r.maximum)) +
      ",\"granularity\":" + jsonString(hex0x(r.granularity)) +
      ",\"translation\":" + jsonString(hex0x(r.translation)) + ",\"fixed\":" + jsonBool(r.fixed) +
      ",\"consumer\":" + jsonBool(r.consumer) + ",\"offset\":" + r.offset.toString() + "}");
  }
  const io = new Array<string>();
  for (let i = 0; i < list.io.length; i++) {
    const r = list.io[i];
    io.push("{\"kind\":" + jsonString(r.kind) + ",\"minimum\":" + r.minimum.toString() +
      ",\"maximum\":" + r.maximum.toString() + ",\"length\":" + r.length.toString() +
      ",\"consumer\":" + jsonBool(r.consumer) + ",\"offset\":" + r.offset.toString() + "}");
  }
  return "{\"irqs\":[" + irqs.join(",") + "],\"memory\":[" + memory.join(",") + "],\"io\":[" + io.join(",") +
    "],\"skipped\":" + list.skipped.toString() + ",\"error\":" + jsonString(list.error) + "}";
}

/** parseResourceTemplate(bytes) as JSON. */
export function resourcesJson(bytes: Uint8Array): string {
  return listJson(parseResourceTemplate(bytes));
}
