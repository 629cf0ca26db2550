// Leaving the machine: isa-debug-exit at port 0xf4 (QEMU exits with status
// (value << 1) | 1). The exit values are numbered in boot/exit_status.h.
// Never: returns. If the device is absent the CPU halts after saying so.

import { halt, outl } from "../hw";
import { log, writeLine } from "../console/log";
import { Answer, fail, ok, registerCommand } from "../console/shell";
import { parseUnsigned } from "../lib/fmt";

const DEBUG_EXIT_PORT: u32 = 0xf4;
export const EXIT_SHELL_MAX: u32 = 63;

export function exitMachine(value: u32): void {
  outl(DEBUG_EXIT_PORT, value);
  log("machine", "no isa-debug-exit device at 0xf4; halted");
  halt();
}

function exitCommand(args: Array<string>): Answer {
  if (args.length != 1) return fail("expected one status value 0.." + EXIT_SHELL_MAX.toString());
  const n = parseUnsigned(args[0]);
  if (n < 0 || n > <i64>EXIT_SHELL_MAX) {
    return fail("status must be an integer 0.." + EXIT_SHELL_MAX.toString() + ", got \"" + args[0] + "\"");
  }
  // The answer must reach the wire before the machine is gone.
  writeLine("exit: " + n.toString() + " (qemu status " + ((n << 1) | 1).toString() + ")");
  exitMachine(<u32>n);
  return ok("still running"); // only without an isa-debug-exit device
}

export function registerExitCommand(): void {
  registerCommand("exit", "exit <0.." + EXIT_SHELL_MAX.toString() + ">", exitCommand);
}
