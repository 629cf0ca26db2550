// COM1 16550 UART driver.
// Owns: the UART's registers at 0x3F8, transmit (polled; QEMU's THR drains at
// once) and interrupt-driven receive on IRQ 4 into a byte queue.
// May call: hw port I/O. Never: interprets the bytes it carries.

import { inb, outb, rdtsc } from "../hw";

export const COM1_IRQ: u32 = 4;

const BASE: u32 = 0x3f8;
const RBR: u32 = BASE + 0; // receive buffer (DLAB=0)
const THR: u32 = BASE + 0; // transmit holding (DLAB=0)
const IER: u32 = BASE + 1;
const FCR: u32 = BASE + 2;
const LCR: u32 = BASE + 3;
const MCR: u32 = BASE + 4;
const LSR: u32 = BASE + 5;

const LSR_DATA_READY: u32 = 0x01;
const LSR_THR_EMPTY: u32 = 0x20;
// Status reads before giving up on a transmitter nobody drains (about a
// second under TCG): the kernel must not hang on a stalled console, and a
// slow reader (a loaded host) must not lose bytes.
const TX_SPIN_LIMIT: i32 = 1000000;
/** With FIFOs on, THR empty means the whole 16-byte transmit FIFO is free. */
const TX_FIFO_BYTES: i32 = 16;

/** TSC ticks spent waiting for the transmit FIFO to drain: the console's pace, not the kernel's work. */
export let txWaitTicks: u64 = 0;

/** Spins until the transmit FIFO is empty; false when it stayed full for TX_SPIN_LIMIT reads. */
function waitTransmitterEmpty(): bool {
  if ((inb(LSR) & LSR_THR_EMPTY) != 0) return true;
  const start = rdtsc();
  for (let i = 1; i < TX_SPIN_LIMIT; i++) {
    if ((inb(LSR) & LSR_THR_EMPTY) != 0) {
      txWaitTicks += rdtsc() - start;
      return true;
    }
  }
  txWaitTicks += rdtsc() - start;
  return false;
}

export function uartInit(): void {
  outb(IER, 0x00);
  outb(LCR, 0x80); // DLAB: divisor 1 = 115200 baud
  outb(BASE + 0, 0x01);
  outb(BASE + 1, 0x00);
  outb(LCR, 0x03); // 8N1
  // FIFO on, both cleared, receive interrupt at 8 bytes or after the
  // character timeout: a pasted line arrives in one interrupt, and bytes
  // sent while the VM is stopped wait in the FIFO instead of trickling in.
  outb(FCR, 0x87);
  outb(MCR, 0x0b); // DTR, RTS, OUT2 (OUT2 gates the IRQ line on PCs)
  outb(IER, 0x01); // interrupt on received data
}

export function uartPutByte(byte: u32): void {
  waitTransmitterEmpty();
  outb(THR, byte);
}

/**
 * Up to 16 bytes per check of the line status: every port access is a VM
 * exit under a hypervisor, and a status read per byte doubled them. After a
 * wait that timed out, one byte at a time, so a stalled FIFO overflows by at
 * most one byte per give-up instead of sixteen.
 */
export function uartWrite(text: string): void {
  const n = text.length;
  for (let i = 0; i < n;) {
    const room = waitTransmitterEmpty() ? TX_FIFO_BYTES : 1;
    const end = min(n, i + room);
    for (; i < end; i++) {
      const c = <u32>text.charCodeAt(i);
      outb(THR, c < 0x80 ? c : 0x3f);
    }
  }
}

/**
 * Room in the transmit FIFO: waits until it is empty and returns 16, or 1
 * after a wait that timed out. For writers that check something between
 * bytes (random output's restore fence); they then write with uartTxByte.
 */
export function uartTxRoom(): i32 {
  return waitTransmitterEmpty() ? TX_FIFO_BYTES : 1;
}

/** One byte into the transmit FIFO; the caller has made room (uartTxRoom). */
export function uartTxByte(byte: u32): void {
  outb(THR, byte);
}

/** `value` in decimal, written without building a string (for loops that must not allocate). */
export function uartWriteDecimal(value: u64): void {
  let divisor: u64 = 1;
  while (value / divisor >= 10) divisor *= 10;
  for (; divisor != 0; divisor /= 10) uartPutByte(0x30 + <u32>((value / divisor) % 10));
}

/** `value` as `digits` lowercase hex digits, written without building a string. */
export function uartWriteHex(value: u64, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--) {
    const nibble = <u32>((value >> (<u64>(i * 4))) & 0xf);
    uartPutByte(nibble < 10 ? 0x30 + nibble : 0x57 + nibble);
  }
}

/** True while a received byte waits in the UART. */
export function uartHasByte(): bool {
  return (inb(LSR) & LSR_DATA_READY) != 0;
}

/** Next received byte, or -1 when none waits. */
export function uartGetByte(): i32 {
  if (!uartHasByte()) return -1;
  return <i32>inb(RBR);
}
