/*
 * The benchmark baseline: the smallest multiboot kernel that prints
 * "baseline ready" on COM1, then "baseline restored" once per snapshot
 * restore, built and booted with clonesafe's flags. Its time to the first
 * line is the floor QEMU, SeaBIOS and the multiboot loader impose before any
 * kernel code runs; its time to the second after a loadvm is the floor of
 * QEMU's restore plus one interrupt.
 *
 * The restore path is mechanism only, but real: QEMU's -device vmgenid raises
 * ACPI GPE 5 on every restore (-loadvm or HMP loadvm), the chipset turns it
 * into an SCI on ISA IRQ 9 (level), the 8259 delivers it as vector 0x29 and
 * wakes the hlt loop. No AML, no ACPI tables: the port numbers are those of
 * QEMU 7.2's FADTs, chosen by the host bridge's device ID. Stays in the 32-bit
 * protected mode multiboot enters, with multiboot's flat CS and DS.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003
#define COM1 0x3f8
#define SMI_CMD 0xb2
#define PM1A_CNT 0x604          /* both machines; bit 0 is SCI_EN */
#define GPE5 0x20               /* bit 5 of the first GPE0 status/enable byte */
#define SCI_VECTOR 0x29         /* IRQ 9 on the slave PIC remapped to 0x28 */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .section .text.boot32, "ax"
    .code32
    .global _start
_start:
    cli
    movl $stack_top, %esp       /* multiboot leaves ESP undefined */

    /* Which chipset: device ID of 00:00.0 (0x1237 i440FX, 0x29c0 Q35).
     * %bx = GPE0 status port, %cx = offset of the enable bytes (half the
     * block), %edi = ACPI_ENABLE value for SMI_CMD. */
    movl $0x80000000, %eax
    movw $0xcf8, %dx
    outl %eax, %dx
    movw $0xcfc, %dx
    inl %dx, %eax
    shrl $16, %eax
    cmpw $0x29c0, %ax
    je 1f
    cmpw $0x1237, %ax
    jne ready                   /* unknown machine: no restore path */
    movw $0xafe0, %bx           /* pc: GPE0 0xafe0, length 4 */
    movw $2, %cx
    movl $0xf1, %edi
    jmp 2f
1:  movw $0x620, %bx            /* q35: GPE0 0x620, length 16 */
    movw $8, %cx
    movl $0x02, %edi
2:  movw %bx, gpe0_sts          /* the handler needs it too */

    /* ACPI mode: SeaBIOS leaves SCI_EN clear; the ACPI_ENABLE write to
     * SMI_CMD makes the chipset set it. Bounded wait, then go on regardless
     * (without SCI_EN the SCI never comes, which the bench would notice). */
    movw $PM1A_CNT, %dx
    inw %dx, %ax
    testb $1, %al
    jnz 4f
    movl %edi, %eax
    outb %al, $SMI_CMD
    movl $1000000, %esi
3:  inw %dx, %ax
    testb $1, %al
    jnz 4f
    decl %esi
    jnz 3b

    /* Clear any stale GPE 5 status (write 1 to clear), then enable GPE 5. */
4:  movw %bx, %dx
    movb $GPE5, %al
    outb %al, %dx
    addw %cx, %dx
    inb %dx, %al
    orb $GPE5, %al
    outb %al, %dx

    /* 8259s: ICW1 (edge default, cascade, ICW4), ICW2 vector bases 0x20 and
     * 0x28, ICW3 slave on master line 2, ICW4 8086 mode. Then mask all but
     * the cascade (IRQ 2) and the SCI (IRQ 9). */
    movb $0x11, %al
    outb %al, $0x20
    outb %al, $0xa0
    movb $0x20, %al
    outb %al, $0x21
    movb $0x28, %al
    outb %al, $0xa1
    movb $0x04, %al
    outb %al, $0x21
    movb $0x02, %al
    outb %al, $0xa1
    movb $0x01, %al
    outb %al, $0x21
    outb %al, $0xa1
    movb $0xfb, %al
    outb %al, $0x21
    movb $0xfd, %al
    outb %al, $0xa1
    /* The SCI is level-triggered: ELCR2 (0x4d1) bit 1 is IRQ 9. */
    movw $0x4d1, %dx
    inb %dx, %al
    orb $0x02, %al
    outb %al, %dx

    /* One 32-bit interrupt gate (present, DPL 0, type 0xe) at SCI_VECTOR,
     * through multiboot's code selector; the IDT ends there, so any other
     * vector faults (and with -no-reboot, QEMU exits visibly). */
    movl $sci_handler, %eax
    movw %ax, idt + SCI_VECTOR * 8
    movw %cs, %ax
    movw %ax, idt + SCI_VECTOR * 8 + 2
    movw $0x8e00, idt + SCI_VECTOR * 8 + 4
    shrl $16, %eax
    movw %ax, idt + SCI_VECTOR * 8 + 6
    lidt idtr

ready:
    movl $msg_ready, %esi
    call puts
    /* sti takes effect after the next instruction, so no SCI slips in
     * between it and hlt; each SCI wakes the hlt and returns here. */
5:  sti
    hlt
    jmp 5b

/* SCI: report the restore if GPE 5 is the cause, clear it (the line is
 * level, so clear before EOI), then EOI slave and master. */
sci_handler:
    pushal
    movw gpe0_sts, %dx
    inb %dx, %al
    testb $GPE5, %al
    jz 6f
    movb $GPE5, %al
    outb %al, %dx
    movl $msg_restored, %esi
    call puts
6:  movb $0x20, %al
    outb %al, $0xa0
    outb %al, $0x20
    popal
    iret

/* %esi: NUL-terminated string to COM1, each byte once the transmitter
 * holding register is empty (LSR bit 5). Clobbers %eax, %edx, %esi. */
puts:
7:  lodsb
    testb %al, %al
    jz 9f
    movb %al, %ah
    movw $COM1 + 5, %dx
8:  inb %dx, %al
    testb $0x20, %al
    jz 8b
    movb %ah, %al
    movw $COM1, %dx
    outb %al, %dx
    jmp 7b
9:  ret

    .section .rodata
msg_ready:
    .asciz "baseline ready\r\n"
msg_restored:
    .asciz "baseline restored\r\n"
    .align 2
idtr:
    .word SCI_VECTOR * 8 + 7    /* limit: up to and including SCI_VECTOR */
    .long idt

    .section .bss
    .align 8
idt:
    .space (SCI_VECTOR + 1) * 8 /* zero: every other vector not present */
gpe0_sts:
    .space 2
    .align 16
    .space 1024
stack_top:
