// AML opcode values (ACPI 6.5 §20.3). Extended opcodes (0x5B prefix) are
// numbered 0x5Bxx here. Their names and handlers are the opcode table's
// (optable.ts); tools/aml/fuzz.ts reads the values from this file.

export const ZERO_OP = 0x00, ONE_OP = 0x01, ALIAS_OP = 0x06, NAME_OP = 0x08;
export const BYTE_PREFIX = 0x0a, WORD_PREFIX = 0x0b, DWORD_PREFIX = 0x0c, STRING_PREFIX = 0x0d, QWORD_PREFIX = 0x0e;
export const SCOPE_OP = 0x10, BUFFER_OP = 0x11, PACKAGE_OP = 0x12, VAR_PACKAGE_OP = 0x13, METHOD_OP = 0x14, EXTERNAL_OP = 0x15;
export const DUAL_NAME_PREFIX = 0x2e, MULTI_NAME_PREFIX = 0x2f, EXT_PREFIX = 0x5b, ROOT_CHAR = 0x5c, PARENT_PREFIX = 0x5e;
export const LOCAL0 = 0x60, LOCAL7 = 0x67, ARG0 = 0x68, ARG6 = 0x6e;
export const STORE_OP = 0x70, REF_OF_OP = 0x71, ADD_OP = 0x72, CONCAT_OP = 0x73, SUBTRACT_OP = 0x74;
export const INCREMENT_OP = 0x75, DECREMENT_OP = 0x76, MULTIPLY_OP = 0x77, DIVIDE_OP = 0x78;
export const SHIFT_LEFT_OP = 0x79, SHIFT_RIGHT_OP = 0x7a, AND_OP = 0x7b, NAND_OP = 0x7c, OR_OP = 0x7d;
export const NOR_OP = 0x7e, XOR_OP = 0x7f, NOT_OP = 0x80, FIND_SET_LEFT_BIT_OP = 0x81, FIND_SET_RIGHT_BIT_OP = 0x82;
export const DEREF_OF_OP = 0x83, CONCAT_RES_OP = 0x84, MOD_OP = 0x85, NOTIFY_OP = 0x86, SIZE_OF_OP = 0x87;
export const INDEX_OP = 0x88, MATCH_OP = 0x89, CREATE_DWORD_FIELD_OP = 0x8a, CREATE_WORD_FIELD_OP = 0x8b;
export const CREATE_BYTE_FIELD_OP = 0x8c, CREATE_BIT_FIELD_OP = 0x8d, OBJECT_TYPE_OP = 0x8e, CREATE_QWORD_FIELD_OP = 0x8f;
export const LAND_OP = 0x90, LOR_OP = 0x91, LNOT_OP = 0x92, LEQUAL_OP = 0x93, LGREATER_OP = 0x94, LLESS_OP = 0x95;
export const TO_BUFFER_OP = 0x96, TO_DECIMAL_STRING_OP = 0x97, TO_HEX_STRING_OP = 0x98, TO_INTEGER_OP = 0x99;
export const TO_STRING_OP = 0x9c, COPY_OBJECT_OP = 0x9d, MID_OP = 0x9e, CONTINUE_OP = 0x9f;
export const IF_OP = 0xa0, ELSE_OP = 0xa1, WHILE_OP = 0xa2, NOOP_OP = 0xa3, RETURN_OP = 0xa4, BREAK_OP = 0xa5;
export const BREAKPOINT_OP = 0xcc, ONES_OP = 0xff;

export const MUTEX_OP = 0x5b01, EVENT_OP = 0x5b02, COND_REF_OF_OP = 0x5b12, CREATE_FIELD_OP = 0x5b13;
export const LOAD_TABLE_OP = 0x5b1f, LOAD_OP = 0x5b20, STALL_OP = 0x5b21, SLEEP_OP = 0x5b22, ACQUIRE_OP = 0x5b23;
export const SIGNAL_OP = 0x5b24, WAIT_OP = 0x5b25, RESET_OP = 0x5b26, RELEASE_OP = 0x5b27, FROM_BCD_OP = 0x5b28;
export const TO_BCD_OP = 0x5b29, UNLOAD_OP = 0x5b2a, REVISION_OP = 0x5b30, DEBUG_OP = 0x5b31, FATAL_OP = 0x5b32;
export const TIMER_OP = 0x5b33, OP_REGION_OP = 0x5b80, FIELD_OP = 0x5b81, DEVICE_OP = 0x5b82, PROCESSOR_OP = 0x5b83;
export const POWER_RES_OP = 0x5b84, THERMAL_ZONE_OP = 0x5b85, INDEX_FIELD_OP = 0x5b86, BANK_FIELD_OP = 0x5b87;
export const DATA_REGION_OP = 0x5b88;
