// Leaving the machine: isa-debug-exit at port 0xf4 (QEMU exits with status
// (value << 1) | 1). The exit values are numbered in boot/exit_status.h.
// Without the device, the shell's `exit` powers off through ACPI S5
// (drivers/power): the status is lost, as on real hardware.
// May call: hw, the console, drivers/power. Never: returns from
// exitMachine; if the device is absent the CPU halts after saying so.

import { halt, outl, rdtsc } from "../hw";
import { log, writeLine } from "../console/log";
import { Answer, fail, ok, registerCommand } from "../console/shell";
import { parseUnsigned } from "../lib/fmt";
import { powerOffForExit } from "../drivers/power/index";

const DEBUG_EXIT_PORT: u32 = 0xf4;
/** TSC ticks to wait for isa-debug-exit to take effect: about half a second on a 2-3 GHz TSC. */
const DEBUG_EXIT_GRACE_TSC: u64 = 1 << 30;
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
  outl(DEBUG_EXIT_PORT, <u32>n);
  // A hypervisor may act on the write after it, not at it (QEMU 10 was
  // seen running on briefly): give it a moment before concluding there is
  // no device and powering off instead.
  const start = rdtsc();
  while (rdtsc() - start < DEBUG_EXIT_GRACE_TSC) {}
  powerOffForExit(<u32>n); // only without an isa-debug-exit device
  exitMachine(<u32>n);
  return ok("still running");
}

export function registerExitCommand(): void {
  registerCommand("exit", "exit <0.." + EXIT_SHELL_MAX.toString() + ">", exitCommand);
}
