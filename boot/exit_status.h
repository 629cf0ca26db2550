/*
 * Exit values written to isa-debug-exit (QEMU then exits with (value << 1) | 1).
 * Owns: the numbering of every way the machine can stop. Mirrored for the
 * host side in tools/qemu/exit-status.ts; test/unit/exit-status.test.ts keeps
 * the two in step. `exit <n>` from the shell uses 0..63, so every panic value
 * sits at 64 or above and each panic kind is told apart by its status alone.
 */
#ifndef CLONESAFE_EXIT_STATUS_H
#define CLONESAFE_EXIT_STATUS_H

#define EXIT_SHELL_MAX          63   /* `exit <n>`: n in 0..EXIT_SHELL_MAX      */
#define EXIT_PANIC_ABORT        0x41 /* AssemblyScript abort() / kernel panic   */
#define EXIT_PANIC_LOADER       0x42 /* loader could not start the kernel       */
#define EXIT_PANIC_KMAIN_RETURN 0x43 /* kmain returned                          */
#define EXIT_TRAP_BASE          0x48 /* + wasm_rt_trap_t (OOB = 1 … EXHAUSTION) */
#define EXIT_CPU_EXCEPTION_BASE 0x60 /* + CPU exception vector (0..31)          */

#endif
