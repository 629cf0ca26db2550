// The 8254 programmable interval timer, channel 0 (IRQ 0): a clock that runs
// independently of the code that samples it, which is what the entropy
// collector needs. clonesafe keeps no timer otherwise; the PIT runs only
// while the collector asks for ticks.
// Owns: the PIT's command port and channel 0. May call: hw port I/O.
// Never: leaves the channel periodic after stop() (a ticking PIT costs the
// host a timer callback per tick for nothing).

import { outb } from "../hw";

export const PIT_IRQ: u32 = 0;
/** The PIT's input clock, 1.193182 MHz. */
export const PIT_HZ: u32 = 1193182;

const CHANNEL0: u32 = 0x40;
const COMMAND: u32 = 0x43;
// Channel 0, low byte then high byte, binary.
const MODE_RATE_GENERATOR: u32 = 0x34; // mode 2: one tick every `divisor` clocks
const MODE_ONE_SHOT: u32 = 0x30;       // mode 0: one terminal count, then quiet

/** Ticks every `divisor` PIT clocks (2..65535) on IRQ 0 until stop(). */
export function pitStartPeriodic(divisor: u32): void {
  outb(COMMAND, MODE_RATE_GENERATOR);
  outb(CHANNEL0, divisor & 0xff);
  outb(CHANNEL0, (divisor >> 8) & 0xff);
}

/** Back to a one-shot count that ends once: no more periodic ticks. */
export function pitStop(): void {
  outb(COMMAND, MODE_ONE_SHOT);
  outb(CHANNEL0, 0xff);
  outb(CHANNEL0, 0xff);
}
