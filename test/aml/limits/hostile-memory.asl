// Hostile allocations (issue 12): results whose size the firmware decides.
// The interpreter reserves what an operation is about to allocate from the
// event's budget first, and refuses it by name when it does not fit, so the
// kernel's heap (16 MiB, collected only between events) is never exhausted.
// Host and QEMU runs as in hostile-index.asl.
// expect \AL00: error ToHexString of a 1048576-byte Buffer would allocate
// expect \AL01: error ToDecimalString of a 1048576-byte Buffer would allocate
// expect \AL02: error converting a 1048576-byte Buffer to a String would allocate
// expect \AL03: error reading a 134217728-bit field would allocate 16777312 bytes
// expect \AL04: error 1048576-byte Buffer would allocate
// expect \AL05: result {"type":"Integer","value":"0x2a"}
// expect \AL06: error Concatenate of a 1048576-byte and a 1048576-byte Buffer would allocate
// expect \AFTR: result {"type":"Integer","value":"0x2a"}
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HMEMORY", 1)
{
    Method (BIG, 0) { Return (Buffer (0x100000) {}) }
    Method (AL00, 0) { Return (ToHexString (BIG ())) }
    Method (AL01, 0) { Return (ToDecimalString (BIG ())) }
    Method (AL02, 0) { Return (Concatenate ("x", BIG ())) }
    /* A 128 Mbit field: its value would be a 16 MiB Buffer. */
    OperationRegion (RBIG, SystemMemory, 0x10000000, 0x10000000)
    Field (RBIG, ByteAcc, NoLock, Preserve) { FBIG, 0x08000000 }
    Method (AL03, 0) { Return (FBIG) }
    /* Four live 1 MiB Buffers in one evaluation, each also copied by its store: they do not fit. */
    Method (AL04, 0)
    {
        Local0 = BIG ()
        Local1 = BIG ()
        Local2 = BIG ()
        Local3 = BIG ()
        Return (SizeOf (Local3))
    }
    /* One 1 MiB Buffer (and its copy) fits. */
    Method (AL05, 0) { Local0 = BIG ()
        Return (0x2A) }
    Method (AL06, 0) { Return (Concatenate (BIG (), BIG ())) }
    Method (AFTR, 0) { Return (0x2A) }
}
