/*
 * clonesafe.efi: the UEFI entry. A PE32+ EFI application (gnu-efi's crt0
 * and self-relocation, Makefile) that carries the multiboot image's bytes
 * (build/boot/payload.bin) and starts them the way a multiboot or PVH loader
 * would: at the 32-bit entry (_start, boot/entry.S) with a magic in %eax
 * and a block in %ebx (handoff.h).
 * Owns: the boot services calls — the configuration table's RSDP, the
 * image's pages from 1 MiB (AllocateAddress, so nothing else lands there),
 * the memory map and ExitBootServices (retried while the map key is
 * stale) — then the copy of the image to 1 MiB, its .bss zeroed (not the boot
 * stack after it, which needs no zeroes), and the
 * way down from long mode to 32-bit protected mode (efi/enter.S).
 * Wasm linear memory's pages [16 MiB, 32 MiB) cannot be reserved so: OVMF
 * decompresses its DXE firmware volume to 9–21 MiB (BootServicesData), so
 * the final map must show them free once boot services exit, which is
 * checked before ExitBootServices (and again by the loader).
 * May call: boot services (never runtime services), the firmware console
 * for its errors (OVMF copies it to the serial port).
 * Never: decides what a memory type means (the kernel reads the raw map:
 * kernel/mm/efi.ts), or returns to the firmware once ExitBootServices
 * succeeded.
 */
#include <efi.h>
#include <stdint.h>
#include "handoff.h"
#include "payload.h"   /* generated: PAYLOAD_LOAD, PAYLOAD_BSS, PAYLOAD_BSS_END, PAYLOAD_END (the stack's end), PAYLOAD_ENTRY32 */
#include "../layout.h" /* LINEAR_MEMORY_BASE, LINEAR_MEMORY_LIMIT */

extern const uint8_t payload_start[], payload_end[];
/* efi/enter.S: leaves long mode and jumps to `entry32` with %eax = magic, %ebx = info. */
extern void efi_enter32(uint32_t entry32, uint32_t magic, uint32_t info) __attribute__((noreturn));

#define IMAGE_FLOOR  0x100000ull     /* 1 MiB: where boot/linker.ld links the image */
#define BELOW_4G     0xFFFFFFFFull
#define EXIT_TRIES   8

static EFI_SYSTEM_TABLE *st;

static void say(const char *s) {
  CHAR16 wide[160];
  unsigned n = 0;
  for (; *s && n + 1 < 160; s++) wide[n++] = (CHAR16)(uint8_t)*s;
  wide[n] = 0;
  st->ConOut->OutputString(st->ConOut, wide);
}

static void say_hex(uint64_t v) {
  char b[19] = "0x";
  for (int i = 0; i < 16; i++) b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
  b[18] = 0;
  say(b);
}

static int same_guid(const EFI_GUID *a, const EFI_GUID *b) {
  const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
  for (int i = 0; i < 16; i++) if (x[i] != y[i]) return 0;
  return 1;
}

static uint64_t find_rsdp(void) {
  EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
  uint64_t v1 = 0;
  for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
    EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];
    if (same_guid(&t->VendorGuid, &acpi20)) return (uint64_t)(UINTN)t->VendorTable;
    if (same_guid(&t->VendorGuid, &acpi10)) v1 = (uint64_t)(UINTN)t->VendorTable;
  }
  return v1;
}

static EFI_STATUS fail(const char *what, EFI_STATUS status) {
  say("panic: clonesafe.efi: ");
  say(what);
  say(" (EFI status ");
  say_hex((uint64_t)status);
  say(")\r\n");
  return status;
}

/* Memory that is free once ExitBootServices returns (UEFI 2.10 §7.4). */
static int free_after_exit(UINT32 type) {
  return type == EfiConventionalMemory || type == EfiBootServicesCode || type == EfiBootServicesData;
}

/* Names every descriptor of `map` that holds part of [from, to) and is not
 * free (`after_exit`: free once boot services exit); returns how many. */
static int say_overlaps(const uint8_t *map, UINTN size, UINTN dsize, uint64_t from, uint64_t to, int after_exit, int quiet) {
  int n = 0;
  for (UINTN off = 0; off + dsize <= size; off += dsize) {
    const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
    uint64_t end = d->PhysicalStart + (d->NumberOfPages << 12);
    if (end <= from || d->PhysicalStart >= to) continue;
    if (after_exit ? free_after_exit(d->Type) : d->Type == EfiConventionalMemory) continue;
    n++;
    if (quiet) continue;
    say("  in use: ");
    say_hex(d->PhysicalStart);
    say("-");
    say_hex(end);
    say(" type ");
    say_hex(d->Type);
    say("\r\n");
  }
  return n;
}

/* The current map into `buf` (capacity bytes); 0 on failure. */
static UINTN memory_map(EFI_PHYSICAL_ADDRESS buf, UINTN capacity, UINTN *key, UINTN *dsize, UINT32 *dver) {
  UINTN size = capacity;
  if (st->BootServices->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(UINTN)buf, key, dsize, dver) != EFI_SUCCESS) return 0;
  return size;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table) {
  st = system_table;
  EFI_BOOT_SERVICES *bs = st->BootServices;
  const uint64_t payload_bytes = (uint64_t)(payload_end - payload_start);
  if (PAYLOAD_LOAD != IMAGE_FLOOR || PAYLOAD_END > LINEAR_MEMORY_BASE || PAYLOAD_LOAD + payload_bytes > PAYLOAD_BSS) {
    return fail("the image's layout does not fit below Wasm memory at 16 MiB", EFI_LOAD_ERROR);
  }
  /* efi/enter.S runs with paging off after its last instruction in long mode: below 4 GiB. */
  if ((uint64_t)(UINTN)&efi_enter32 > BELOW_4G - 4096) return fail("loaded above 4 GiB, where its 32-bit step cannot run", EFI_LOAD_ERROR);

  /* The hand-off block and the map's buffer, below 4 GiB (the kernel reads
   * them through its direct map); the map's size asked first, with room for
   * the descriptors allocations (and a retry) may add. */
  EFI_PHYSICAL_ADDRESS hand_at = BELOW_4G;
  EFI_STATUS s = bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &hand_at);
  if (s != EFI_SUCCESS) return fail("no page below 4 GiB for the hand-off block", s);
  UINTN size = 0, key = 0, dsize = 0;
  UINT32 dver = 0;
  bs->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
  if (dsize < sizeof(EFI_MEMORY_DESCRIPTOR)) return fail("the firmware reports memory descriptors shorter than UEFI's", EFI_LOAD_ERROR);
  const UINTN capacity = size + 16 * dsize;
  EFI_PHYSICAL_ADDRESS map_at = BELOW_4G;
  s = bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, EFI_SIZE_TO_PAGES(capacity), &map_at);
  if (s != EFI_SUCCESS) return fail("no pages below 4 GiB for the memory map", s);
  const uint64_t map_end = map_at + ((uint64_t)EFI_SIZE_TO_PAGES(capacity) << 12);
  if ((hand_at + 4096 > LINEAR_MEMORY_BASE && hand_at < LINEAR_MEMORY_LIMIT) ||
      (map_end > LINEAR_MEMORY_BASE && map_at < LINEAR_MEMORY_LIMIT)) {
    return fail("the firmware placed the hand-off block or the map in [16 MiB, 32 MiB), Wasm memory's pages", EFI_LOAD_ERROR);
  }

  EFI_PHYSICAL_ADDRESS at = IMAGE_FLOOR;
  s = bs->AllocatePages(AllocateAddress, EfiLoaderData, EFI_SIZE_TO_PAGES(PAYLOAD_END - IMAGE_FLOOR), &at);
  if (s != EFI_SUCCESS) {
    fail("the firmware holds memory where the image is linked, from 1 MiB", s);
    size = memory_map(map_at, capacity, &key, &dsize, &dver);
    say_overlaps((const uint8_t *)(UINTN)map_at, size, dsize, IMAGE_FLOOR, PAYLOAD_END, 0, 0);
    return s;
  }

  struct clonesafe_efi_handoff *h = (struct clonesafe_efi_handoff *)(UINTN)hand_at;
  h->version = 1;
  h->rsdp = find_rsdp();
  h->system_table = (uint64_t)(UINTN)st;
  h->exit_attempts = 0;
  h->reserved = 0;

  for (int attempt = 1;; attempt++) {
    size = memory_map(map_at, capacity, &key, &dsize, &dver);
    if (size == 0) return fail("GetMemoryMap failed", EFI_LOAD_ERROR);
    const uint8_t *map = (const uint8_t *)(UINTN)map_at;
    if (say_overlaps(map, size, dsize, LINEAR_MEMORY_BASE, LINEAR_MEMORY_LIMIT, 1, 1) > 0) {
      fail("the firmware keeps memory in [16 MiB, 32 MiB), Wasm memory's pages, past ExitBootServices", EFI_LOAD_ERROR);
      say_overlaps(map, size, dsize, LINEAR_MEMORY_BASE, LINEAR_MEMORY_LIMIT, 1, 0);
      return EFI_LOAD_ERROR;
    }
    h->memmap = map_at;
    h->memmap_size = size;
    h->desc_size = dsize;
    h->desc_version = dver;
    h->exit_attempts = (uint32_t)attempt;
    s = bs->ExitBootServices(image, key);
    if (s == EFI_SUCCESS) break;
    /* EFI_INVALID_PARAMETER: the map changed since GetMemoryMap (an event
     * allocated); take it again. Only memory services may be called now. */
    if (s != EFI_INVALID_PARAMETER || attempt == EXIT_TRIES) return fail("ExitBootServices failed", s);
  }

  /* Boot services are gone: the image goes to where it is linked. */
  __asm__ volatile("cli");
  uint8_t *dst = (uint8_t *)(UINTN)PAYLOAD_LOAD;
  for (uint64_t i = 0; i < payload_bytes; i++) dst[i] = payload_start[i];
  for (uint64_t a = PAYLOAD_LOAD + payload_bytes; a < PAYLOAD_BSS_END; a++) *(volatile uint8_t *)(UINTN)a = 0;
  efi_enter32((uint32_t)PAYLOAD_ENTRY32, CLONESAFE_EFI_MAGIC, (uint32_t)hand_at);
}
