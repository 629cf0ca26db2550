/*
 * Multiboot and PVH entries and the 32→64-bit trampoline.
 * Owns: the multiboot header, the PVH note, the page tables' layout, the GDT, SSE
 * enablement and loading the boot stack (boot/linker.ld reserves it). The
 * address space:
 *   0 .. 16 MiB          identity, 2 MiB pages: the image, stacks, low memory
 *   16 .. 32 MiB         Wasm linear memory, identity, 4 KiB pages that the
 *                        loader marks present as the memory grows
 *   32 MiB .. 512 GiB    nothing: a Wasm address (u32 + u32 offset) lands at
 *                        most 8 GiB above 16 MiB, so every out-of-bounds
 *                        access faults, and wasm2c needs no bounds checks
 *   DIRECT_MAP_BASE + p  physical address p (p < 4 GiB), 2 MiB pages: how
 *                        the loader reaches tables and devices for the kernel
 * All write-back. Calls: loader_main(magic, mbi) in 64-bit mode. Never: decides
 * anything about devices or memory use beyond what the CPU needs to reach C.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003          /* page-aligned modules, memory info */
#define PVH_MAGIC 0x336ec578         /* struct hvm_start_info's magic */

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080
#include "layout.h"

/* Writes %ecx page-table entries from %edi on, the first %eax, each next
 * one `step` higher (the next page or the next table). */
.macro fill_entries step
1:  movl %eax, (%edi)
    addl $\step, %eax
    addl $8, %edi
    loop 1b
.endm

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

/* The PVH entry note (Xen's ELF note XEN_ELFNOTE_PHYS32_ENTRY): where a PVH
 * loader (QEMU -kernel after it finds no multiboot header, Firecracker,
 * cloud-hypervisor) starts the image, in 32-bit protected mode with paging
 * off and %ebx holding the physical address of struct hvm_start_info. The
 * PVH image is this one with the multiboot header's bytes zeroed (Makefile),
 * so both images have every function at the same address. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
    .section .note.pvh, "a", @note
    .align 4
    .long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .align 4
    .long _start_pvh

    .section .text.boot32, "ax"
    .code32
    /* PVH: the boot protocol's magic in %eax as multiboot passes its own, so
     * the kernel tells the two apart by it; %ebx already holds the info. */
    .global _start_pvh
_start_pvh:
    movl $PVH_MAGIC, %eax
    /* fall through */
    .global _start
_start:
    cli
    cld
    movl %eax, mb_magic
    movl %ebx, mb_info
    movl $boot_stack_top, %esp

    /* Long mode needs CPUID leaf 0x80000001 EDX.LM (bit 29). */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    btl $29, %edx
    jnc no_long_mode

    /* Zero the page-table area, then fill it (layout in the header). */
    movl $pt_start, %edi
    movl $((pt_end - pt_start) / 4), %ecx
    xorl %eax, %eax
    rep stosl

    movl $pt_low_pdpt, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, pt_pml4
    movl $pt_direct_pdpt, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, pt_pml4 + DIRECT_MAP_PML4_INDEX * 8

    movl $pt_low_pd, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, pt_low_pdpt

    /* 0 .. 16 MiB: 8 entries of 2 MiB, identity. */
    movl $pt_low_pd, %edi
    movl $(PTE_P | PTE_W | PTE_PS), %eax
    movl $8, %ecx
    fill_entries 0x200000

    /* 16 .. 32 MiB: 8 page tables, all entries absent until the loader maps them. */
    movl $pt_linear, %eax
    orl $(PTE_P | PTE_W), %eax
    movl $8, %ecx
    fill_entries 4096

    /* The direct map: 4 PDs of 512 entries of 2 MiB, physical 0 .. 4 GiB. */
    movl $pt_direct_pd, %eax
    orl $(PTE_P | PTE_W), %eax
    movl $pt_direct_pdpt, %edi
    movl $4, %ecx
    fill_entries 4096
    movl $pt_direct_pd, %edi
    movl $(PTE_P | PTE_W | PTE_PS), %eax
    movl $2048, %ecx
    fill_entries 0x200000

    movl %cr4, %eax
    orl $(1 << 5), %eax              /* PAE */
    movl %eax, %cr4
    movl $pt_pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx           /* EFER */
    rdmsr
    orl $(1 << 8), %eax              /* LME */
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | 1), %eax   /* PG, WP, PE */
    movl %eax, %cr0

    lgdt gdt_pointer
    ljmp $0x08, $long_mode_entry

no_long_mode:
    /* COM1 is usable without init under QEMU; say why we stop. */
    movl $msg_no_lm, %esi
3:  lodsb
    testb %al, %al
    jz 4f
    movw $0x3f8, %dx
    outb %al, %dx
    jmp 3b
4:  movw $0xf4, %dx
    movl $0x42, %eax
    outl %eax, %dx
5:  hlt
    jmp 5b

    .code64
long_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movq $boot_stack_top, %rsp
    xorq %rbp, %rbp

    /* SSE: CR0.EM = 0, CR0.MP = 1; CR4.OSFXSR | CR4.OSXMMEXCPT. gcc uses
     * XMM registers even in integer code, so this precedes any C. */
    movq %cr0, %rax
    andq $~(1 << 2), %rax
    orq $(1 << 1), %rax
    movq %rax, %cr0
    movq %cr4, %rax
    orq $((1 << 9) | (1 << 10)), %rax
    movq %rax, %cr4

    movl mb_magic, %edi
    movl mb_info, %esi
    call loader_main
6:  cli
    hlt
    jmp 6b

    .section .rodata
msg_no_lm:
    .asciz "panic: loader: this CPU has no long mode (x86-64 required)\r\n"

    .section .data
    .align 16
    .global gdt
gdt:
    .quad 0                          /* null                                */
    .quad 0x00AF9A000000FFFF         /* 0x08: 64-bit code, DPL 0           */
    .quad 0x00CF92000000FFFF         /* 0x10: data, DPL 0                  */
    .quad 0, 0                       /* 0x18: 64-bit TSS, filled by C      */
gdt_end:
    .global gdt_pointer
gdt_pointer:
    .word gdt_end - gdt - 1
    .quad gdt

    .global mb_magic, mb_info
mb_magic: .long 0
mb_info:  .long 0

    .section .bss
    .align 4096
    .global pt_pml4, pt_linear
pt_start:
pt_pml4:        .skip 4096
pt_low_pdpt:    .skip 4096
pt_low_pd:      .skip 4096
pt_linear:      .skip 8 * 4096      /* 4 KiB entries for 16 .. 32 MiB */
pt_direct_pdpt: .skip 4096
pt_direct_pd:   .skip 4 * 4096
pt_end:
/* The boot stack (boot_stack_bottom .. boot_stack_top, 2 MiB) is not here:
 * boot/linker.ld reserves it after .bss, outside every loaded segment. */
