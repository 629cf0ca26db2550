/*
 * Interrupt entry stubs.
 * Owns: the IDT entry points: 32 CPU exceptions, 32 interrupt lines at
 * vectors 0x20..0x3F (the 8259's 16 lines, or the kernel's APIC lines), and
 * the local APIC's spurious vector 0xFF, which needs no EOI and records
 * nothing.
 * Calls: cpu_exception(frame) (never returns) and irq_record(line).
 * Never: enters Wasm — the AssemblyScript runtime is not re-entrant; an IRQ
 * only records its line for the kernel's next wait_irq().
 */
    .text
    .code64

.macro EXCEPTION vec, has_error
    .align 16
isr_exception_\vec:
    .if \has_error == 0
    pushq $0
    .endif
    pushq $\vec
    jmp exception_common
.endm

.macro IRQ line
    .align 16
isr_irq_\line:
    pushq $\line
    jmp irq_common
.endm

EXCEPTION 0,0;  EXCEPTION 1,0;  EXCEPTION 2,0;  EXCEPTION 3,0
EXCEPTION 4,0;  EXCEPTION 5,0;  EXCEPTION 6,0;  EXCEPTION 7,0
EXCEPTION 8,1;  EXCEPTION 9,0;  EXCEPTION 10,1; EXCEPTION 11,1
EXCEPTION 12,1; EXCEPTION 13,1; EXCEPTION 14,1; EXCEPTION 15,0
EXCEPTION 16,0; EXCEPTION 17,1; EXCEPTION 18,0; EXCEPTION 19,0
EXCEPTION 20,0; EXCEPTION 21,1; EXCEPTION 22,0; EXCEPTION 23,0
EXCEPTION 24,0; EXCEPTION 25,0; EXCEPTION 26,0; EXCEPTION 27,0
EXCEPTION 28,0; EXCEPTION 29,1; EXCEPTION 30,1; EXCEPTION 31,0

IRQ 0;  IRQ 1;  IRQ 2;  IRQ 3;  IRQ 4;  IRQ 5;  IRQ 6;  IRQ 7
IRQ 8;  IRQ 9;  IRQ 10; IRQ 11; IRQ 12; IRQ 13; IRQ 14; IRQ 15
IRQ 16; IRQ 17; IRQ 18; IRQ 19; IRQ 20; IRQ 21; IRQ 22; IRQ 23
IRQ 24; IRQ 25; IRQ 26; IRQ 27; IRQ 28; IRQ 29; IRQ 30; IRQ 31

    .align 16
    .global isr_spurious
isr_spurious:
    iretq

/* Frame layout handed to cpu_exception: r15 … rax, vector, error, then the
 * CPU's rip, cs, rflags, rsp, ss (struct exception_frame in boot/loader.h). */
exception_common:
    pushq %rax; pushq %rbx; pushq %rcx; pushq %rdx
    pushq %rsi; pushq %rdi; pushq %rbp; pushq %r8
    pushq %r9;  pushq %r10; pushq %r11; pushq %r12
    pushq %r13; pushq %r14; pushq %r15
    movq %rsp, %rdi
    andq $~15, %rsp
    call cpu_exception
1:  cli
    hlt
    jmp 1b

/* Saves only the caller-saved registers: irq_record is compiled with
 * -mgeneral-regs-only, so XMM state is never touched. Entry leaves RSP at
 * 8 mod 16 after the CPU frame; the line number plus nine pushes realign it. */
irq_common:
    pushq %rax; pushq %rcx; pushq %rdx; pushq %rsi
    pushq %rdi; pushq %r8;  pushq %r9;  pushq %r10
    pushq %r11
    movq 72(%rsp), %rdi
    subq $8, %rsp
    call irq_record
    addq $8, %rsp
    popq %r11; popq %r10; popq %r9;  popq %r8
    popq %rdi; popq %rsi; popq %rdx; popq %rcx
    popq %rax
    addq $8, %rsp
    iretq

    .section .rodata
    .align 8
    .global isr_exception_table, isr_irq_table
isr_exception_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad isr_exception_\v
    .endr
isr_irq_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad isr_irq_\v
    .endr
