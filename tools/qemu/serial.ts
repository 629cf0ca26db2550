// The guest's serial console as lines: one reader for every way clonesafe
// reaches COM1 over a unix socket — a QEMU the launcher started
// (launcher.ts) or a libvirt domain's `<serial type='unix'>`
// (tools/libvirt/domain.ts).
// Owns: splitting the byte stream into lines, waiting for a line, sending
//   a command and reading its one-line answer.
// May call: node:net sockets only.
// Never: starts or stops processes; waits without a bound.

import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface SerialMatch { line: string; index: number; match: RegExpMatchArray }

/** An error from a console: what went wrong, and the serial lines last seen, as fields (the message carries both as text too). */
export class SerialFailure extends Error {
  constructor(readonly what: string, readonly lastLines: readonly string[], message: string) {
    super(message);
  }
}

const TAIL_LINES = 12;

export class SerialConsole {
  /** Every complete serial line so far, without line terminators. */
  readonly lines: string[] = [];
  private partial = "";
  protected serial: Socket | null = null;
  private lineWaiters: Array<() => void> = [];
  private closed = false;

  /** Starts reading `socket`; its lines are appended to `lines`. */
  attachSerial(socket: Socket, echo?: NodeJS.WritableStream): void {
    this.serial = socket;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      echo?.write(chunk);
      this.partial += chunk;
      let nl: number;
      while ((nl = this.partial.indexOf("\n")) >= 0) {
        this.lines.push(this.partial.slice(0, nl).replace(/\r/g, ""));
        this.partial = this.partial.slice(nl + 1);
      }
      this.notifyLineWaiters();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.notifyLineWaiters();
    });
  }

  protected notifyLineWaiters(): void {
    const waiters = this.lineWaiters;
    this.lineWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Why no further line can come (the process exited, the socket closed),
   * or null while lines may still arrive. Subclasses that own the process
   * say more.
   */
  protected ended(): string | null {
    return this.closed ? "the serial socket closed" : null;
  }

  /**
   * Waits for the first line at or after index `from` that matches `pattern`.
   * Rejects on timeout or when no more lines can come, naming what failure()
   * adds (the command line, the last serial lines) so the failure explains itself.
   */
  async waitForLine(pattern: RegExp, options: { timeoutMs?: number; from?: number } = {}): Promise<SerialMatch> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    let from = options.from ?? 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (; from < this.lines.length; from++) {
        const match = this.lines[from].match(pattern);
        if (match) return { line: this.lines[from], index: from, match };
      }
      const ended = this.ended();
      if (ended) throw this.failure(`${ended} before a line matching ${pattern}`);
      const left = deadline - Date.now();
      if (left <= 0) throw this.failure(`no serial line matching ${pattern} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.lineWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** An error saying `what`, with the last serial lines (subclasses add their own context). */
  failure(what: string): Error {
    return new SerialFailure(what, this.lines.slice(-TAIL_LINES), `${what}\nlast serial lines:\n${this.tail()}`);
  }

  protected tail(): string {
    return this.lines.slice(-TAIL_LINES).map((l) => `  | ${l}`).join("\n");
  }

  sendLine(text: string): void {
    if (!this.serial) throw new Error("serial console not connected");
    this.serial.write(text + "\r");
  }

  sendBytes(bytes: string): void {
    if (!this.serial) throw new Error("serial console not connected");
    this.serial.write(bytes, "latin1");
  }

  /**
   * Sends a command line and returns its answer: the first later line that
   * starts with `<command>:` or `error:`.
   */
  async command(text: string, timeoutMs = 30_000): Promise<string> {
    const name = text.trim().split(/\s+/)[0];
    const from = this.lines.length;
    this.sendLine(text);
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const { line } = await this.waitForLine(new RegExp(`^(${escaped}|error):`), { timeoutMs, from });
    return line;
  }

  /** Stops reading (a reader that falls behind: the socket's buffers fill and the guest's UART backs up). */
  pauseReading(): void {
    this.serial?.pause();
  }

  resumeReading(): void {
    this.serial?.resume();
  }

  /** Closes the connection (the guest goes on; its later output is not read). */
  closeSerial(): void {
    this.serial?.destroy();
  }
}

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/**
 * Connects to a unix socket, retrying briefly while it is refused or absent
 * (a listener creates the socket file a moment before it listens);
 * `gone()` ends the retries early (the process behind it has exited).
 */
export async function connectUnix(path: string, timeoutMs = 10_000, gone: () => boolean = () => false): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connectOnce(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== "ECONNREFUSED" && code !== "ENOENT") || gone() || Date.now() > deadline) throw e;
      await sleep(20);
    }
  }
}

/** A console on the unix socket at `path` (e.g. a libvirt domain's serial). */
export async function openSerialConsole(path: string, timeoutMs = 10_000): Promise<SerialConsole> {
  const console = new SerialConsole();
  console.attachSerial(await connectUnix(path, timeoutMs));
  return console;
}
