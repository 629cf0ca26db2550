/* wasm-rt.h names jmp_buf for exception unwinding, which the kernel never
 * uses (asc runs without the exception-handling proposal). */
#ifndef _SETJMP_H
#define _SETJMP_H
typedef long jmp_buf[8];
#endif
