// A QMP client: greeting, capability negotiation, commands with timeouts,
// asynchronous events, and HMP passthrough for savevm/loadvm (which QMP 7.2
// exposes only through human-monitor-command). No npm package does this.

import { connect, type Socket } from "node:net";

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly description: string,
  ) {
    super(`QMP ${command} failed: ${errorClass}: ${description}`);
  }
}

/** An HMP command that answered with an error text. */
export class HmpError extends Error {
  constructor(readonly commandLine: string, readonly output: string) {
    super(`HMP "${commandLine}" failed: ${output}`);
  }
}

/** HMP commands that print nothing when they succeed. */
const SILENT_HMP = new Set(["savevm", "loadvm", "delvm"]);

function connectError(path: string, e: NodeJS.ErrnoException): Error {
  let message = `QMP connect to ${path}: ${e.message}`;
  if (e.code === "ENOENT") message = `no QMP socket at ${path} (is the instance running?)`;
  if (e.code === "ECONNREFUSED") message = `nothing listens on ${path} (a socket left by an instance that has stopped?)`;
  return Object.assign(new Error(message), { code: e.code });
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface EventWaiter {
  name: string;
  predicate: (e: QmpEvent) => boolean;
  resolve: (e: QmpEvent) => void;
}

export class QmpClient {
  readonly events: QmpEvent[] = [];
  private buffer = "";
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private eventWaiters: EventWaiter[] = [];
  private greetingResolve?: (g: unknown) => void;
  private greetingReject?: (e: Error) => void;
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("close", () => this.failAll(new Error("QMP connection closed")));
    socket.on("error", (e) => this.failAll(e));
  }

  /**
   * Connects to a QMP unix socket and leaves capability negotiation mode.
   * Fails (never waits forever) with a message that says what is wrong: no
   * socket, a socket nobody listens on (left by an instance that has exited),
   * or no greeting (QEMU serves one QMP client at a time; the socket is
   * closed again so this process can exit).
   */
  static async connect(path: string, timeoutMs = 10_000): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      const timer = setTimeout(() => { s.destroy(); reject(new Error(`QMP connect to ${path} timed out`)); }, timeoutMs);
      s.once("connect", () => { clearTimeout(timer); resolve(s); });
      s.once("error", (e: NodeJS.ErrnoException) => { clearTimeout(timer); reject(connectError(path, e)); });
    });
    const client = new QmpClient(socket);
    try {
      await client.greeting(path, timeoutMs);
      await client.execute("qmp_capabilities", undefined, timeoutMs);
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  private greeting(path: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `no QMP greeting on ${path} within ${timeoutMs / 1000} s: QEMU serves one QMP client at a time; ` +
        `close the other client (or stop what holds it) and try again`,
      )), timeoutMs);
      this.greetingResolve = (g) => { clearTimeout(timer); resolve(g); };
      this.greetingReject = (e) => { clearTimeout(timer); reject(new Error(`QMP ${path} closed before its greeting: ${e.message}`)); };
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private onMessage(msg: Record<string, unknown>): void {
    if ("QMP" in msg) {
      this.greetingResolve?.(msg.QMP);
      return;
    }
    if ("event" in msg) {
      const event = msg as unknown as QmpEvent;
      this.events.push(event);
      this.eventWaiters = this.eventWaiters.filter((w) => {
        if (w.name !== event.event || !w.predicate(event)) return true;
        w.resolve(event);
        return false;
      });
      return;
    }
    const id = String(msg.id);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ("error" in msg) {
      const err = msg.error as { class: string; desc: string };
      p.reject(new QmpError(p.command, err.class, err.desc));
    } else {
      p.resolve(msg.return);
    }
  }

  private failAll(error: Error): void {
    this.closedError ??= error;
    this.greetingReject?.(error);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`QMP ${p.command}: ${error.message}`));
    }
    this.pending.clear();
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    if (this.closedError) return Promise.reject(new Error(`QMP ${command}: ${this.closedError.message}`));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + "\n");
    });
  }

  /**
   * Runs an HMP command. HMP reports failure as text, not as a QMP error,
   * so output starting with "Error" is turned into an exception, and so is
   * any output at all of savevm, loadvm and delvm, which print nothing when
   * they succeed (a parse error reads "savevm: extraneous characters at the
   * end of line").
   */
  async hmp(commandLine: string, timeoutMs = 60_000): Promise<string> {
    const output = await this.execute<string>("human-monitor-command", { "command-line": commandLine }, timeoutMs);
    const silent = SILENT_HMP.has(commandLine.trim().split(/\s+/)[0]);
    if (/^Error\b/m.test(output) || (silent && output.trim() !== "")) {
      throw new HmpError(commandLine, output.trim());
    }
    return output;
  }

  /** Resolves with the first event named `name` (including ones already seen after `since`). */
  waitForEvent(name: string, timeoutMs = 30_000, predicate: (e: QmpEvent) => boolean = () => true, since = 0): Promise<QmpEvent> {
    const seen = this.events.slice(since).find((e) => e.event === name && predicate(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: EventWaiter = { name, predicate, resolve: (e) => { clearTimeout(timer); resolve(e); } };
      const timer = setTimeout(() => {
        this.eventWaiters = this.eventWaiters.filter((w) => w !== waiter);
        reject(new Error(`no QMP event ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.eventWaiters.push(waiter);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
