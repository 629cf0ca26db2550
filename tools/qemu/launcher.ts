// Starts QEMU for a test or the CLI and talks to the guest's serial console
// (the line reader of serial.ts, which libvirt domains share) and QMP. Guarantees: every process started here is killed when its owner
// calls kill(), when killAllQemu() runs, when this Node process exits, and
// in any case after `lifetimeSec` (QEMU runs under coreutils `timeout` in its
// own process group, so even a SIGKILLed test runner leaves nothing behind).
// A QEMU that fails to start is reported with its own message first
// (startFailure), never as a bare QMP or socket error. Which QEMU runs is the
// caller's `qemu` (a binary and its qemu-img, tools/qemu/versions.ts),
// defaulting to the system's or CLONESAFE_QEMU's. The spawn, the stderr
// kept and the wording of a failure's status are process.ts's, shared with
// the CLI's `run`.

import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { qemuArgs, type QemuOptions } from "./args.js";
import { describeQemuStatus } from "./exit-status.js";
import { qemuFailed, qemuSaid, spawnQemu, type ExitInfo, type QemuProcess } from "./process.js";
import { QmpClient } from "../qmp/client.js";
import { connectUnix, SerialConsole, SerialFailure, type SerialMatch } from "./serial.js";
import { defaultQemu, type QemuBinaries } from "./versions.js";

export type { ExitInfo, SerialMatch };

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

const live = new Set<QemuInstance>();
const KILL_GRACE_MS = 3000;
/** How long a QEMU that failed to start gets to exit on its own and finish its message. */
const START_FAILURE_GRACE_MS = 2000;
/** How much of a QEMU's stderr an instance keeps (for its failure messages). */
const STDERR_LIMIT = 4000;

export class QemuInstance extends SerialConsole {
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | null = null;
  qmp: QmpClient | null = null;
  readonly child: ChildProcess;
  readonly commandLine: string;

  constructor(private readonly qemu: QemuProcess, readonly workDir: string) {
    super();
    const child = this.child = qemu.child;
    this.commandLine = qemu.commandLine;
    live.add(this);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        this.notifyLineWaiters();
        resolve(this.exitInfo);
      });
    });
  }

  private get stderr(): string { return this.qemu.stderr; }

  get serialSocketPath(): string { return join(this.workDir, "serial.sock"); }
  get qmpSocketPath(): string { return join(this.workDir, "qmp.sock"); }

  protected override ended(): string | null {
    return this.exitInfo ? `QEMU exited (${describeQemuStatus(this.exitInfo.code, this.exitInfo.signal)})` : null;
  }

  /** What QEMU itself said went wrong (qemuSaid, process.ts): empty when it said nothing. */
  qemuError(): string {
    return qemuSaid(this.stderr);
  }

  /**
   * The error for a QEMU that did not start: waits briefly for it to exit on
   * its own so its message is complete, stops it, and names QEMU's own
   * message first ("QEMU failed to start (status 1): <message>"), then the
   * command line and last lines (failure()).
   */
  async startFailure(cause: unknown): Promise<Error> {
    await Promise.race([this.exited, sleep(START_FAILURE_GRACE_MS)]);
    if (this.exitInfo) await Promise.race([this.qemu.stderrEnded, sleep(START_FAILURE_GRACE_MS)]); // its whole message
    const exited = this.exitInfo;
    await this.kill();
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    const said = this.qemuError();
    if (exited && said) return this.failure(qemuFailed(exited, said, "QEMU failed to start"));
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
  const binary = (o.qemu ?? defaultQemu()).binary;
  // Its own process group: kill() takes QEMU and its guard together.
  const qemu = spawnQemu(binary, args, { stdin: "ignore", stdout: "ignore", stderrLimit: STDERR_LIMIT, lifetimeSec: o.lifetimeSec ?? 600, cwd: o.workDir });
  const instance = new QemuInstance(qemu, o.workDir);
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
