// clonesafe's libvirt domain XML: the template (domain.xml, next to this
// module in the repository and next to the CLI bundle in build/tools/)
// filled in, and the few edits a clone needs on the XML libvirt prints.
// Owns: the template's fields, the firmware's <loader> (none: SeaBIOS; UEFI:
//   OVMF as a ROM, tools/qemu/firmware.ts says why not pflash), XML
//   escaping, reading values back from virsh's XML (genid, disks, serial
//   socket, machine, loader, snapshot state), and turning a snapshot's
//   domain into a clone's.
// May call: node:fs to read the template.
// Never: runs virsh or QEMU; parses XML beyond the elements named here
//   (libvirt's own output, one element per line, is all it reads).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MachineType } from "../qemu/args.js";
import { OVMF_ROM, type Firmware } from "../qemu/firmware.js";

export type SerialKind = "unix" | "pty";

export interface DomainOptions {
  name: string;
  machine: MachineType;
  /** bios (the default): SeaBIOS boots `image` (multiboot); uefi: OVMF (`ovmf`, as a ROM) boots it (an EFI application). */
  firmware?: Firmware;
  /** The OVMF image for uefi: OVMF_ROM unless given. */
  ovmf?: string;
  /** build/clonesafe.elf, or build/clonesafe.efi for uefi */
  image: string;
  /** qcow2 file for libvirt's internal snapshots. */
  disk: string;
  /** unix: COM1 on a socket libvirt binds at `serialSocket`; pty: for `virsh console`. */
  serial: SerialKind;
  serialSocket: string;
}

/** Names that are safe as a libvirt domain name and in file names. */
export const DOMAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function templatePath(): string {
  return fileURLToPath(new URL("./domain.xml", import.meta.url));
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&apos;").replace(/"/g, "&quot;");
}

export function xmlUnescape(text: string): string {
  return text.replace(/&(lt|gt|apos|quot|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", apos: "'", quot: '"', amp: "&" })[e]!);
}

const UNIX_SERIAL = /<serial type='unix'>[\s\S]*?<\/serial>/;
const OS_TYPE = /<type\b[^>]*>hvm<\/type>/;

/**
 * The template with every {{field}} filled in (escaped); pty replaces the
 * unix serial element; uefi adds `<loader type='rom'>` (OVMF) after `<os>`'s
 * `<type>`.
 */
export function domainXml(o: DomainOptions, template: string = readFileSync(templatePath(), "utf8")): string {
  const fields: Record<string, string> = {
    name: o.name, machine: o.machine, image: o.image, disk: o.disk, serial: o.serialSocket,
  };
  let xml = template.replace(/\{\{([a-z-]+)\}\}/g, (whole, key: string) => {
    const value = fields[key];
    if (value === undefined) throw new Error(`the domain template ${templatePath()} has an unknown field ${whole}`);
    return xmlEscape(value);
  });
  if (o.serial === "pty") {
    if (!UNIX_SERIAL.test(xml)) throw new Error("the domain template has no <serial type='unix'> element to replace");
    xml = xml.replace(UNIX_SERIAL, "<serial type='pty'>\n      <target port='0'/>\n    </serial>");
  }
  if (o.firmware === "uefi") {
    if (!OS_TYPE.test(xml)) throw new Error("the domain template has no <type …>hvm</type> element to put the firmware's <loader> after");
    xml = xml.replace(OS_TYPE, (type) => `${type}\n    <loader type='rom'>${xmlEscape(o.ovmf ?? OVMF_ROM)}</loader>`);
  }
  return xml;
}

function attr(element: string, name: string): string | null {
  const m = new RegExp(`\\s${name}=(?:'([^']*)'|"([^"]*)")`).exec(element);
  return m ? xmlUnescape(m[1] ?? m[2]) : null;
}

/** The `<genid>` libvirt reports (lowercase), or null. */
export function genidOf(xml: string): string | null {
  return /<genid>([0-9a-fA-F-]{36})<\/genid>/.exec(xml)?.[1].toLowerCase() ?? null;
}

/** The machine type, as libvirt expanded it (pc-i440fx-7.2, pc-q35-7.2). */
export function machineOf(xml: string): string | null {
  const type = /<type\b[^>]*>hvm<\/type>/.exec(xml)?.[0];
  return type ? attr(type, "machine") : null;
}

/** The domain's firmware `<loader>` (its type attribute, null when absent, and its file), or null: SeaBIOS. */
export function loaderOf(xml: string): { type: string | null; file: string } | null {
  const m = /<loader\b([^>]*)>([^<]*)<\/loader>/.exec(xml.replace(/<!--[\s\S]*?-->/g, "")); // the template's comment names one
  return m ? { type: attr(m[1], "type"), file: xmlUnescape(m[2].trim()) } : null;
}

/** The files of the domain's file-backed disks (device='disk'). */
export function diskFilesOf(xml: string): string[] {
  const files: string[] = [];
  for (const [disk] of xml.matchAll(/<disk type='file' device='disk'>[\s\S]*?<\/disk>/g)) {
    const source = /<source\b[^>]*>/.exec(disk)?.[0];
    const file = source ? attr(source, "file") : null;
    if (file) files.push(file);
  }
  return files;
}

/** The socket of the domain's unix-socket COM1, or null (a pty, or no serial). */
export function serialSocketOf(xml: string): string | null {
  const serial = UNIX_SERIAL.exec(xml)?.[0];
  const source = serial ? /<source\b[^>]*>/.exec(serial)?.[0] : undefined;
  return source ? attr(source, "path") : null;
}

/** The `<domain>` element a snapshot's XML carries (the domain as it was when the snapshot was taken). */
export function snapshotDomain(snapshotXml: string): string {
  const m = /<domain\b[\s\S]*?<\/domain>/.exec(snapshotXml);
  if (!m) throw new Error("the snapshot's XML carries no <domain> element");
  return m[0];
}

/** The snapshot's `<state>` (running, paused, shutoff, …). */
export function snapshotState(snapshotXml: string): string | null {
  return /<state>([a-z]+)<\/state>/.exec(snapshotXml)?.[1] ?? null;
}

/**
 * `snapshotXml` with the domain it carries replaced by `domain`: both its
 * `<domain>` (the running definition) and, when present, its
 * `<inactiveDomain>` (the persistent one, which a revert makes the domain's
 * own definition again: left as it was, a clone's revert would give the
 * clone its parent's name and UUID).
 */
export function withSnapshotDomain(snapshotXml: string, domain: string): string {
  snapshotDomain(snapshotXml);
  const d = domain.trim();
  const inactive = d.replace(/^<domain\b/, "<inactiveDomain").replace(/<\/domain>$/, "</inactiveDomain>");
  return snapshotXml.replace(/<domain\b[\s\S]*?<\/domain>/, () => d)
    .replace(/<inactiveDomain\b[\s\S]*?<\/inactiveDomain>/, () => inactive);
}

export interface CloneEdits { name: string; disk: string; serialSocket: string }

/**
 * A clone's definition from the domain a snapshot carries: its own name,
 * a UUID and a genid that libvirt generates, its own copy of the one disk,
 * its own serial socket; everything else (machine type, devices and their
 * addresses) as in the snapshot, so the snapshot's state loads into it.
 */
export function cloneDomainXml(domain: string, e: CloneEdits): string {
  const disks = diskFilesOf(domain);
  if (disks.length !== 1) throw new Error(`a clone needs a domain with exactly one file disk (the qcow2 with the snapshot); this one has ${disks.length}`);
  if (serialSocketOf(domain) === null) throw new Error("a clone needs a domain whose COM1 is a unix socket (<serial type='unix'>): its shell is how the clone is asked for output");
  let xml = domain.replace(/<name>[^<]*<\/name>/, `<name>${xmlEscape(e.name)}</name>`)
    .replace(/\s*<uuid>[^<]*<\/uuid>/, "")
    .replace(/<genid>[^<]*<\/genid>/, "<genid/>");
  xml = xml.replace(/(<disk type='file' device='disk'>[\s\S]*?<source\b[^>]*\sfile=)(?:'[^']*'|"[^"]*")/, `$1'${xmlEscape(e.disk)}'`);
  // The serial's source, and the <console> libvirt mirrors it in.
  xml = xml.replace(/(<(serial|console) type='unix'>[\s\S]*?<source\b[^>]*\spath=)(?:'[^']*'|"[^"]*")/g, `$1'${xmlEscape(e.serialSocket)}'`);
  return xml;
}
