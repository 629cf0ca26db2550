// Boots the real image under QEMU (TCG) and asserts on what the serial
// console and the exit status show, on every QEMU build there is
// (tools/qemu/versions.ts: the system's 7.2, and 10.0 after `make qemu10`).
import { afterAll, describe, expect, it } from "vitest";
import { MACHINE_TYPES } from "../../tools/qemu/args.js";
import { PANIC_STATUS, qemuStatusFor } from "../../tools/qemu/exit-status.js";
import { liveQemuCount, type QemuInstance } from "../../tools/qemu/launcher.js";
import { qemuLegs } from "../../tools/qemu/versions.js";
import { setTimeout as sleep } from "node:timers/promises";
import { bootKernel, IMAGE, PVH_IMAGE } from "../support/qemu.js";

/**
 * How long the reader stops: long enough to fill the socket's buffers and
 * outlast the kernel's transmit give-up. The stimulus, not a wait for
 * anything: that it was long enough is asserted afterwards (tx_dropped > 0,
 * and the gap in the stream's seqs that the test waits for).
 */
const STALL_MS = 8000;

const STREAM_SEQ = /^stream: seq=(\d+) /;
const STREAM_WHOLE = /^stream: seq=\d+ epoch=1 [0-9a-f]{64}$/;

/**
 * After a stall: the index of the first complete stream line that follows a
 * gap in the seqs. The lines in the gap were dropped while the console was
 * stalled, so that line was written once the kernel could write again: the
 * buffered output has drained, and what the kernel writes now arrives.
 */
async function flowingAgain(q: QemuInstance, from: number): Promise<number> {
  let prev = -1;
  for (const l of q.lines.slice(0, from)) prev = Number(STREAM_SEQ.exec(l)?.[1] ?? prev);
  let gap = false;
  for (let at = from; ; at++) {
    const { index, match } = await q.waitForLine(STREAM_SEQ, { from: at, timeoutMs: 60_000 });
    const seq = Number(match[1]);
    if (prev >= 0 && seq > prev + 1) gap = true;
    prev = seq;
    if (gap && STREAM_WHOLE.test(q.lines[index])) return index;
    at = index;
  }
}

const SEEDED_BY_TIMER = /^random: seeded epoch=1 \(no cpu source, timer interrupts 256 bits\)$/;

const LEGS = qemuLegs().map((qemu) => ({ qemu, version: qemu.name }));

const BOOTS = LEGS.flatMap(({ qemu, version }) => MACHINE_TYPES.flatMap((machine) => [
  { qemu, version, machine, boot: "multiboot", image: IMAGE },
  { qemu, version, machine, boot: "pvh", image: PVH_IMAGE },
]));

describe.each(BOOTS)("QEMU $version boot on -machine $machine, $boot image", ({ qemu, machine, boot, image }) => {
  it("prints exactly one ready line and answers a shell round trip", async () => {
    const q = await bootKernel({ qemu, machine, image });
    expect(q.lines.some((l) => (boot === "pvh" ? /^boot: PVH start info at 0x[0-9a-f]+: version 1, RSDP at 0x[0-9a-f]+$/ : /^boot: multiboot info at /).test(l)),
      q.lines.join("\n")).toBe(true);
    expect(q.lines.some((l) => /^vmgenid: \\_SB_\.VGEN \(QEMUVGID\) guid=/.test(l)), q.lines.join("\n")).toBe(true);
    expect(await q.command("help")).toMatch(/^help: .*exit <0\.\.63>.*panic </);
    expect(await q.command("no-such-thing")).toBe('error: unknown command "no-such-thing" (try help)');
    expect(await q.command("help")).toMatch(/^help: /); // still running
    expect(q.lines.filter((l) => /^clonesafe ready/.test(l))).toHaveLength(1);
    expect(q.lines.some((l) => l.startsWith("panic:"))).toBe(false);
    // qemu64 has no RDSEED/RDRAND: the pool is seeded from the timer, whose
    // ticks are sampled while the boot works (random/sources.ts); that some
    // were is the premise of the overlap, and the timer's line never
    // reaches the kernel's handlers.
    expect(q.lines.some((l) => SEEDED_BY_TIMER.test(l)), q.lines.join("\n")).toBe(true);
    const ticks = / timer_ticks=(\d+) timer_overlapped=(\d+) /.exec(await q.command("stats"));
    expect(ticks).not.toBeNull();
    expect(Number(ticks![2])).toBeGreaterThan(0);
    expect(Number(ticks![2])).toBeLessThanOrEqual(Number(ticks![1]));
    expect(q.lines.some((l) => l.includes("fired with no handler")), q.lines.join("\n")).toBe(false);
    expect(q.lines.findIndex((l) => l.startsWith("random: seeded"))).toBeLessThan(q.lines.findIndex((l) => l.startsWith("clonesafe ready")));
  });

  it("exit <n> leaves QEMU with status (n << 1) | 1", async () => {
    const q = await bootKernel({ qemu, machine, image, qmp: false });
    q.sendLine("exit 21");
    await q.waitForLine(/^exit: 21 \(qemu status 43\)$/);
    expect((await q.exited).code).toBe(qemuStatusFor(21));
  });
});

const PANIC_REPORTS: Record<string, RegExp> = {
  abort: /^panic: abort: panic requested from the shell in w2c_kernel_machine_panic_panicCommand\+0x/,
  unreachable: /^panic: wasm trap: unreachable executed in w2c_kernel_machine_panic_panicCommand\+0x/,
  oob: /^panic: wasm trap: out-of-bounds linear memory access in w2c_kernel_machine_panic_panicCommand\+0x/,
  div0: /^panic: wasm trap: integer divide by zero in w2c_kernel_machine_panic_panicCommand\+0x/,
  recursion: /^panic: wasm trap: call stack exhausted \(recursion too deep\) in w2c_kernel_machine_panic_recurse\+0x/,
  pagefault: /^panic: cpu exception 14 \(page fault\) error=0x0 rip=0x[0-9a-f]+ cr2=0xffff810000000000 \(phys 0x10000000000\) rsp=0x[0-9a-f]+ in Z_hwZ_phys_read\+0x[0-9a-f]+ called from wasm w2c_kernel_machine_panic_panicCommand\+0x/,
};

// A host reader that stops draining the console: the socket's buffers fill,
// then QEMU's UART transmit FIFO stays full. The kernel gives up waiting
// after a bound (about a second or two of TSC here), then drops and counts
// what it cannot write — it never writes into a full FIFO, which would
// overwrite older bytes — and keeps serving; once the reader drains again,
// whole lines come back.
describe.each(LEGS)("QEMU $version: a console nobody drains", ({ qemu }) => {
  it("drops and counts output (tx_dropped), keeps serving, and writes whole lines once drained", async () => {
    const q = await bootKernel({ qemu, qmp: false });
    q.sendLine("stream");
    await q.waitForLine(/^stream: seq=/);
    q.pauseReading();
    await sleep(STALL_MS);
    const resumed = q.lines.length;
    q.resumeReading();
    // What was written while the console stayed full is gone (a line written
    // then, the stream's stop line included, may be lost), so the stream is
    // stopped only once whole lines flow again: the buffered output drained,
    // a complete line written after the gap the stall left.
    const flowing = await flowingAgain(q, resumed);
    q.sendBytes("x"); // stops the stream
    await q.waitForLine(/^stream: stopped/, { from: flowing, timeoutMs: 60_000 });
    const stats = await q.command("stats");
    const dropped = Number(/\btx_dropped=(\d+)/.exec(stats)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(await q.command("rand 16")).toMatch(/^rand: epoch=1 [0-9a-f]{32}$/);
    expect(await q.command("stats")).toMatch(new RegExp(`\\btx_dropped=${dropped}\\b`)); // nothing dropped since
  });
});

const PANIC_MACHINES = LEGS.flatMap(({ qemu, version }) => MACHINE_TYPES.map((machine) => ({ qemu, version, machine })));

describe.each(PANIC_MACHINES)("QEMU $version panic kinds on -machine $machine", ({ qemu, machine }) => {
  it.each(Object.keys(PANIC_REPORTS))("panic %s: a clear report and its own exit status", async (kind) => {
    const q = await bootKernel({ qemu, machine, qmp: false });
    q.sendLine(`panic ${kind}`);
    const { line } = await q.waitForLine(/^panic: /);
    expect(line).toMatch(PANIC_REPORTS[kind]);
    const exit = await q.exited;
    expect(exit.code).toBe(PANIC_STATUS[kind]);
  });
});

// Every QEMU this worker started is gone once its test ended (.ci/run also
// checks the whole machine after the suite, when no worker is running).
afterAll(() => {
  expect(liveQemuCount()).toBe(0);
});
