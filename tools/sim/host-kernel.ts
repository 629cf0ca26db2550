// Instantiates the host build of the kernel (build/host/kernel.wasm, the
// same AssemblyScript modules as the machine image) on a SimMachine. Used by
// the unit tests and by the `clonesafe aml` CLI.

import { readFileSync } from "node:fs";
import { instantiateSync, type ASUtil } from "@assemblyscript/loader";
import { SimMachine } from "./machine.js";

let compiled: WebAssembly.Module | null = null;
let wasmPath = "";

/** Where build/host/kernel.wasm is; set once by the CLI or the tests. */
export function setHostKernelPath(path: string): void {
  if (path !== wasmPath) compiled = null;
  wasmPath = path;
}

/**
 * Every export of the host build (kernel/host/index.ts), declared once and
 * checked against the compiler's own list (build/host/kernel.d.ts) by
 * test/unit/host-exports.test.ts:
 * strings and arrays cross as pointers (numbers) for the loader's
 * __getString / __newString / __newArray.
 */
export interface HostKernelExports extends Record<string, unknown> {
  // the kernel's event loop and shell
  boot(magic: number, mbi: number): void;
  /** kernel/main.ts's entry, as the loader calls it: boot, then the event loop (never returns on the machine). */
  kmain(magic: number, mbi: number): void;
  /** One turn of the event loop: 1 when it did any work (kernel.ts step()). */
  step(lines: number): number;
  inputPending(): number;
  execute(line: number): number;
  tokenize(line: number): number;
  hex(value: bigint, width: number): number;
  parseUnsigned(token: number): bigint;
  UINT8ARRAY_ID: WebAssembly.Global | number;
  // kernel/host/acpi.ts: DiscoveryJson (tools/sim/host-json.ts) and the AML tables' copies
  acpiDiscoverJson(): number;
  acpiAmlTableHex(index: number): number;
  // the AML subsystem
  amlReset(): void;
  amlLoadTable(bytes: number): number;
  amlNamespaceListing(): number;
  amlEvaluateJson(path: number): number;
  amlNewEvent(): void;
  amlOpcodeTableProblem(): number;
  amlOpcodeName(code: number): number;
  amlOpcodeShape(code: number): number;
  amlOpcodeRowProblem(first: number, second: number): number;
  /** The idle loop's collection (mm/heap.ts): closes the boot arena, then collects. */
  collectAtIdle(): void;
  /** `heap_pages=… gc=… gc_tsc=… arena_blocks=… arena_chunks=…` (mm/heap.ts). */
  heapStats(): number;
  checkDefinitionBlock(bytes: number): number;
  registerAmlCommand(): void;
  // kernel/host/mm.ts
  mmInit(magic: number, mbi: number): void;
  mmMap(phys: bigint, type: number, cacheableOnly: number): number;
  mmUnmap(linear: number): void;
  mmError(): number;
  mmDescribe(): number;
  mmTranslate(va: bigint): number;
  mmFramesAllocated(): number;
  // kernel/host/events.ts
  eventsCreate(gpe0: number, len: number, pm1a: number, pm1len: number, pm1cnt: number, smi: number, enable: number): void;
  eventsCreateMemoryGpe(address: bigint, len: number): void;
  eventsSci(): number;
  eventsTakePowerButton(): number;
  sleepReadS5(): number;
  resourcesJson(bytes: number): number;
  // kernel/host/crypto.ts
  blake2sHex(data: number, outLength: number, key: number, chunk: number): number;
  blake2sU64Hex(prefix: number, value: bigint): number;
  blake2sEdgesHex(data: number, outLength: number): number;
  chacha20BlockHex(key: number, counter: number, nonce: number, outLength: number): number;
  chacha20XorHex(key: number, counter: number, nonce: number, data: number): number;
  chacha20Blocks(blocks: number): number;
  blake2sBytes(bytes: number): number;
  // kernel/host/crng.ts
  crngSeedForTest(seed: number): bigint;
  crngDrawHex(n: number): number;
  // kernel/host/vmgenid.ts
  vmgenidMemoryInit(magic: number, mbi: number): void;
  vmgenidProbe(): number;
  vmgenidEisaText(value: bigint): number;
}

export type HostKernel = ASUtil & HostKernelExports;

/** The runtime type id of Uint8Array, for __newArray (a Global in the host build, a number in others). */
export function uint8ArrayId(k: HostKernelExports): number {
  const id = k.UINT8ARRAY_ID;
  return typeof id === "number" ? id : Number(id.value);
}

export const MULTIBOOT_MAGIC = 0x2badb002;
export const MBI_ADDRESS = 0x9500;

const otherBuilds = new Map<string, WebAssembly.Module>();

/**
 * The host build on `machine`; `wasm` names another build of the same entry
 * (build/host-kernel-runtime/kernel.wasm: the kernel's minimal runtime and
 * heap, for the fuzzer and the arena's tests).
 */
export function hostKernel(machine = new SimMachine(), wasm?: string): { machine: SimMachine; kernel: HostKernel } {
  let module: WebAssembly.Module;
  if (wasm !== undefined) {
    module = otherBuilds.get(wasm) ?? new WebAssembly.Module(readFileSync(wasm));
    otherBuilds.set(wasm, module);
  } else {
    if (!wasmPath) throw new Error("setHostKernelPath() was not called");
    compiled ??= new WebAssembly.Module(readFileSync(wasmPath));
    module = compiled;
  }
  const instance = instantiateSync<HostKernelExports>(module, {
    hw: machine.imports(),
    env: {
      abort(msg: number, file: number, line: number, col: number) {
        const text = (p: number) => (p ? instance.exports.__getString(p) : "?");
        throw new Error(`abort: ${text(msg)} at ${text(file)}:${line}:${col}`);
      },
    },
  });
  machine.memory = instance.exports.memory as WebAssembly.Memory;
  return { machine, kernel: instance.exports as HostKernel };
}

/** A booted host kernel with a plausible multiboot info block. */
export function bootedHostKernel(): { machine: SimMachine; kernel: HostKernel } {
  const machine = new SimMachine();
  const mbi = new Uint8Array(16);
  new DataView(mbi.buffer).setUint32(0, 1, true); // flags: memory sizes valid
  new DataView(mbi.buffer).setUint32(4, 639, true);
  new DataView(mbi.buffer).setUint32(8, 129912, true);
  machine.writePhys(MBI_ADDRESS, mbi);
  const booted = hostKernel(machine);
  booted.kernel.boot(MULTIBOOT_MAGIC, MBI_ADDRESS);
  return booted;
}

/** Types `text` on the simulated serial line and lets the kernel serve IRQ 4. */
export function typeAndServe(machine: SimMachine, kernel: HostKernel, text: string): string[] {
  const before = machine.lines().length;
  machine.type(text);
  kernel.step(machine.pendingIrqs);
  // One command per step, as the idle loop does: queued lines run in later steps.
  while (kernel.inputPending()) kernel.step(0);
  machine.pendingIrqs = 0;
  return machine.lines().slice(before);
}
