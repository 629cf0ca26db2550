/*
 * Loader main: CPU tables, then the Wasm kernel.
 * Owns: the TSS (with an IST stack for exceptions), the IDT, the check that
 * the boot protocol's memory holds Wasm linear memory, and the kernel
 * instance (instantiated here, then kmain).
 * May call: irq.c (irq_init: the 8259 remap, every line masked), console.c
 * (loader_panic, machine_exit), the kernel module (build/kernel.c). Never:
 * unmasks an IRQ line or touches devices itself.
 */
#include "loader.h"
#include "kernel.h"
#include "efi/handoff.h"

extern uint64_t gdt[];
extern const uint64_t isr_exception_table[32];
extern const uint64_t isr_irq_table[IRQ_LINES];
extern char isr_spurious[];

struct __attribute__((packed)) tss64 {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};

struct __attribute__((packed)) idt_entry {
  uint16_t offset_low, selector;
  uint8_t ist, type_attr;
  uint16_t offset_mid;
  uint32_t offset_high, zero;
};

static struct tss64 tss;
static struct idt_entry idt[256];
static uint8_t exception_stack[32 * 1024] __attribute__((aligned(16)));

static void set_gate(int vector, uint64_t handler, uint8_t ist) {
  struct idt_entry *e = &idt[vector];
  e->offset_low = handler & 0xffff;
  e->selector = 0x08;
  e->ist = ist;
  e->type_attr = 0x8E; /* present, DPL 0, 64-bit interrupt gate */
  e->offset_mid = (handler >> 16) & 0xffff;
  e->offset_high = handler >> 32;
  e->zero = 0;
}

static void tss_init(void) {
  tss.ist[0] = (uint64_t)(exception_stack + sizeof exception_stack);
  tss.iomap_base = sizeof tss;
  uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
  gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[4] = base >> 32;
  __asm__ volatile("ltr %w0" ::"r"(0x18));
}

static void idt_init(void) {
  /* Every exception runs on IST1, so even a blown kernel stack is reported. */
  for (int v = 0; v < 32; v++) set_gate(v, isr_exception_table[v], 1);
  for (int l = 0; l < IRQ_LINES; l++) set_gate(IRQ_VECTOR_BASE + l, isr_irq_table[l], 0);
  set_gate(APIC_SPURIOUS_VECTOR, (uint64_t)isr_spurious, 0);
  struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {
      sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" ::"m"(idtr));
}

/* The loader places Wasm linear memory at [LINEAR_MEMORY_BASE,
 * LINEAR_MEMORY_LIMIT) before the kernel runs, so it must check that this is
 * RAM; everything else about memory is the kernel's to read and decide. */
#define MULTIBOOT_MAGIC 0x2BADB002
#define PVH_MAGIC 0x336ec578

/* Multiboot v1 information: flags bit 0 means mem_lower/mem_upper are valid. */
static void check_multiboot_memory(uint32_t mbi) {
  const uint32_t *info = (const uint32_t *)phys_to_virt(mbi);
  if (!(info[0] & 1)) loader_panic("multiboot info has no memory size");
  uint64_t top = 0x100000ull + (uint64_t)info[2] * 1024; /* mem_upper, KiB above 1 MiB */
  if (top < LINEAR_MEMORY_LIMIT) loader_panic("less than 32 MiB of contiguous RAM above 1 MiB");
}

/* struct hvm_start_info (Xen's arch-x86/hvm/start_info.h): version 1 and
 * later carry a memory map of {addr, size, type, reserved} entries. */
struct __attribute__((packed)) pvh_start_info {
  uint32_t magic, version, flags, nr_modules;
  uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
  uint32_t memmap_entries, reserved;
};
struct __attribute__((packed)) pvh_memmap_entry { uint64_t addr, size; uint32_t type, reserved; };
#define PVH_MEMMAP_RAM 1

static void check_pvh_memory(uint32_t info) {
  const struct pvh_start_info *si = phys_to_virt(info);
  if (si->magic != PVH_MAGIC) loader_panic("PVH start info has the wrong magic");
  if (si->version < 1) loader_panic("PVH start info version 0 has no memory map");
  if (si->memmap_paddr >= DIRECT_MAP_SIZE - 1024 * sizeof(struct pvh_memmap_entry))
    loader_panic("PVH memory map lies above 4 GiB");
  const struct pvh_memmap_entry *map = phys_to_virt(si->memmap_paddr);
  for (uint32_t i = 0; i < si->memmap_entries && i < 1024; i++) {
    if (map[i].type == PVH_MEMMAP_RAM && map[i].addr <= 0x100000 && map[i].addr + map[i].size >= LINEAR_MEMORY_LIMIT) return;
  }
  loader_panic("less than 32 MiB of contiguous RAM above 1 MiB");
}

/* clonesafe.efi's hand-off (efi/handoff.h): its stub reserved the image's
 * pages as EfiLoaderData and checked before ExitBootServices that Wasm
 * memory's pages are free once boot services exit (conventional memory or
 * boot services code/data: OVMF keeps its DXE volume there); the map it
 * hands over must still say so. */
static int efi_free_after_exit(uint32_t type) { return type == 3 || type == 4 || type == 7; }

static void check_efi_memory(uint32_t info) {
  const struct clonesafe_efi_handoff *h = phys_to_virt(info);
  if (h->version < 1) loader_panic("EFI hand-off block has version 0");
  if (h->desc_size < 40 || h->memmap >= DIRECT_MAP_SIZE || h->memmap_size > DIRECT_MAP_SIZE - h->memmap)
    loader_panic("EFI memory map is malformed or above 4 GiB");
  /* Extend what free memory covers from 16 MiB until no descriptor extends it (any order). */
  uint64_t covered = LINEAR_MEMORY_BASE, before = 0;
  while (covered != before && covered < LINEAR_MEMORY_LIMIT) {
    before = covered;
    for (uint64_t off = 0; off + h->desc_size <= h->memmap_size; off += h->desc_size) {
      const uint8_t *d = (const uint8_t *)phys_to_virt(h->memmap + off);
      uint32_t type = *(const uint32_t *)d;
      uint64_t start = *(const uint64_t *)(d + 8), end = start + (*(const uint64_t *)(d + 24) << 12);
      if (efi_free_after_exit(type) && start <= covered && end > covered) covered = end;
    }
  }
  if (covered < LINEAR_MEMORY_LIMIT) loader_panic("EFI memory map does not hold [16 MiB, 32 MiB) free for Wasm memory");
}

static void check_memory(uint32_t magic, uint32_t info) {
  if (magic == MULTIBOOT_MAGIC) check_multiboot_memory(info);
  else if (magic == PVH_MAGIC) check_pvh_memory(info);
  else if (magic == CLONESAFE_EFI_MAGIC) check_efi_memory(info);
  else loader_panic("not started by a multiboot or PVH loader, or clonesafe.efi");
}

/* The kernel instance and the import instances wasm2c passes to the "env"
 * (trap.c) and "hw" (hw.c) functions the module calls. */
struct Z_env_instance_t { int unused; };
static Z_kernel_instance_t kernel;
static struct Z_env_instance_t env_instance;
static struct Z_hw_instance_t hw_instance;

static void kernel_start(uint32_t magic, uint32_t mbi) {
  /* The TSC when the loader hands over to the kernel, before the module's
   * instantiation (its data and start function) runs: the kernel's boot
   * figure starts here (under -icount shift=0 the TSC counts instructions). */
  hw_instance.entry_tsc = rdtsc();
  Z_kernel_init_module();
  Z_kernel_instantiate(&kernel, &env_instance, &hw_instance);
  Z_kernelZ_kmain(&kernel, magic, mbi);
}

void loader_main(uint32_t magic, uint32_t mbi) {
  tss_init();
  idt_init();
  irq_init();
  check_memory(magic, mbi);
  kernel_start(magic, mbi);
  machine_exit(EXIT_PANIC_KMAIN_RETURN);
}
