// The interpreter's limits and state codes, in a module of their own that
// imports nothing: the opcode table's static rows name handlers that use
// them, so they must exist before any interpreter module is initialized.
// Owns: nothing but these values.

export const MAX_WHILE_ITERATIONS: i32 = 65536;
export const MAX_NESTING: i32 = 96;
export const MAX_CALL_DEPTH: i32 = 24;
/** How deep IndexFields and BankFields may be built on one another: each level doubles the accesses of one unit. */
export const MAX_FIELD_CHAIN: i32 = 4;
/** A term's own scratch besides what it charges where it allocates (meter.ts). */
export const TERM_BYTES: u64 = 16;
export const INTERPRETER_REVISION: u64 = 0x20261122;
export const HEADER_LENGTH: i32 = 36;

/** Where a result goes (store.ts's Target.kind). */
export const TARGET_NONE = 0, TARGET_LOCAL = 1, TARGET_ARG = 2, TARGET_NODE = 3, TARGET_DEBUG = 4, TARGET_REF = 5, TARGET_VALUE = 6;

/** How a term list ends early (Interpreter.control). */
export const CONTROL_NONE = 0, CONTROL_BREAK = 1, CONTROL_CONTINUE = 2, CONTROL_RETURN = 3;
