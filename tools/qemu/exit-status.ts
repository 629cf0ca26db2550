// What a QEMU exit status means for clonesafe. The values mirror
// boot/exit_status.h (test/unit/exit-status.test.ts keeps them in step):
// the kernel writes a value v to isa-debug-exit and QEMU exits with
// (v << 1) | 1.

export const EXIT_SHELL_MAX = 63;
export const EXIT_PANIC_ABORT = 0x41;
export const EXIT_PANIC_LOADER = 0x42;
export const EXIT_PANIC_KMAIN_RETURN = 0x43;
export const EXIT_TRAP_BASE = 0x48;
export const EXIT_CPU_EXCEPTION_BASE = 0x60;

/** wasm_rt_trap_t of wasm2c 1.0.32. */
export const WASM_TRAPS = [
  "none", "oob", "int-overflow", "div0", "invalid-conversion", "unreachable",
  "call-indirect", "uncaught-exception", "exhaustion",
] as const;

export function qemuStatusFor(debugExitValue: number): number {
  return ((debugExitValue << 1) | 1) & 0xff;
}

/** The QEMU exit status each `panic <kind>` must produce. */
export const PANIC_STATUS: Readonly<Record<string, number>> = {
  abort: qemuStatusFor(EXIT_PANIC_ABORT),
  unreachable: qemuStatusFor(EXIT_TRAP_BASE + WASM_TRAPS.indexOf("unreachable")),
  oob: qemuStatusFor(EXIT_TRAP_BASE + WASM_TRAPS.indexOf("oob")),
  div0: qemuStatusFor(EXIT_TRAP_BASE + WASM_TRAPS.indexOf("div0")),
  recursion: qemuStatusFor(EXIT_TRAP_BASE + WASM_TRAPS.indexOf("exhaustion")),
  pagefault: qemuStatusFor(EXIT_CPU_EXCEPTION_BASE + 14),
};

/** A one-line explanation of a QEMU exit status. */
export function describeQemuStatus(status: number | null, signal: string | null = null): string {
  if (status === null) return `QEMU was killed by ${signal ?? "a signal"}`;
  if (status === 0) return "QEMU exited on its own (status 0: shut down, or a triple fault under -no-reboot)";
  if ((status & 1) === 0) return `QEMU failed (status ${status})`;
  const value = status >> 1;
  if (value <= EXIT_SHELL_MAX) return `kernel exit ${value} (status ${status})`;
  if (value === EXIT_PANIC_ABORT) return `kernel panic: abort (status ${status})`;
  if (value === EXIT_PANIC_LOADER) return `loader panic (status ${status})`;
  if (value === EXIT_PANIC_KMAIN_RETURN) return `kernel panic: kmain returned (status ${status})`;
  if (value >= EXIT_CPU_EXCEPTION_BASE) return `kernel panic: cpu exception ${value - EXIT_CPU_EXCEPTION_BASE} (status ${status})`;
  if (value > EXIT_TRAP_BASE && value < EXIT_TRAP_BASE + WASM_TRAPS.length) {
    return `kernel panic: wasm trap ${WASM_TRAPS[value - EXIT_TRAP_BASE]} (status ${status})`;
  }
  return `unknown exit status ${status}`;
}
