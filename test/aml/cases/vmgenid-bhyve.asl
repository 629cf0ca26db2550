// A bhyve style VM generation counter (shape as that hypervisor's tables have it):
// _HID is a Method returning a string, _CID a String, ADDR a Name holding a
// Package of the low and high halves of the address, _STA absent.
// An SSDT of revision 2, loaded on its own (64-bit integers).
DefinitionBlock ("", "SSDT", 2, "CLNSF", "BHYVE", 0x00000001)
{
    Scope (\_SB)
    {
        Device (GENC)
        {
            Name (_CID, "VM_Gen_Counter")
            Method (_HID, 0, NotSerialized)
            {
                Return ("Hyper_V_Gen_Counter_V1")
            }
            Name (_UID, Zero)
            Name (_DDN, "VM_Gen_Counter")
            Name (ADDR, Package (0x02)
            {
                0xFEDB0000,
                0x00000000
            })
        }
    }
    Method (T000, 0, NotSerialized)
    {
        // Evaluating a Name returns its object; a Method is called.
        Local0 = Package (0x02) {}
        Local0 [Zero] = \_SB.GENC._HID
        Local0 [One] = \_SB.GENC.ADDR
        Return (Local0)
    }
    Method (T001, 0, NotSerialized)
    {
        Return (ObjectType (\_SB.GENC._HID))
    }
    Method (T002, 0, NotSerialized)
    {
        Return (ObjectType (\_SB.GENC.ADDR))
    }
    Method (T003, 0, NotSerialized)
    {
        // No _STA (absent means 0x0F): CondRefOf tells which objects exist.
        Local0 = Package (0x02) {}
        Local0 [Zero] = CondRefOf (\_SB.GENC._STA)
        Local0 [One] = CondRefOf (\_SB.GENC._HID)
        Return (Local0)
    }
}
