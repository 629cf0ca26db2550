// A private libvirtd for the libvirt integration test (and anyone who wants
// to try the libvirt workflow without touching the host's libvirt): started
// by tools/libvirt/private-libvirtd.sh in its own mount namespace, with all
// its configuration and state in one temporary folder.
// Owns: that folder, the supervising script's process (and through it
//   libvirtd and its QEMUs), and telling why the daemon did not start.
// May call: the script, virsh.
// Never: changes the host's libvirt configuration, or stops a process it
//   did not start (only its own script's PID gets signals).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { domainNames, removeDomain, virsh } from "./virsh.js";

export const SCRIPT = fileURLToPath(new URL("./private-libvirtd.sh", import.meta.url));
/** What the host must have for the private daemon (make libvirt-deps installs it). */
export const NEEDED = ["libvirtd", "virsh", "unshare", "qemu-system-x86_64", "qemu-img"];

export interface PrivateLibvirtd {
  /** Its folder: configuration, state, logs, socket. */
  readonly dir: string;
  /** qemu:///system?socket=<dir>/sock/libvirt-sock */
  readonly uri: string;
  /** The supervising script's PID (libvirtd is its child). */
  readonly pid: number;
  /** Removes every domain, stops the daemon (and any QEMU it left), removes the folder. */
  stop(): Promise<void>;
}

function findOnPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"]);
  return dirs.some((d) => d !== "" && existsSync(join(d, tool)));
}

/** The tools the private daemon needs that this host lacks. */
export function missingTools(): string[] {
  return NEEDED.filter((t) => !findOnPath(t));
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") || "(empty)";
  } catch {
    return "(none)";
  }
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  // The script stops libvirtd and its QEMUs on SIGTERM (and on its own when this process is gone).
  for (const c of live) if (c.pid !== undefined) try { process.kill(c.pid, "SIGTERM"); } catch { /* gone */ }
});

/**
 * Starts a private libvirtd and waits until virsh reaches it (the first
 * connection probes QEMU's capabilities: several seconds under TCG).
 * Rejects, having cleaned up, with the reason and the daemon's last log lines.
 */
export async function startPrivateLibvirtd(o: { lifetimeSec?: number; timeoutMs?: number; tmpRoot?: string } = {}): Promise<PrivateLibvirtd> {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`cannot start libvirtd: ${missing.join(", ")} not found (make libvirt-deps installs libvirt; make test does it first)`);
  const dir = mkdtempSync(join(o.tmpRoot ?? tmpdir(), "clonesafe-libvirtd-"));
  const uri = `qemu:///system?socket=${join(dir, "sock/libvirt-sock")}`;
  const child = spawn("sh", [SCRIPT, dir, String(process.pid), String(o.lifetimeSec ?? 1800)], {
    detached: true, stdio: ["ignore", "ignore", "pipe"],
  });
  live.add(child);
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => {
    child.once("exit", (code, signal) => { live.delete(child); res({ code, signal }); });
  });
  let done: { code: number | null; signal: string | null } | null = null;
  void exited.then((e) => { done = e; });

  const stop = async (): Promise<void> => {
    if (done === null) {
      // Politely first: every domain destroyed and undefined, then the daemon.
      try {
        for (const name of await domainNames(uri)) await removeDomain(uri, name).catch(() => undefined);
      } catch { /* the daemon does not answer: its script kills what it left */ }
      try { process.kill(child.pid!, "SIGTERM"); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ } }, 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const why = (what: string) => new Error(`libvirtd did not start: ${what}\n` +
    `script: sh ${SCRIPT} ${dir}\nits stderr:\n${stderr.trim() || "(none)"}\nsupervisor.log:\n${tail(join(dir, "supervisor.log"))}\n` +
    `libvirtd.log:\n${tail(join(dir, "libvirtd.log"))}`);
  const deadline = Date.now() + (o.timeoutMs ?? 90_000);
  try {
    while (!existsSync(join(dir, "sock/libvirt-sock"))) {
      if (done) throw why(`the script exited (${(done as { code: number | null }).code ?? "signal"}) before libvirtd made its socket`);
      if (Date.now() > deadline) throw why("no socket within the time allowed");
      await sleep(50);
    }
    for (;;) {
      try {
        await virsh(uri, ["version"], Math.max(1_000, deadline - Date.now()));
        break;
      } catch (e) {
        if (done || Date.now() > deadline) throw why(`virsh could not reach it: ${(e as Error).message.split("\n")[0]}`);
        await sleep(200);
      }
    }
  } catch (e) {
    const error = e instanceof Error && e.message.startsWith("libvirtd did not start") ? e : why(String(e));
    await stop();
    throw error;
  }
  return { dir, uri, pid: child.pid!, stop };
}
