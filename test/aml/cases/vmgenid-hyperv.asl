// A Hyper-V style VM generation counter (shape as that hypervisor's tables have
// it): _HID "Hyper_V_Gen_Counter_V1", _CID a Package of two IDs, no _STA
// (absent means present, 0x0F), ADDR a Method that reads the address out of
// SystemMemory fields firmware filled in, and the notify from \_GPE._E00.
// The IDs are not valid ACPI IDs: iasl needs -vw 6002 -vw 6034 -vw 6035.
DefinitionBlock ("", "DSDT", 2, "CLNSF", "HYPERV", 0x00000001)
{
    OperationRegion (GENR, SystemMemory, 0x000F0F00, 0x08)
    Field (GENR, DWordAcc, NoLock, Preserve)
    {
        GNLO,   32,
        GNHI,   32
    }
    Scope (\_SB)
    {
        Device (VMOD)
        {
            Name (_HID, "ACPI0004")
            Name (_UID, Zero)
            Device (GENC)
            {
                Name (_HID, "Hyper_V_Gen_Counter_V1")
                Name (_UID, Zero)
                Name (_CID, Package (0x02)
                {
                    "VM_Gen_Counter",
                    "VMGENCTR"
                })
                Name (_DDN, "VM_Gen_Counter")
                Method (ADDR, 0, Serialized)
                {
                    Local0 = Package (0x02) {}
                    Local0 [Zero] = GNLO
                    Local0 [One] = GNHI
                    Return (Local0)
                }
            }
        }
    }
    Scope (\_GPE)
    {
        Method (_E00, 0, NotSerialized)
        {
            Notify (\_SB.VMOD.GENC, 0x80)
        }
    }
    Method (T000, 0, NotSerialized)
    {
        // What the firmware does before the OS looks: fill in the address.
        GNLO = 0x3FEFF000
        GNHI = 0x01
        Return (\_SB.VMOD.GENC.ADDR ())
    }
    Method (T001, 0, NotSerialized)
    {
        // The 64-bit address the guest computes from the pair.
        Local0 = \_SB.VMOD.GENC.ADDR ()
        Return ((DerefOf (Local0 [Zero]) | (DerefOf (Local0 [One]) << 0x20)))
    }
    Method (T002, 0, NotSerialized)
    {
        // Discovery by _CID: walk the package, compare strings.
        Local0 = \_SB.VMOD.GENC._CID
        Local1 = Zero
        Local2 = SizeOf (Local0)
        While ((Local1 < Local2))
        {
            If ((DerefOf (Local0 [Local1]) == "VM_Gen_Counter"))
            {
                Return (Local1)
            }
            Local1++
        }
        Return (Ones)
    }
}
