/*
 * What clonesafe.efi hands the loader and kernel: the register magic the
 * 32-bit entry receives in %eax (as multiboot and PVH pass theirs), and the
 * block %ebx points at. Shared by boot/efi/stub.c (which fills it) and, as
 * numbers, by kernel/mm/efi.ts (which reads it: the memory map's meaning is
 * the kernel's to decide). Below 4 GiB, in EfiLoaderData pages.
 */
#ifndef CLONESAFE_EFI_HANDOFF_H
#define CLONESAFE_EFI_HANDOFF_H

#define CLONESAFE_EFI_MAGIC 0xC105EF11u

struct clonesafe_efi_handoff {
  uint32_t version;            /* 1 */
  uint32_t desc_version;       /* the memory map's descriptor version */
  uint64_t rsdp;               /* ACPI 2.0 RSDP from the configuration table (1.0 if only that), or 0 */
  uint64_t memmap;             /* physical address of the map ExitBootServices accepted */
  uint64_t memmap_size;        /* its bytes */
  uint64_t desc_size;          /* bytes per descriptor (at least 40) */
  uint64_t system_table;       /* EFI_SYSTEM_TABLE (its boot services are gone) */
  uint32_t exit_attempts;      /* ExitBootServices calls made (more than 1: a stale map key was retried) */
  uint32_t reserved;
};

#endif
