// The same integer operators at 64 bits: a revision 2 DSDT (ACPI 2.0+).
// Ones is 0xFFFFFFFFFFFFFFFF; carries cross bit 32.
DefinitionBlock ("", "DSDT", 2, "CLNSF", "ARITH64", 0x00000001)
{
    Name (ALL1, Ones)
    Name (BIG0, 0x123456789ABCDEF0)
    Method (T000, 0, NotSerialized)
    {
        Local0 = 0xFFFFFFFF
        Local0++
        Return (Local0)
    }
    Method (T001, 0, NotSerialized)
    {
        Local0 = Zero
        Local0--
        Return (Local0)
    }
    Method (T002, 0, NotSerialized)
    {
        Local0 = One
        Return ((Local0 << 0x3F))
    }
    Method (T003, 0, NotSerialized)
    {
        Local0 = BIG0
        Return ((Local0 >> 0x04))
    }
    Method (T004, 0, NotSerialized)
    {
        Local0 = 0x0000000100000000
        Return ((Local0 * 0x10))
    }
    Method (T005, 0, NotSerialized)
    {
        Local0 = BIG0
        Divide (Local0, 0x00010000, Local1, Local2)
        Local3 = Package (0x02) {}
        Local3 [Zero] = Local2
        Local3 [One] = Local1
        Return (Local3)
    }
    Method (T006, 0, NotSerialized)
    {
        Return (~BIG0)
    }
    Method (T007, 0, NotSerialized)
    {
        Local0 = 0xFFFFFFFFFFFFFFFF
        Return ((Local0 + 0x02))
    }
    Method (T008, 0, NotSerialized)
    {
        Local0 = Buffer () { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 }
        // A buffer longer than 8 bytes converts from its first 8 bytes.
        Return ((Local0 + Zero))
    }
    Method (T009, 0, NotSerialized)
    {
        Local0 = BIG0
        Return (FindSetLeftBit (Local0))
    }
    Method (T010, 0, NotSerialized)
    {
        Return (ToHexString (BIG0))
    }
    Method (T011, 0, NotSerialized)
    {
        Return (ToBuffer (BIG0))
    }
}
