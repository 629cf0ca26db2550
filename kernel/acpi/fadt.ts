// Decoding the Fixed ACPI Description Table ("FACP"), revisions 1 to 6.
// Field presence is decided by the table's length, not its revision: a field
// is read only if it lies wholly inside the copy, so a 116-byte revision-1
// FADT yields zeros for every ACPI 2.0 field. Where both exist, the 64-bit
// X_ field wins when it is non-zero (ACPI 6.5 §5.2.9).
// Owns: the FADT's meaning. May call: the bounded readers of tables.ts and
// the error list. Never: touches hardware — it only says where the
// registers are; acpi/events decides what to do with them.

import { AcpiErrors, AcpiTable, fieldFits, readU16, readU32, readU64, readU8 } from "./tables";

/** Generic Address Structure address space ids (ACPI 6.5 §5.2.3.2). */
export const ADDRESS_SPACE_MEMORY: u8 = 0;
export const ADDRESS_SPACE_IO: u8 = 1;

/** Flags bit 20: no fixed hardware, no GPE/PM1 blocks (e.g. QEMU microvm). */
export const FADT_FLAG_HW_REDUCED_ACPI: u32 = 1 << 20;

/** Everything before Flags and Flags itself: the whole ACPI 1.0 table. */
export const FADT_REVISION_1_LENGTH: u32 = 116;

export const REASON_SHORT_FADT = "short-fadt";

// Offsets of the fields this decoder reads (ACPI 6.5 Table 5.9).
const FIRMWARE_CTRL: u32 = 36;
const DSDT: u32 = 40;
const SCI_INT: u32 = 46;
const SMI_CMD: u32 = 48;
const ACPI_ENABLE: u32 = 52;
const ACPI_DISABLE: u32 = 53;
const PM1A_EVT_BLK: u32 = 56;
const PM1B_EVT_BLK: u32 = 60;
const PM1A_CNT_BLK: u32 = 64;
const PM1B_CNT_BLK: u32 = 68;
const GPE0_BLK: u32 = 80;
const GPE1_BLK: u32 = 84;
const PM1_EVT_LEN: u32 = 88;
const PM1_CNT_LEN: u32 = 89;
const GPE0_BLK_LEN: u32 = 92;
const GPE1_BLK_LEN: u32 = 93;
const GPE1_BASE: u32 = 94;
const FLAGS: u32 = 112;
const X_FIRMWARE_CTRL: u32 = 132;
const X_DSDT: u32 = 140;
const X_PM1A_EVT_BLK: u32 = 148;
const X_PM1B_EVT_BLK: u32 = 160;
const X_PM1A_CNT_BLK: u32 = 172;
const X_PM1B_CNT_BLK: u32 = 184;
const X_GPE0_BLK: u32 = 220;
const X_GPE1_BLK: u32 = 232;
/** ACPI 5.0: the sleep control and status registers of hardware-reduced platforms. */
const SLEEP_CONTROL_REG: u32 = 244;
const SLEEP_STATUS_REG: u32 = 256;
/** Flags bit 4: the power button is a control-method device, not the fixed PWRBTN_STS event. */
export const FADT_FLAG_PWR_BUTTON: u32 = 1 << 4;

/** Generic Address Structure: space id, bit width, bit offset, access size, address. */
const GAS_LENGTH: u32 = 12;
const GAS_BIT_WIDTH: u32 = 1;
const GAS_ADDRESS: u32 = 4;

/** Where one fixed register block is. `address` 0 means the block is absent. */
export class RegisterBlock {
  constructor(
    /** ADDRESS_SPACE_IO for every legacy 32-bit field; the GAS's id for X_ fields. */
    public addressSpace: u8,
    public address: u64,
    /** Bytes, from the FADT's *_LEN field (or the GAS bit width when that is 0). */
    public length: u8,
    /** True when the address came from the 64-bit X_ field. */
    public fromExtendedField: bool,
  ) {}

  get present(): bool {
    return this.address != 0;
  }

  get isIo(): bool {
    return this.addressSpace == ADDRESS_SPACE_IO;
  }
}

export class Fadt {
  constructor(
    public revision: u8,
    public length: u32,
    /** X_DSDT when non-zero, else DSDT. */
    public dsdtAddress: u64,
    /** X_FIRMWARE_CTRL when non-zero, else FIRMWARE_CTRL; 0 when there is no FACS. */
    public facsAddress: u64,
    /** The SCI's interrupt: an ISA IRQ on PC-AT machines (see MADT overrides). */
    public sciInt: u16,
    /** The I/O port for ACPI_ENABLE/ACPI_DISABLE; 0 when ACPI is always on. */
    public smiCmd: u32,
    public acpiEnable: u8,
    public acpiDisable: u8,
    public pm1aEvtBlk: RegisterBlock,
    public pm1bEvtBlk: RegisterBlock,
    public pm1aCntBlk: RegisterBlock,
    public pm1bCntBlk: RegisterBlock,
    public gpe0Blk: RegisterBlock,
    public gpe1Blk: RegisterBlock,
    public pm1EvtLen: u8,
    public pm1CntLen: u8,
    /** Bytes; half are status registers, half enable registers. */
    public gpe0BlkLen: u8,
    public gpe1BlkLen: u8,
    /** The GPE number of GPE1's first bit. */
    public gpe1Base: u8,
    public flags: u32,
    /** Hardware-reduced sleep control register (absent: address 0). */
    public sleepControl: RegisterBlock = new RegisterBlock(ADDRESS_SPACE_MEMORY, 0, 0, true),
    public sleepStatus: RegisterBlock = new RegisterBlock(ADDRESS_SPACE_MEMORY, 0, 0, true),
  ) {}

  /** True when the power button is the fixed-feature event (PM1 PWRBTN_STS). */
  get fixedPowerButton(): bool {
    return !this.hardwareReduced && (this.flags & FADT_FLAG_PWR_BUTTON) == 0;
  }

  get hardwareReduced(): bool {
    return (this.flags & FADT_FLAG_HW_REDUCED_ACPI) != 0;
  }
}

/**
 * The block at the X_ GAS when it fits in the table and its address is
 * non-zero, else the legacy 32-bit I/O port field.
 */
function registerBlock(bytes: Uint8Array, legacyOffset: u32, extendedOffset: u32, lengthField: u8): RegisterBlock {
  if (fieldFits(bytes, extendedOffset, GAS_LENGTH)) {
    const address = readU64(bytes, extendedOffset + GAS_ADDRESS);
    if (address != 0) {
      const bitWidth = readU8(bytes, extendedOffset + GAS_BIT_WIDTH);
      const length = lengthField != 0 ? lengthField : bitWidth / 8;
      return new RegisterBlock(readU8(bytes, extendedOffset), address, length, true);
    }
  }
  return new RegisterBlock(ADDRESS_SPACE_IO, <u64>readU32(bytes, legacyOffset), lengthField, false);
}

/** A Generic Address Structure on its own (no legacy field): absent when it does not fit or its address is 0. */
function gasBlock(bytes: Uint8Array, offset: u32): RegisterBlock {
  if (!fieldFits(bytes, offset, GAS_LENGTH)) return new RegisterBlock(ADDRESS_SPACE_MEMORY, 0, 0, true);
  const bitWidth = readU8(bytes, offset + GAS_BIT_WIDTH);
  return new RegisterBlock(readU8(bytes, offset), readU64(bytes, offset + GAS_ADDRESS), max<u8>(1, bitWidth / 8), true);
}

/** A 64-bit X_ pointer when it fits and is non-zero, else the 32-bit one. */
function preferExtended(bytes: Uint8Array, legacyOffset: u32, extendedOffset: u32): u64 {
  const extended = readU64(bytes, extendedOffset);
  return extended != 0 ? extended : <u64>readU32(bytes, legacyOffset);
}

/** Decodes a FADT that passed its checksum. Fields outside its length read as 0. */
export function decodeFadt(table: AcpiTable, errors: AcpiErrors): Fadt {
  const b = table.bytes;
  if (<u32>b.length < FADT_REVISION_1_LENGTH) {
    errors.report(table.signature, table.phys, REASON_SHORT_FADT, "only " + b.length.toString() +
      " bytes (ACPI 1.0 has " + FADT_REVISION_1_LENGTH.toString() + "); missing fields read as 0");
  }
  const pm1EvtLen = readU8(b, PM1_EVT_LEN);
  const pm1CntLen = readU8(b, PM1_CNT_LEN);
  const gpe0BlkLen = readU8(b, GPE0_BLK_LEN);
  const gpe1BlkLen = readU8(b, GPE1_BLK_LEN);
  return new Fadt(
    table.revision,
    <u32>b.length,
    preferExtended(b, DSDT, X_DSDT),
    preferExtended(b, FIRMWARE_CTRL, X_FIRMWARE_CTRL),
    readU16(b, SCI_INT),
    readU32(b, SMI_CMD),
    readU8(b, ACPI_ENABLE),
    readU8(b, ACPI_DISABLE),
    registerBlock(b, PM1A_EVT_BLK, X_PM1A_EVT_BLK, pm1EvtLen),
    registerBlock(b, PM1B_EVT_BLK, X_PM1B_EVT_BLK, pm1EvtLen),
    registerBlock(b, PM1A_CNT_BLK, X_PM1A_CNT_BLK, pm1CntLen),
    registerBlock(b, PM1B_CNT_BLK, X_PM1B_CNT_BLK, pm1CntLen),
    registerBlock(b, GPE0_BLK, X_GPE0_BLK, gpe0BlkLen),
    registerBlock(b, GPE1_BLK, X_GPE1_BLK, gpe1BlkLen),
    pm1EvtLen,
    pm1CntLen,
    gpe0BlkLen,
    gpe1BlkLen,
    readU8(b, GPE1_BASE),
    readU32(b, FLAGS),
    gasBlock(b, SLEEP_CONTROL_REG),
    gasBlock(b, SLEEP_STATUS_REG),
  );
}
