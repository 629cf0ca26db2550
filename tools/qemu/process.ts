// A QEMU process as both its starters see it: the CLI's `run` (QEMU in the
// foreground, its serial console on this terminal, tools/cli/clonesafe.ts)
// and the launcher's instances (under a `timeout` guard in a process group
// of their own, launcher.ts). One spawn, one bounded copy of its stderr, and
// one wording for a QEMU that failed.
// Owns: spawning QEMU (the binary itself, or `timeout --signal=KILL <sec>
//   <binary>`), the tail of its stderr it keeps (and the part since a mark),
//   QEMU's own error lines in it, and how a failure names the way QEMU ended
//   ("status N", "signal S") and what it said.
// May call: node:child_process spawn, formatCommandLine (args.ts).
// Never: waits for, signals or kills the process (its caller owns its life),
//   reads its stdout, or keeps more of its stderr than the caller's limit.

import { spawn, type ChildProcess } from "node:child_process";
import { formatCommandLine } from "./args.js";

export interface ExitInfo { code: number | null; signal: string | null }

export interface SpawnQemuOptions {
  /** QEMU's stdin: this process's (a terminal) or none. */
  stdin: "inherit" | "ignore";
  /** QEMU's stdout: a pipe for the caller to read (`child.stdout`), or none. */
  stdout: "pipe" | "ignore";
  /** How many characters of stderr to keep: the last ones. */
  stderrLimit: number;
  /** Passes stderr on as it arrives (the CLI's `run`: QEMU's warnings on the terminal). */
  echoStderr?: NodeJS.WritableStream;
  /**
   * Runs QEMU under coreutils `timeout --signal=KILL <lifetimeSec>`, detached
   * (its own process group, so the guard and QEMU are signalled together and
   * nothing outlives the bound, even a SIGKILLed caller).
   */
  lifetimeSec?: number;
  cwd?: string;
}

/** A started QEMU: its child process, its command line, and what it wrote to stderr. */
export class QemuProcess {
  private tail = "";
  private received = 0;
  private mark = 0;
  /**
   * Settles once stderr is read to its end: a child's "exit" can come
   * before the last of what it wrote has been read (a failing QEMU's
   * message after its "info:" line), "close" of the pipe cannot.
   */
  readonly stderrEnded: Promise<void>;

  constructor(readonly child: ChildProcess, readonly commandLine: string, private readonly limit: number, echo?: NodeJS.WritableStream) {
    const stderr = child.stderr;
    this.stderrEnded = stderr ? new Promise((resolve) => { stderr.once("close", () => resolve()); }) : Promise.resolve();
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      echo?.write(d);
      this.tail = (this.tail + d).slice(-this.limit);
      this.received += d.length;
    });
  }

  /** The last `stderrLimit` characters of stderr. */
  get stderr(): string { return this.tail; }

  /** Starts the part of stderr stderrSinceMark() returns anew (the CLI: at every serial output). */
  markStderr(): void { this.mark = this.received; }

  /** What stderr received since markStderr() (or since the start), its last `stderrLimit` characters. */
  stderrSinceMark(): string {
    const since = this.received - this.mark;
    return since === 0 ? "" : this.tail.slice(-since);
  }
}

/** Starts `binary args` (under a `timeout` guard when `lifetimeSec` is given); stderr is always piped and kept. */
export function spawnQemu(binary: string, args: readonly string[], o: SpawnQemuOptions): QemuProcess {
  const guarded = o.lifetimeSec !== undefined;
  const child = guarded
    ? spawn("timeout", ["--signal=KILL", String(o.lifetimeSec), binary, ...args], { cwd: o.cwd, detached: true, stdio: [o.stdin, o.stdout, "pipe"] })
    : spawn(binary, args, { cwd: o.cwd, stdio: [o.stdin, o.stdout, "pipe"] });
  return new QemuProcess(child, formatCommandLine(binary, args), o.stderrLimit, o.echoStderr);
}

/**
 * What QEMU itself said went wrong in `stderr`: its lines with the
 * program-name prefix (error_report), prefix removed, without warnings,
 * "info:" notes (a socket waiting for its client) and "terminating on signal" (lines from its children, such as exec:cat's
 * shell, do not count), joined with "; "; empty when it said nothing.
 */
export function qemuSaid(stderr: string): string {
  return stderr.split("\n")
    .map((l) => l.trim())
    .filter((l) => /^qemu-system-[\w-]+: /.test(l))
    .map((l) => l.replace(/^qemu-system-[\w-]+: /, ""))
    .filter((l) => !/^warning:|(^|: )info: |terminating on signal/i.test(l))
    .join("; ");
}

/** How QEMU ended, as a failure message says it: "status 1", "signal SIGKILL" ("signal ?" when no signal is known). */
export function exitHow(exit: ExitInfo): string {
  return exit.code !== null ? `status ${exit.code}` : `signal ${exit.signal ?? "?"}`;
}

/**
 * The message for a QEMU that ended and said why (`said`, from qemuSaid()):
 * `QEMU failed (status 1): "<said>"`. `what` replaces "QEMU failed" (the
 * launcher's "QEMU failed to start").
 */
export function qemuFailed(exit: ExitInfo, said: string, what = "QEMU failed"): string {
  return `${what} (${exitHow(exit)}): "${said}"`;
}
