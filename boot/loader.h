/*
 * Shared declarations of the loader (boot/). The loader is mechanism only:
 * it executes instructions the AssemblyScript kernel cannot express and
 * reports faults. Every policy decision lives in kernel/.
 */
#ifndef CLONESAFE_LOADER_H
#define CLONESAFE_LOADER_H

#include <stdint.h>
#include <stddef.h>
#include "exit_status.h"

#include "layout.h"

/* Physical address `phys` (below 4 GiB) as a pointer, through the direct map. */
static inline void *phys_to_virt(uint64_t phys) { return (void *)(DIRECT_MAP_BASE + phys); }

struct exception_frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss;
};

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* Who may call whom (make circles checks it on the objects): console.c calls
 * no other file; runtime.c only console.c; trap.c console.c and runtime.c;
 * hw.c irq.c, runtime.c and trap.c; the kernel module hw.c, runtime.c and
 * trap.c; loader.c console.c, irq.c, isr.S (its stubs' addresses, for the
 * IDT) and the kernel module; isr.S trap.c and irq.c; entry.S loader.c.
 * irq.c calls no other file. */

/* console.c: the panic console and the ways the machine stops. */
void early_putc(char c);
void early_puts(const char *s);
void early_hex(uint64_t v);
void early_dec(uint64_t v);
__attribute__((noreturn)) void machine_exit(uint32_t value);
__attribute__((noreturn)) void loader_panic(const char *what);
/* trap.c: the reports of exceptions, traps and aborts, and where code was. */
void print_code_location(uint64_t rip, uint64_t rsp);
/* runtime.c: whether a page fault at `va` is a Wasm access past the memory's
 * size, and a pointer into linear memory (0 if out of bounds). */
_Bool linear_memory_guard_fault(uint64_t va);
uint8_t *linear_memory_at(uint32_t offset, uint32_t len);

/* irq.c. Line n is vector IRQ_VECTOR_BASE + n: an 8259 line (n < 16), or
 * whatever the kernel routed there through the local APIC. */
#define IRQ_LINES 32
#define IRQ_VECTOR_BASE 0x20
#define APIC_SPURIOUS_VECTOR 0xFF
void irq_init(void);
void irq_use_apic(uint64_t lapic_phys);
void irq_mask_on_entry(uint32_t line, uint64_t ioapic_phys, uint32_t pin);
uint32_t irq_wait(void);
uint32_t irq_poll(void);
#define IRQ_SAMPLES 1024
void irq_sample_line(int32_t line);
uint32_t irq_sample_count(void);
uint64_t irq_sample_tsc(uint32_t i);
void irq_open(void);
void irq_close(void);
uint64_t irq_last_tsc(void);

/* hw.c's imports are handed this instance (loader.c fills it): what they
 * report of the loader is read here, not asked of another file. */
struct Z_hw_instance_t { uint64_t entry_tsc; };

#endif
