// acpiexec (ACPICA 20200925) as a test oracle for `clonesafe aml`.
//
// Contract:
// - runAcpiexec(files, paths) starts ONE acpiexec process on the tables (in
//   the order given), dumps the namespace, then evaluates every path in
//   order in that same process, and returns
//     namespace: the nodes as {path, type, args}, paths canonical
//       (`\_SB_.PCI0.S08_._ADR`), types spelled as acpiexec spells them,
//       acpiexec's own test object \_TI_ and its subtree dropped;
//     evals: one EvalResult per path, shaped like the CLI's JSON lines
//       ({path, result} or {path, error}, plus notify) and carrying what
//       acpiexec reported besides (region accesses, Debug stores).
// - namespaceLines() renders nodes as the CLI's sorted `<path> <type>` lines.
// - compareEval() compares one CLI line with the oracle's (null when equal);
//   strings under _HID/_CID compare case-insensitively, error texts are not
//   compared (only "error" vs "result"), notify lists compare as multisets.
// Anything in acpiexec's output this parser does not understand throws: a
// silently misread oracle would make the differential tests meaningless.
//
// How acpiexec is driven, and why (all checked on 20200925):
// - Commands go through the interactive debugger on stdin, not `-b`: `-b`
//   refuses command lines over 1023 characters ("exceeded maximum (1023)"),
//   too short for a fixture's ~200 paths, and splitting the batch over several
//   processes would lose the state that one `clonesafe aml eval` call keeps.
// - `-di`: no _STA/_INI at initialization. Our CLI runs no _INI, and on the
//   QEMU fixtures it makes no difference to any value: the one _INI acpiexec
//   runs there ("Executed 1 _INI methods") is \_SB.PCI0.PRES._INI (the CPU
//   hotplug block, on pc and q35 alike), whose whole body is `CSEL = Zero`:
//   a SystemIO field write of zero into zero-filled simulated space, no
//   named object changes. microvm runs none ("Executed 0 _INI methods").
//   The differential tests check this claim (with and without -di).
// - `-dr`: no "repair" of predefined-name return values. ACPICA otherwise
//   rewrites what AML returns for predefined names, e.g. upper-cases _HID and
//   _CID strings ("qemuvgid" comes back "QEMUVGID", "VM_Gen_Counter" in a
//   _CID package as "VM_GEN_COUNTER"), wraps or converts objects. Those are
//   OS-side policies, not AML semantics. The _HID/_CID comparison stays
//   case-insensitive anyway.
// - `-x 0x300B`: the default debug level's bits 0x200B (INIT, DEBUG_OBJECT,
//   REPAIR, TABLES — with `-x 0x1000` alone the `namespace` command prints
//   nothing; with 0x300B the output is the default one plus the new lines)
//   plus ACPI_LV_BFIELD 0x1000, which prints every OperationRegion access
//   with its space, address and value (`ExAccessRegion: [READ] Region
//   [SystemIO:1] … at 000000000000AE00` then `ExFieldDatumIo: Value Read …`),
//   so a test can tell which evaluations read simulated hardware. (`-vr`
//   prints values for SystemMemory only.) Note acpiexec simulates every
//   address space as RAM: a value written to a SystemIO or PCI_Config field
//   reads back later, within the run. All spaces start zero-filled.
// - `-to 5`: a While loop that never ends aborts after 5 s, not 30.
// - The debugger converts a result into a 16 KiB buffer; a larger one (the
//   QEMU _PRT packages: 128 four-element packages with name references)
//   fails with AE_BUFFER_OVERFLOW "Possible buffer overflow within AML
//   Debugger buffer". Such a Package is fetched again element by element
//   through a generated helper SSDT (`CopyObject (<path>, Ynnn)` once, then
//   methods returning 16 elements at a time, each copied with
//   `Local1[j] = DerefOf (Ynnn[k + j])`) in a fresh acpiexec
//   process — which assumes the object does not depend on the side effects
//   of the evaluations before it — and the result is marked `reassembled`.
//
// What acpiexec prints, and how it is read:
// - Namespace dump: `depth name type address owner details`; the path is
//   rebuilt from the depth column. Types as AcpiUtGetTypeName spells them:
//   a PowerResource is "Power", a ThermalZone "Thermal"; also "Alias",
//   "BufferField", "IndexField", "BankField", "Event". \_SB_ carries a
//   `Notify Object: 0x…` suffix, Processors `ID 00 Len 06 Addr …`.
// - Results: `[Integer] = 0000000007FFF028` (16 digits always, the value
//   already cut to 32 bits at revision 1), `[String] Length 0E = "…"` (C
//   escapes; cut at 255 characters with "…" — the parser refuses those),
//   `[Buffer] Length 0A = 0000: 47 01 …` (inline up to 16 bytes, else one
//   hex-dump line per 16 bytes), `[Package] Contains N Elements:`,
//   `[Null Object] (Type=0)` for an uninitialized element (→ null), and for a
//   package element naming a Device etc. `[Object Reference] = 0x… <Node>
//   Name LNKD Device` (→ {"type":"Device"}). Package elements naming data
//   objects come back as the objects' values. A Device, Scope, Mutex,
//   Event, Region or ThermalZone itself cannot be evaluated (AE_TYPE).
// - Notify: printed by a global handler and, for objects with their own
//   handlers (\_SB_, Processors), again by "Handler N": only the global line
//   counts. It names the object's last segment only, and it runs on a thread:
//   several notifies of one evaluation arrive in no fixed order.
// - ACPICA quirks the comparison inherits (the oracle's semantics, reported
//   rather than hidden): CreateField of any width reads as a Buffer (ACPICA
//   does this for Windows compatibility; the spec says Integer up to the
//   integer width); an SSDT of revision 1 loaded without a DSDT gets
//   acpiexec's dummy DSDT (revision 2): its load-time constants are 64-bit
//   (Ones = 0xFFFFFFFFFFFFFFFF) while its methods run with 32-bit integers —
//   the ASL cases avoid that shape.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aml, buildTable, concat } from "./table.js";

export type AmlValue =
  | null
  | { type: "Integer"; value: string }
  | { type: "String"; value: string }
  | { type: "Buffer"; value: string }
  | { type: "Package"; value: AmlValue[] }
  | { type: string; value?: undefined };

/** [canonical path of the notified object, value as lowercase hex "0x80"]. */
export type NotifyEntry = [string, string];

/** One line of `clonesafe aml … eval` output (as parsed JSON). */
export interface EvalResult {
  path: string;
  result?: AmlValue;
  error?: string;
  notify?: NotifyEntry[];
}

/** What acpiexec reported for one evaluation, beyond the CLI's fields. */
export interface AcpiexecEval extends EvalResult {
  /** The Package was too large for the debugger and was fetched element by element. */
  reassembled?: boolean;
  /** The OperationRegion accesses, in order. */
  regionAccess: RegionAccess[];
  /** The `ACPI Debug:` lines (Debug stores), text after the prefix. */
  debug: string[];
}

export interface RegionAccess {
  /** "SystemMemory", "SystemIO", "PCI_Config", … as ACPICA names them. */
  space: string;
  op: "read" | "write";
  address: bigint;
  width: number;
  value: bigint;
}

export interface NamespaceNode {
  path: string;
  type: string;
  /** Argument count, for methods. */
  args?: number;
}

export interface AcpiexecRun {
  namespace: NamespaceNode[];
  evals: AcpiexecEval[];
  /** The raw stdout, for diagnostics. */
  output: string;
}

export const ACPIEXEC = process.env.CLONESAFE_ACPIEXEC ?? "acpiexec";
export const ACPIEXEC_FLAGS: readonly string[] = ["-di", "-dr", "-x", "0x300B", "-to", "5"];

/** Canonical absolute path: `\`, segments `_`-padded to 4 characters. */
export function canonicalPath(path: string): string {
  const body = path.startsWith("\\") ? path.slice(1) : path;
  if (body === "") return "\\";
  const segments = body.split(".");
  for (const s of segments) {
    if (s.length < 1 || s.length > 4) throw new Error(`bad name segment "${s}" in path "${path}"`);
  }
  return "\\" + segments.map((s) => s.padEnd(4, "_")).join(".");
}

/**
 * Runs acpiexec once: namespace dump, then every path evaluated in order.
 * `runInit` drops `-di` (acpiexec then runs _STA/_INI at initialization).
 */
export async function runAcpiexec(
  files: readonly string[],
  paths: readonly string[] = [],
  options: { timeoutMs?: number; runInit?: boolean } = {},
): Promise<AcpiexecRun> {
  const canonical = paths.map(canonicalPath);
  const commands = ["namespace", ...canonical.map((p) => `evaluate ${p}`), "quit"];
  const flags = options.runInit ? ACPIEXEC_FLAGS.filter((f) => f !== "-di") : ACPIEXEC_FLAGS;
  const { stdout, stderr, code } = await runProcess(
    ACPIEXEC, [...flags, ...files], commands.join("\n") + "\n", options.timeoutMs ?? 120_000,
  );
  if (code !== 0) {
    throw new Error(`acpiexec ${files.join(" ")} exited with status ${code}: ${(stderr + stdout).trim().split("\n").slice(-3).join(" | ")}`);
  }
  const namespace = parseNamespaceDump(stdout);
  const evals = parseEvaluations(stdout, namespace);
  if (evals.length !== canonical.length) {
    throw new Error(`acpiexec evaluated ${evals.length} of ${canonical.length} paths (crashed?); output ends:\n${stdout.split("\n").slice(-8).join("\n")}`);
  }
  evals.forEach((e, i) => {
    if (e.path !== canonical[i]) throw new Error(`acpiexec evaluation ${i} is of ${e.path}, expected ${canonical[i]}`);
  });
  const overflowed = evals.filter((e) => e.error?.startsWith("AE_BUFFER_OVERFLOW") && e.error.includes("AML Debugger buffer"));
  if (overflowed.length > 0) await reassemble(files, namespace, overflowed, options.timeoutMs ?? 120_000);
  return { namespace, evals, output: stdout };
}

/** Helper names `\\Y000`…, checked against the namespace. */
function helperName(i: number, namespace: readonly NamespaceNode[]): string {
  const name = "Y" + i.toString(36).toUpperCase().padStart(3, "0");
  if (namespace.some((n) => n.path === "\\" + name)) throw new Error(`helper name \\${name} is taken in the namespace`);
  return name;
}

/** Loads `files` plus a helper SSDT made of `terms`, evaluates `paths`. */
async function evaluateWithHelpers(
  files: readonly string[], namespace: readonly NamespaceNode[], terms: Uint8Array[], paths: string[], timeoutMs: number,
): Promise<AcpiexecEval[]> {
  const table = buildTable({ signature: "SSDT", revision: 2, oemTableId: "ACPIEXEC", aml: concat(...terms) });
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-acpiexec-"));
  try {
    const helper = join(dir, "helper.aml");
    writeFileSync(helper, table);
    const commands = [...paths.map((p) => `evaluate ${p}`), "quit"];
    const { stdout, stderr, code } = await runProcess(ACPIEXEC, [...ACPIEXEC_FLAGS, ...files, helper], commands.join("\n") + "\n", timeoutMs);
    if (code !== 0) throw new Error(`acpiexec with the helper table exited with status ${code}: ${stderr.trim()}`);
    const evals = parseEvaluations(stdout, namespace);
    if (evals.length !== paths.length) throw new Error(`acpiexec evaluated ${evals.length} of ${paths.length} helper methods`);
    return evals;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function reassemble(files: readonly string[], namespace: readonly NamespaceNode[], targets: AcpiexecEval[], timeoutMs: number): Promise<void> {
  let next = 0;
  const fresh = () => helperName(next++, namespace);
  // Pass 1: element counts.
  const sizeMethods = targets.map(() => fresh());
  const sizes = await evaluateWithHelpers(files, namespace,
    targets.map((t, i) => aml.method(sizeMethods[i], 0, concat(
      aml.store(aml.nameString(t.path), aml.local(0)), aml.return(aml.sizeOf(aml.local(0)))))),
    sizeMethods.map((n) => "\\" + n), timeoutMs);
  const counts = sizes.map((s, i) => {
    if (s.result?.type !== "Integer") throw new Error(`cannot size the overflowing result of ${targets[i].path}: ${s.error ?? JSON.stringify(s.result)}`);
    return Number(BigInt(s.result.value as string));
  });
  // Pass 2: evaluate each target once into a named copy (CopyObject), then
  // return its elements in chunks (each acpiexec command costs ~10 ms).
  const CHUNK = 16;
  const terms: Uint8Array[] = [];
  const paths: string[] = [];
  const chunksAt: number[][] = [];
  targets.forEach((t, i) => {
    const copy = fresh();
    const loader = fresh();
    terms.push(aml.name(copy, aml.integer(0)));
    terms.push(aml.method(loader, 0, concat([0x9d], aml.nameString(t.path), aml.nameString(copy))));
    paths.push("\\" + loader);
    chunksAt.push([]);
    for (let k = 0; k < counts[i]; k += CHUNK) {
      const n = Math.min(CHUNK, counts[i] - k);
      const body: Uint8Array[] = [aml.store(aml.package([], n), aml.local(1))];
      for (let j = 0; j < n; j++) {
        body.push(aml.store(aml.derefOf(aml.index(aml.nameString(copy), aml.integer(k + j))), aml.index(aml.local(1), aml.integer(j))));
      }
      body.push(aml.return(aml.local(1)));
      const m = fresh();
      terms.push(aml.method(m, 0, concat(...body)));
      chunksAt[i].push(paths.length);
      paths.push("\\" + m);
    }
  });
  const evals = await evaluateWithHelpers(files, namespace, terms, paths, timeoutMs);
  targets.forEach((t, i) => {
    const value: AmlValue[] = chunksAt[i].flatMap((at, c) => {
      const e = evals[at];
      if (e.result?.type !== "Package") throw new Error(`cannot fetch elements ${c * CHUNK}… of ${t.path}: ${e.error ?? JSON.stringify(e.result)}`);
      return e.result.value as AmlValue[];
    });
    if (value.length !== counts[i]) throw new Error(`fetched ${value.length} of ${counts[i]} elements of ${t.path}`);
    delete t.error;
    t.result = { type: "Package", value };
    t.reassembled = true;
  });
}

function runProcess(cmd: string, args: string[], input: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.setEncoding("latin1").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("latin1").on("data", (d: string) => { stderr += d; });
    child.once("error", (e) => { clearTimeout(timer); reject(e); });
    child.once("close", (code) => { clearTimeout(timer); resolve({ stdout, stderr, code }); });
    child.stdin.on("error", () => {}); // acpiexec may exit before reading everything; the close handler reports it
    child.stdin.end(input);
  });
}

// ---- namespace ----------------------------------------------------------

// ` 2      PCST Region       0x55d0f977d9b0 001 [SystemIO] Addr …`
// depth, name, type, node address, owner id, then type-specific details
// (ignored: `Notify Object: 0x…` on \_SB_, `ID 00 Len 06 Addr …` on a
// Processor, `Rgn [PCST] Off 000 Len 20 Acc 04` on fields, …).
const NS_LINE = /^\s*(\d+)\s+(\S{4}) (\w+)\s+0x[0-9a-f]+ [0-9a-f]{3}\b ?(.*)$/;

/** Parses the first `namespace` dump in acpiexec's output. */
export function parseNamespaceDump(output: string): NamespaceNode[] {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => l.startsWith("ACPI Namespace (from Namespace Root):"));
  if (start < 0) throw new Error(`no namespace dump in acpiexec output:\n${output.split("\n").slice(-10).join("\n")}`);
  const nodes: NamespaceNode[] = [];
  const stack: string[] = [];
  let end = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("Namespace node count:")) { end = i; break; }
    if (line.trim() === "") continue;
    const m = NS_LINE.exec(line);
    if (!m) throw new Error(`unparsed acpiexec namespace line ${i + 1}: ${JSON.stringify(line)}`);
    const depth = Number(m[1]);
    if (depth > stack.length) throw new Error(`namespace line ${i + 1} skips a level: ${JSON.stringify(line)}`);
    stack.length = depth;
    stack.push(m[2]);
    const node: NamespaceNode = { path: "\\" + stack.join("."), type: m[3] };
    if (m[3] === "Method") {
      const args = /\bArgs (\d+)\b/.exec(m[4]);
      if (!args) throw new Error(`method without Args in namespace line ${i + 1}: ${JSON.stringify(line)}`);
      node.args = Number(args[1]);
    }
    nodes.push(node);
  }
  if (end < 0) throw new Error("acpiexec namespace dump has no closing node count");
  const count = Number(/Namespace node count: (\d+)/.exec(lines[end])?.[1]);
  if (count !== nodes.length) throw new Error(`acpiexec counted ${count} nodes, parsed ${nodes.length}`);
  return nodes.filter((n) => n.path !== "\\_TI_" && !n.path.startsWith("\\_TI_."));
}

/** The CLI's `namespace` output: `<path> <type>` lines, plain string sort. */
export function namespaceLines(nodes: readonly NamespaceNode[]): string[] {
  return nodes.map((n) => `${n.path} ${n.type}`).sort();
}

// ---- evaluation ---------------------------------------------------------

const NOTIFY_LINE = /^ACPI Exec: (Global|Handler \d+):\s+Received a (?:Device|System) Notify on \[(.{4})\] \S+ Value 0x([0-9A-F]+)/;
// ACPI_LV_BFIELD debug lines; a datum line without an ExAccessRegion line
// before it is a BufferField access, not a region access.
const REGION_ACCESS = /\bExAccessRegion\s+: \[(READ|WRITE)\] Region \[(\w+):\d+\], Width (\d+), .* at ([0-9A-F]+)$/;
const REGION_DATUM = /\bExFieldDatumIo\s+: Value (Read|Written) ([0-9A-F]+), Width \d+$/;

/**
 * Parses every `Evaluating …` block. Notify lines name only the object's
 * last segment: it is resolved through `namespace` when exactly one
 * Device/Processor/ThermalZone has that name, else kept as `*.NAME`.
 */
export function parseEvaluations(output: string, namespace: readonly NamespaceNode[]): AcpiexecEval[] {
  const lines = output.split("\n");
  const evals: AcpiexecEval[] = [];
  let cur: AcpiexecEval | null = null;
  let errors: string[] = [];
  let done = false;
  let pending: Omit<RegionAccess, "value"> | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const evaluating = /^Evaluating (\S+)$/.exec(line);
    if (evaluating) {
      if (cur && !done) throw new Error(`acpiexec evaluation of ${cur.path} has no outcome line`);
      cur = { path: canonicalPath(evaluating[1]), regionAccess: [], debug: [], notify: [] };
      evals.push(cur);
      errors = [];
      done = false;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith("- ")) { // the debugger echoes the next command
      if (!done) throw new Error(`acpiexec evaluation of ${cur.path} has no outcome line`);
      cur = null;
      continue;
    }
    const notify = NOTIFY_LINE.exec(line);
    if (notify) {
      // acpiexec installs a global handler and, on some objects, per-object
      // handlers that print the same event again: count the global one only.
      if (notify[1] === "Global") cur.notify!.push([resolveNotifyTarget(notify[2], namespace), "0x" + BigInt("0x" + notify[3]).toString(16)]);
      continue;
    }
    const access = REGION_ACCESS.exec(line);
    if (access) {
      pending = { space: access[2], op: access[1] === "READ" ? "read" : "write", address: BigInt("0x" + access[4]), width: Number(access[3]) };
      continue;
    }
    const datum = REGION_DATUM.exec(line);
    if (datum) {
      if (pending && (datum[1] === "Read") === (pending.op === "read")) cur.regionAccess.push({ ...pending, value: BigInt("0x" + datum[2]) });
      pending = null;
      continue;
    }
    if (/^\s*\w+-\d{4} \[\d+\]/.test(line)) continue; // other ACPICA debug output
    if (line.startsWith("ACPI Debug:")) { cur.debug.push(line.slice("ACPI Debug:".length).trim()); continue; }
    if (line.startsWith("ACPI Error: ") || line.startsWith("Firmware Error") || line.startsWith("Failed at AML Offset")) {
      errors.push(line.replace(/ \(\d{8}\/[\w-]+\)$/, ""));
      continue;
    }
    if (done) continue;
    const returned = /^Evaluation of (\S+) returned object 0x[0-9a-f]+, external buffer length [0-9A-F]+$/.exec(line);
    if (returned) {
      const [value, next] = parseObject(lines, i + 1);
      cur.result = value;
      i = next - 1;
      done = true;
      continue;
    }
    if (/^No object was returned from evaluation of \S+$/.test(line)) { cur.result = null; done = true; continue; }
    const failed = /^Evaluation of (\S+) failed with status (\w+)$/.exec(line);
    if (failed) {
      const detail = errors.find((e) => !e.includes("while executing") && !e.includes("Aborting method"));
      cur.error = detail ? `${failed[2]}: ${detail}` : failed[2];
      done = true;
      continue;
    }
  }
  if (cur && !done) throw new Error(`acpiexec evaluation of ${cur.path} has no outcome line (output truncated?)`);
  return evals;
}

function resolveNotifyTarget(name: string, namespace: readonly NamespaceNode[]): string {
  const candidates = namespace.filter(
    (n) => n.path.endsWith("." + name) || n.path === "\\" + name,
  ).filter((n) => n.type === "Device" || n.type === "Processor" || n.type === "Thermal");
  return candidates.length === 1 ? candidates[0].path : `*.${name}`;
}

/** Parses one object dump (AcpiDbDumpExternalObject) starting at lines[i]. */
function parseObject(lines: string[], i: number): [AmlValue, number] {
  const raw = lines[i];
  if (raw === undefined) throw new Error("acpiexec output ends inside an object dump");
  const line = raw.trim();
  let m: RegExpExecArray | null;
  if ((m = /^\[Integer\] = ([0-9A-F]{16})$/.exec(line))) {
    return [{ type: "Integer", value: "0x" + BigInt("0x" + m[1]).toString(16) }, i + 1];
  }
  if ((m = /^\[String\] Length ([0-9A-F]+) = "(.*)"(\.\.\.)?$/.exec(line))) {
    const length = parseInt(m[1], 16);
    if (m[3]) throw new Error(`acpiexec truncated a ${length}-character string at 255 characters; the oracle cannot check it`);
    const value = unescapeAcpiString(m[2]);
    if (value.length !== length) throw new Error(`acpiexec string length ${length} but ${value.length} characters parsed: ${line}`);
    return [{ type: "String", value }, i + 1];
  }
  if ((m = /^\[Buffer\] Length ([0-9A-F]+) =(.*)$/.exec(line))) {
    const length = parseInt(m[1], 16);
    const bytes: string[] = [];
    let next = i + 1;
    const inline = m[2].trim();
    if (length > 0 && length <= 16) {
      bytes.push(...dumpLineBytes(inline, length, line));
    } else if (length > 16) {
      if (inline !== "") throw new Error(`unexpected inline dump for a ${length}-byte buffer: ${line}`);
      while (bytes.length < length) {
        const dump = lines[next]?.trim();
        if (dump === undefined) throw new Error("acpiexec output ends inside a buffer dump");
        bytes.push(...dumpLineBytes(dump, Math.min(16, length - bytes.length), dump));
        next++;
      }
    } else if (inline !== "") {
      throw new Error(`unexpected dump for an empty buffer: ${line}`);
    }
    return [{ type: "Buffer", value: bytes.join("").toLowerCase() }, next];
  }
  if ((m = /^\[Package\] Contains (\d+) Elements:$/.exec(line))) {
    const count = Number(m[1]);
    const elements: AmlValue[] = [];
    let next = i + 1;
    for (let k = 0; k < count; k++) {
      const [element, after] = parseObject(lines, next);
      elements.push(element);
      next = after;
    }
    return [{ type: "Package", value: elements }, next];
  }
  if (/^\[Null Object\]( \(Type=0\))?$/.test(line)) return [null, i + 1];
  if ((m = /^\[Object Reference\] = 0x[0-9a-f]+ <Node>\s+Name \S{4} (\w+)\b/.exec(line))) {
    return [{ type: m[1] }, i + 1];
  }
  if (line === "[Processor]") return [{ type: "Processor" }, i + 1];
  if (line === "[Power Resource]") return [{ type: "Power" }, i + 1];
  throw new Error(`unparsed acpiexec object dump line: ${JSON.stringify(raw)}`);
}

/** `0000: 01 02 03 …  // ...` → the first `count` byte tokens. */
function dumpLineBytes(dump: string, count: number, context: string): string[] {
  const m = /^[0-9A-F]+: (.*)$/.exec(dump);
  if (!m) throw new Error(`unparsed acpiexec buffer dump line: ${JSON.stringify(context)}`);
  const tokens = m[1].slice(0, count * 3).trim().split(" ");
  if (tokens.length !== count || tokens.some((t) => !/^[0-9A-F]{2}$/.test(t))) {
    throw new Error(`unparsed acpiexec buffer dump line (expected ${count} bytes): ${JSON.stringify(context)}`);
  }
  return tokens;
}

/** Undoes AcpiUtPrintString's escapes: \a \b \f \n \r \t \v \' \" \\ \xHH. */
export function unescapeAcpiString(s: string): string {
  const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "'": "'", '"': '"', "\\": "\\" };
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") { out += c; continue; }
    const e = s[++i];
    if (e === "x") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`bad \\x escape in acpiexec string "${s}"`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (e !== undefined && e in simple) {
      out += simple[e];
    } else {
      throw new Error(`unknown escape \\${e} in acpiexec string "${s}"`);
    }
  }
  return out;
}

// ---- comparison -----------------------------------------------------------

/** _HID and _CID values compare case-insensitively (ACPICA upper-cases them by default). */
export function isIdPath(path: string): boolean {
  const last = canonicalPath(path).split(".").at(-1);
  return last === "_HID" || last === "_CID" || last === "\\_HID" || last === "\\_CID";
}

/** Deep equality of two results; strings case-insensitive when `ids`. */
export function sameValue(a: AmlValue | undefined, b: AmlValue | undefined, ids = false): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === null || b === null) return a === b;
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "Integer":
      return normalizeHex(String(a.value)) === normalizeHex(String(b.value));
    case "String":
      return ids ? String(a.value).toUpperCase() === String(b.value).toUpperCase() : a.value === b.value;
    case "Buffer":
      return String(a.value).toLowerCase() === String(b.value).toLowerCase();
    case "Package": {
      const x = a.value as AmlValue[];
      const y = b.value as AmlValue[];
      return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((e, k) => sameValue(e, y[k], ids));
    }
    default:
      return true; // other object types are compared by type only
  }
}

function normalizeHex(v: string): string {
  try { return "0x" + BigInt(v).toString(16); } catch { return v; }
}

/** Notify lists as sorted multisets; `*.NAME` on either side matches any path ending in NAME. */
export function sameNotify(a: readonly NotifyEntry[] = [], b: readonly NotifyEntry[] = []): boolean {
  if (a.length !== b.length) return false;
  const key = (e: NotifyEntry) => `${normalizeHex(e[1])} ${e[0]}`;
  const left = [...a].sort((x, y) => key(x).localeCompare(key(y)));
  const right = [...b];
  for (const e of left) {
    const k = right.findIndex((f) => normalizeHex(f[1]) === normalizeHex(e[1]) && notifyTargetsMatch(e[0], f[0]));
    if (k < 0) return false;
    right.splice(k, 1);
  }
  return true;
}

function notifyTargetsMatch(x: string, y: string): boolean {
  const name = (p: string) => p.split(".").at(-1)!.replace(/^\\/, "");
  if (x.startsWith("*.") || y.startsWith("*.")) return name(x) === name(y);
  return canonicalPath(x) === canonicalPath(y);
}

/** Null when the CLI's line agrees with the oracle's, else a one-line reason. */
export function compareEval(ours: EvalResult, oracle: EvalResult): string | null {
  const ids = isIdPath(oracle.path);
  if (canonicalPath(ours.path) !== canonicalPath(oracle.path)) return `path ${ours.path} vs ${oracle.path}`;
  const oursErr = ours.error !== undefined;
  const oracleErr = oracle.error !== undefined;
  if (oursErr !== oracleErr) {
    return `ours ${oursErr ? `error "${ours.error}"` : formatValue(ours.result)}, acpiexec ${oracleErr ? `error "${oracle.error}"` : formatValue(oracle.result)}`;
  }
  if (!oursErr) {
    const difference = valueDifference(ours.result, oracle.result, ids);
    if (difference !== null) return difference;
  }
  if (!sameNotify(ours.notify, oracle.notify)) {
    return `notify: ours ${JSON.stringify(ours.notify ?? [])}, acpiexec ${JSON.stringify(oracle.notify ?? [])}`;
  }
  return null;
}

/** Null when equal (as sameValue), else where and how the first difference shows, briefly. */
export function valueDifference(ours: AmlValue | undefined, theirs: AmlValue | undefined, ids = false, at = ""): string | null {
  if (sameValue(ours, theirs, ids)) return null;
  const where = at === "" ? "" : `at ${at}: `;
  if (ours?.type === "Package" && theirs?.type === "Package" && Array.isArray(ours.value) && Array.isArray(theirs.value)) {
    const x = ours.value as AmlValue[];
    const y = theirs.value as AmlValue[];
    if (x.length !== y.length) return `${where}ours a Package of ${x.length} elements, acpiexec ${y.length}`;
    for (let k = 0; k < x.length; k++) {
      const d = valueDifference(x[k], y[k], ids, `${at}[${k}]`);
      if (d !== null) {
        const others = x.filter((e, j) => j !== k && !sameValue(e, y[j], ids)).length;
        return others > 0 && at === "" ? `${d} (and ${others} more elements differ)` : d;
      }
    }
  }
  return `${where}ours ${formatValue(ours)}, acpiexec ${formatValue(theirs)}`;
}

export function formatValue(v: AmlValue | undefined): string {
  if (v === undefined) return "(no result)";
  const text = JSON.stringify(v);
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}

/**
 * The reads acpiexec served from simulated hardware other than RAM that
 * returned a nonzero value: reads back of what an earlier write put into a
 * SystemIO/PCI_Config location. Both simulations start zero-filled and keep
 * such writes (the CLI's machine runs with rememberIo), so these are the
 * evaluations that show the two agree on it.
 */
export function nonzeroHardwareReads(e: AcpiexecEval): RegionAccess[] {
  return e.regionAccess.filter((a) => a.op === "read" && a.space !== "SystemMemory" && a.value !== 0n);
}

/** The types whose evaluation yields data: candidates for the differential. */
export const DATA_TYPES: ReadonlySet<string> = new Set(["Integer", "String", "Buffer", "Package", "BufferField"]);

/** Data objects first (their load-time values), then zero-argument methods. */
export function evaluablePaths(nodes: readonly NamespaceNode[]): string[] {
  const data = nodes.filter((n) => DATA_TYPES.has(n.type)).map((n) => n.path).sort();
  const methods = nodes.filter((n) => n.type === "Method" && n.args === 0).map((n) => n.path).sort();
  return [...data, ...methods];
}
