// `clonesafe aml`: acpiexec-like access to the kernel's own AML interpreter,
// running the same AssemblyScript code (the host build) on a simulated
// machine whose operation regions start zero-filled and keep what AML
// writes to them (I/O ports and PCI configuration too), as acpiexec's do.
//   aml --table F [--table F]... [--trace] namespace
//   aml --table F [--table F]... [--trace] eval P [P...]
// Output forms are a stable contract (see README, "aml CLI").

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { hostKernel, uint8ArrayId, type HostKernel } from "../sim/host-kernel.js";
import type { SimMachine } from "../sim/machine.js";

export class CliError extends Error {}



export interface LoadedTables {
  kernel: HostKernel;
  machine: SimMachine;
  warnings: string[];
}

/** Reads, checks and loads the tables: DSDTs first, then the rest in order. */
export function loadTables(files: string[]): LoadedTables {
  if (files.length === 0) throw new CliError("no --table given");
  const { kernel, machine } = hostKernel();
  machine.rememberIo = true; // ports and PCI configuration keep what AML wrote, as in acpiexec
  const k = kernel;
  k.amlReset();
  const tables = files.map((file) => {
    let bytes: Buffer;
    try { bytes = readFileSync(file); } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const ptr = k.__pin(k.__newArray(uint8ArrayId(k), bytes));
    const problem = k.__getString(k.checkDefinitionBlock(ptr));
    if (problem) { k.__unpin(ptr); throw new CliError(`${file}: ${problem}`); }
    return { file, ptr, isDsdt: bytes.subarray(0, 4).toString("latin1") === "DSDT" };
  });
  const ordered = [...tables.filter((t) => t.isDsdt), ...tables.filter((t) => !t.isDsdt)];
  const warnings: string[] = [];
  for (const t of ordered) {
    const problem = k.__getString(k.amlLoadTable(t.ptr));
    if (problem) warnings.push(`${t.file}: load stopped: ${problem}`);
  }
  return { kernel: k, machine, warnings };
}

function traceLines(machine: SimMachine): string[] {
  // Values as the unsigned numbers the access moved (the port log holds an
  // i32: 0x80000860 arrives as -0x7ffff7a0).
  const hex = (v: number | bigint) => "0x" + (typeof v === "bigint" ? BigInt.asUintN(64, v) : v >>> 0).toString(16);
  return [
    ...machine.portLog.map((a) => `trace: io ${a.dir} port=${hex(a.port)} width=${a.width} value=${hex(a.value)}`),
    ...machine.memLog.map((a) => `trace: memory ${a.dir} addr=${hex(a.addr)} width=${a.width} value=${hex(a.value)}`),
  ];
}

export function runAml(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { table: { type: "string", multiple: true }, trace: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [command, ...paths] = positionals;
  if (command !== "namespace" && command !== "eval") {
    throw new CliError(`aml: expected "namespace" or "eval <path>...", got ${command === undefined ? "nothing" : `"${command}"`}`);
  }
  if (command === "namespace" && paths.length > 0) throw new CliError("aml namespace takes no paths");
  if (command === "eval" && paths.length === 0) throw new CliError("aml eval needs at least one path");
  const { kernel, machine, warnings } = loadTables(values.table ?? []);
  for (const w of warnings) err(`warning: ${w}`);
  machine.portLog.length = 0;
  machine.memLog.length = 0;
  if (command === "namespace") {
    const listing = kernel.__getString(kernel.amlNamespaceListing());
    if (listing) for (const line of listing.split("\n")) out(line);
  } else {
    for (const path of paths) {
      out(kernel.__getString(kernel.amlEvaluateJson(kernel.__newString(path))));
      if (values.trace) for (const line of traceLines(machine)) err(line);
      machine.portLog.length = 0;
      machine.memLog.length = 0;
    }
  }
  return 0;
}
