// Console output: whole lines, "\r\n"-terminated, so interrupt-time output
// never splits a line of another subsystem.
// Owns: the line format `<subsystem>: <text>`. May call: the UART driver.

import { uartWrite } from "./uart";

export function writeLine(text: string): void {
  uartWrite(text + "\r\n");
}

export function log(subsystem: string, text: string): void {
  writeLine(subsystem + ": " + text);
}
