// A Generic Event Device whose _EVT never returns (issue 19), on COM1's
// interrupt (GSI 4): each call is stopped by the AML work limit with a
// named error, and after 8 in a row it is not called again; the shell
// keeps answering on the shared line (test/integration/platforms.test.ts).
// expect boot: ged: \_SB_.GEDL (ACPI0013): IRQ 4 (edge, active-high, 8259 PIC) -> _EVT(4)
// expect \AFTR: result {"type":"Integer","value":"0x2a"}
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HGEDLOOP", 1)
{
    Device (\_SB.GEDL)
    {
        Name (_HID, "ACPI0013")
        Name (_CRS, ResourceTemplate () { Interrupt (ResourceConsumer, Edge, ActiveHigh, Shared, ,, ) { 4 } })
        Name (CNT, 0)
        Method (_EVT, 1) { While (One) { CNT++ } }
    }
    Method (\AFTR, 0) { Return (0x2A) }
}
