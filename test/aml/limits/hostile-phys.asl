// Hostile operation regions and fields (issue 12): physical memory the
// kernel does not map (its direct map covers 0-4 GiB), I/O ports past
// 0xFFFF and PCI configuration offsets past 0xFF are refused with a named
// error before any access, instead of faulting or wrapping. Addresses here
// fit 32 bits, so a revision-1 DSDT (QEMU's) reaches them too: a field
// offset carries the access past 4 GiB. Host and QEMU runs as in
// hostile-index.asl.
// expect \PH00: error SystemMemory access at 0xfffffffc width 8 is outside the physical memory the kernel maps (0-4 GiB)
// expect \PH01: error SystemMemory access at 0xfffffffc width 8 is outside the physical memory the kernel maps (0-4 GiB)
// expect \PH02: error SystemMemory access at 0x100fff000 width 4 is outside the physical memory the kernel maps (0-4 GiB)
// expect \PH03: error SystemMemory access at 0x100fff000 width 4 is outside the physical memory the kernel maps (0-4 GiB)
// expect \PH04: error SystemIO access at 0x10000 width 1 is outside the I/O port space (0-0xffff)
// expect \PH05: error SystemIO access at 0xfffe width 4 is outside the I/O port space (0-0xffff)
// expect \PH06: error PCI_Config access at 0x100 width 4 is outside a function's 256-byte configuration space
// expect \PH07: result {"type":"Integer","value":"0x0"}
// expect \AFTR: result {"type":"Integer","value":"0x2a"}
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HPHYS", 1)
{
    /* Straddles 4 GiB: the last 4 bytes below it and 4 above. */
    OperationRegion (R4G, SystemMemory, 0xFFFFFFFC, 8)
    Field (R4G, QWordAcc, NoLock, Preserve) { Q4G, 64 }
    Method (PH00, 0) { Return (Q4G) }
    Method (PH01, 0) { Q4G = 0x1234
        Return (One) }
    /* A region just below 4 GiB whose field lies 16 MiB into it. */
    OperationRegion (RHI, SystemMemory, 0xFFFFF000, 0x20000000)
    Field (RHI, DWordAcc, NoLock, Preserve) { Offset (0x01000000), FHI, 32 }
    Method (PH02, 0) { Return (FHI) }
    Method (PH03, 0) { FHI = 1
        Return (One) }
    OperationRegion (RIO, SystemIO, 0xFFF0, 0x20)
    Field (RIO, ByteAcc, NoLock, Preserve) { Offset (0x10), PIO, 8 }
    Method (PH04, 0) { Return (PIO) }
    OperationRegion (RIW, SystemIO, 0xFFFE, 4)
    Field (RIW, DWordAcc, NoLock, Preserve) { PIW, 32 }
    Method (PH05, 0) { Return (PIW) }
    Device (PCID)
    {
        Name (_ADR, 0x001F0000)
        OperationRegion (RPC, PCI_Config, 0xF0, 0x20)
        Field (RPC, DWordAcc, NoLock, Preserve) { Offset (0x10), PCX, 32 }
        /* Inside the 256 bytes: an ordinary read (of an absent device: zeros on the host, ones in QEMU). */
        Field (RPC, ByteAcc, NoLock, Preserve) { Offset (0x0C), PCY, 8 }
    }
    Method (PH06, 0) { Return (\PCID.PCX) }
    Method (PH07, 0) { Return (\PCID.PCY & 0) }
    Method (AFTR, 0) { Return (0x2A) }
}
