// Names, scopes and the namespace shapes the QEMU fixtures use: Device,
// Processor, Method, Scope with absolute and relative paths, Name inside
// methods (a temporary object), EisaId, prefix paths (^ and \), and the
// other named object kinds whose type the `namespace` listing spells out.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "NAMES", 0x00000001)
{
    Name (VAL0, 0x10)
    Name (STR0, "root")
    Scope (\_SB)
    {
        Name (VAL1, 0x11)
        Device (DEV0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
            Name (VAL2, 0x12)
            Device (SUB0)
            {
                Name (_ADR, 0x00010002)
                Method (T000, 0, NotSerialized)
                {
                    // Relative name lookup walks up the scopes.
                    Return (VAL2)
                }
                Method (T001, 0, NotSerialized)
                {
                    // Inside a method the method itself is the scope: ^ is SUB0.
                    Return (^^^VAL1)
                }
                Method (T002, 0, NotSerialized)
                {
                    Return (\VAL0)
                }
            }
            Method (T003, 0, NotSerialized)
            {
                // A multi-segment relative path is not searched upwards.
                Return (^SUB0._ADR)
            }
        }
        Device (DEV1)
        {
            Name (_HID, "PNP0C02")
            Name (_CID, EisaId ("PNP0C01"))
            Name (VAL2, 0x22)
            Method (T004, 0, NotSerialized)
            {
                // Same name in a sibling scope: the nearest one wins.
                Return (VAL2)
            }
        }
        Method (T005, 0, NotSerialized)
        {
            Return (^DEV0.VAL2)
        }
    }
    // A Scope re-opened, and objects created from outside their scope.
    Scope (\_SB.DEV0)
    {
        Name (VAL3, 0x13)
    }
    Name (\_SB.DEV1.VAL4, 0x14)
    Method (\_SB.DEV1.T006, 0, NotSerialized)
    {
        Return ((VAL4 + VAL2))
    }
    Scope (\_PR)
    {
        Processor (CPU0, 0x00, 0x0000B010, 0x06)
        {
            Name (_HID, "ACPI0007")
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
        }
        Processor (CPU1, 0x01, 0x00000000, 0x00) {}
    }
    Scope (\_GPE)
    {
        Method (_E07, 0, NotSerialized)
        {
            Notify (\_SB.DEV0, 0x80)
        }
    }
    // Name inside a method: created on each call, gone afterwards.
    Method (T007, 0, NotSerialized)
    {
        Name (TMP0, 0x2A)
        Name (TMP1, Package (0x02) { 0x01, "two" })
        TMP0 = (TMP0 + SizeOf (TMP1))
        Return (TMP0)
    }
    Method (T008, 0, Serialized)
    {
        Name (TMP2, Buffer (0x03) { 0x01, 0x02, 0x03 })
        Return (TMP2)
    }
    Method (T009, 0, NotSerialized)
    {
        // Calling twice recreates the temporary name each time.
        Local0 = T007 ()
        Return ((Local0 + T007 ()))
    }
    // Other named objects: their types in the listing.
    Mutex (MTX0, 0x00)
    Event (EVT0)
    PowerResource (PWR0, 0x00, 0x0000)
    {
        Method (_STA, 0, NotSerialized)
        {
            Return (One)
        }
        Method (_ON, 0, NotSerialized) {}
        Method (_OFF, 0, NotSerialized) {}
    }
    ThermalZone (\_TZ.TZ00)
    {
        Method (_TMP, 0, NotSerialized)
        {
            Return (0x0BB8)
        }
    }
    Name (EID0, EisaId ("QEM0001"))
    Name (EID1, EisaId ("XEN0000"))
    Name (EID2, EisaId ("PNP0501"))
}
