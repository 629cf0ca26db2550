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

/* Physical placement of Wasm linear memory: identity-mapped RAM above the
 * image. The kernel learns both through hw.linear_base()/linear_limit() so it
 * can keep these frames out of its allocator. */
#define LINEAR_MEMORY_BASE  0x01000000ull   /* 16 MiB */
#define LINEAR_MEMORY_LIMIT 0x02000000ull   /* 32 MiB: at most 256 Wasm pages */

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
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* trap.c: early console and the ways the machine stops. */
void early_puts(const char *s);
void early_hex(uint64_t v);
void early_dec(uint64_t v);
__attribute__((noreturn)) void machine_exit(uint32_t value);
__attribute__((noreturn)) void loader_panic(const char *what);
void print_code_location(uint64_t rip, uint64_t rsp);

/* irq.c */
void irq_init(void);
uint32_t irq_wait(void);
uint32_t irq_poll(void);
uint64_t irq_last_tsc(void);

/* hw.c: the kernel instance, for host functions that touch linear memory. */
struct wasm_rt_memory_t;
void kernel_start(uint32_t magic, uint32_t mbi);
uint8_t *linear_memory_at(uint32_t offset, uint32_t len);

#endif
