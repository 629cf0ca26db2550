// Data objects: Integer encodings (Zero, One, Ones, Byte/Word/DWord
// constants), Strings, Buffers (initializer shorter than the size, empty,
// ResourceTemplate, ToUUID), Packages (nested, sized larger than their
// initializers, name references as elements), read as named objects and
// returned from methods. Revision 1: 32-bit integers, Ones = 0xFFFFFFFF.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "DATA", 0x00000001)
{
    Name (INT0, Zero)
    Name (INT1, One)
    Name (INT2, Ones)
    Name (INT3, 0x7F)
    Name (INT4, 0x1234)
    Name (INT5, 0x7FFF028)
    Name (INT6, 0xFFFFFFFF)
    Name (STR0, "")
    Name (STR1, "VM_Gen_Counter")
    Name (STR2, "tab\there \"quoted\" back\\slash")
    Name (BUF0, Buffer (0x08) { 0x01, 0x02, 0x03 })
    Name (BUF1, Buffer (0x02) { 0xDE, 0xAD })
    Name (BUF2, Buffer (Zero) {})
    Name (BUF3, Buffer () { 0x00, 0xFF, 0x80, 0x7F, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0 })
    Name (BUF4, "abc")
    Name (RES0, ResourceTemplate ()
    {
        IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
        IRQNoFlags () {9}
        Memory32Fixed (ReadOnly, 0xFED00000, 0x00000400)
    })
    Name (UID0, ToUUID ("324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87"))
    Name (PKG0, Package (0x03) { 0x01, "two", Buffer (0x01) { 0x03 } })
    Name (PKG1, Package (0x04) { 0x0A })
    Name (PKG2, Package () { Package () { 0x01, Package () { 0x02, "deep" } }, Package (0x00) {} })
    Name (PKG3, Package () { INT4, STR1, BUF1, PKG0 })
    Device (DEV0)
    {
        Name (_HID, "PNP0C02")
    }
    Name (PKG4, Package () { DEV0, \_SB, 0x05 })
    Name (PKG5, Package () { 0x00, 0x01, 0xFF, 0x0100, 0xFFFF, 0x00010000, 0xFFFFFFFF })
    Method (T000, 0, NotSerialized)
    {
        Return (Package () { One, Zero, Ones })
    }
    Method (T001, 0, NotSerialized)
    {
        Return (Buffer (0x05) { 0xAA })
    }
    Method (T002, 0, NotSerialized)
    {
        Return ("from a method")
    }
    Method (T003, 0, NotSerialized)
    {
        Return (PKG3)
    }
    Method (T004, 0, NotSerialized)
    {
        // A Package built at run time from the values of named objects.
        Local0 = Package () { INT5, STR0 }
        Return (Local0)
    }
    Method (T005, 0, NotSerialized)
    {
        Return (Package (0x02) {})
    }
    Method (T006, 0, NotSerialized)
    {
        // Buffer whose size is computed at run time.
        Local0 = 0x04
        Local1 = Buffer (Local0) { 0x09 }
        Return (Local1)
    }
    Method (T007, 0, NotSerialized)
    {
        // Named objects are copied by Store: changing the copy leaves the name alone.
        Local0 = BUF1
        Local0 [Zero] = 0x11
        Local1 = Package (0x02) {}
        Local1 [Zero] = BUF1
        Local1 [One] = Local0
        Return (Local1)
    }
    Method (T008, 0, NotSerialized)
    {
        Return (RES0)
    }
    Method (T009, 0, NotSerialized)
    {
        Return (Package () { "a", "b", Package () { "c" } })
    }
    Method (T010, 0, NotSerialized)
    {
        Return (Ones)
    }
}
