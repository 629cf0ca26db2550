// Hostile field chains (issue 12): an IndexField whose index and data are
// themselves IndexFields doubles the accesses at every level (2^n for a
// chain of n), and a long chain recurses as deep as it is long. Chains are
// bounded when they are defined (at most 4 fields deep), and every field
// access counts as work against the event's limit. Host and QEMU runs as in
// hostile-index.asl.
// expect \IF04: result {"type":"Integer","value":"0x0"}
// expect \IF05: error IndexField chain
// expect \BF05: error BankField chain
// expect \FW00: error of this event's 4 MiB AML budget
// expect \FW01: error AML work limit reached: 524288 terms and field accesses in one event
// expect \AFTR: result {"type":"Integer","value":"0x2a"}
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HFIELDS", 1)
{
    OperationRegion (RIO, SystemIO, 0x0510, 2)
    Field (RIO, ByteAcc, NoLock, Preserve) { IDX0, 8, DAT0, 8 }
    IndexField (IDX0, DAT0, ByteAcc, NoLock, Preserve) { IDX1, 8, DAT1, 8 }
    IndexField (IDX1, DAT1, ByteAcc, NoLock, Preserve) { IDX2, 8, DAT2, 8 }
    IndexField (IDX2, DAT2, ByteAcc, NoLock, Preserve) { IDX3, 8, DAT3, 8 }
    IndexField (IDX3, DAT3, ByteAcc, NoLock, Preserve) { IDX4, 8, DAT4, 8 }
    Method (IF04, 0) { Return (DAT4 & 0) }
    /* Fifth level: refused when defined, and so is everything built on it. */
    Method (IF05, 0)
    {
        IndexField (IDX4, DAT4, ByteAcc, NoLock, Preserve) { IDX5, 8, DAT5, 8 }
        Return (DAT5)
    }
    Field (RIO, ByteAcc, NoLock, Preserve) { BNK0, 8 }
    BankField (RIO, BNK0, 0, ByteAcc, NoLock, Preserve) { Offset (1), BNK1, 8 }
    BankField (RIO, BNK1, 0, ByteAcc, NoLock, Preserve) { Offset (1), BNK2, 8 }
    BankField (RIO, BNK2, 0, ByteAcc, NoLock, Preserve) { Offset (1), BNK3, 8 }
    BankField (RIO, BNK3, 0, ByteAcc, NoLock, Preserve) { Offset (1), BNK4, 8 }
    Method (BF05, 0)
    {
        BankField (RIO, BNK4, 0, ByteAcc, NoLock, Preserve) { Offset (1), BNK5, 8 }
        Return (BNK5)
    }
    /* A wide field over the deepest allowed chain: 16 accesses per byte, and their temporaries. */
    IndexField (IDX3, DAT3, ByteAcc, NoLock, Preserve) { WIDE, 0x100000 }
    Method (FW00, 0) { Return (SizeOf (WIDE)) }
    /* A plain memory field of 512 KiB and one byte: one term, 524289 accesses. */
    OperationRegion (RMEM, SystemMemory, 0x00100000, 0x00080001)
    Field (RMEM, ByteAcc, NoLock, Preserve) { FMEM, 0x00400008 }
    Method (FW01, 0) { Return (SizeOf (FMEM)) }
    Method (AFTR, 0) { Return (0x2A) }
}
