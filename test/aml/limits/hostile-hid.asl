// Hostile identification methods (issue 12): six devices whose _HID methods
// each allocate about 1.5 MiB, all evaluated in one event (boot's device
// discovery evaluates them before it reaches vmgenid's: \_PR_ comes before
// \_SB_). The budget belongs to the event, and identification objects (_HID,
// _CID, _UID, _ADR, _STA, ...) may use only a small part of it: each of these
// fails by name, and the boot completes and finds vmgenid.
// expect boot: vmgenid: \_SB_.VGEN (QEMUVGID) guid=
// expect \_PR.HID0._HID: error _HID may allocate at most 128 KiB; Buffer of 524288 bytes would allocate
// expect \_PR.HID5._HID: error _HID may allocate at most 128 KiB; Buffer of 524288 bytes would allocate
// expect \AFTR: result {"type":"Integer","value":"0x2a"}
DefinitionBlock ("", "SSDT", 2, "CLNSF", "HHID", 1)
{
    Method (WAST, 0)
    {
        Local0 = Buffer (0x80000) {}
        Local1 = Buffer (0x80000) {}
        Local2 = Buffer (0x80000) {}
        Return ("PNP0C02")
    }
    Scope (\_PR)
    {
        Device (HID0) { Method (_HID, 0) { Return (WAST ()) } }
        Device (HID1) { Method (_HID, 0) { Return (WAST ()) } }
        Device (HID2) { Method (_HID, 0) { Return (WAST ()) } }
        Device (HID3) { Method (_HID, 0) { Return (WAST ()) } }
        Device (HID4) { Method (_HID, 0) { Return (WAST ()) } }
        Device (HID5) { Method (_HID, 0) { Return (WAST ()) } }
    }
    Method (AFTR, 0) { Return (0x2A) }
}
