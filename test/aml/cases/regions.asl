// OperationRegion + Field: SystemMemory, SystemIO and PCI_Config regions;
// ByteAcc, WordAcc, DWordAcc and AnyAcc; Preserve, WriteAsZeros and
// WriteAsOnes update rules; Offset() and unnamed bit gaps; fields wider than
// their access size, fields crossing access boundaries, a 64-bit field read
// at revision 1 (comes back as a Buffer).
//
// Every simulated space starts zero-filled, in acpiexec and in our machine.
// SystemMemory behaves as RAM in both, so the memory tests write and read
// back. I/O ports and PCI configuration space read zero and drop writes in
// our machine while acpiexec keeps what was written: the I/O and PCI tests
// only read locations nothing writes, or write without reading back.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "REGIONS", 0x00000001)
{
    OperationRegion (MEM0, SystemMemory, 0x00500000, 0x40)
    // An overlay of the first 32 bytes as eight dwords, to read back what
    // the narrower fields wrote.
    Field (MEM0, DWordAcc, NoLock, Preserve)
    {
        MX00,   32,
        MX01,   32,
        MX02,   32,
        MX03,   32,
        MX04,   32,
        MX05,   32,
        MX06,   32,
        MX07,   32
    }
    Field (MEM0, ByteAcc, NoLock, Preserve)
    {
        MB00,   8,
        MB01,   4,
        MB02,   4,
        MB03,   16,
        MB04,   32
    }
    Field (MEM0, WordAcc, NoLock, WriteAsZeros)
    {
        Offset (0x08),
        MW00,   4,
        MW01,   4,
        Offset (0x0A),
        MW02,   16
    }
    Field (MEM0, DWordAcc, NoLock, WriteAsOnes)
    {
        Offset (0x0C),
        MD00,   8,
        ,       8,
        MD01,   8
    }
    Field (MEM0, AnyAcc, NoLock, Preserve)
    {
        Offset (0x10),
        MQ00,   64
    }
    Field (MEM0, ByteAcc, NoLock, Preserve)
    {
        Offset (0x18),
        ,       5,
        MBT0,   1,
        MBT1,   6
    }
    Field (MEM0, DWordAcc, NoLock, Preserve)
    {
        Offset (0x1C),
        ,       4,
        MUN0,   12
    }
    OperationRegion (IO00, SystemIO, 0x0700, 0x08)
    Field (IO00, ByteAcc, NoLock, Preserve)
    {
        IOB0,   8,
        IOB1,   8
    }
    Field (IO00, WordAcc, NoLock, Preserve)
    {
        Offset (0x02),
        IOW0,   16
    }
    Field (IO00, DWordAcc, NoLock, Preserve)
    {
        Offset (0x04),
        IOD0,   32
    }
    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_ADR, Zero)
            Device (S08)
            {
                Name (_ADR, 0x00010000)
                OperationRegion (P40C, PCI_Config, 0x60, 0x04)
                Field (P40C, ByteAcc, NoLock, Preserve)
                {
                    PRQ0,   8,
                    PRQ1,   8,
                    PRQ2,   8,
                    PRQ3,   8
                }
                Method (T000, 0, NotSerialized)
                {
                    Return (((PRQ0 | PRQ1) | PRQ3))
                }
            }
        }
    }
    Method (T001, 0, NotSerialized)
    {
        // Byte fields, including two nibbles of one byte (read-modify-write).
        MX00 = Zero
        MB00 = 0xAB
        MB01 = 0x05
        MB02 = 0x0C
        MB03 = 0x1234
        Return (MX00)
    }
    Method (T002, 0, NotSerialized)
    {
        // A 32-bit field through byte accesses.
        MB04 = 0xCAFEF00D
        Return (MX01)
    }
    Method (T003, 0, NotSerialized)
    {
        // WriteAsZeros: the rest of the accessed word is written as zeros.
        MX02 = 0xFFFFFFFF
        MW00 = 0x03
        Return (MX02)
    }
    Method (T004, 0, NotSerialized)
    {
        MX02 = 0xFFFFFFFF
        MW02 = 0x1234
        Local0 = Package (0x02) {}
        Local0 [Zero] = MX02
        Local0 [One] = MW02
        Return (Local0)
    }
    Method (T005, 0, NotSerialized)
    {
        // WriteAsOnes: the rest of the accessed dword is written as ones.
        MX03 = Zero
        MD00 = 0x12
        Return (MX03)
    }
    Method (T006, 0, NotSerialized)
    {
        // A 64-bit field at revision 1 reads as an 8-byte Buffer.
        MX04 = 0x44332211
        MX05 = 0x88776655
        Return (MQ00)
    }
    Method (T007, 0, NotSerialized)
    {
        // Bit fields in and across bytes.
        MX06 = Zero
        MBT0 = One
        MBT1 = 0x3F
        Local0 = Package (0x03) {}
        Local0 [Zero] = MX06
        Local0 [One] = MBT0
        Local0 [0x02] = MBT1
        Return (Local0)
    }
    Method (T008, 0, NotSerialized)
    {
        // A 12-bit field at bit 4 of a dword: read-modify-write keeps the rest.
        MX07 = 0xA000000F
        MUN0 = 0x0ABC
        Return (MX07)
    }
    Method (T009, 0, NotSerialized)
    {
        // Reads of I/O ports nothing has written.
        Return ((((IOB1 | IOW0) | IOD0) + 0x10))
    }
    Method (T010, 0, NotSerialized)
    {
        // I/O writes of whole access units (no read-modify-write).
        IOB0 = 0x5A
        Return (0x5A)
    }
    Method (T011, 0, NotSerialized)
    {
        // A field in a method-local Buffer, next to the region fields.
        MB00 = 0x77
        Local0 = Buffer (0x02) {}
        Local0 [One] = MB00
        Return (Local0)
    }
}
