// Starts QEMU for a test or the CLI and talks to the guest's serial console
// (the line reader of serial.ts, which libvirt domains share) and QMP. Guarantees: every process started here is killed when its owner
// calls kill(), when killAllQemu() runs, when this Node process exits, and
// in any case after `lifetimeSec` (QEMU runs under coreutils `timeout` in its
// own process group, so even a SIGKILLed test runner leaves nothing behind).
// A QEMU that fails to start is reported with its own message first
// (startFailure), never as a bare QMP or socket error. Which QEMU runs is the
// caller's `qemu` (a binary and its qemu-img, tools/qemu/versions.ts),
// defaulting to the system's or CLONESAFE_QEMU's.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { formatCommandLine, qemuArgs, type QemuOptions } from "./args.js";
import { describeQemuStatus } from "./exit-status.js";
import { QmpClient } from "../qmp/client.js";
import { connectUnix, SerialConsole, SerialFailure, type SerialMatch } from "./serial.js";
import { defaultQemu, type QemuBinaries } from "./versions.js";

export type { SerialMatch };

export interface LaunchOptions extends Omit<QemuOptions, "serial" | "qmpSocket"> {
  /** Directory for the serial and QMP sockets (a fresh temporary one per instance). */
  workDir: string;
  /** Hard upper bound on the process's life, enforced outside Node. */
  lifetimeSec?: number;
  /** Connect a QMP client too (default true). */
  qmp?: boolean;
  /** Mirror serial output to this stream (for the CLI's progress display). */
  echo?: NodeJS.WritableStream;
  /** Which QEMU (default: defaultQemu(), the system's unless CLONESAFE_QEMU names another). */
  qemu?: QemuBinaries;
}

export interface ExitInfo { code: number | null; signal: string | null }

const live = new Set<QemuInstance>();
const KILL_GRACE_MS = 3000;
/** How long a QEMU that failed to start gets to exit on its own and finish its message. */
const START_FAILURE_GRACE_MS = 2000;

/**
 * QEMU's own error lines in `stderr`: those with its program-name prefix
 * (error_report), prefix removed, without warnings and "terminating on
 * signal" (lines from its children, such as exec:cat's shell, do not count).
 */
export function qemuErrorLines(stderr: string): string[] {
  return stderr.split("\n")
    .map((l) => l.trim())
    .filter((l) => /^qemu-system-[\w-]+: /.test(l))
    .map((l) => l.replace(/^qemu-system-[\w-]+: /, ""))
    .filter((l) => !/^warning:|terminating on signal/i.test(l));
}

export class QemuInstance extends SerialConsole {
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | null = null;
  qmp: QmpClient | null = null;
  private stderr = "";

  constructor(
    readonly child: ChildProcess,
    readonly commandLine: string,
    readonly workDir: string,
  ) {
    super();
    live.add(this);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        this.notifyLineWaiters();
        resolve(this.exitInfo);
      });
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => { this.stderr = (this.stderr + d).slice(-4000); });
  }

  get serialSocketPath(): string { return join(this.workDir, "serial.sock"); }
  get qmpSocketPath(): string { return join(this.workDir, "qmp.sock"); }

  protected override ended(): string | null {
    return this.exitInfo ? `QEMU exited (${describeQemuStatus(this.exitInfo.code, this.exitInfo.signal)})` : null;
  }

  /**
   * What QEMU itself said went wrong: its stderr lines that are not warnings
   * or "terminating on signal", without the program-name prefix, joined with
   * "; " (empty when it said nothing).
   */
  qemuError(): string {
    return qemuErrorLines(this.stderr).join("; ");
  }

  /**
   * The error for a QEMU that did not start: waits briefly for it to exit on
   * its own so its message is complete, stops it, and names QEMU's own
   * message first ("QEMU failed to start (status 1): <message>"), then the
   * command line and last lines (failure()).
   */
  async startFailure(cause: unknown): Promise<Error> {
    await Promise.race([this.exited, sleep(START_FAILURE_GRACE_MS)]);
    const exited = this.exitInfo;
    await this.kill();
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    const said = this.qemuError();
    if (exited && said) {
      const how = exited.code !== null ? `status ${exited.code}` : `signal ${exited.signal ?? "?"}`;
      return this.failure(`QEMU failed to start (${how}): "${said}"`);
    }
    return this.failure(`QEMU did not start: ${reason}${said ? ` (QEMU said: "${said}")` : ""}`);
  }

  override failure(what: string): Error {
    const stderr = this.stderr.trim() ? `\nQEMU stderr:\n${this.stderr.trim()}` : "";
    return new SerialFailure(what, this.lines.slice(-12), `${what}\ncommand: ${this.commandLine}\nlast serial lines:\n${this.tail()}${stderr}`);
  }

  /** Leaves QEMU running after this Node process exits (`clonesafe clone --keep`). */
  detach(): void {
    live.delete(this);
    this.qmp?.close();
    this.serial?.destroy();
    this.child.unref();
    this.child.stderr?.destroy();
  }

  /**
   * Stops QEMU and waits for it. SIGTERM goes to the `timeout` guard, which
   * passes it on to QEMU and reaps it before exiting, so no zombie is left;
   * if that takes too long, the whole process group gets SIGKILL.
   */
  async kill(): Promise<ExitInfo> {
    this.qmp?.close();
    this.serial?.destroy();
    if (!this.exitInfo && this.child.pid !== undefined) {
      try { process.kill(this.child.pid, "SIGTERM"); } catch { /* already gone */ }
      const timer = setTimeout(() => killGroup(this.child), KILL_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, "SIGKILL"); } catch { /* already gone */ }
}

export function liveQemuCount(): number { return live.size; }

export async function killAllQemu(): Promise<void> {
  await Promise.all([...live].map((q) => q.kill()));
}

process.once("exit", () => { for (const q of live) killGroup(q.child); });

async function waitForSocketFile(path: string, instance: QemuInstance, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (instance.exitInfo) throw instance.failure(`QEMU exited (${describeQemuStatus(instance.exitInfo.code, instance.exitInfo.signal)}) before creating ${path}`);
    if (Date.now() > deadline) throw instance.failure(`QEMU did not create ${path} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** QEMU creates the socket file a moment before it listens: retry a refused connect briefly. */
function connectToQemu(path: string, instance: QemuInstance, timeoutMs = 10_000): Promise<Socket> {
  return connectUnix(path, timeoutMs, () => instance.exitInfo !== null);
}

/** Starts QEMU with its serial console on a socket and (by default) QMP. */
export async function launchQemu(o: LaunchOptions): Promise<QemuInstance> {
  const serialPath = join(o.workDir, "serial.sock");
  const qmpPath = join(o.workDir, "qmp.sock");
  const args = qemuArgs({
    ...o,
    serial: { kind: "socket", path: serialPath },
    qmpSocket: o.qmp === false ? undefined : qmpPath,
  });
  const lifetime = String(o.lifetimeSec ?? 600);
  const binary = (o.qemu ?? defaultQemu()).binary;
  const child = spawn("timeout", ["--signal=KILL", lifetime, binary, ...args], {
    cwd: o.workDir,
    detached: true, // own process group: kill() takes QEMU and its guard together
    stdio: ["ignore", "ignore", "pipe"],
  });
  const instance = new QemuInstance(child, formatCommandLine(binary, args), o.workDir);
  try {
    await waitForSocketFile(serialPath, instance, 15_000);
    instance.attachSerial(await connectToQemu(serialPath, instance), o.echo);
    if (o.qmp !== false) {
      await waitForSocketFile(qmpPath, instance, 15_000);
      await connectToQemu(qmpPath, instance).then((probe) => probe.destroy()); // listening by now
      instance.qmp = await QmpClient.connect(qmpPath);
    }
  } catch (e) {
    throw await instance.startFailure(e);
  }
  return instance;
}
