// Loads a guest-physical memory capture (a test/fixtures/physmem/<name>/
// folder: manifest.json plus one raw file per region, taken with QMP
// pmemsave) into a SimMachine, so host-build code can walk real firmware
// data. A missing manifest or region file throws, naming the path.

import { join } from "node:path";
import { readFixture } from "../fixtures.js";
import type { SimMachine } from "./machine.js";

export interface PhysmemRegion {
  /** Guest-physical base address, "0x…". */
  base: string;
  /** Raw bytes of the region, relative to the manifest's folder. */
  file: string;
}

export interface PhysmemManifest {
  description: string;
  regions: PhysmemRegion[];
  /** What the capture is known to contain, as "0x…" strings (and the GUID in QEMU's form). */
  expect: { vgia: string; guid_address: string; guid: string };
}

export interface LoadedRegion {
  base: number;
  bytes: Uint8Array;
}

export function readPhysmemManifest(dir: string): PhysmemManifest {
  return JSON.parse(readFixture(join(dir, "manifest.json")).toString("utf8")) as PhysmemManifest;
}

/** Writes every region of the capture in `dir` into `machine`'s physical memory. */
export function loadPhysmemFixture(machine: SimMachine, dir: string): { manifest: PhysmemManifest; regions: LoadedRegion[] } {
  const manifest = readPhysmemManifest(dir);
  const regions = manifest.regions.map((region) => {
    const base = Number.parseInt(region.base, 16);
    if (!Number.isSafeInteger(base) || !/^0x[0-9a-f]+$/i.test(region.base)) {
      throw new Error(`${dir}/manifest.json: region base ${JSON.stringify(region.base)} is not a 0x… address`);
    }
    const bytes = new Uint8Array(readFixture(join(dir, region.file)));
    machine.writePhys(base, bytes);
    return { base, bytes };
  });
  return { manifest, regions };
}
