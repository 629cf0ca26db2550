// A Firecracker style VM generation counter (shape as that hypervisor's tables
// have it): _HID "FCVMGID", ADDR a Name(Package) with the address
// halves, and the notify coming from a Generic Event Device's _EVT method
// (one argument: the GED interrupt number).
// "FCVMGID" is not a valid ACPI ID: iasl needs -vw 6035.
DefinitionBlock ("", "DSDT", 2, "CLNSF", "FIRECRKR", 0x00000001)
{
    Scope (\_SB)
    {
        Device (VGEN)
        {
            Name (_HID, "FCVMGID")
            Name (_CID, "VM_Gen_Counter")
            Name (_DDN, "VM_Gen_Counter")
            Name (ADDR, Package (0x02)
            {
                0x7FFFF000,
                Zero
            })
        }
        Device (GED)
        {
            Name (_HID, "ACPI0013")
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )
                {
                    0x00000021,
                }
            })
            Method (_EVT, 1, NotSerialized)
            {
                If ((Arg0 == 0x21))
                {
                    Notify (VGEN, 0x80)
                }
            }
        }
    }
    Method (T000, 0, NotSerialized)
    {
        // The GED event for the vmgenid interrupt notifies VGEN.
        \_SB.GED._EVT (0x21)
        Return (One)
    }
    Method (T001, 0, NotSerialized)
    {
        // Any other interrupt number notifies nothing.
        \_SB.GED._EVT (0x22)
        Return (Zero)
    }
    Method (T002, 0, NotSerialized)
    {
        Return ((DerefOf (\_SB.VGEN.ADDR [Zero]) + 0x28))
    }
}
