// Hostile Generic Event Devices (issue 19): a GSI no interrupt controller
// reaches, a GED without _EVT, a _CRS without an End Tag and one that is
// not a Buffer, and an _EVT that fails on every interrupt while sharing
// COM1's interrupt (GSI 4). Each is one log line at boot; the failing _EVT
// is called on each COM1 interrupt until it has failed 8 times in a row,
// then not again, and the shell keeps answering on the line they share
// (test/integration/platforms.test.ts). On pc and q35 the 8259 routes GEDs:
// GSI 60 is beyond it. (microvm's QEMU builder ignores -acpitable; the
// IOAPIC path's "on no IOAPIC" case runs on the simulated machine.)
// expect boot: irq: \_SB_.GEDA interrupt: GSI 60 is not an 8259 input (0-15); not routed
// expect boot: ged: \_SB_.GEDB has no _EVT method of one argument; its interrupts are not routed
// expect boot: ged: \_SB_.GEDC._CRS: no End Tag before the template's end at offset 0x9; using the interrupts before it
// expect boot: ged: \_SB_.GEDD._CRS is of type Integer, not a resource template Buffer; no interrupts routed
// expect boot: ged: \_SB_.GEDC (ACPI0013): IRQ 6 (level, active-high, 8259 PIC) -> _EVT(6)
// expect boot: ged: \_SB_.GEDE (ACPI0013): IRQ 4 (edge, active-high, 8259 PIC) -> _EVT(4)
// expect \AFTR: result {"type":"Integer","value":"0x2a"}
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HGED", 1)
{
    Device (\_SB.GEDA)
    {
        Name (_HID, "ACPI0013")
        Name (_CRS, ResourceTemplate () { Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 60 } })
        Method (_EVT, 1) { }
    }
    Device (\_SB.GEDB)
    {
        Name (_HID, "ACPI0013")
        Name (_CRS, ResourceTemplate () { Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 5 } })
    }
    Device (\_SB.GEDC)
    {
        Name (_HID, "ACPI0013")
        /* An Extended Interrupt descriptor for GSI 6 and no End Tag. */
        Name (_CRS, Buffer () { 0x89, 0x06, 0x00, 0x01, 0x01, 0x06, 0x00, 0x00, 0x00 })
        Method (_EVT, 1) { }
    }
    Device (\_SB.GEDD)
    {
        Name (_HID, "ACPI0013")
        Name (RCRS, 0x1234)
        Method (_CRS, 0, Serialized) { Return (RCRS) }
        Method (_EVT, 1) { }
    }
    Device (\_SB.GEDE)
    {
        Name (_HID, "ACPI0013")
        Name (_CRS, ResourceTemplate () { Interrupt (ResourceConsumer, Edge, ActiveHigh, Shared, ,, ) { 4 } })
        /* Beyond the memory the kernel maps: every call fails with a named error. */
        OperationRegion (R4G, SystemMemory, 0xFFFFFFFC, 8)
        Field (R4G, QWordAcc, NoLock, Preserve) { Q4G, 64 }
        Method (_EVT, 1) { Local0 = Q4G }
    }
    Method (\AFTR, 0) { Return (0x2A) }
}
