/* Freestanding stdlib.h: only what wasm-rt.h and the generated code name. */
#ifndef _STDLIB_H
#define _STDLIB_H
#include <stddef.h>
__attribute__((noreturn)) void abort(void);
#endif
