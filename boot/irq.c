/*
 * IRQ recording and the idle primitive (compiled with -mgeneral-regs-only:
 * the stubs in isr.S save no XMM state).
 * Owns: the pending-line mask and the 8259 remap. irq_record masks the line
 * and acknowledges it, so a level-triggered source cannot storm before the
 * kernel has served it; the kernel unmasks the line when it is done.
 * Two ways to do that, and the kernel says which (irq_use_apic): through the
 * 8259 (mask in its IMR, EOI to it), or through the local APIC (EOI to it;
 * a line the kernel named with irq_mask_on_entry is masked in its IOAPIC
 * redirection entry first, which is how a level line stays quiet; an edge
 * line is left open, since an IOAPIC drops edges on a masked pin).
 * One line at a time may be sampled (irq_sample_line): its interrupts are
 * acknowledged without masking and only their TSCs recorded, up to
 * IRQ_SAMPLES, for the kernel to read (irq_sample_count, irq_sample_tsc);
 * they never reach the pending mask. irq_open enables interrupts outside a
 * wait, so a sampled timer ticks while the kernel works; irq_close, or the
 * next poll or wait, closes them again.
 * Never: calls into Wasm, unmasks a line, or chooses a controller or a route.
 */
#include "loader.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0B

static volatile uint32_t pending_lines;

/* Local APIC mode: the EOI register, and per line the IOAPIC pin to mask. */
static volatile uint32_t *lapic_eoi;
static struct { volatile uint32_t *ioapic; uint32_t pin; } mask_on_entry[IRQ_LINES];

#define LAPIC_EOI_REGISTER 0xB0
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REDIRECTION_LOW(pin) (0x10 + 2 * (pin))
#define IOAPIC_MASKED (1u << 16)

void irq_use_apic(uint64_t lapic_phys) {
  lapic_eoi = (volatile uint32_t *)phys_to_virt(lapic_phys + LAPIC_EOI_REGISTER);
}

void irq_mask_on_entry(uint32_t line, uint64_t ioapic_phys, uint32_t pin) {
  if (line >= IRQ_LINES) return;
  mask_on_entry[line].ioapic = ioapic_phys ? (volatile uint32_t *)phys_to_virt(ioapic_phys) : 0;
  mask_on_entry[line].pin = pin;
}

static void apic_record(uint64_t line) {
  volatile uint32_t *ioapic = mask_on_entry[line].ioapic;
  if (ioapic) {
    ioapic[IOAPIC_REGSEL / 4] = IOAPIC_REDIRECTION_LOW(mask_on_entry[line].pin);
    ioapic[IOAPIC_WINDOW / 4] |= IOAPIC_MASKED;
  }
  *lapic_eoi = 0;
}
static volatile uint64_t last_irq_tsc;

static volatile int32_t sample_line = -1;
static volatile uint32_t sample_count;
static volatile uint64_t sample_tsc[IRQ_SAMPLES];

void irq_sample_line(int32_t line) {
  sample_count = 0;
  sample_line = line >= 0 && line < IRQ_LINES ? line : -1;
}

uint32_t irq_sample_count(void) { return sample_count; }

uint64_t irq_sample_tsc(uint32_t i) { return i < sample_count ? sample_tsc[i] : 0; }

void irq_open(void) { __asm__ volatile("sti" ::: "memory"); }

/* Takes what is already raised (one instruction's window), then disables
 * interrupts; the pending mask stays for the next wait or poll. */
void irq_close(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }

/* A sampled line: its TSC recorded, the controller acknowledged, the line left open. */
static void sample(uint64_t line) {
  uint64_t now = rdtsc();
  uint32_t n = sample_count;
  if (n < IRQ_SAMPLES) { sample_tsc[n] = now; sample_count = n + 1; }
  if (lapic_eoi) { *lapic_eoi = 0; return; }
  if (line >= 8) outb(PIC2_CMD, PIC_EOI);
  outb(PIC1_CMD, PIC_EOI);
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
  if (line >= IRQ_LINES) return;
  if ((int32_t)line == sample_line) { sample(line); return; }
  if (lapic_eoi) {
    apic_record(line);
    last_irq_tsc = rdtsc();
    pending_lines |= 1u << line;
    return;
  }
  if (line >= 16) return; /* no 8259 line: nothing routed it here */
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
