/*
 * The benchmark baseline: the smallest multiboot kernel that prints one line
 * on COM1, built and booted with clonesafe's flags. Its time to that line is
 * the floor QEMU, SeaBIOS and the multiboot loader impose before any kernel
 * code runs.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .section .text.boot32, "ax"
    .code32
    .global _start
_start:
    cli
    movl $message, %esi
1:  lodsb
    testb %al, %al
    jz 2f
    movw $0x3f8, %dx
    outb %al, %dx
    jmp 1b
2:  hlt
    jmp 2b

    .section .rodata
message:
    .asciz "baseline ready\r\n"
