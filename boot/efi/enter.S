/*
 * From UEFI's long mode down to the 32-bit protected mode boot/entry.S's
 * _start expects of a multiboot or PVH loader (paging off, flat segments),
 * and the image's bytes, carried inside clonesafe.efi.
 * Owns: efi_enter32(entry32, magic, info): a GDT of its own with a 32-bit
 * code segment, a far return into it (compatibility mode), paging and
 * EFER.LME cleared, %eax = magic, %ebx = info, then a jump to entry32 —
 * the architecture's way out of long mode (Intel SDM vol. 3, 9.8.5.4). It
 * runs where the firmware loaded clonesafe.efi, identity-mapped and below
 * 4 GiB (stub.c checks). Calls nothing; never returns.
 */
    .section .text
    .code64
    .global efi_enter32
efi_enter32:                        /* %edi = entry32, %esi = magic, %edx = info */
    cli
    lgdt efi32_gdt_pointer(%rip)
    movl %edx, %ebx
    leaq 1f(%rip), %rax
    pushq $0x08
    pushq %rax
    lretq
    .code32
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movl %cr0, %eax
    andl $0x7fffffff, %eax          /* PG off: back to protected mode's flat addresses */
    movl %eax, %cr0
    movl $0xC0000080, %ecx          /* EFER */
    rdmsr
    andl $~(1 << 8), %eax           /* LME off */
    wrmsr
    movl %esi, %eax
    jmp *%edi

    .section .data
    .align 16
efi32_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF        /* 0x08: 32-bit code */
    .quad 0x00CF92000000FFFF        /* 0x10: data */
efi32_gdt_end:
efi32_gdt_pointer:
    .word efi32_gdt_end - efi32_gdt - 1
    .quad efi32_gdt

/* The image: build/boot/payload.bin, the linked image from 1 MiB to the end
 * of its last section with bytes (its .bss is zeroed by stub.c). */
    .section .data
    .align 4096
    .global payload_start, payload_end
payload_start:
    .incbin PAYLOAD_BIN
payload_end:
