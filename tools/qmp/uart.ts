// The premise of every race that writes a request into a stopped guest:
// the request is in the guest's UART before the guest resumes, so that the
// restore's SCI and the request's receive interrupt are pending together.
// A fixed wait hoped for it; this reads it off the emulated 16550 through
// the monitor (HMP `i /b PORT`, which works with the vCPU stopped, under
// QMP's human-monitor-command or libvirt's `virsh qemu-monitor-command
// --hmp`) and fails, naming the premise, when it does not hold.
// Owns: what the registers say and the premise errors. May call: the
// monitor it is given (anything with an hmp() method). Never: reads the
// receive buffer (that would consume the request), resumes the guest.
//
// What the registers can show (QEMU 7.2 hw/char/serial.c, COM1 at 0x3f8):
// - LSR (0x3fd) bit 0, data ready: at least one byte in the receive FIFO.
//   Reading LSR clears only its break and overrun bits, never the FIFO.
// - IIR (0x3fa) = 0xc4, received data available: the FIFO has reached the
//   trigger level the guest programmed (clonesafe and Linux's 8250 driver
//   both program 8 bytes), and the guest's receive interrupt is raised.
//   Reading IIR clears a pending transmit-empty interrupt only when that is
//   what it reports; with received data at the trigger level it reports
//   that (of higher priority) instead, so the read that passes the check
//   changes nothing. (clonesafe never enables the transmit interrupt.)
// - How many bytes the FIFO holds is not visible below the trigger level.
// And what QEMU lets in while the guest is stopped: with the FIFO on, the
// chardev offers the UART (trigger level − bytes held) bytes, so no more
// than the trigger level ever gets in before the guest reads; a longer
// request cannot be whole in the UART of a stopped guest, and the rest of it
// waits in the socket.

import { setTimeout as sleep } from "node:timers/promises";

/** What the helpers need of a monitor: QmpClient, or virsh qemu-monitor-command --hmp (virsh.ts hmpMonitor). */
export interface Monitor {
  hmp(commandLine: string): Promise<string>;
}

export const COM1_IIR = 0x3fa;
export const COM1_LSR = 0x3fd;
export const LSR_DATA_READY = 0x01;
/** IIR's interrupt id bits (and "no interrupt pending", bit 0). */
const IIR_ID_MASK = 0x0f;
/** IIR id: received data available (the FIFO at its trigger level). */
export const IIR_RECEIVED_DATA = 0x04;
/** The receive FIFO trigger level both guest kernels program (clonesafe: FCR 0x87; Linux's 8250 for a 16550A). */
export const RECEIVE_TRIGGER_BYTES = 8;
/** How long a request's bytes get to reach a stopped guest's UART (seen there about 1 ms after the write). */
export const UART_DEADLINE_MS = 2000;

const FRIENDLY = "the race would have run in the friendly order";

/** A race's premise did not hold: the trial it belongs to proves nothing, so the run fails. */
export class PremiseError extends Error {
  override name = "PremiseError";
  /** `context` (which run and trial), then the premise that failed. */
  constructor(context: string | undefined, premise: string) {
    super(context ? `${context}: ${premise}` : premise);
  }
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(2, "0")}`;
}

/** One I/O port byte as HMP `i /b` prints it ("portb[0x03fd] = 0x61"). */
export function parsePortByte(output: string, port: number): number {
  const m = /^portb\[0x([0-9a-f]+)\] = 0x([0-9a-f]+)\s*$/im.exec(output.trim());
  if (!m || parseInt(m[1], 16) !== port) throw new Error(`HMP "i /b ${hex(port)}" answered ${JSON.stringify(output.trim())}`);
  return parseInt(m[2], 16);
}

export async function readPortByte(monitor: Monitor, port: number): Promise<number> {
  return parsePortByte(await monitor.hmp(`i /b ${hex(port)}`), port);
}

/** HMP `info status` says the vCPUs are stopped ("VM status: paused", "paused (prelaunch)", …). */
export async function guestStopped(monitor: Monitor): Promise<{ stopped: boolean; status: string }> {
  const status = (await monitor.hmp("info status")).trim();
  return { stopped: /^VM status: paused\b/m.test(status), status };
}

export interface UartData {
  lsr: number;
  iir: number;
  /** Milliseconds from the start of the wait to the read that found the condition. */
  ms: number;
  polls: number;
}

export interface UartWaitOptions {
  /** Give up after this long (default UART_DEADLINE_MS). */
  deadlineMs?: number;
  /** Also wait for IIR's received-data interrupt: the FIFO holds the trigger level's bytes (a request of that length is whole). */
  triggerLevel?: boolean;
  /** What the error calls the bytes (default "the request"). */
  what?: string;
  /** Which run and trial, put before the error ("loadvm-stopped -machine pc, trial 3"). */
  context?: string;
}

/**
 * Polls COM1's line status (and with `triggerLevel`, its interrupt
 * identification) through the monitor until data is ready, with the guest
 * stopped; fails with a PremiseError when the deadline passes first. A
 * condition on a device register, not a fixed wait: it returns as soon as
 * the bytes are there (typically on the first or second read).
 */
export async function waitForUartData(monitor: Monitor, o: UartWaitOptions = {}): Promise<UartData> {
  const deadlineMs = o.deadlineMs ?? UART_DEADLINE_MS;
  const what = o.what ?? "the request";
  const start = performance.now();
  let lsr = 0, iir = 0, polls = 0;
  for (;;) {
    polls++;
    lsr = await readPortByte(monitor, COM1_LSR);
    const ready = (lsr & LSR_DATA_READY) !== 0;
    if (ready && o.triggerLevel) iir = await readPortByte(monitor, COM1_IIR);
    const whole = !o.triggerLevel || (iir & IIR_ID_MASK) === IIR_RECEIVED_DATA;
    const ms = performance.now() - start;
    if (ready && whole) return { lsr, iir, ms, polls };
    if (ms >= deadlineMs) {
      const status = await guestStopped(monitor).catch(() => ({ stopped: true, status: "" }));
      const guest = status.stopped ? "with the guest stopped" : `and the guest was not stopped (${status.status})`;
      if (!ready) {
        throw new PremiseError(o.context, `premise failed: ${what} was not in the UART (LSR=${hex(lsr)}, data-ready clear) ` +
          `after ${deadlineMs} ms ${guest}; ${FRIENDLY}`);
      }
      throw new PremiseError(o.context, `premise failed: ${what} was not whole in the UART (LSR=${hex(lsr)}, data-ready set; ` +
        `IIR=${hex(iir)}, no received-data interrupt: fewer than ${RECEIVE_TRIGGER_BYTES} bytes in its FIFO) ` +
        `after ${deadlineMs} ms ${guest}; ${FRIENDLY}`);
    }
    await sleep(1); // a pause between reads, not a wait for the bytes: the condition decides
  }
}

export interface StoppedRequestOptions extends Omit<UartWaitOptions, "triggerLevel"> {
  /**
   * Write the bytes this long after the checks before them, not at once:
   * only for showing that the premise check fires (a delay past the
   * deadline fails it). If the check fails first, the write is cancelled.
   */
  delayMs?: number;
}

/**
 * Writes `bytes` into a stopped guest's UART and proves they are there
 * before the caller resumes it: first that the guest is stopped and its
 * receive FIFO empty (so data ready afterwards is these bytes, not a left
 * over), then writes, then waits for data ready — and, for a request as long
 * as the trigger level, for the received-data interrupt, which says the
 * whole request is in the FIFO. A request longer than the trigger level is
 * refused: it cannot be whole in the UART of a stopped guest. Shorter ones
 * go in one write, which QEMU takes in one read (it offers the UART room for
 * up to the trigger level), so data ready means all of it.
 */
export async function sendIntoStoppedUart(
  console: { sendBytes(bytes: string): void }, monitor: Monitor, bytes: string, o: StoppedRequestOptions = {},
): Promise<UartData> {
  const what = o.what ?? "the request";
  if (bytes.length > RECEIVE_TRIGGER_BYTES) {
    throw new PremiseError(o.context, `premise failed: ${what} (${JSON.stringify(bytes)}, ${bytes.length} bytes) is longer than a stopped ` +
      `guest's UART takes in (its receive trigger level, ${RECEIVE_TRIGGER_BYTES} bytes): it cannot be whole in the UART before the guest resumes`);
  }
  const status = await guestStopped(monitor);
  if (!status.stopped) throw new PremiseError(o.context, `premise failed: the guest was not stopped before ${what} was written (${status.status}); ${FRIENDLY}`);
  const before = await readPortByte(monitor, COM1_LSR);
  if (before & LSR_DATA_READY) {
    throw new PremiseError(o.context, `premise failed: the UART held data before ${what} was written (LSR=${hex(before)}, data-ready set): ` +
      `data ready afterwards would not show that ${what} arrived`);
  }
  let timer: NodeJS.Timeout | undefined;
  if (o.delayMs) timer = setTimeout(() => console.sendBytes(bytes), o.delayMs);
  else console.sendBytes(bytes);
  try {
    return await waitForUartData(monitor, { ...o, triggerLevel: bytes.length === RECEIVE_TRIGGER_BYTES });
  } finally {
    clearTimeout(timer);
  }
}
