/*
 * The "hw" imports: the one narrow interface between the AssemblyScript
 * kernel and the machine (kernel/hw.ts declares the same list; the host build
 * substitutes a simulated machine for it).
 * Each function executes exactly what its name says — an instruction, or a
 * copy — and decides nothing. Integers only (i32/i64) cross this boundary.
 * Owns: nothing; what an import reports of the loader (entry_tsc) it reads
 * from the hw instance loader.c instantiated the module with.
 * May call: irq.c, runtime.c (memcpy, linear_memory_at), trap.c
 * (wasm_rt_trap). Never: calls into Wasm (the module calls these; loader.c
 * instantiates it, so the call graph stays a DAG: make circles).
 */
#include "loader.h"
#include "kernel.h"

#define HW(name) Z_hwZ_##name
typedef struct Z_hw_instance_t hw_t;

u32 HW(inb)(hw_t *h, u32 port) { (void)h; return inb((uint16_t)port); }
u32 HW(inw)(hw_t *h, u32 port) { (void)h; return inw((uint16_t)port); }
u32 HW(inl)(hw_t *h, u32 port) { (void)h; return inl((uint16_t)port); }
void HW(outb)(hw_t *h, u32 port, u32 v) { (void)h; outb((uint16_t)port, (uint8_t)v); }
void HW(outw)(hw_t *h, u32 port, u32 v) { (void)h; outw((uint16_t)port, (uint16_t)v); }
void HW(outl)(hw_t *h, u32 port, u32 v) { (void)h; outl((uint16_t)port, v); }

u32 HW(wait_irq)(hw_t *h) { (void)h; return irq_wait(); }
u32 HW(poll_irq)(hw_t *h) { (void)h; return irq_poll(); }

/* A sampled line's TSCs, and interrupts open while the kernel works (boot/irq.c). */
void HW(irq_sample_line)(hw_t *h, u32 line) { (void)h; irq_sample_line((int32_t)line); }
u32 HW(irq_sample_count)(hw_t *h) { (void)h; return irq_sample_count(); }
u64 HW(irq_sample_tsc)(hw_t *h, u32 i) { (void)h; return irq_sample_tsc(i); }
void HW(irq_open)(hw_t *h) { (void)h; irq_open(); }
void HW(irq_close)(hw_t *h) { (void)h; irq_close(); }

/* Interrupt delivery mechanics the kernel chose (boot/irq.c says what each does). */
void HW(irq_use_apic)(hw_t *h, u64 lapic_phys) { (void)h; irq_use_apic(lapic_phys); }
void HW(irq_mask_on_entry)(hw_t *h, u32 line, u64 ioapic_phys, u32 pin) { (void)h; irq_mask_on_entry(line, ioapic_phys, pin); }

void HW(halt)(hw_t *h) {
  (void)h;
  for (;;) __asm__ volatile("cli; hlt");
}

u64 HW(rdtsc)(hw_t *h) { (void)h; return rdtsc(); }

/* x86 does not reorder loads with loads: only the compiler could. */
void HW(read_barrier)(hw_t *h) { (void)h; __asm__ volatile("" ::: "memory"); }
u64 HW(entry_tsc)(hw_t *h) { return h->entry_tsc; }

/* One access of exactly `width` bytes (1, 2, 4 or 8), as device registers
 * need; any other width is a trap, like a malformed Wasm access. */
u64 HW(phys_read)(hw_t *h, u64 addr, u32 width) {
  (void)h;
  switch (width) {
    case 1: return *(volatile uint8_t *)phys_to_virt(addr);
    case 2: return *(volatile uint16_t *)phys_to_virt(addr);
    case 4: return *(volatile uint32_t *)phys_to_virt(addr);
    case 8: return *(volatile uint64_t *)phys_to_virt(addr);
  }
  wasm_rt_trap(WASM_RT_TRAP_OOB);
}

void HW(phys_write)(hw_t *h, u64 addr, u32 width, u64 v) {
  (void)h;
  switch (width) {
    case 1: *(volatile uint8_t *)phys_to_virt(addr) = (uint8_t)v; return;
    case 2: *(volatile uint16_t *)phys_to_virt(addr) = (uint16_t)v; return;
    case 4: *(volatile uint32_t *)phys_to_virt(addr) = (uint32_t)v; return;
    case 8: *(volatile uint64_t *)phys_to_virt(addr) = v; return;
  }
  wasm_rt_trap(WASM_RT_TRAP_OOB);
}

/* Copies physical memory into linear memory; an out-of-bounds destination is
 * the same trap an out-of-bounds Wasm store would be. */
void HW(phys_copy_in)(hw_t *h, u32 dst, u64 phys, u32 len) {
  (void)h;
  uint8_t *d = linear_memory_at(dst, len);
  if (!d) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memcpy(d, phys_to_virt(phys), len);
}

u64 HW(linear_base)(hw_t *h) { (void)h; return LINEAR_MEMORY_BASE; }
u64 HW(linear_limit)(hw_t *h) { (void)h; return LINEAR_MEMORY_LIMIT; }
/* The end of the direct map: phys_read/phys_write/phys_copy_in reach
 * [0, this) and nothing else; the kernel checks before it asks (mm/phys.ts). */
u64 HW(direct_map_limit)(hw_t *h) { (void)h; return DIRECT_MAP_SIZE; }

u64 HW(rdmsr)(hw_t *h, u32 msr) {
  (void)h;
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return ((uint64_t)hi << 32) | lo;
}

/* One register (0 eax, 1 ebx, 2 ecx, 3 edx) of CPUID leaf/subleaf. */
u32 HW(cpuid)(hw_t *h, u32 leaf, u32 subleaf, u32 reg) {
  (void)h;
  uint32_t r[4];
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(subleaf));
  return r[reg & 3];
}

u64 HW(read_cr3)(hw_t *h) {
  (void)h;
  uint64_t v;
  __asm__ volatile("mov %%cr3, %0" : "=r"(v));
  return v;
}

void HW(invlpg)(hw_t *h, u64 va) {
  (void)h;
  __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

extern char __image_start[], __image_end[];
u64 HW(image_start)(hw_t *h) { (void)h; return (uint64_t)__image_start; }
u64 HW(image_end)(hw_t *h) { (void)h; return (uint64_t)__image_end; }

/* The TSC when the loader's stub took the most recent IRQ. */
u64 HW(last_irq_tsc)(hw_t *h) { (void)h; return irq_last_tsc(); }

/* One RDRAND / RDSEED attempt: writes the 64-bit value to linear memory at
 * `dst` and returns the carry flag (1 = the CPU delivered a value). The
 * kernel checks CPUID first; on a CPU without the instruction this faults. */
static u32 deliver_random(u32 dst, uint64_t v, uint8_t ok) {
  uint8_t *d = linear_memory_at(dst, 8);
  if (!d) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memcpy(d, &v, 8);
  return ok;
}

u32 HW(rdrand64)(hw_t *h, u32 dst) {
  (void)h;
  uint64_t v;
  uint8_t ok;
  __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok)::"cc");
  return deliver_random(dst, v, ok);
}

u32 HW(rdseed64)(hw_t *h, u32 dst) {
  (void)h;
  uint64_t v;
  uint8_t ok;
  __asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok)::"cc");
  return deliver_random(dst, v, ok);
}
