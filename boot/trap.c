/*
 * How the machine stops: CPU exceptions, Wasm traps, AssemblyScript aborts.
 * Owns: the reports of each (what stopped, and where: the lookup of a code
 * address in the kernel's symbol table, build/ksyms.c, generated from the
 * linked image, so every report names the Wasm function at fault).
 * May call: console.c (the panic console and the exit), runtime.c (whether
 * a fault is a Wasm memory access, and reading a string out of linear
 * memory). Never: returns to the faulting code, or calls into Wasm.
 */
#include "loader.h"
#include "wasm-rt.h"

/* ---- symbol lookup ---------------------------------------------------- */

struct ksym { uint64_t addr; const char *name; };
extern const struct ksym ksyms[];
extern const uint32_t ksyms_count;
extern char __text_start[], __text_end[];

static const struct ksym *symbol_at(uint64_t addr) {
  if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end) return 0;
  uint32_t lo = 0, hi = ksyms_count;
  while (lo < hi) {  /* last symbol with addr <= target */
    uint32_t mid = (lo + hi) / 2;
    if (ksyms[mid].addr <= addr) lo = mid + 1; else hi = mid;
  }
  return lo ? &ksyms[lo - 1] : 0;
}

static int is_wasm_function(const char *name) {
  return (name[0] == 'w' && name[1] == '2' && name[2] == 'c' && name[3] == '_') ||
         (name[0] == 'Z' && name[1] == '_' && name[2] == 'k');
}

static void print_symbol(uint64_t addr) {
  const struct ksym *s = symbol_at(addr);
  if (!s) { early_puts("?"); return; }
  early_puts(s->name);
  early_puts("+");
  early_hex(addr - s->addr);
}

extern char boot_stack_bottom[], boot_stack_top[];

/* Names the function holding `rip`, then, if that is not Wasm code (a host
 * function or the runtime), the innermost Wasm function that called it: the
 * first word on the stack, from `rsp` up, that returns into Wasm code. A scan
 * rather than a frame-pointer walk, so a fault on a leaf function's first
 * instruction still names its caller. */
void print_code_location(uint64_t rip, uint64_t rsp) {
  early_puts(" in ");
  print_symbol(rip);
  const struct ksym *s = symbol_at(rip);
  if (s && is_wasm_function(s->name)) { early_puts("\n"); return; }
  uint64_t *word = (uint64_t *)(rsp & ~7ull);
  for (int i = 0; i < 64 && (char *)(word + 1) <= boot_stack_top && (char *)word >= boot_stack_bottom; i++, word++) {
    const struct ksym *caller = symbol_at(*word);
    if (caller && is_wasm_function(caller->name)) {
      early_puts(" called from wasm ");
      print_symbol(*word);
      early_puts("\n");
      return;
    }
  }
  early_puts(" (no wasm function on the stack)\n");
}

/* ---- CPU exceptions --------------------------------------------------- */

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault",
    "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection fault", "page fault", "reserved",
    "x87 floating-point", "alignment check", "machine check", "SIMD floating-point",
    "virtualization", "control protection", "reserved", "reserved", "reserved",
    "reserved", "reserved", "reserved", "hypervisor injection", "VMM communication",
    "security", "reserved"};

__attribute__((noreturn)) void cpu_exception(struct exception_frame *f) {
  uint64_t cr2;
  __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
  uint32_t v = (uint32_t)f->vector & 31;
  if (v == 14 && linear_memory_guard_fault(cr2)) {
    /* The MMU is the bounds check (runtime.c): report it as Wasm's trap. */
    early_puts("\npanic: wasm trap: ");
    early_puts(wasm_rt_strerror(WASM_RT_TRAP_OOB));
    print_code_location(f->rip, f->rsp);
    machine_exit(EXIT_TRAP_BASE + WASM_RT_TRAP_OOB);
  }
  early_puts("\npanic: cpu exception ");
  early_dec(v);
  early_puts(" (");
  early_puts(exception_names[v]);
  early_puts(") error=");
  early_hex(f->error);
  early_puts(" rip=");
  early_hex(f->rip);
  early_puts(" cr2=");
  early_hex(cr2);
  if (cr2 >= DIRECT_MAP_BASE) {
    early_puts(" (phys ");
    early_hex(cr2 - DIRECT_MAP_BASE);
    early_puts(")");
  }
  early_puts(" rsp=");
  early_hex(f->rsp);
  print_code_location(f->rip, f->rsp);
  machine_exit(EXIT_CPU_EXCEPTION_BASE + v);
}

/* ---- Wasm traps and aborts -------------------------------------------- */

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no error";
    case WASM_RT_TRAP_OOB: return "out-of-bounds linear memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid float-to-integer conversion";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "invalid indirect call";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted (recursion too deep)";
  }
  return "unknown trap";
}

__attribute__((noreturn, noinline)) void wasm_rt_trap(wasm_rt_trap_t trap) {
  early_puts("\npanic: wasm trap: ");
  early_puts(wasm_rt_strerror(trap));
  print_code_location((uint64_t)__builtin_return_address(0), (uint64_t)__builtin_frame_address(0));
  machine_exit(EXIT_TRAP_BASE + (uint32_t)trap);
}

/* AssemblyScript strings are UTF-16 with their byte length in the object
 * header just before the data. Prints ASCII, '?' for anything else. */
static void print_as_string(uint32_t ptr) {
  if (!ptr) { early_puts("(null)"); return; }
  uint8_t *header = linear_memory_at(ptr - 4, 4);
  if (!header) { early_puts("(bad string pointer)"); return; }
  uint32_t bytes = *(uint32_t *)header;
  if (bytes > 4096) bytes = 4096;
  uint16_t *chars = (uint16_t *)linear_memory_at(ptr, bytes);
  if (!chars) { early_puts("(bad string)"); return; }
  for (uint32_t i = 0; i < bytes / 2; i++) {
    uint16_t c = chars[i];
    early_putc(c >= 0x20 && c < 0x7f ? (char)c : '?');
  }
}

struct Z_env_instance_t;
__attribute__((noreturn)) void Z_envZ_abort(struct Z_env_instance_t *env, uint32_t msg,
                                            uint32_t file, uint32_t line, uint32_t col) {
  (void)env;
  early_puts("\npanic: abort: ");
  print_as_string(msg);
  if (file) { /* asc passes no location under --noAssert */
    early_puts(" at ");
    print_as_string(file);
    early_puts(":");
    early_dec(line);
    early_puts(":");
    early_dec(col);
  }
  print_code_location((uint64_t)__builtin_return_address(0), (uint64_t)__builtin_frame_address(0));
  machine_exit(EXIT_PANIC_ABORT);
}

__attribute__((noreturn)) void abort(void) { loader_panic("abort() called by the runtime"); }
