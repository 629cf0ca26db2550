// tools/qmp/uart.ts and tools/qmp/vcpu.ts against a fake monitor that
// answers HMP like QEMU 7.2 does for a stopped guest's 16550 (COM1, FIFO on,
// receive trigger level 8, the receive interrupt enabled): what each premise
// check accepts, and the exact error each failure names. The real thing is
// test/integration/races.test.ts (the check firing under QEMU) and every race
// that writes into a stopped guest.
import { describe, expect, it } from "vitest";
import {
  parsePortByte, PremiseError, RECEIVE_TRIGGER_BYTES, sendIntoStoppedUart, waitForUartData, type Monitor,
} from "../../tools/qmp/uart.js";
import { parseHalted, waitForHalt } from "../../tools/qmp/vcpu.js";

/** A stopped guest's UART: bytes written land in its FIFO after `arriveAfterPolls` LSR reads (or never). */
class FakeGuest implements Monitor {
  fifo = 0;
  stopped = true;
  polls = 0;
  written: string[] = [];
  commands: string[] = [];
  private pending = 0;
  constructor(private readonly arriveAfterPolls: number | null = 1, private readonly take = RECEIVE_TRIGGER_BYTES) {}

  sendBytes(bytes: string): void {
    this.written.push(bytes);
    this.pending += bytes.length;
  }

  hmp(commandLine: string): Promise<string> {
    this.commands.push(commandLine);
    if (commandLine === "info status") return Promise.resolve(`VM status: ${this.stopped ? "paused" : "running"}\r\n`);
    if (commandLine === "i /b 0x3fd") {
      if (this.pending > 0) {
        this.polls++;
        if (this.arriveAfterPolls !== null && this.polls >= this.arriveAfterPolls) {
          this.fifo += Math.min(this.pending, this.take);
          this.pending = 0;
        }
      }
      return Promise.resolve(`portb[0x03fd] = 0x${(0x60 | (this.fifo > 0 ? 1 : 0)).toString(16)}\r\n`);
    }
    if (commandLine === "i /b 0x3fa") return Promise.resolve(`portb[0x03fa] = 0x${(this.fifo >= 8 ? 0xc4 : 0xc1).toString(16)}\r\n`);
    return Promise.reject(new Error(`unexpected HMP ${commandLine}`));
  }
}

const FRIENDLY = "the race would have run in the friendly order";

describe("HMP port reads", () => {
  it("parses `i /b` and refuses anything else", () => {
    expect(parsePortByte("portb[0x03fd] = 0x61\r\n", 0x3fd)).toBe(0x61);
    expect(() => parsePortByte("portb[0x03f8] = 0x72\r\n", 0x3fd)).toThrow(/answered "portb\[0x03f8\] = 0x72"/);
    expect(() => parsePortByte("unknown command: 'i'", 0x3fd)).toThrow(/answered/);
  });
});

describe("sendIntoStoppedUart", () => {
  it("writes the request once and returns as soon as the UART holds it whole (8 bytes: the receive interrupt)", async () => {
    const g = new FakeGuest(3);
    const r = await sendIntoStoppedUart(g, g, "rand 32\r");
    expect(g.written).toEqual(["rand 32\r"]);
    expect(r.lsr & 1).toBe(1);
    expect(r.iir).toBe(0xc4);
    expect(r.polls).toBe(3);
    expect(g.commands.slice(0, 2)).toEqual(["info status", "i /b 0x3fd"]); // stopped and empty, checked before the write
  });

  it("a shorter request: data ready is enough (QEMU takes it in one read)", async () => {
    const g = new FakeGuest(1);
    const r = await sendIntoStoppedUart(g, g, "stream\r");
    expect(r.lsr).toBe(0x61);
    expect(g.commands).not.toContain("i /b 0x3fa");
  });

  it("bytes that never arrive: the premise error, after the deadline", async () => {
    const g = new FakeGuest(null);
    const start = performance.now();
    await expect(sendIntoStoppedUart(g, g, "rand 32\r", { deadlineMs: 60, context: "loadvm-stopped -machine pc, trial 3" }))
      .rejects.toThrow(new PremiseError("loadvm-stopped -machine pc, trial 3",
        `premise failed: the request was not in the UART (LSR=0x60, data-ready clear) after 60 ms with the guest stopped; ${FRIENDLY}`));
    expect(performance.now() - start).toBeGreaterThanOrEqual(60);
  });

  it("part of an 8-byte request (data ready, no receive interrupt): not whole", async () => {
    const g = new FakeGuest(1, 5);
    await expect(sendIntoStoppedUart(g, g, "rand 32\r", { deadlineMs: 30 })).rejects.toThrow(
      `premise failed: the request was not whole in the UART (LSR=0x61, data-ready set; IIR=0xc1, no received-data interrupt: ` +
      `fewer than 8 bytes in its FIFO) after 30 ms with the guest stopped; ${FRIENDLY}`);
  });

  it("refuses a running guest, a UART already holding data, and a request longer than the trigger level, writing nothing", async () => {
    const running = new FakeGuest();
    running.stopped = false;
    await expect(sendIntoStoppedUart(running, running, "rand 32\r")).rejects.toThrow(
      `premise failed: the guest was not stopped before the request was written (VM status: running); ${FRIENDLY}`);
    const full = new FakeGuest();
    full.fifo = 1;
    await expect(sendIntoStoppedUart(full, full, "rand 32\r")).rejects.toThrow(/^premise failed: the UART held data before the request was written \(LSR=0x61, data-ready set\)/);
    const long = new FakeGuest();
    await expect(sendIntoStoppedUart(long, long, "rand 32 x\r")).rejects.toThrow(
      'premise failed: the request ("rand 32 x\\r", 10 bytes) is longer than a stopped guest\'s UART takes in (its receive trigger level, 8 bytes)');
    expect([running, full, long].flatMap((g) => g.written)).toEqual([]);
  });

  it("delayMs holds the write back: a delay within the deadline is waited for, one past it fails and is never written", async () => {
    const late = new FakeGuest(1);
    const r = await sendIntoStoppedUart(late, late, "rand 32\r", { delayMs: 40, deadlineMs: 1000 });
    expect(r.ms).toBeGreaterThanOrEqual(35);
    expect(late.written).toEqual(["rand 32\r"]);
    const never = new FakeGuest(1);
    await expect(sendIntoStoppedUart(never, never, "rand 32\r", { delayMs: 200, deadlineMs: 30 })).rejects.toBeInstanceOf(PremiseError);
    await new Promise((r) => setTimeout(r, 250)); // past the delay: the cancelled write did not happen
    expect(never.written).toEqual([]);
  });

  it("waitForUartData on its own: the guest found running at the deadline is named", async () => {
    const g = new FakeGuest(null);
    g.stopped = false;
    await expect(waitForUartData(g, { deadlineMs: 10 })).rejects.toThrow(
      `premise failed: the request was not in the UART (LSR=0x60, data-ready clear) after 10 ms and the guest was not stopped (VM status: running); ${FRIENDLY}`);
  });
});

describe("waitForHalt", () => {
  it("reads HLT= off `info registers` and waits for it", async () => {
    expect(parseHalted("RIP=000000000010113a RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n")).toBe(true);
    expect(parseHalted("EIP=fffebaba EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n")).toBe(false);
    expect(parseHalted("no such thing")).toBeNull();
    let n = 0;
    const m: Monitor = { hmp: () => Promise.resolve(`RIP=0 CPL=0 HLT=${++n >= 3 ? 1 : 0}\n`) };
    expect((await waitForHalt(m)).polls).toBe(3);
    const busy: Monitor = { hmp: () => Promise.resolve("RIP=0 HLT=0\n") };
    await expect(waitForHalt(busy, { deadlineMs: 20, what: "the parent" })).rejects.toThrow("the parent did not go idle (its vCPU never halted) within 20 ms");
  });
});
