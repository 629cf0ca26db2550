// The UEFI memory map as clonesafe.efi hands it over (boot/efi/handoff.h):
// what each memory type means once ExitBootServices has returned (UEFI 2.10
// §7.2, EFI_MEMORY_TYPE). Owns: that decision — which types are RAM the
// kernel may allocate from, and their names for logs. May call: nothing.
// Never: reads memory (mm/index.ts reads the map and asks here).

/** CLONESAFE_EFI_MAGIC: the register magic clonesafe.efi passes to the 32-bit entry. */
export const EFI_HANDOFF_MAGIC: u32 = 0xc105ef11;
/** The hand-off block's bytes (struct clonesafe_efi_handoff). */
export const EFI_HANDOFF_BYTES: u32 = 56;
/** A descriptor's fields the kernel reads: Type u32 at 0, PhysicalStart u64 at 8, NumberOfPages u64 at 24, Attribute u64 at 32. */
export const EFI_DESCRIPTOR_MIN_BYTES: u32 = 40;

export const EFI_LOADER_DATA: u32 = 2;
export const EFI_CONVENTIONAL: u32 = 7;
export const EFI_ACPI_NVS: u32 = 10;

const NAMES: string[] = [
  "Reserved", "LoaderCode", "LoaderData", "BootServicesCode", "BootServicesData", "RuntimeServicesCode",
  "RuntimeServicesData", "Conventional", "Unusable", "ACPIReclaim", "ACPINVS", "MemoryMappedIO",
  "MemoryMappedIOPortSpace", "PalCode", "Persistent", "Unaccepted",
];

export function efiTypeName(type: u32): string {
  return type < <u32>NAMES.length ? NAMES[type] : "type " + type.toString();
}

/**
 * RAM the kernel may allocate frames from: free memory, and what the
 * loader (clonesafe.efi: its code, the hand-off block and the map, read
 * before the first allocation; the image's own pages are excluded apart)
 * and boot services held, all free once ExitBootServices returned. Not the
 * ACPI tables (ACPIReclaim: read after the allocator starts), nor runtime
 * services, NVS (the vmgenid blob lives there under OVMF), or MMIO.
 */
export function efiTypeIsRam(type: u32): bool {
  return type == 1 || type == EFI_LOADER_DATA || type == 3 || type == 4 || type == EFI_CONVENTIONAL;
}
