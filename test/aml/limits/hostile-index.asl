// Hostile operands that index or size (issue 12): every integer that picks
// an element, a bit or a length is checked as the 64-bit (or, under a
// revision-1 DSDT, 32-bit) value it is, never cast to i32 first.
// Run on the host build (test/unit/aml-limits.test.ts, over QEMU pc's own
// DSDT and SSDT so integers are 32 bits wide, as in the guest) and in QEMU
// on the real image through -acpitable (test/integration/aml-limits.test.ts).
// expect \MT00: error Match start index 0xffffffff is beyond the end of a Package of 3
// expect \MT01: error Match start index 0x80000000 is beyond the end of a Package of 3
// expect \MT02: result {"type":"Integer","value":"0x2"}
// expect \MT03: result {"type":"Integer","value":"0xffffffff"}
// expect \IX00: error Index 4294967295 is beyond the end of a Package of 3
// expect \MD00: result {"type":"String","value":"cdef"}
// expect \MD01: result {"type":"Buffer","value":""}
// expect \MD02: result {"type":"String","value":""}
// expect \CF00: error buffer field at bit 16 length 4294967288 runs past the end of a 4-byte Buffer
// expect \CF01: error buffer field at bit 34359738360 length 32 runs past the end of a 4-byte Buffer
// expect \TS00: result {"type":"String","value":"AB"}
// expect \AFTR: result {"type":"Integer","value":"0x2a"}
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HINDEX", 1)
{
    Name (PKG0, Package () { 1, 2, 3 })
    Method (MT00, 0) { Local0 = 0xFFFFFFFF
        Return (Match (PKG0, MEQ, 2, MTR, 0, Local0)) }
    Method (MT01, 0) { Local0 = 0x80000000
        Return (Match (PKG0, MEQ, 2, MTR, 0, Local0)) }
    Method (MT02, 0) { Return (Match (PKG0, MEQ, 3, MTR, 0, 1)) }
    Method (MT03, 0) { Return (Match (PKG0, MEQ, 1, MTR, 0, 1) & 0xFFFFFFFF) }
    Method (IX00, 0) { Local0 = 0xFFFFFFFF
        Return (DerefOf (Index (PKG0, Local0))) }
    Method (MD00, 0) { Local0 = 0xFFFFFFFF
        Return (Mid ("abcdef", 2, Local0)) }
    Method (MD01, 0) { Local0 = 0xFFFFFFFF
        Return (Mid (Buffer () { 1, 2, 3, 4 }, Local0, 2)) }
    Method (MD02, 0) { Local0 = 0xFFFFFFFF
        Return (Mid ("abcdef", Local0, Local0)) }
    Method (CF00, 0) { Local0 = Buffer (4) {}
        Local1 = 0xFFFFFFF8
        CreateField (Local0, 16, Local1, FLD0)
        Return (FLD0) }
    Method (CF01, 0) { Local0 = Buffer (4) {}
        Local1 = 0xFFFFFFFF
        CreateDWordField (Local0, Local1, FLD1)
        Return (FLD1) }
    Method (TS00, 0) { Local0 = 0xFFFFFFFF
        Return (ToString (Buffer () { 0x41, 0x42 }, Local0)) }
    Method (AFTR, 0) { Return (0x2A) }
}
