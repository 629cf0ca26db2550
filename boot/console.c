/*
 * The panic console and the ways the machine stops: the leaf every other
 * file of boot/ may call, so that none of them calls back (make circles).
 * Owns: the polled COM1 output (usable before and after the kernel's own UART
 * driver) and the exit itself (isa-debug-exit at 0xf4, with a value of
 * boot/exit_status.h that the caller chose).
 * May call: nothing outside this file. Never: reads input, takes an
 * interrupt, or decides whether to stop (its callers have).
 */
#include "loader.h"

#define COM1 0x3F8

void early_putc(char c) {
  for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++) {}
  outb(COM1, (uint8_t)c);
}

void early_puts(const char *s) {
  for (; *s; s++) {
    if (*s == '\n') early_putc('\r');
    early_putc(*s);
  }
}

void early_hex(uint64_t v) {
  char buf[19] = "0x";
  int n = 0;
  uint64_t t = v;
  do { n++; t >>= 4; } while (t);
  for (int i = 0; i < n; i++) buf[2 + i] = "0123456789abcdef"[(v >> (4 * (n - 1 - i))) & 0xf];
  buf[2 + n] = 0;
  early_puts(buf);
}

void early_dec(uint64_t v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  early_puts(buf + i);
}

__attribute__((noreturn)) void machine_exit(uint32_t value) {
  outl(0xF4, value);
  /* No isa-debug-exit device: stop here, visibly. */
  early_puts("machine: no isa-debug-exit device at 0xf4; halted\n");
  for (;;) __asm__ volatile("cli; hlt");
}

__attribute__((noreturn)) void loader_panic(const char *what) {
  early_puts("\npanic: loader: ");
  early_puts(what);
  early_puts("\n");
  machine_exit(EXIT_PANIC_LOADER);
}
