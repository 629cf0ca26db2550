/*
 * Allocation-budget cases (test/unit/aml-errors.test.ts, test/integration/acpi.test.ts): loops whose
 * garbage grows with their iteration count. The kernel collects garbage only
 * between events, so one evaluation may allocate about 4 MiB; past that it
 * stops with a named error instead of exhausting the heap. Not in
 * test/aml/cases: acpiexec, with no such budget, runs them all to the end.
 */
DefinitionBlock ("", "SSDT", 2, "CLNSF", "LOOPS", 1)
{
    Method (LOOP, 1)
    {
        Local0 = 0
        While (Local0 < Arg0) { Local0++ }
        Return (Local0)
    }
    Method (LP4K, 0) { Return (LOOP (0x1000)) }     /* well inside the budget */
    Method (LP64, 0) { Return (LOOP (0xFFFF)) }     /* ~65k iterations: past it */
    Method (NEST, 0)                                /* 16M iterations: would exhaust any heap */
    {
        Local1 = 0
        While (Local1 < 0x100) { LOOP (0xFFFF)
            Local1++ }
        Return (Local1)
    }
    Method (CATS, 0)                                /* a string that doubles until it cannot */
    {
        Local0 = "x"
        While (One) { Concatenate (Local0, Local0, Local0) }
        Return (Local0)
    }
    Method (AFTR, 0) { Return (0x2A) }
}
