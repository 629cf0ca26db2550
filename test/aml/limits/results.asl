/*
 * Result-size cases: the serial shell prints results up to 16 KiB of JSON
 * and refuses larger ones by name (the kernel must not build a line of
 * megabytes); Packages that name each other in a cycle print to a depth of
 * 16, then "omitted". Host CLI: test/unit/aml-errors.test.ts; kernel:
 * test/integration/acpi.test.ts.
 */
DefinitionBlock ("", "SSDT", 2, "CLNSF", "RESULTS", 1)
{
    Method (BIGB, 0) { Return (Buffer (0x100000) {}) }      /* 1 MiB */
    Method (SMLB, 0) { Return (Buffer (0x1000) {}) }        /* 8 KiB of hex: printed */
    Method (BIGP, 0)
    {
        Local0 = Package (0x10) {}
        Local1 = 0
        While (Local1 < 0x10) { Local0[Local1] = Buffer (0x10000) {}
            Local1++ }
        Return (Local0)
    }
    Name (PKA, Package () { PKB, 1 })
    Name (PKB, Package () { PKA, 2 })
}
