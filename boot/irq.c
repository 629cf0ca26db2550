/*
 * IRQ recording and the idle primitive (compiled with -mgeneral-regs-only:
 * the stubs in isr.S save no XMM state).
 * Owns: the pending-line mask and the 8259 remap. irq_record masks the line
 * and acknowledges it, so a level-triggered source cannot storm before the
 * kernel has served it; the kernel unmasks the line when it is done.
 * Never: calls into Wasm, or unmasks a line.
 */
#include "loader.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0B

static volatile uint32_t pending_lines;
static volatile uint64_t last_irq_tsc;

static inline uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

void irq_init(void) {
  /* ICW1..ICW4: vectors 0x20..0x2F, cascade on line 2, 8086 mode. */
  outb(PIC1_CMD, 0x11); outb(PIC2_CMD, 0x11);
  outb(PIC1_DATA, 0x20); outb(PIC2_DATA, 0x28);
  outb(PIC1_DATA, 0x04); outb(PIC2_DATA, 0x02);
  outb(PIC1_DATA, 0x01); outb(PIC2_DATA, 0x01);
  outb(PIC1_DATA, 0xFF); outb(PIC2_DATA, 0xFF);
}

static int in_service(uint16_t cmd_port, int bit) {
  outb(cmd_port, PIC_READ_ISR);
  return (inb(cmd_port) >> bit) & 1;
}

void irq_record(uint64_t line) {
  /* Spurious IRQ 7/15: the line is not in service; only the master gets an
   * EOI for a spurious slave interrupt (the cascade line was real). */
  if (line == 7 && !in_service(PIC1_CMD, 7)) return;
  if (line == 15 && !in_service(PIC2_CMD, 7)) { outb(PIC1_CMD, PIC_EOI); return; }
  if (line < 8) {
    outb(PIC1_DATA, inb(PIC1_DATA) | (1u << line));
  } else {
    outb(PIC2_DATA, inb(PIC2_DATA) | (1u << (line - 8)));
    outb(PIC2_CMD, PIC_EOI);
  }
  outb(PIC1_CMD, PIC_EOI);
  last_irq_tsc = rdtsc();
  pending_lines |= 1u << line;
}

/* Sleeps until at least one line is pending, then returns and clears the
 * mask. Interrupts are enabled only inside the sti;hlt pair: the one-
 * instruction interrupt shadow of sti means no IRQ can slip in between. */
uint32_t irq_wait(void) {
  for (;;) {
    __asm__ volatile("cli");
    uint32_t lines = pending_lines;
    if (lines) {
      pending_lines = 0;
      return lines;
    }
    __asm__ volatile("sti; hlt" ::: "memory");
  }
}

/* Opens a one-instruction interrupt window without sleeping, so interrupts
 * already raised are taken, then returns and clears the pending mask. */
uint32_t irq_poll(void) {
  __asm__ volatile("sti; nop; cli" ::: "memory");
  uint32_t lines = pending_lines;
  pending_lines = 0;
  return lines;
}

uint64_t irq_last_tsc(void) { return last_irq_tsc; }
