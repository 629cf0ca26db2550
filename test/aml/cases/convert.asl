// Conversions: ToBuffer, ToHexString, ToInteger, ToDecimalString,
// ToString, Concatenate, the target forms `ToX (src, Local0)` the QEMU
// DBUG method uses, and implicit conversions on Store into typed names.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "CONVERT", 0x00000001)
{
    Name (BUF0, Buffer (0x04) {})
    Name (STR0, "")
    Method (T000, 0, NotSerialized)
    {
        Local0 = 0x07FFF028
        Return (ToBuffer (Local0))
    }
    Method (T001, 0, NotSerialized)
    {
        Local0 = "AB"
        Return (ToBuffer (Local0))
    }
    Method (T002, 0, NotSerialized)
    {
        Local0 = 0x0A1B
        Return (ToHexString (Local0))
    }
    Method (T003, 0, NotSerialized)
    {
        Local0 = Buffer () { 0x01, 0xAB, 0xFF }
        Return (ToHexString (Local0))
    }
    Method (T004, 0, NotSerialized)
    {
        Local0 = Package (0x04) {}
        Local1 = "0x1F"
        Local2 = "123"
        Local3 = Buffer () { 0x78, 0x56, 0x34, 0x12 }
        Local4 = 0x2A
        Local0 [Zero] = ToInteger (Local1)
        Local0 [One] = ToInteger (Local2)
        Local0 [0x02] = ToInteger (Local3)
        Local0 [0x03] = ToInteger (Local4)
        Return (Local0)
    }
    Method (T005, 0, NotSerialized)
    {
        Local0 = 0x04D2
        Return (ToDecimalString (Local0))
    }
    Method (T006, 0, NotSerialized)
    {
        Local0 = Buffer () { 0x41, 0x42, 0x00, 0x43 }
        Return (ToString (Local0, Ones))
    }
    Method (T007, 0, NotSerialized)
    {
        // The shape of QEMU's DBUG: hex string, then its bytes.
        Local0 = 0x2A
        ToHexString (Local0, Local0)
        ToBuffer (Local0, Local0)
        Local1 = Package (0x02) {}
        Local1 [Zero] = SizeOf (Local0)
        Local1 [One] = DerefOf (Local0 [One])
        Return (Local1)
    }
    Method (T008, 0, NotSerialized)
    {
        Local0 = "VM_Gen"
        Return (Concatenate (Local0, "_Counter"))
    }
    Method (T009, 0, NotSerialized)
    {
        Local0 = Buffer () { 0x01 }
        Return (Concatenate (Local0, Buffer () { 0x02, 0x03 }))
    }
    Method (T010, 0, NotSerialized)
    {
        // Integer + Integer concatenates two integers into a buffer.
        Local0 = 0x01
        Return (Concatenate (Local0, 0x02))
    }
    Method (T011, 0, NotSerialized)
    {
        // A Store into a named Buffer copies bytes and zero-fills the rest.
        BUF0 = 0x0102
        Return (BUF0)
    }
    Method (T012, 0, NotSerialized)
    {
        // A Store into a named String converts a buffer to its characters.
        STR0 = Buffer () { 0x68, 0x69 }
        Return (STR0)
    }
    Method (T013, 0, NotSerialized)
    {
        Local0 = "n="
        Return (Concatenate (Local0, 0x0F))
    }
}
