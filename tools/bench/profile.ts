// `make bench-profile`: where a restore's instructions go, from the SCI's
// entry to the reseeded key. A parent boots and is snapshotted at idle; a
// clone of it (new process, new GUID, `-loadvm` and `-S`) is single-stepped
// by gdb through QEMU's gdbstub from the loader's irq_record to the vmgenid
// handler's first log line, one guest instruction a step (gdb's stepping
// keeps interrupts out, so the trace is the path alone). Each address is
// attributed with the ELF's symbols (real calls, followed through call/ret:
// inclusive counts) and its DWARF inline chains (addr2line -i: the
// innermost AssemblyScript function gcc inlined there, self counts). Why a
// step trace and not `-d exec`: QEMU 7.2 here has no TCG plugins, and an
// exec log names translation blocks, whose lengths change under -icount
// (an I/O instruction ends a block) — a step is one instruction, exactly
// what `sci_reseed_tsc` counts under -icount shift=0; the span printed is
// the one between the same two rdtsc reads.
// Owns: the trace and its attribution. May call: the launcher, QMP, gdb,
// nm/objdump/addr2line. Never: asserts (a benchmark reports); changes the
// guest (no breakpoint but the hardware one at the SCI's entry).

import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MachineType } from "../qemu/args.js";
import { launchQemu } from "../qemu/launcher.js";
import { waitForHalt } from "../qmp/vcpu.js";
import { defaultQemu } from "../qemu/versions.js";

const MAX_STEPS = 40_000;
const TREE_MIN = 40;
/** The trace ends at the first of these: the handler's log line is written after the key is fresh. */
const STOP_SYMBOLS = ["w2c_kernel_console_log_log", "w2c_kernel_console_log_log.part.0", "w2c_kernel_console_uart_uartWrite"];

interface Symbol { start: number; name: string }

function symbols(elf: string): Symbol[] {
  const out = execFileSync("nm", ["-n", elf], { encoding: "utf8" });
  const list: Symbol[] = [];
  for (const line of out.split("\n")) {
    const m = /^([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
    if (m) list.push({ start: parseInt(m[1], 16), name: m[2] });
  }
  return list;
}

function symbolAt(list: Symbol[], pc: number): string {
  let lo = 0, hi = list.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].start <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found < 0 ? `?${pc.toString(16)}` : list[found].name;
}

/** The mnemonic at each address of the image's text (objdump), for calls, returns and rdtsc. */
function mnemonics(elf: string): Map<number, string> {
  const out = execFileSync("objdump", ["-d", "--no-show-raw-insn", elf], { encoding: "utf8", maxBuffer: 256 << 20 });
  const map = new Map<number, string>();
  for (const line of out.split("\n")) {
    const m = /^\s+([0-9a-f]+):\s+(\S+)/.exec(line);
    if (m) map.set(parseInt(m[1], 16), m[2]);
  }
  return map;
}

/** Innermost function of each address's inline chain (addr2line -i), wasm2c's w2c_ prefix dropped. */
function innermost(elf: string, pcs: number[]): Map<number, string> {
  const out = execFileSync("addr2line", ["-f", "-i", "-a", "-e", elf, ...pcs.map((p) => "0x" + p.toString(16))],
    { encoding: "utf8", maxBuffer: 64 << 20 });
  const map = new Map<number, string>();
  let current = -1;
  let expectName = false;
  for (const line of out.split("\n")) {
    if (/^0x[0-9a-f]+$/.test(line)) { current = parseInt(line, 16); expectName = true; continue; }
    if (expectName && current >= 0) { map.set(current, line.replace(/^w2c_/, "")); expectName = false; }
  }
  return map;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const GDB_SCRIPT = `
import gdb, os
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote 127.0.0.1:" + os.environ["PROFILE_PORT"])
gdb.execute("hbreak *" + os.environ["PROFILE_START"])
gdb.execute("continue")
gdb.execute("delete")
stops = set(int(s, 16) for s in os.environ["PROFILE_STOPS"].split(","))
limit = int(os.environ["PROFILE_MAX"])
out = open(os.environ["PROFILE_OUT"], "w")
for i in range(limit):
    pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
    out.write("%x\\n" % pc)
    if pc in stops:
        break
    gdb.execute("stepi", to_string=True)
out.close()
gdb.execute("detach")
`;

function runGdb(elf: string, script: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("gdb", ["-batch", "-nx", "-q", "-x", script, elf], { env: { ...process.env, ...env }, stdio: ["ignore", process.env.PROFILE_DEBUG ? "inherit" : "ignore", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => { err = (err + d).slice(-4000); });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`gdb exited with ${String(code)}: ${err}`))));
  });
}

export interface Profile {
  machine: MachineType;
  /** Instructions between the rdtsc in irq_record and the last rdtsc before the log line (sci_reseed_tsc's span). */
  span: number;
  /** Positions of every rdtsc in the trace, with the function each is in. */
  stamps: Array<{ at: number; where: string }>;
  /** Instructions under each real (non-inlined) function, callees included, within the span. */
  inclusive: Array<[string, number]>;
  /** Instructions in each innermost (inlined) function, within the span. */
  self: Array<[string, number]>;
  /** The call tree (real calls): each path's instructions, callees included, in first-entered order. */
  tree: Array<{ depth: number; name: string; count: number }>;
}

class TreeNode {
  count = 0;
  readonly children = new Map<string, TreeNode>();
  child(name: string): TreeNode {
    let c = this.children.get(name);
    if (!c) { c = new TreeNode(); this.children.set(name, c); }
    return c;
  }
}

export async function profileRestore(image: string, elf64: string, machine: MachineType): Promise<Profile> {
  const workDir = mkdtempSync(join(tmpdir(), "clonesafe-profile-"));
  try {
    const parentDrive = join(workDir, "parent.qcow2");
    execFileSync(defaultQemu().imgBinary, ["create", "-q", "-f", "qcow2", parentDrive, "64M"]);
    const parentDir = join(workDir, "parent");
    execFileSync("mkdir", ["-p", parentDir]);
    const parent = await launchQemu({ image, machine, workDir: parentDir, stateDrive: parentDrive, lifetimeSec: 300, extra: ["-icount", "shift=0"] });
    try {
      await parent.waitForLine(/^clonesafe ready/, { timeoutMs: 60_000 });
      await waitForHalt(parent.qmp!, { what: "the kernel" });
      await parent.command("stats");
      await parent.qmp!.hmp("savevm s1");
    } finally {
      await parent.kill();
    }
    const cloneDir = join(workDir, "clone");
    execFileSync("mkdir", ["-p", cloneDir]);
    const cloneDrive = join(workDir, "clone.qcow2");
    copyFileSync(parentDrive, cloneDrive);
    const port = await freePort();
    if (process.env.PROFILE_DEBUG) process.stderr.write(`profile: snapshot taken, gdb on ${port}\n`);
    const syms = symbols(elf64);
    const addr = (name: string): number | undefined => syms.find((s) => s.name === name)?.start;
    const start = addr("irq_record");
    if (start === undefined) throw new Error(`no irq_record in ${elf64}`);
    const stops = STOP_SYMBOLS.map(addr).filter((a): a is number => a !== undefined);
    const clone = await launchQemu({
      image, machine, workDir: cloneDir, stateDrive: cloneDrive, loadvm: "s1", lifetimeSec: 600, qmp: false,
      extra: ["-icount", "shift=0", "-S", "-gdb", `tcp:127.0.0.1:${port}`],
    });
    const trace = join(workDir, "trace.txt");
    const script = join(workDir, "trace.py");
    writeFileSync(script, GDB_SCRIPT);
    try {
      await runGdb(elf64, script, {
        PROFILE_PORT: String(port), PROFILE_START: "0x" + start.toString(16),
        PROFILE_STOPS: stops.map((s) => s.toString(16)).join(","), PROFILE_MAX: String(MAX_STEPS), PROFILE_OUT: trace,
      });
    } finally {
      await clone.kill();
    }
    const pcs = readFileSync(trace, "utf8").trim().split("\n").map((l) => parseInt(l, 16));
    return attribute(machine, elf64, syms, pcs);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function attribute(machine: MachineType, elf64: string, syms: Symbol[], pcs: number[]): Profile {
  const ops = mnemonics(elf64);
  const inline = innermost(elf64, [...new Set(pcs)]);
  const stamps: Array<{ at: number; where: string }> = [];
  pcs.forEach((pc, i) => { if (ops.get(pc) === "rdtsc") stamps.push({ at: i, where: symbolAt(syms, pc) }); });
  // The span sci_reseed_tsc measures: irq_record's rdtsc to the last rdtsc before the log line.
  const first = stamps.length > 0 ? stamps[0].at : 0;
  const last = stamps.length > 0 ? stamps[stamps.length - 1].at : pcs.length;
  const inclusive = new Map<string, number>(), self = new Map<string, number>();
  const root = new TreeNode();
  const stack: string[] = [symbolAt(syms, pcs[0])];
  for (let i = 0; i < pcs.length; i++) {
    const pc = pcs[i];
    if (i > 0) {
      const prev = ops.get(pcs[i - 1]) ?? "";
      if (prev.startsWith("call")) stack.push(symbolAt(syms, pc));
      else if (prev.startsWith("ret") || prev.startsWith("iret")) {
        if (stack.length > 1) stack.pop(); else stack[0] = symbolAt(syms, pc);
      } else if (prev.startsWith("jmp") && symbolAt(syms, pc) !== stack[stack.length - 1] && syms.some((s) => s.start === pc)) {
        stack[stack.length - 1] = symbolAt(syms, pc); // a tail call
      }
    }
    if (i < first || i >= last) continue;
    for (const f of new Set(stack)) inclusive.set(f, (inclusive.get(f) ?? 0) + 1);
    let node = root;
    for (const f of stack) { node = node.child(f); node.count++; }
    const own = inline.get(pc) ?? symbolAt(syms, pc);
    self.set(own, (self.get(own) ?? 0) + 1);
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const tree: Array<{ depth: number; name: string; count: number }> = [];
  const walk = (n: TreeNode, depth: number): void => {
    for (const [name, c] of n.children) { tree.push({ depth, name: name.replace(/^w2c_/, ""), count: c.count }); walk(c, depth + 1); }
  };
  walk(root, 0);
  return { machine, span: last - first, stamps, inclusive: sorted(inclusive), self: sorted(self), tree };
}

export function profileText(p: Profile, rows = 40): string {
  const lines = [`-machine ${p.machine}: ${p.span} instructions from irq_record's rdtsc to the reseed's last rdtsc`];
  lines.push("  rdtsc at (instruction index, function): " + p.stamps.map((s) => `${s.at} ${s.where}`).join("; "));
  lines.push(`  call tree (real calls, callees included; paths of ${TREE_MIN} instructions or more):`);
  for (const t of p.tree) if (t.count >= TREE_MIN) lines.push(`    ${String(t.count).padStart(6)}  ${"  ".repeat(t.depth)}${t.name}`);
  lines.push("  inclusive (real calls, callees included):");
  for (const [f, n] of p.inclusive.slice(0, rows)) lines.push(`    ${String(n).padStart(6)}  ${f}`);
  lines.push("  self (innermost inlined function):");
  for (const [f, n] of p.self.slice(0, rows)) lines.push(`    ${String(n).padStart(6)}  ${f}`);
  return lines.join("\n");
}
