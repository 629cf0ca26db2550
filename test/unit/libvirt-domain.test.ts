// The libvirt domain XML (tools/libvirt/domain.ts): the repository's
// template filled in, and the edits that turn the domain a real libvirt
// snapshot carries (test/fixtures/libvirt/snapshot-s1.xml) into a clone's.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturesRoot, readFixture } from "../../tools/fixtures.js";
import { OVMF_ROM } from "../../tools/qemu/firmware.js";
import {
  cloneDomainXml, diskFilesOf, domainXml, genidOf, loaderOf, machineOf, serialSocketOf, snapshotDomain, snapshotState,
  templatePath, withSnapshotDomain,
} from "../../tools/libvirt/domain.js";

const REPO = resolve(import.meta.dirname, "../..");
const SNAPSHOT = readFixture(join(fixturesRoot(REPO), "libvirt/snapshot-s1.xml")).toString("utf8");
const BASE = { name: "clonesafe", machine: "q35" as const, image: "/b/clonesafe.elf", disk: "/b/clonesafe.qcow2", serialSocket: "/b/c.sock" };

describe("the libvirt domain template", () => {
  it("is the repository's tools/libvirt/domain.xml, every field filled in", () => {
    expect(templatePath()).toBe(resolve(REPO, "tools/libvirt/domain.xml"));
    const xml = domainXml({ ...BASE, serial: "unix" });
    expect(xml).not.toMatch(/\{\{/);
    expect(xml).toContain("<domain type='qemu'>");
    expect(xml).toContain("<name>clonesafe</name>");
    expect(xml).toContain("<genid/>");
    expect(xml).toMatch(/<features>\s*<acpi\/>\s*<\/features>/);
    expect(xml).toContain("<kernel>/b/clonesafe.elf</kernel>");
    expect(xml.replace(/<!--[\s\S]*?-->/g, "")).not.toContain("<graphics"); // libvirt refuses graphics type none
    expect(machineOf(xml)).toBe("q35");
    expect(diskFilesOf(xml)).toEqual(["/b/clonesafe.qcow2"]);
    expect(serialSocketOf(xml)).toBe("/b/c.sock");
  });

  it("escapes what it fills in, and puts a pty in place of the socket on request", () => {
    const xml = domainXml({ ...BASE, disk: "/b/it's <a> & b.qcow2", serial: "pty" });
    expect(xml).toContain("<source file='/b/it&apos;s &lt;a&gt; &amp; b.qcow2'/>");
    expect(diskFilesOf(xml)).toEqual(["/b/it's <a> & b.qcow2"]);
    expect(xml).toMatch(/<serial type='pty'>\s*<target port='0'\/>\s*<\/serial>/);
    expect(serialSocketOf(xml)).toBeNull();
    expect(xml.match(/<serial /g)).toHaveLength(1);
  });

  it("has no <loader> for SeaBIOS; for UEFI, OVMF as a ROM (not pflash, which libvirt refuses to snapshot) right after <type>", () => {
    for (const firmware of [undefined, "bios" as const]) {
      const xml = domainXml({ ...BASE, firmware, serial: "unix" });
      expect(xml.replace(/<!--[\s\S]*?-->/g, "")).not.toContain("<loader");
      expect(loaderOf(xml)).toBeNull();
    }
    const xml = domainXml({ ...BASE, firmware: "uefi", image: "/b/clonesafe.efi", serial: "unix" });
    expect(xml).toMatch(/<type arch='x86_64' machine='q35'>hvm<\/type>\n {4}<loader type='rom'>\/usr\/share\/ovmf\/OVMF\.fd<\/loader>\n {4}<kernel>\/b\/clonesafe\.efi<\/kernel>/);
    expect(loaderOf(xml)).toEqual({ type: "rom", file: OVMF_ROM });
    expect(xml.replace(/<!--[\s\S]*?-->/g, "")).not.toMatch(/pflash|<nvram/);
    expect(loaderOf(domainXml({ ...BASE, firmware: "uefi", ovmf: "/o/it's.fd", serial: "pty" }))).toEqual({ type: "rom", file: "/o/it's.fd" });
    // What libvirt prints for a pflash loader reads back too.
    expect(loaderOf("<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"))
      .toEqual({ type: "pflash", file: "/usr/share/OVMF/OVMF_CODE_4M.fd" });
  });

  it("is well-formed XML where libvirt is strict: no \"--\" inside a comment", () => {
    const template = readFileSync(templatePath(), "utf8");
    for (const [, comment] of template.matchAll(/<!--([\s\S]*?)-->/g)) expect(comment).not.toContain("--");
  });

  it("refuses a template field it does not know", () => {
    expect(() => domainXml({ ...BASE, serial: "unix" }, "<name>{{nmae}}</name>")).toThrow(/unknown field \{\{nmae\}\}/);
  });
});

describe("a clone of a libvirt snapshot", () => {
  it("reads what libvirt wrote: state, domain, genid, machine, disk, serial", () => {
    expect(snapshotState(SNAPSHOT)).toBe("running");
    const domain = snapshotDomain(SNAPSHOT);
    expect(domain.startsWith("<domain type='qemu'>")).toBe(true);
    expect(domain.endsWith("</domain>")).toBe(true);
    expect(domain).not.toContain("inactiveDomain");
    expect(genidOf(domain)).toBe("d57f6e60-f7b5-4158-b8d1-7d8d1d5ed64f");
    expect(machineOf(domain)).toBe("pc-i440fx-7.2");
    expect(diskFilesOf(domain)).toEqual(["/srv/clonesafe/state.qcow2"]);
    expect(serialSocketOf(domain)).toBe("/srv/clonesafe/serial.sock");
  });

  it("gets its own name, disk and serial socket (console too), no UUID and an empty <genid/>; the rest as snapshotted", () => {
    const domain = snapshotDomain(SNAPSHOT);
    const clone = cloneDomainXml(domain, { name: "cs-exp-clone-0", disk: "/w/clone-0/disk.qcow2", serialSocket: "/w/clone-0/serial.sock" });
    expect(clone).toContain("<name>cs-exp-clone-0</name>");
    expect(clone).not.toContain("<uuid>");
    expect(clone).toContain("<genid/>");
    expect(genidOf(clone)).toBeNull();
    expect(diskFilesOf(clone)).toEqual(["/w/clone-0/disk.qcow2"]);
    expect(serialSocketOf(clone)).toBe("/w/clone-0/serial.sock");
    expect(clone).not.toContain("/srv/clonesafe/serial.sock"); // the <console> mirror too
    expect(clone).not.toContain("/srv/clonesafe/state.qcow2");
    // Everything else is the snapshot's: the same lines once the edited ones are taken out.
    const rest = (x: string) => x.split("\n").filter((l) => !/<name>|<uuid>|<genid|<source /.test(l));
    expect(rest(clone)).toEqual(rest(domain));
  });

  it("redefines the snapshot with the clone's domain in both <domain> and <inactiveDomain>", () => {
    const mine = "<domain type='qemu'>\n  <name>cs-exp-clone-0</name>\n  <uuid>00000000-0000-4000-8000-000000000001</uuid>\n</domain>\n";
    const xml = withSnapshotDomain(SNAPSHOT, mine);
    expect(xml).not.toContain("<name>cs-exp</name>");
    expect(xml).not.toContain("61fbf788-b7fb-4cbe-af34-9b703ff8e8f3");
    expect(xml.match(/<name>cs-exp-clone-0<\/name>/g)).toHaveLength(2);
    expect(xml).toContain("<inactiveDomain type='qemu'>\n  <name>cs-exp-clone-0</name>");
    expect(xml).toContain("<name>s1</name>");
    expect(xml).toContain("<memory snapshot='internal'/>");
    expect(xml).toContain("<cookie>");
  });

  it("needs exactly one file disk and a unix-socket serial", () => {
    const domain = snapshotDomain(SNAPSHOT);
    const edits = { name: "c", disk: "/d", serialSocket: "/s" };
    const disk = /<disk type='file' device='disk'>[\s\S]*?<\/disk>/.exec(domain)![0];
    expect(() => cloneDomainXml(domain.replace(disk, disk + disk), edits)).toThrow(/exactly one file disk .* has 2/);
    expect(() => cloneDomainXml(domain.replace(/<serial type='unix'>[\s\S]*?<\/serial>/, ""), edits)).toThrow(/unix socket/);
  });
});

it("the template file parses as the CLI bundle reads it (UTF-8, one <domain>)", () => {
  const text = readFileSync(templatePath(), "utf8");
  expect(text.match(/<domain /g)).toHaveLength(1);
});
