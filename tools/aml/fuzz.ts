// AML fuzzing: mutated fixture tables and random method bodies fed to the
// kernel's interpreter. The property: every input ends in a result or an
// error object — never a Wasm trap, an abort, or a hang (the interpreter's
// loop, nesting, call and work caps bound every evaluation).
// Used by test/unit/aml-fuzz.test.ts (fixed seed, bounded case count) and by
// `make fuzz` (time-bounded, random seed, crashing and hanging inputs saved
// to disk). With `wasm` it runs another build of the same entry: `make fuzz`
// and the unit test use build/host-kernel-runtime/kernel.wasm, the host
// entry compiled with the kernel's minimal runtime (no automatic collection: garbage is collected after each evaluation, as
// the kernel's idle loop collects after each command) and its 16 MiB
// maximum memory, so exhausting the heap is a crash here as it is in the
// kernel. Random bodies draw from every opcode kernel/aml/opcodes.ts
// defines (read from that file: the list cannot fall behind it).
// Not emulated: wasm2c's call-depth limit (1000 calls; Node's stack is
// deeper), so a recursion the kernel would trap on passes here.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { qemuAmlFiles, QEMU_CONFIGS, readFixture } from "../fixtures.js";
import { hostKernel, uint8ArrayId, type HostKernel } from "../sim/host-kernel.js";

type Kernel = HostKernel;

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

/**
 * Every opcode kernel/aml/opcodes.ts defines, as the bytes that encode it
 * (extended opcodes 0x5Bxx as two bytes), read from that file.
 */
export function decodedOpcodes(repo: string): number[][] {
  const text = readFileSync(resolve(repo, "kernel/aml/opcodes.ts"), "utf8");
  const seen = new Set<number>();
  for (const m of text.matchAll(/\b[A-Z][A-Z0-9_]*\s*=\s*0x([0-9a-f]+)\b/gi)) seen.add(parseInt(m[1], 16));
  return [...seen].sort((a, b) => a - b).map((v) => (v > 0xff ? [v >> 8, v & 0xff] : [v]));
}

const REPO = resolve(import.meta.dirname ?? ".", "../..");
let opcodeTokens: number[][] | null = null;

/** Byte sequences that steer random bodies into every decoder path: each opcode, and a few lengths and names. */
function tokens(): number[][] {
  opcodeTokens ??= [
    ...decodedOpcodes(process.env.CLONESAFE_REPO ?? REPO),
    [0x3f], [0x40], [0x7f], [0xc0], [0x41], [0x46, 0x55, 0x5a, 0x5a], [0x0c, 0xff, 0xff, 0xff, 0xff], [0x0a, 0xff],
  ];
  return opcodeTokens;
}

function mutate(rng: Rng, source: Uint8Array): Uint8Array {
  const bytes = Array.from(source);
  const edits = 1 + rng.below(8);
  for (let i = 0; i < edits; i++) {
    const at = 36 + rng.below(Math.max(1, bytes.length - 36));
    switch (rng.below(6)) {
      case 0: bytes[at] = rng.below(256); break;
      case 1: bytes[at] ^= 1 << rng.below(8); break;
      case 2: bytes.splice(at, 1 + rng.below(4)); break;
      case 3: { const t = tokens(); bytes.splice(at, 0, ...t[rng.below(t.length)]); break; }
      case 4: { const t = tokens(); bytes[at] = t[rng.below(t.length)][0]; break; }
      case 5: bytes.length = Math.max(36, at); break; // truncate
    }
  }
  return withChecksum(new Uint8Array(bytes));
}

function randomBody(rng: Rng): Uint8Array {
  const n = 1 + rng.below(48);
  const body: number[] = [];
  const t = tokens();
  while (body.length < n) {
    if (rng.below(3) === 0) body.push(rng.below(256));
    else body.push(...t[rng.below(t.length)]);
  }
  return new Uint8Array(body);
}

export interface FuzzCrash { caseNumber: number; error: string; table: Uint8Array }
export interface FuzzStats {
  cases: number; loadErrors: number; evaluations: number; evalErrors: number; crashes: FuzzCrash[];
  /** Cases that took longer than `hangMs`: every evaluation is bounded, so each is a bug. */
  hangs: FuzzCrash[];
}


export interface CaseResult { loadError: string; outcomes: Array<{ path: string; result?: unknown; error?: string }> }

const withShell = new WeakSet<object>();

/**
 * Loads one table into a fresh namespace and evaluates up to `maxEvals` of
 * its methods the way the kernel does: each through the shell's `aml`
 * command (results bounded to what the shell prints) as one event — a new
 * AML event, the command, then a collection, as main.ts's idle loop does.
 */
export function runTable(k: Kernel, table: Uint8Array, maxEvals: number): CaseResult {
  k.amlReset();
  const shell = k;
  if (!withShell.has(k)) { shell.registerAmlCommand(); withShell.add(k); }
  const ptr = k.__pin(k.__newArray(uint8ArrayId(k), table));
  const loadError = k.__getString(k.amlLoadTable(ptr));
  k.__unpin(ptr);
  const listing = k.__getString(k.amlNamespaceListing());
  const methods = listing.split("\n").filter((l) => l.endsWith(" Method") && !l.startsWith("\\_OSI ")).map((l) => l.split(" ")[0]);
  const outcomes = methods.slice(0, maxEvals).map((path) => {
    shell.amlNewEvent();
    const answer = k.__getString(shell.execute(k.__newString(`aml ${path}`)));
    shell.collectAtIdle(); // as the kernel's idle loop does after each command (the incremental host build collects anyway)
    if (answer.startsWith("aml: ")) return JSON.parse(answer.slice(5)) as CaseResult["outcomes"][number];
    return { path, error: answer };
  });
  return { loadError, outcomes };
}

/** A fresh instance of the host build, or of the build at `wasm` (build/host-kernel-runtime/kernel.wasm). */
export function fuzzKernel(wasm?: string): Kernel {
  return hostKernel(undefined, wasm).kernel as unknown as Kernel;
}

export interface FuzzOptions {
  seed: number;
  fixtures: Uint8Array[];
  /** Stop after this many cases… */
  maxCases?: number;
  /** …or at this time (ms since epoch), whichever comes first. */
  deadline?: number;
  maxEvalsPerCase?: number;
  /** The build to fuzz (default: the host build). */
  wasm?: string;
  /** A case slower than this is reported as a hang (default 5000 ms). */
  hangMs?: number;
}

export function fuzzAml(o: FuzzOptions): FuzzStats {
  const rng = new Rng(o.seed >>> 0);
  const stats: FuzzStats = { cases: 0, loadErrors: 0, evaluations: 0, evalErrors: 0, crashes: [], hangs: [] };
  let k = fuzzKernel(o.wasm);
  for (let n = 0; ; n++) {
    if (o.maxCases !== undefined && n >= o.maxCases) break;
    if (o.deadline !== undefined && Date.now() >= o.deadline) break;
    const table = rng.below(3) === 0 ? methodTable(randomBody(rng)) : mutate(rng, o.fixtures[rng.below(o.fixtures.length)]);
    const started = Date.now();
    try {
      const r = runTable(k, table, o.maxEvalsPerCase ?? 12);
      const took = Date.now() - started;
      if (took > (o.hangMs ?? 5000)) stats.hangs.push({ caseNumber: n, error: `took ${took} ms`, table });
      stats.loadErrors += r.loadError ? 1 : 0;
      stats.evaluations += r.outcomes.length;
      stats.evalErrors += r.outcomes.filter((x) => x.error !== undefined).length;
    } catch (e) {
      stats.crashes.push({ caseNumber: n, error: e instanceof Error ? e.message : String(e), table });
      k = fuzzKernel(o.wasm); // a trapped instance is not reusable
    }
    stats.cases++;
  }
  return stats;
}
