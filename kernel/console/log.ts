// Console output: whole lines, "\r\n"-terminated, so interrupt-time output
// never splits a line of another subsystem.
// Owns: the line format `<subsystem>: <text>`. May call: the UART driver.

import { uartWrite } from "./uart";

// Lines are written in pieces, not concatenated (a string per piece was a
// sizeable part of boot's allocations); nothing writes to the console
// between two pieces, since interrupts are served only between steps.

export function writeLine(text: string): void {
  uartWrite(text);
  uartWrite("\r\n");
}

export function log(subsystem: string, text: string): void {
  uartWrite(subsystem);
  uartWrite(": ");
  uartWrite(text);
  uartWrite("\r\n");
}
