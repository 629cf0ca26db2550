/* The generated code only uses assert() for internal invariants of wasm2c. */
#ifndef _ASSERT_H
#define _ASSERT_H
#define assert(x) ((void)0)
#endif
