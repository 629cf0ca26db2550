// Integer arithmetic and bit operations at 32 bits (revision 1): Add,
// Subtract, Multiply, Divide (quotient and remainder), Mod, And, Or, Xor,
// Not, NAnd, NOr, ShiftLeft, ShiftRight, Increment, Decrement,
// FindSetLeftBit/RightBit, compound assignments, and wrap-around at 32 bits.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "ARITH", 0x00000001)
{
    Name (CNT0, Zero)
    Method (T000, 0, NotSerialized)
    {
        Local0 = 0x07FFF000
        Return ((Local0 + 0x28))
    }
    Method (T001, 0, NotSerialized)
    {
        Local0 = 0xFFFFFFFF
        Local0++
        Return (Local0)
    }
    Method (T002, 0, NotSerialized)
    {
        Local0 = Zero
        Local0--
        Return (Local0)
    }
    Method (T003, 0, NotSerialized)
    {
        Local0 = 0x10
        Return ((Local0 - 0x11))
    }
    Method (T004, 0, NotSerialized)
    {
        Local0 = 0x12345678
        Return ((Local0 & 0xFF00FF00))
    }
    Method (T005, 0, NotSerialized)
    {
        Local0 = 0x0F
        Local0 |= 0xF0
        Return (Local0)
    }
    Method (T006, 0, NotSerialized)
    {
        Local0 = One
        Return ((Local0 << 0x1F))
    }
    Method (T007, 0, NotSerialized)
    {
        // Shifting out of the 32-bit integer loses the bits.
        Local0 = 0x80000001
        Return ((Local0 << One))
    }
    Method (T008, 0, NotSerialized)
    {
        Local0 = 0x80000000
        Return ((Local0 >> 0x1F))
    }
    Method (T009, 0, NotSerialized)
    {
        Local0 = 0x12345678
        Return ((Local0 >> 0x40))
    }
    Method (T010, 0, NotSerialized)
    {
        Local0 = 0x64
        Divide (Local0, 0x07, Local1, Local2)
        Local3 = Package (0x02) {}
        Local3 [Zero] = Local2
        Local3 [One] = Local1
        Return (Local3)
    }
    Method (T011, 0, NotSerialized)
    {
        Local0 = 0x64
        Return ((Local0 % 0x07))
    }
    Method (T012, 0, NotSerialized)
    {
        Local0 = 0x10001
        Return ((Local0 * 0x10001))
    }
    Method (T013, 0, NotSerialized)
    {
        Local0 = 0xFF00FF00
        Return ((Local0 ^ 0x0FF00FF0))
    }
    Method (T014, 0, NotSerialized)
    {
        Local0 = 0x0F0F0F0F
        Return (~Local0)
    }
    Method (T015, 0, NotSerialized)
    {
        Local0 = 0x0C
        Return (NAnd (Local0, 0x0A))
    }
    Method (T016, 0, NotSerialized)
    {
        Local0 = 0x0C
        Return (NOr (Local0, 0x0A))
    }
    Method (T017, 0, NotSerialized)
    {
        Local0 = 0x00080100
        Local1 = Package (0x03) {}
        Local1 [Zero] = FindSetLeftBit (Local0)
        Local1 [One] = FindSetRightBit (Local0)
        Local1 [0x02] = FindSetLeftBit (Zero)
        Return (Local1)
    }
    Method (T018, 0, NotSerialized)
    {
        // Increment of a named object, as QEMU's loops do with locals.
        CNT0++
        CNT0++
        CNT0 += 0x0A
        Return (CNT0)
    }
    Method (T019, 0, NotSerialized)
    {
        // Add with an explicit target and result (operands in locals, so
        // iasl cannot fold the constant).
        Local2 = 0x05
        Local1 = Add (Local2, 0x06, Local0)
        Return ((Local0 + Local1))
    }
    Method (T020, 0, NotSerialized)
    {
        // Arithmetic on strings and buffers converts them to integers.
        Local0 = "1F"
        Local1 = Buffer () { 0x01, 0x02 }
        Return ((Local0 + Local1))
    }
    Method (T021, 0, NotSerialized)
    {
        Local0 = 0xFFFFFFFF
        Return ((Local0 * 0x02))
    }
    Method (T022, 0, NotSerialized)
    {
        Local0 = 0x00
        Local1 = 0x01
        Return (Subtract (Local0, Local1))
    }
}
