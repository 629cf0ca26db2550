// `panic <kind>`: faults on purpose, one per way the machine can stop, so
// the loader's reports and exit statuses can be tested end to end.
// Owns: nothing but the triggers. The report and the exit status come from
// the loader (boot/trap.c); the shell prints no answer of its own, the panic
// report line (`panic: …`) is the answer.

import { physRead } from "../hw";
import { Answer, fail, ok, registerCommand } from "../console/shell";

export const PANIC_KINDS = "abort|unreachable|oob|div0|recursion|pagefault";

// Outside the loader's 4 GiB identity map: reading it page-faults.
const UNMAPPED_PHYS: u64 = 0x0000_0100_0000_0000;

let sink: u64 = 0; // keeps the optimizer from dropping a faulting read

function recurse(depth: i32): i32 {
  sink += <u64>depth;
  return recurse(depth + 1) + 1;
}

function panicCommand(args: Array<string>): Answer {
  if (args.length != 1) return fail("expected one kind: " + PANIC_KINDS);
  const kind = args[0];
  // The divisor is computed at run time (it is 0) so no optimizer can fold
  // the division away.
  const zero = <i32>args.length - 1;
  if (kind == "abort") abort("panic requested from the shell");
  else if (kind == "unreachable") unreachable();
  else if (kind == "oob") sink = <u64>load<u32>(<usize>0xfffffff0);
  else if (kind == "div0") sink = <u64>(1000 / zero);
  else if (kind == "recursion") sink = <u64>recurse(0);
  else if (kind == "pagefault") sink = physRead(UNMAPPED_PHYS, 8);
  else return fail("unknown kind \"" + kind + "\" (" + PANIC_KINDS + ")");
  return ok("survived " + kind + " (" + sink.toString() + ")");
}

export function registerPanicCommand(): void {
  registerCommand("panic", "panic <" + PANIC_KINDS + ">", panicCommand);
}
