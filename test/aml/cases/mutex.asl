// Mutex with Acquire / Release (QEMU's hotplug methods guard their I/O
// with them), Acquire's timeout result, nesting the same mutex, Serialized
// methods calling each other, and the global lock \_GL.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "MUTEX", 0x00000001)
{
    Mutex (MTX0, 0x00)
    Mutex (MTX1, 0x01)
    Name (CNT0, Zero)
    Method (BUMP, 0, Serialized)
    {
        CNT0++
        Return (CNT0)
    }
    Method (T000, 0, NotSerialized)
    {
        // Acquire returns Zero (success) when it gets the mutex.
        Local0 = Acquire (MTX0, 0xFFFF)
        CNT0 += 0x10
        Release (MTX0)
        Return (Local0)
    }
    Method (T001, 0, NotSerialized)
    {
        // The owner may acquire the same mutex again.
        Local0 = Acquire (MTX0, 0xFFFF)
        Local1 = Acquire (MTX0, Zero)
        Release (MTX0)
        Release (MTX0)
        Return (((Local0 * 0x10) + Local1))
    }
    Method (T002, 0, NotSerialized)
    {
        // Holding MTX0 (SyncLevel 0), acquiring MTX1 (SyncLevel 1) is allowed.
        Acquire (MTX0, 0xFFFF)
        Local0 = Acquire (MTX1, 0xFFFF)
        Release (MTX1)
        Release (MTX0)
        Return (Local0)
    }
    Method (T003, 0, Serialized)
    {
        // A Serialized method calling another Serialized method.
        Local0 = BUMP ()
        Return ((BUMP () + Local0))
    }
    Method (T004, 0, NotSerialized)
    {
        Local0 = Acquire (\_GL, 0xFFFF)
        Release (\_GL)
        Return (Local0)
    }
    Method (T005, 0, NotSerialized)
    {
        // After all the Acquire/Release pairs above, the mutex is free again.
        Local0 = Acquire (MTX0, Zero)
        Release (MTX0)
        Return (Local0)
    }
    Method (T006, 0, NotSerialized)
    {
        // Holding MTX1 (SyncLevel 1), acquiring MTX0 (SyncLevel 0) breaks the
        // ordering rule of ACPI 6.x Acquire: the method aborts with an error.
        Acquire (MTX1, 0xFFFF)
        Local0 = Acquire (MTX0, 0xFFFF)
        Release (MTX0)
        Release (MTX1)
        Return (Local0)
    }
}
