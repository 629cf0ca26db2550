// COM1 16550 UART driver.
// Owns: the UART's registers at 0x3F8, polled transmit (a console that stays
// full past a give-up drops bytes and counts them, never overwrites the FIFO)
// and interrupt-driven receive on IRQ 4 into a 4 KiB byte queue (bytes past
// it are dropped and counted, never overwrite queued ones).
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
/** With FIFOs on, THR empty means the whole 16-byte transmit FIFO is free. */
const TX_FIFO_BYTES: i32 = 16;

// Waiting for the transmitter. Status reads are spaced by a pause of
// TX_POLL_GAP_TICKS: under TCG every port access takes the emulator's global
// lock, and a vCPU reading the status back to back can starve the thread
// that drains the FIFO into its backend, which is what it waits for (a loaded
// host lost a byte that way). The wait gives up after TX_STALL_TICKS (about
// a second or more on a GHz TSC; a second of guest time under -icount) or
// TX_STALL_POLLS reads, whichever comes first, so a console nobody drains
// cannot hang the kernel. From then on the console is stalled: bytes are
// dropped and counted (stats tx_dropped) — never written into a full FIFO,
// where they would overwrite older ones — until a status read finds it
// empty again.
const TX_POLL_GAP_TICKS: u64 = 2000;
const TX_POLL_GAP_READS: i32 = 64;
const TX_STALL_TICKS: u64 = 4000000000;
const TX_STALL_POLLS: i32 = 2000000;

/** TSC ticks spent waiting for the transmit FIFO to drain: the console's pace, not the kernel's work. */
export let txWaitTicks: u64 = 0;
/** Bytes dropped because the console stayed full past the give-up (stats `tx_dropped`). */
export let txDropped: u64 = 0;
let txStalled = false;
/**
 * Bytes the transmit FIFO can take without a status read: set to 16 when a
 * read finds it empty, less what was written since (it only drains, so this
 * never overstates the room). Lines written in pieces share one read.
 */
let txRoom: i32 = 0;

/** Room for at least one byte (txRoom > 0), or 0 on a stalled console. */
function transmitRoom(): i32 {
  if (txRoom == 0) txRoom = waitTransmitterEmpty();
  return txRoom;
}

/** A pause without port I/O (bounded even if the TSC stood still). */
function pollGap(): void {
  const start = rdtsc();
  for (let i = 0; i < TX_POLL_GAP_READS && rdtsc() - start < TX_POLL_GAP_TICKS; i++) {}
}

/**
 * Room in the transmit FIFO: 16 once it is empty, 0 when the console is
 * stalled (the caller drops its bytes and counts them with uartTxDropped).
 */
function waitTransmitterEmpty(): i32 {
  if ((inb(LSR) & LSR_THR_EMPTY) != 0) {
    txStalled = false;
    return TX_FIFO_BYTES;
  }
  if (txStalled) return 0;
  const start = rdtsc();
  for (let i = 1; i < TX_STALL_POLLS && rdtsc() - start < TX_STALL_TICKS; i++) {
    pollGap();
    if ((inb(LSR) & LSR_THR_EMPTY) != 0) {
      txWaitTicks += rdtsc() - start;
      return TX_FIFO_BYTES;
    }
  }
  txWaitTicks += rdtsc() - start;
  txStalled = true;
  return 0;
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
  if (transmitRoom() == 0) { txDropped++; return; }
  outb(THR, byte);
  txRoom--;
}

/**
 * Up to 16 bytes per check of the line status: every port access is a VM
 * exit under a hypervisor, and a status read per byte doubled them. On a
 * stalled console the rest of the text is dropped and counted.
 */
export function uartWrite(text: string): void {
  const n = text.length;
  for (let i = 0; i < n;) {
    const room = transmitRoom();
    if (room == 0) {
      txDropped += <u64>(n - i);
      return;
    }
    const end = min(n, i + room);
    txRoom -= end - i;
    for (; i < end; i++) {
      const c = <u32>text.charCodeAt(i);
      outb(THR, c < 0x80 ? c : 0x3f);
    }
  }
}

/**
 * Room in the transmit FIFO (what is known free, else it waits until it is
 * empty and returns 16), or 0 when the console is stalled. For writers that check something between
 * bytes (random output's restore fence); they then write with uartTxByte,
 * or count a byte they drop with uartTxDropped.
 */
export function uartTxRoom(): i32 {
  return transmitRoom();
}

/** One byte into the transmit FIFO; the caller has made room (uartTxRoom). */
export function uartTxByte(byte: u32): void {
  outb(THR, byte);
  txRoom--;
}

/** A byte the caller dropped because uartTxRoom found the console stalled. */
export function uartTxDropped(): void {
  txDropped++;
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

// The receive queue: step() moves everything the UART holds into it at once
// (so the IRQ 4 line drops and the next byte raises a new edge) and then
// runs one command per event; the rest waits here for the next step.
const RX_QUEUE_BYTES: i32 = 4096;
const rxQueue = new StaticArray<u8>(RX_QUEUE_BYTES);
let rxHead: i32 = 0;
let rxCount: i32 = 0;
/** Bytes lost because the queue was full (stats `rx_dropped`). */
export let rxDropped: u64 = 0;

/** Moves every byte waiting in the UART into the receive queue. */
export function uartReceive(): void {
  while ((inb(LSR) & LSR_DATA_READY) != 0) {
    const byte = <u8>inb(RBR);
    if (rxCount < RX_QUEUE_BYTES) {
      unchecked(rxQueue[(rxHead + rxCount) % RX_QUEUE_BYTES] = byte);
      rxCount++;
    } else {
      rxDropped++;
    }
  }
}

/** Bytes received and not yet taken. */
export function uartQueued(): i32 {
  return rxCount;
}

/** True while a received byte waits, in the queue or in the UART. */
export function uartHasByte(): bool {
  return rxCount > 0 || (inb(LSR) & LSR_DATA_READY) != 0;
}

/** Next received byte (the queue first, then the UART), or -1 when none waits. */
export function uartGetByte(): i32 {
  if (rxCount == 0) uartReceive();
  if (rxCount == 0) return -1;
  const byte = <i32>unchecked(rxQueue[rxHead]);
  rxHead = (rxHead + 1) % RX_QUEUE_BYTES;
  rxCount--;
  return byte;
}
