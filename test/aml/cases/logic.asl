// Logical operators: LAnd, LOr, LNot, LEqual, LGreater, LLess and the
// composite forms iasl emits for !=, >=, <= (LNot of the opposite), on
// integers, strings and buffers. True is Ones (0xFFFFFFFF at revision 1).
DefinitionBlock ("", "DSDT", 1, "CLNSF", "LOGIC", 0x00000001)
{
    Name (INT0, 0x05)
    Name (STR0, "abc")
    Method (T000, 0, NotSerialized)
    {
        Local0 = 0x05
        Return ((Local0 == INT0))
    }
    Method (T001, 0, NotSerialized)
    {
        Local0 = 0x05
        Return ((Local0 != INT0))
    }
    Method (T002, 0, NotSerialized)
    {
        Local0 = 0x06
        Local1 = Package (0x04) {}
        Local1 [Zero] = (Local0 > INT0)
        Local1 [One] = (Local0 < INT0)
        Local1 [0x02] = (Local0 >= 0x06)
        Local1 [0x03] = (Local0 <= 0x05)
        Return (Local1)
    }
    Method (T003, 0, NotSerialized)
    {
        Local0 = One
        Local1 = Zero
        Local2 = Package (0x04) {}
        Local2 [Zero] = (Local0 && Local1)
        Local2 [One] = (Local0 || Local1)
        Local2 [0x02] = !Local0
        Local2 [0x03] = !Local1
        Return (Local2)
    }
    Method (T004, 0, NotSerialized)
    {
        // Any nonzero integer is true.
        Local0 = 0x40
        Return ((Local0 && 0x02))
    }
    Method (T005, 0, NotSerialized)
    {
        Local0 = "abc"
        Local1 = Package (0x04) {}
        Local1 [Zero] = (Local0 == STR0)
        Local1 [One] = (Local0 < "abd")
        Local1 [0x02] = (Local0 > "ab")
        Local1 [0x03] = ("b" > Local0)
        Return (Local1)
    }
    Method (T006, 0, NotSerialized)
    {
        Local0 = Buffer () { 0x01, 0x02 }
        Local1 = Package (0x03) {}
        Local1 [Zero] = (Local0 == Buffer () { 0x01, 0x02 })
        Local1 [One] = (Local0 < Buffer () { 0x01, 0x03 })
        Local1 [0x02] = (Local0 == Buffer () { 0x01, 0x02, 0x00 })
        Return (Local1)
    }
    Method (T007, 0, NotSerialized)
    {
        // The second operand converts to the type of the first.
        Local0 = 0x1F
        Return ((Local0 == "1F"))
    }
    Method (T008, 0, NotSerialized)
    {
        Local0 = 0xFFFFFFFF
        Return ((Local0 > Zero))
    }
    Method (T009, 0, NotSerialized)
    {
        If (((INT0 == 0x05) && !(INT0 == 0x06)))
        {
            Return ("yes")
        }
        Return ("no")
    }
}
