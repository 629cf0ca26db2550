// Store, Index (as a value and as a store target), DerefOf, SizeOf,
// CreateDWordField / CreateByteField / CreateWordField / CreateQWordField /
// CreateField, and the implicit conversions a Store applies to its target.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "STORE", 0x00000001)
{
    Name (INT0, 0x05)
    Name (BUF0, Buffer (0x08) { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 })
    Name (PKG0, Package () { 0x0A, "str", Buffer () { 0x01, 0x02 }, Package () { 0x0B, 0x0C } })
    Name (STR0, "ABCDEF")
    CreateDWordField (BUF0, Zero, BDW0)
    CreateWordField (BUF0, 0x04, BWD0)
    CreateByteField (BUF0, 0x07, BBY0)
    // ACPICA reads a CreateField field as a Buffer whatever its width (for
    // Windows compatibility); CreateBit/Byte/Word/DWord/QWordField read as
    // Integers.
    CreateField (BUF0, 0x0C, 0x08, BFL0)
    Name (RES0, ResourceTemplate ()
    {
        WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
            0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,,, )
        IRQNoFlags (_Y00) {5}
    })
    CreateWordField (RES0, \_Y00._INT, IRQM)
    Method (T000, 0, NotSerialized)
    {
        // A Store copies: changing Local0 leaves INT0 alone.
        Local0 = INT0
        Local0 += 0x03
        Return ((Local0 * 0x10) + INT0)
    }
    Method (T001, 0, NotSerialized)
    {
        Return (DerefOf (PKG0 [One]))
    }
    Method (T002, 0, NotSerialized)
    {
        Return (DerefOf (DerefOf (PKG0 [0x03]) [One]))
    }
    Method (T003, 0, NotSerialized)
    {
        Return (DerefOf (BUF0 [0x02]))
    }
    Method (T004, 0, NotSerialized)
    {
        Return (DerefOf (STR0 [0x02]))
    }
    Method (T005, 0, NotSerialized)
    {
        Local0 = Package (0x04) {}
        Local0 [Zero] = SizeOf (BUF0)
        Local0 [One] = SizeOf (PKG0)
        Local0 [0x02] = SizeOf (STR0)
        Local0 [0x03] = SizeOf (DerefOf (PKG0 [0x02]))
        Return (Local0)
    }
    Method (T006, 0, NotSerialized)
    {
        // Index as a store target on a local copy of a package.
        Local0 = Package (0x03) {}
        Local0 [Zero] = 0x07FFF028
        Local0 [One] = "x"
        Local0 [0x02] = Buffer () { 0x01 }
        Return (Local0)
    }
    Method (T007, 0, NotSerialized)
    {
        // Index into a buffer as a store target writes one byte.
        Local0 = Buffer (0x04) {}
        Local0 [One] = 0x1FF
        Local0 [0x03] = 0x42
        Return (Local0)
    }
    Method (T008, 0, NotSerialized)
    {
        Return (Package () { BDW0, BWD0, BBY0, BFL0 })
    }
    Method (T009, 0, NotSerialized)
    {
        // Writing a buffer field changes the buffer underneath.
        BDW0 = 0xCAFEBABE
        BFL0 = 0x00
        Return (BUF0)
    }
    Method (T010, 0, NotSerialized)
    {
        Return (IRQM)
    }
    Method (T011, 0, NotSerialized)
    {
        // CreateDWordField on a method-local buffer, as QEMU's _CRS methods do.
        Local0 = Buffer (0x08) {}
        CreateDWordField (Local0, 0x04, FLD0)
        FLD0 = 0x12345678
        Return (Local0)
    }
    Method (T012, 0, NotSerialized)
    {
        // Store into a named Integer converts; into a named String too.
        INT0 = 0x2A
        STR0 = 0x1F
        Return (Package () { INT0, STR0 })
    }
    Method (T013, 0, NotSerialized)
    {
        // Index of a named package, modified in place through the reference.
        PKG0 [Zero] = 0x63
        Return (DerefOf (PKG0 [Zero]))
    }
    Method (T014, 0, NotSerialized)
    {
        Local1 = PKG0 [0x03]
        Return (DerefOf (Local1))
    }
    Method (T015, 0, NotSerialized)
    {
        Local0 = Buffer (0x02) { 0x01, 0x02 }
        Local0 = 0x0403
        Return (Local0)
    }
    Method (T016, 0, NotSerialized)
    {
        Local0 = Package () { 0x01, 0x02, 0x03 }
        Local1 = SizeOf (Local0)
        Return (Local1)
    }
}
