// AML fuzzing: mutated fixture tables and random method bodies fed to the
// kernel's interpreter (host build). The property: every input ends in a
// result or an error object — never a Wasm trap, an abort, or a hang (the
// interpreter's loop, nesting and call caps bound every evaluation).
// Used by test/unit/aml-fuzz.test.ts (fixed seed, bounded case count) and by
// `make fuzz` (time-bounded, random seed, crashing inputs saved to disk).

import { qemuAmlFiles, QEMU_CONFIGS, readFixture } from "../fixtures.js";
import { hostKernel, type HostKernel } from "../sim/host-kernel.js";

interface AmlExports {
  amlReset(): void;
  amlLoadTable(bytes: number): number;
  amlNamespaceListing(): number;
  amlEvaluateJson(path: number): number;
  UINT8ARRAY_ID: WebAssembly.Global | number;
}
type Kernel = HostKernel & AmlExports;

/** xorshift32: small, seedable, reproducible. */
export class Rng {
  constructor(private state: number) { if (this.state === 0) this.state = 0x9e3779b9; }
  next(): number {
    let x = this.state;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.state = x;
    return x;
  }
  below(n: number): number { return this.next() % n; }
}

export function withChecksum(table: Uint8Array): Uint8Array {
  const t = new Uint8Array(table);
  if (t.length >= 8) new DataView(t.buffer).setUint32(4, t.length, true);
  if (t.length >= 10) {
    t[9] = 0;
    let sum = 0;
    for (const b of t) sum = (sum + b) & 0xff;
    t[9] = (0x100 - sum) & 0xff;
  }
  return t;
}

/** An SSDT (revision 2) whose only content is Method(FUZZ, 0) { body }. */
export function methodTable(body: Uint8Array): Uint8Array {
  const nameAndFlags = [0x46, 0x55, 0x5a, 0x5a, 0x00]; // "FUZZ", 0 args
  const payload = nameAndFlags.length + body.length;
  // PkgLength counts its own bytes: use the 4-byte form, enough for any body.
  const length = payload + 4;
  const pkg = [0xc0 | (length & 0x0f), (length >> 4) & 0xff, (length >> 12) & 0xff, (length >> 20) & 0xff];
  const aml = new Uint8Array([0x14, ...pkg, ...nameAndFlags, ...body]);
  const table = new Uint8Array(36 + aml.length);
  table.set([0x53, 0x53, 0x44, 0x54], 0); // "SSDT"
  table[8] = 2;
  table.set([0x46, 0x55, 0x5a, 0x5a, 0x45, 0x52], 16); // OEM table id "FUZZER"
  table.set(aml, 36);
  return withChecksum(table);
}

/** Every QEMU 7.2 table set's AML tables under the fixture root `fixtures`; a missing one throws, naming it. */
export function loadFixtureTables(fixtures: string): Uint8Array[] {
  return [...QEMU_CONFIGS].sort().flatMap((config) =>
    qemuAmlFiles(fixtures, config).map((file) => new Uint8Array(readFixture(file))));
}

/** Opcode-ish bytes that steer random bodies into interesting decoder paths. */
const INTERESTING = [
  0x00, 0x01, 0xff, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x10, 0x11, 0x12, 0x13, 0x14, 0x2e, 0x2f, 0x5b, 0x5c,
  0x5e, 0x60, 0x61, 0x68, 0x70, 0x71, 0x72, 0x74, 0x75, 0x78, 0x79, 0x7b, 0x83, 0x86, 0x87, 0x88, 0x8a,
  0x90, 0x92, 0x93, 0x96, 0x98, 0x99, 0xa0, 0xa1, 0xa2, 0xa4, 0xa5, 0x5f, 0x41, 0x46, 0x55, 0x5a, 0x80,
  0x81, 0x82, 0x23, 0x27, 0x01, 0x3f, 0x40, 0x7f, 0xc0,
];

function mutate(rng: Rng, source: Uint8Array): Uint8Array {
  const bytes = Array.from(source);
  const edits = 1 + rng.below(8);
  for (let i = 0; i < edits; i++) {
    const at = 36 + rng.below(Math.max(1, bytes.length - 36));
    switch (rng.below(6)) {
      case 0: bytes[at] = rng.below(256); break;
      case 1: bytes[at] ^= 1 << rng.below(8); break;
      case 2: bytes.splice(at, 1 + rng.below(4)); break;
      case 3: bytes.splice(at, 0, INTERESTING[rng.below(INTERESTING.length)]); break;
      case 4: bytes[at] = INTERESTING[rng.below(INTERESTING.length)]; break;
      case 5: bytes.length = Math.max(36, at); break; // truncate
    }
  }
  return withChecksum(new Uint8Array(bytes));
}

function randomBody(rng: Rng): Uint8Array {
  const n = 1 + rng.below(48);
  const body = new Uint8Array(n);
  for (let i = 0; i < n; i++) body[i] = rng.below(3) === 0 ? rng.below(256) : INTERESTING[rng.below(INTERESTING.length)];
  return body;
}

export interface FuzzCrash { caseNumber: number; error: string; table: Uint8Array }
export interface FuzzStats { cases: number; loadErrors: number; evaluations: number; evalErrors: number; crashes: FuzzCrash[] }

function typeId(k: Kernel): number {
  const id = k.UINT8ARRAY_ID;
  return typeof id === "number" ? id : Number(id.value);
}

export interface CaseResult { loadError: string; outcomes: Array<{ path: string; result?: unknown; error?: string }> }

/** Loads one table into a fresh namespace and evaluates up to `maxEvals` of its methods. */
export function runTable(k: Kernel, table: Uint8Array, maxEvals: number): CaseResult {
  k.amlReset();
  const ptr = k.__pin(k.__newArray(typeId(k), table));
  const loadError = k.__getString(k.amlLoadTable(ptr));
  k.__unpin(ptr);
  const listing = k.__getString(k.amlNamespaceListing());
  const methods = listing.split("\n").filter((l) => l.endsWith(" Method") && !l.startsWith("\\_OSI ")).map((l) => l.split(" ")[0]);
  const outcomes = methods.slice(0, maxEvals).map((path) => JSON.parse(k.__getString(k.amlEvaluateJson(k.__newString(path)))) as CaseResult["outcomes"][number]);
  return { loadError, outcomes };
}

export function fuzzKernel(): Kernel {
  return hostKernel().kernel as unknown as Kernel;
}

export interface FuzzOptions {
  seed: number;
  fixtures: Uint8Array[];
  /** Stop after this many cases… */
  maxCases?: number;
  /** …or at this time (ms since epoch), whichever comes first. */
  deadline?: number;
  maxEvalsPerCase?: number;
}

export function fuzzAml(o: FuzzOptions): FuzzStats {
  const rng = new Rng(o.seed >>> 0);
  const stats: FuzzStats = { cases: 0, loadErrors: 0, evaluations: 0, evalErrors: 0, crashes: [] };
  let k = fuzzKernel();
  for (let n = 0; ; n++) {
    if (o.maxCases !== undefined && n >= o.maxCases) break;
    if (o.deadline !== undefined && Date.now() >= o.deadline) break;
    const table = rng.below(3) === 0 ? methodTable(randomBody(rng)) : mutate(rng, o.fixtures[rng.below(o.fixtures.length)]);
    try {
      const r = runTable(k, table, o.maxEvalsPerCase ?? 12);
      stats.loadErrors += r.loadError ? 1 : 0;
      stats.evaluations += r.outcomes.length;
      stats.evalErrors += r.outcomes.filter((x) => x.error !== undefined).length;
    } catch (e) {
      stats.crashes.push({ caseNumber: n, error: e instanceof Error ? e.message : String(e), table });
      k = fuzzKernel(); // a trapped instance is not reusable
    }
    stats.cases++;
  }
  return stats;
}
