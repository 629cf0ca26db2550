// Clones of one libvirt snapshot, made the way a libvirt user makes them:
// for clone k, a copy of the source domain's qcow2 (internal snapshots live
// inside it), a new domain defined from the domain the snapshot carries
// (its own name, disk, serial socket; libvirt picks the UUID and genid),
// the snapshot's metadata redefined on it, and `virsh snapshot-revert`,
// which starts the clone's QEMU from the snapshot with a new genid. The
// README's "Under libvirt" section lists the same virsh commands.
// Owns: the clones' domains and files (in workDir), until removeClones.
// May call: virsh (virsh.ts), the domain XML edits (domain.ts), the serial
//   line reader (tools/qemu/serial.ts).
// Never: starts QEMU itself, touches the source domain (it only reads its
//   snapshot and copies its disk), or overwrites a domain that exists.

import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLONE_NOTIFY } from "../clone/clones.js";
import { openSerialConsole, type SerialConsole } from "../qemu/serial.js";
import { cloneDomainXml, diskFilesOf, genidOf, snapshotDomain, snapshotState, withSnapshotDomain } from "./domain.js";
import { domainExists, removeDomain, virsh } from "./virsh.js";

export interface LibvirtCloneOptions {
  uri: string;
  /** The domain the snapshot belongs to. */
  source: string;
  tag: string;
  count: number;
  /** Where the clones' disks, sockets and XML go (clone-<k>/). */
  workDir: string;
  /** Domain names: `<source>-clone-<k>` unless given. */
  name?: (index: number) => string;
  onProgress?: (index: number, status: string) => void;
  /** Called with each domain name as soon as it is defined (for cleanup on an interrupt). */
  onDefined?: (name: string) => void;
  /** True once the caller wants no more clones made: each clone stops at its next step (and removes itself). */
  stopped?: () => boolean;
}

export interface LibvirtClone {
  index: number;
  /** The clone's domain name. */
  name: string;
  console: SerialConsole;
  serialSocket: string;
  disk: string;
  /** From the kernel's notify line. */
  guid: string;
  changed: boolean;
  epoch: number;
  /** The <genid> libvirt reports for the clone after its revert. */
  genid: string;
}

/** What every clone starts from: the snapshot's XML, its domain and its disk. */
export async function readSnapshot(uri: string, source: string, tag: string): Promise<{ xml: string; domain: string; disk: string }> {
  const xml = await virsh(uri, ["snapshot-dumpxml", source, tag, "--security-info"]);
  const state = snapshotState(xml);
  if (state !== "running" && state !== "paused") {
    throw new Error(`snapshot "${tag}" of ${source} was taken with the domain ${state ?? "in an unknown state"}: it holds no memory state to clone (take it while the domain runs)`);
  }
  const domain = snapshotDomain(xml);
  const disks = diskFilesOf(domain);
  if (disks.length !== 1) throw new Error(`snapshot "${tag}" of ${source}: the domain has ${disks.length} file disks; a clone needs exactly one (the qcow2 holding the snapshot)`);
  return { xml, domain, disk: disks[0] };
}

/**
 * Defines clone `index` and reverts it to the snapshot, paused, then
 * connects to its serial console and resumes it: nothing the restored
 * kernel prints is missed. Returns once the kernel has reseeded.
 */
export async function startLibvirtClone(o: LibvirtCloneOptions, snap: { xml: string; domain: string; disk: string }, index: number): Promise<LibvirtClone> {
  const name = o.name?.(index) ?? `${o.source}-clone-${index}`;
  const progress = (s: string) => {
    if (o.stopped?.()) throw new Error(`clone ${index}: stopped before it was made`);
    o.onProgress?.(index, s);
  };
  if (await domainExists(o.uri, name)) throw new Error(`a domain named ${name} exists already: undefine it first (virsh undefine ${name} --snapshots-metadata)`);
  const dir = join(o.workDir, `clone-${index}`);
  mkdirSync(dir, { recursive: true });
  const disk = join(dir, "disk.qcow2");
  const serialSocket = join(dir, "serial.sock");
  progress("copying the disk");
  copyFileSync(snap.disk, disk);
  const definition = join(dir, "domain.xml");
  writeFileSync(definition, cloneDomainXml(snap.domain, { name, disk, serialSocket }));
  progress("defining");
  await virsh(o.uri, ["define", definition]);
  o.onDefined?.(name);
  try {
    const own = await virsh(o.uri, ["dumpxml", name, "--inactive", "--security-info"]);
    const snapshotFile = join(dir, "snapshot.xml");
    writeFileSync(snapshotFile, withSnapshotDomain(snap.xml, own));
    progress("redefining the snapshot");
    await virsh(o.uri, ["snapshot-create", name, snapshotFile, "--redefine", "--current"]);
    progress("reverting");
    await virsh(o.uri, ["snapshot-revert", name, o.tag, "--paused"]);
    const console = await openSerialConsole(serialSocket);
    try {
      progress("resuming");
      await virsh(o.uri, ["resume", name]);
      const { match } = await console.waitForLine(CLONE_NOTIFY, { timeoutMs: 60_000 });
      const genid = genidOf(await virsh(o.uri, ["dumpxml", name]));
      if (!genid) throw new Error(`libvirt reports no <genid> for ${name}`);
      progress(`reseeded, epoch ${match[4]}`);
      return { index, name, console, serialSocket, disk, guid: match[2], changed: match[3] === "1", epoch: Number(match[4]), genid };
    } catch (e) {
      console.closeSerial();
      throw e;
    }
  } catch (e) {
    await removeDomain(o.uri, name).catch(() => undefined);
    throw e;
  }
}

/** Starts `count` clones concurrently; on any failure, removes the ones made. */
export async function startLibvirtClones(o: LibvirtCloneOptions): Promise<LibvirtClone[]> {
  const snap = await readSnapshot(o.uri, o.source, o.tag);
  const results = await Promise.allSettled(Array.from({ length: o.count }, (_, i) => startLibvirtClone(o, snap, i)));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    await removeClones(o.uri, results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])));
    throw (failed as PromiseRejectedResult).reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<LibvirtClone>).value);
}

/** Closes the consoles, destroys and undefines the clones' domains (their files are the caller's). */
export async function removeClones(uri: string, clones: readonly LibvirtClone[]): Promise<void> {
  for (const c of clones) c.console.closeSerial();
  await Promise.all(clones.map((c) => removeDomain(uri, c.name)));
}
