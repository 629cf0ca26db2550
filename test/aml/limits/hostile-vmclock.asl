// Hostile vmclock devices: six AMZNC10C devices (the _HID of QEMU 10's
// vmclock, which -acpitable can declare on any QEMU; QEMU 7.2 has no vmclock
// page anywhere) whose _CRS names a page the driver must not use: past the
// kernel's direct map, usable RAM, a reserved page with no vmclock magic in
// it (SeaBIOS's own ROM at 0xF0000, and 0xFEFFB000 where QEMU 10 would put
// the page), a non-cacheable descriptor, and a _CRS that fails. Each is
// refused with one line naming why, in namespace order, and the boot goes
// on (the kernel runs without vmclock, its fence falls back to the GPE read
// and the GUID, and it still reseeds on a loadvm).
// expect boot: vmclock: \_SB_.VCL1 (AMZNC10C): the page of _CRS QWordMemory 0x10000000000 length 0x1000 at 0x10000000000 width 4096 is outside the physical memory the kernel maps (0-4 GiB); running without vmclock
// expect boot: vmclock: \_SB_.VCL2 (AMZNC10C): _CRS QWordMemory 0x200000 length 0x1000 lies in usable RAM, not firmware-reserved memory; running without vmclock
// expect boot: vmclock: \_SB_.VCL3 (AMZNC10C): the page at 0xf0000 has magic 0x
// expect boot: vmclock: \_SB_.VCL4 (AMZNC10C): the page at 0xfeffb000 has magic 0x
// expect boot: vmclock: \_SB_.VCL5 (AMZNC10C): _CRS QWordMemory 0xfeffb000 length 0x1000 is non-cacheable: the page must be declared cacheable and is only mapped write-back; running without vmclock
// expect boot: vmclock: \_SB_.VCL6 (AMZNC10C): _CRS failed: \_SB_.VCL6._CRS: 
// expect boot: vmgenid: \_SB_.VGEN (QEMUVGID) guid=
// expect boot: random: restore fence: complete: 1 GPE status register (raised on every incoming state) and the GUID, read before every draw
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HVCLK", 1)
{
    Scope (\_SB)
    {
        /* 1 TiB: outside the direct map (0-4 GiB). */
        Device (VCL1)
        {
            Name (_HID, "AMZNC10C")
            Name (_CRS, ResourceTemplate () {
                QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadOnly,
                    0x0, 0x10000000000, 0x10000000FFF, 0x0, 0x1000)
            })
        }
        /* Usable RAM: the kernel's own frames, not a hypervisor's page. */
        Device (VCL2)
        {
            Name (_HID, "AMZNC10C")
            Name (_CRS, ResourceTemplate () {
                QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadOnly,
                    0x0, 0x200000, 0x200FFF, 0x0, 0x1000)
            })
        }
        /* Reserved, mapped, but the BIOS: no "VCLK" there. */
        Device (VCL3)
        {
            Name (_HID, "AMZNC10C")
            Name (_CRS, ResourceTemplate () {
                QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadOnly,
                    0x0, 0xF0000, 0xF0FFF, 0x0, 0x1000)
            })
        }
        /* Where QEMU 10 puts the page; without -device vmclock nothing is there. */
        Device (VCL4)
        {
            Name (_HID, "AMZNC10C")
            Name (_CRS, ResourceTemplate () {
                QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadOnly,
                    0x0, 0xFEFFB000, 0xFEFFBFFF, 0x0, 0x1000)
            })
        }
        /* The right place, declared non-cacheable: never mapped. */
        Device (VCL5)
        {
            Name (_HID, "AMZNC10C")
            Name (_CRS, ResourceTemplate () {
                QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadOnly,
                    0x0, 0xFEFFB000, 0xFEFFBFFF, 0x0, 0x1000)
            })
        }
        /* _CRS a Method that fails (a division by zero) before returning its template. */
        Device (VCL6)
        {
            Name (_HID, "AMZNC10C")
            Name (DIVS, 0)
            Method (_CRS, 0, Serialized)
            {
                Local0 = (0x10 / DIVS)
                Return (ResourceTemplate () {
                    QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadOnly,
                        0x0, 0xFEFFB000, 0xFEFFBFFF, 0x0, 0x1000)
                })
            }
        }
    }
}
