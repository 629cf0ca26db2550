// Whether a running guest has gone idle, read off its vCPU through the
// monitor: HMP `info registers` prints the CPU's halted flag (`HLT=1` while
// it sits in `hlt`, waiting for an interrupt). Used where a tool wants a
// snapshot or a measurement to start "past the boot's last work" instead of
// sleeping a fixed time for it. Owns: that reading. May call: the monitor it
// is given. Never: stops or resumes the guest.
//
// What it proves depends on the kernel: clonesafe (and the bench's baseline)
// halt only in their idle wait once the ready line is out — clonesafe after
// the boot's garbage collection — so a halted vCPU after the ready line is
// exactly "idle, the boot's work done". A general-purpose kernel (the Linux
// peer) also halts between bursts of background work: there it says the
// CPU was idle at that moment, no more.

import { setTimeout as sleep } from "node:timers/promises";
import type { Monitor } from "./uart.js";

/** The halted flag of the first CPU `info registers` shows (null if the output has none). */
export function parseHalted(registers: string): boolean | null {
  const m = /\bHLT=([01])\b/.exec(registers);
  return m ? m[1] === "1" : null;
}

/** Polls `info registers` until the vCPU is halted; fails, saying so, after `deadlineMs`. */
export async function waitForHalt(monitor: Monitor, o: { deadlineMs?: number; what?: string } = {}): Promise<{ ms: number; polls: number }> {
  const deadlineMs = o.deadlineMs ?? 30_000;
  const start = performance.now();
  for (let polls = 1; ; polls++) {
    const out = await monitor.hmp("info registers");
    const halted = parseHalted(out);
    if (halted === null) throw new Error(`HMP "info registers" shows no HLT= flag: ${JSON.stringify(out.slice(0, 200))}`);
    const ms = performance.now() - start;
    if (halted) return { ms, polls };
    if (ms >= deadlineMs) throw new Error(`${o.what ?? "the guest"} did not go idle (its vCPU never halted) within ${deadlineMs} ms`);
    await sleep(5); // a pause between reads, not a wait for the idle loop: the flag decides
  }
}
