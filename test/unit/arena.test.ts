// The boot arena (kernel/mm/arena.ts) on the host entry built with the
// kernel's runtime (build/host-kernel-runtime/kernel.wasm: minimal runtime,
// __alloc routed to the arena).
// Carved blocks must be ordinary TLSF blocks: once the collector has freed
// boot's garbage among them, and TLSF has merged and reused those holes
// through many more events, every evaluation must still give what the host
// build (incremental runtime, no arena) gives, and the heap must stop
// growing. A header written wrong would show as a trap, a wrong answer or a
// heap that grows every round.
import { describe, expect, it } from "vitest";
import { fuzzKernel } from "../../tools/aml/fuzz.js";
import { qemuAmlFiles } from "../../tools/fixtures.js";
import { uint8ArrayId, type HostKernel } from "../../tools/sim/host-kernel.js";
import { readFileSync } from "node:fs";
import { FIXTURES, HOST_KERNEL_RUNTIME_WASM } from "../support/host.js";

const CONFIGS = ["pc", "q35", "pc-smp2-hotplug"];

function tables(config: string): Uint8Array[] {
  return qemuAmlFiles(FIXTURES, config).map((f) => new Uint8Array(readFileSync(f)));
}

function load(k: HostKernel, table: Uint8Array): string {
  const ptr = k.__pin(k.__newArray(uint8ArrayId(k), table));
  const error = k.__getString(k.amlLoadTable(ptr));
  k.__unpin(ptr);
  return error;
}

function methods(k: HostKernel): string[] {
  return k.__getString(k.amlNamespaceListing()).split("\n")
    .filter((l) => l.endsWith(" Method") && !l.startsWith("\\_OSI ")).map((l) => l.split(" ")[0]);
}

/** One round: a fresh namespace from `config`'s tables, every method evaluated, one event each. */
function round(k: HostKernel, config: string, collect: (k: HostKernel) => void): string[] {
  k.amlReset();
  const out = tables(config).map((t) => `load: ${load(k, t)}`);
  for (const path of methods(k)) {
    k.amlNewEvent();
    out.push(k.__getString(k.execute(k.__newString(`aml ${path}`))));
    collect(k);
  }
  return out;
}

function stat(k: HostKernel, key: string): number {
  const m = new RegExp(`\\b${key}=(\\d+)`).exec(k.__getString(k.heapStats()));
  if (!m) throw new Error(`no ${key} in heap stats`);
  return Number(m[1]);
}

describe("boot arena", () => {
  it("carves boot's allocations, closes at the first collection, and TLSF reuses what it freed", () => {
    const k = fuzzKernel(HOST_KERNEL_RUNTIME_WASM);
    k.registerAmlCommand();
    // Boot-like: one configuration's tables loaded and every method evaluated with the arena
    // open and nothing collected (more than boot does: the heap would run out with three).
    const booted = round(k, "q35", () => {});
    k.collectAtIdle(); // closes the arena: boot's garbage is freed among the carved blocks
    const carved = stat(k, "arena_blocks");
    expect(carved).toBeGreaterThan(1000);
    expect(stat(k, "arena_chunks")).toBeGreaterThan(10);
    // Many more events, collected one by one as the idle loop does.
    const later: string[][] = [];
    const pages: number[] = [];
    for (let n = 0; n < 12; n++) {
      later.push(round(k, CONFIGS[n % CONFIGS.length], (x) => x.collectAtIdle()));
      pages.push(stat(k, "heap_pages"));
    }
    expect(stat(k, "arena_blocks")).toBe(carved); // closed: nothing carved after the collection

    // The same work on the host build (incremental runtime, TLSF alone).
    const reference = fuzzKernel();
    reference.registerAmlCommand();
    const expected = CONFIGS.map((c) => round(reference, c, (x) => x.collectAtIdle()));
    expect(expected.flat().length).toBeGreaterThan(100);
    expect(booted).toEqual(expected[1]);
    later.forEach((r, n) => expect(r).toEqual(expected[n % CONFIGS.length]));
    // The holes are reused: after the first rounds the heap does not grow.
    expect(pages[pages.length - 1]).toBe(pages[CONFIGS.length]);
  });
});
