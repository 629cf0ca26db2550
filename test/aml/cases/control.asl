// Control flow and method frames: If / Else / ElseIf, While with Break and
// Continue, Return from inside loops, all eight locals, all seven
// arguments, method calls with arguments (by value), bounded recursion,
// and a method that returns nothing.
DefinitionBlock ("", "DSDT", 1, "CLNSF", "CONTROL", 0x00000001)
{
    Name (GLB0, Zero)
    Method (CLAS, 1, NotSerialized)
    {
        If ((Arg0 == Zero))
        {
            Return ("zero")
        }
        ElseIf ((Arg0 == One))
        {
            Return ("one")
        }
        ElseIf ((Arg0 < 0x0A))
        {
            Return ("small")
        }
        Else
        {
            Return ("big")
        }
    }
    Method (SUM7, 7, NotSerialized)
    {
        Return (((((((Arg0 + Arg1) + Arg2) + Arg3) + Arg4) + Arg5) + Arg6))
    }
    Method (FACT, 1, NotSerialized)
    {
        If ((Arg0 <= One))
        {
            Return (One)
        }
        Return ((Arg0 * FACT ((Arg0 - One))))
    }
    Method (MODA, 1, NotSerialized)
    {
        // Arguments are passed by value: this changes only the callee's copy.
        Arg0 = 0x63
        Return (Arg0)
    }
    Method (T000, 0, NotSerialized)
    {
        Local0 = Package (0x04) {}
        Local0 [Zero] = CLAS (Zero)
        Local0 [One] = CLAS (One)
        Local0 [0x02] = CLAS (0x05)
        Local0 [0x03] = CLAS (0x0A)
        Return (Local0)
    }
    Method (T001, 0, NotSerialized)
    {
        Return (SUM7 (One, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07))
    }
    Method (T002, 0, NotSerialized)
    {
        Return (FACT (0x0A))
    }
    Method (T003, 0, NotSerialized)
    {
        Local0 = 0x05
        Local1 = MODA (Local0)
        Return (((Local0 * 0x0100) + Local1))
    }
    Method (T004, 0, NotSerialized)
    {
        // While with Break.
        Local0 = Zero
        While (One)
        {
            Local0++
            If ((Local0 >= 0x11))
            {
                Break
            }
        }
        Return (Local0)
    }
    Method (T005, 0, NotSerialized)
    {
        // While with Continue: sum of the odd numbers below 20.
        Local0 = Zero
        Local1 = Zero
        While ((Local0 < 0x14))
        {
            Local0++
            If (((Local0 & One) == Zero))
            {
                Continue
            }
            Local1 += Local0
        }
        Return (Local1)
    }
    Method (T006, 0, NotSerialized)
    {
        // Return from inside nested loops.
        Local0 = Zero
        While ((Local0 < 0x0A))
        {
            Local1 = Zero
            While ((Local1 < 0x0A))
            {
                If (((Local0 * Local1) == 0x18))
                {
                    Return (((Local0 * 0x10) + Local1))
                }
                Local1++
            }
            Local0++
        }
        Return (Ones)
    }
    Method (T007, 0, NotSerialized)
    {
        Local0 = One
        Local1 = 0x02
        Local2 = 0x03
        Local3 = 0x04
        Local4 = 0x05
        Local5 = 0x06
        Local6 = 0x07
        Local7 = 0x08
        Return ((((((((Local0 + Local1) + Local2) + Local3) + Local4) + Local5) + Local6) + Local7))
    }
    Method (T008, 0, NotSerialized)
    {
        // A method with no Return: the caller gets nothing.
        GLB0 = 0x2A
    }
    Method (T009, 0, NotSerialized)
    {
        // If with no Else, false branch; nested If/Else.
        Local0 = 0x03
        If ((Local0 == 0x04))
        {
            Local0 = 0x63
        }
        If ((Local0 == 0x03))
        {
            If ((Local0 > 0x05))
            {
                Local0 = 0x64
            }
            Else
            {
                Local0 = 0x65
            }
        }
        Return (Local0)
    }
    Method (T010, 0, NotSerialized)
    {
        // Loops building a package, QEMU _PRT style.
        Local0 = Package (0x08) {}
        Local1 = Zero
        While ((Local1 < 0x08))
        {
            Local2 = ((Local1 + (Local1 >> 0x02)) & 0x03)
            Local0 [Local1] = Local2
            Local1++
        }
        Return (Local0)
    }
    Method (T011, 0, NotSerialized)
    {
        // Method calls as arguments of method calls.
        Return (SUM7 (FACT (0x03), FACT (0x04), Zero, Zero, Zero, Zero, One))
    }
    Method (T012, 0, Serialized)
    {
        Local0 = "unset"
        Local1 = 0x02
        While (Local1)
        {
            Local1--
            Local0 = CLAS (Local1)
        }
        Return (Local0)
    }
    Method (T013, 0, NotSerialized)
    {
        // Sees the named object T008 changed when it ran before this one.
        Return (GLB0)
    }
}
