// Notify (queued by the evaluation, reported in the "notify" list) on
// Devices, a Processor and a ThermalZone, from GPE methods and nested
// calls, with system (< 0x80) and device-specific values; and stores to the
// Debug object of every data type (output not compared, but they must not
// disturb the evaluation).
DefinitionBlock ("", "DSDT", 1, "CLNSF", "NOTIFY", 0x00000001)
{
    Scope (\_SB)
    {
        Device (VGEN)
        {
            Name (_HID, "QEMUVGID")
        }
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Device (S10)
            {
                Name (_ADR, 0x00020000)
            }
        }
    }
    Scope (\_PR)
    {
        Processor (CPU0, 0x00, 0x00000000, 0x00) {}
    }
    ThermalZone (\_TZ.TZ00)
    {
        Method (_TMP, 0, NotSerialized)
        {
            Return (0x0BB8)
        }
    }
    Method (HELP, 1, NotSerialized)
    {
        Notify (\_SB.PCI0.S10, Arg0)
    }
    Scope (\_GPE)
    {
        Method (_E05, 0, NotSerialized)
        {
            Notify (\_SB.VGEN, 0x80)
        }
        Method (_L01, 0, NotSerialized)
        {
            Notify (\_SB.PCI0, Zero)
            Notify (\_SB.PCI0.S10, One)
        }
    }
    Method (T000, 0, NotSerialized)
    {
        Notify (\_PR.CPU0, 0x81)
        Notify (\_TZ.TZ00, 0x82)
        Return (One)
    }
    Method (T001, 0, NotSerialized)
    {
        // Notify from a called method, in a loop.
        Local0 = Zero
        While ((Local0 < 0x03))
        {
            HELP ((0x80 + Local0))
            Local0++
        }
        Return (Local0)
    }
    Method (T002, 0, NotSerialized)
    {
        // The same notification twice is queued twice.
        Notify (\_SB.VGEN, 0x80)
        Notify (\_SB.VGEN, 0x80)
    }
    Method (T003, 0, NotSerialized)
    {
        Debug = "a string"
        Debug = 0x2A
        Debug = Buffer () { 0x01, 0x02 }
        Debug = Package () { One, "two" }
        Local0 = 0x05
        Debug = Local0
        Return (Local0)
    }
}
