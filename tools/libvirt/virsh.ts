// Runs virsh against one libvirt connection (-c URI) for the CLI's libvirt
// commands, the libvirt clone orchestration and the libvirt test.
// Owns: how a virsh failure reads (virsh's own "error: …" lines, the command).
// May call: the virsh binary.
// Never: waits without a bound, or passes arguments through a shell.

import { execFile } from "node:child_process";

/** virsh's default connection when none is given (as virsh itself picks it for root). */
export function defaultUri(): string {
  return process.env.LIBVIRT_DEFAULT_URI || "qemu:///system";
}

export class VirshError extends Error {
  constructor(message: string, readonly args: readonly string[], readonly stderr: string) { super(message); }
}

let trace: ((line: string) => void) | null = null;

/** Every virsh command line run from now on is passed to `fn` first (null: none). */
export function traceVirsh(fn: ((line: string) => void) | null): void {
  trace = fn;
}

function word(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

/** The command line as a user would type it. */
export function virshCommandLine(uri: string, args: readonly string[]): string {
  return ["virsh", "-c", uri, ...args].map(word).join(" ");
}

/** Runs `virsh -c URI ARGS…`; resolves with its stdout, rejects with virsh's error lines. */
export function virsh(uri: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  trace?.(virshCommandLine(uri, args));
  return new Promise((resolve, reject) => {
    execFile("virsh", ["-c", uri, ...args], { timeout: timeoutMs, killSignal: "SIGKILL", encoding: "utf8", maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          return reject(new VirshError("virsh not found: install libvirt-clients (make libvirt-deps installs libvirt)", args, ""));
        }
        const said = stderr.split("\n").map((l) => l.trim()).filter((l) => /^error:/.test(l)).map((l) => l.replace(/^error:\s*/, ""));
        const why = (error as { killed?: boolean }).killed ? `no answer within ${timeoutMs} ms` : said.join("; ") || stderr.trim() || error.message;
        reject(new VirshError(`virsh ${args[0]} failed: ${why}\ncommand: ${virshCommandLine(uri, args)}`, args, stderr));
      });
  });
}

/** Domain names on the connection (all, or only running ones). */
export async function domainNames(uri: string, which: "all" | "running" = "all"): Promise<string[]> {
  const out = await virsh(uri, ["list", which === "all" ? "--all" : "--state-running", "--name"]);
  return out.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

/** Whether a domain of that name is defined (or running) on the connection. */
export async function domainExists(uri: string, name: string): Promise<boolean> {
  return (await domainNames(uri)).includes(name);
}

/** `virsh domstate`: running, paused, shut off, … */
export async function domainState(uri: string, name: string): Promise<string> {
  return (await virsh(uri, ["domstate", name])).trim();
}

/**
 * Stops the domain if it runs and removes its definition and snapshot
 * metadata (its files stay). Quiet when it is already gone.
 */
export async function removeDomain(uri: string, name: string): Promise<void> {
  if (!(await domainExists(uri, name))) return;
  const state = await domainState(uri, name);
  if (state !== "shut off") await virsh(uri, ["destroy", name]).catch((e: unknown) => { if (!/not running/.test(String(e))) throw e; });
  await virsh(uri, ["undefine", name, "--snapshots-metadata"]);
}

/**
 * The domain's QEMU monitor in HMP, through `virsh qemu-monitor-command
 * --hmp` (for tools/qmp/uart.ts: reading the paused domain's UART). libvirt
 * marks a domain so used as tainted (custom-monitor); that is all it does.
 */
export function hmpMonitor(uri: string, name: string): { hmp(commandLine: string): Promise<string> } {
  return { hmp: (commandLine) => virsh(uri, ["qemu-monitor-command", "--hmp", name, commandLine], 30_000) };
}
