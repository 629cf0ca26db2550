/*
 * QEMU 10's `-device vmclock` SSDT (hw/acpi/vmclock.c, vmclock_build_acpi):
 * \_SB.VCLK, _HID "AMZNC10C", _CID "VMCLOCK", _DDN "VMCLOCK", _STA 0x0F,
 * _CRS one QWordMemory descriptor for the page at 0xFEFFB000 (cacheable,
 * read-only; QEMU's aml_qword_memory() leaves the consumer bit clear, so it
 * reads as ResourceProducer, and writes the granularity as all ones, which
 * iasl refuses with fixed Min/Max: error 6047, see IASL_FLAGS). Compiled, its AML
 * body is byte for byte the table QEMU 10.0.2 gives a pc guest (the kernel's
 * `acpi dump` of it); the header differs (OEM, checksum, compiler).
 * The vmclock unit tests (test/unit/vmclock.test.ts) add it to the
 * simulated pc.
 */
DefinitionBlock ("", "SSDT", 1, "BOCHS ", "VMCLOCK", 1)
{
    Scope (\_SB)
    {
        Device (VCLK)
        {
            Name (_HID, "AMZNC10C")
            Name (_CID, "VMCLOCK")
            Name (_DDN, "VMCLOCK")
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate ()
            {
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadOnly,
                    0xFFFFFFFFFFFFFFFF, 0x00000000FEFFB000, 0x00000000FEFFBFFF, 0x0000000000000000,
                    0x0000000000001000, , , , AddressRangeMemory, TypeStatic)
            })
        }
    }
}
