// A Xen style VM generation counter (shape as that hypervisor's tables have it):
// _HID EisaId ("XEN0000"), _CID "VM_Gen_Counter", the address in a Name
// used by an ADDR Method that splits a 64-bit value into two halves, and a
// _STA Method. An SSDT of revision 2, loaded on its own (64-bit integers).
DefinitionBlock ("", "SSDT", 2, "CLNSF", "XEN", 0x00000001)
{
    Name (VGIA, 0x00000001FEFFF000)
    Scope (\_SB)
    {
        Device (VGID)
        {
            Name (_HID, EisaId ("XEN0000"))
            Name (_UID, Zero)
            Name (_CID, "VM_Gen_Counter")
            Method (_STA, 0, NotSerialized)
            {
                If ((VGIA == Zero))
                {
                    Return (Zero)
                }
                Return (0x0F)
            }
            Method (ADDR, 0, Serialized)
            {
                Local0 = Package (0x02) {}
                Local0 [Zero] = (VGIA & 0xFFFFFFFF)
                Local0 [One] = (VGIA >> 0x20)
                Return (Local0)
            }
        }
    }
    Method (T000, 0, NotSerialized)
    {
        // The EisaId compresses to this integer.
        Return ((\_SB.VGID._HID == 0x0000AE60))
    }
}
