/*
 * Test firmware: prints a banner, enters 32-bit protected mode with an empty IDT (limit 0) and executes UD2.
 * #UD cannot be delivered (vector 6 is beyond the IDT limit → #GP), nor can the #GP, so the CPU escalates to #DF,
 * which cannot be delivered either: a triple fault (Intel SDM Vol. 3A, 6.15 "Interrupt 8—Double Fault Exception").
 * POST codes: 0x01 reset vector, 0x10 entering protected mode, 0x11 about to fault.
 */
    .set ROMBASE, 0xF0000
    .text
    .code16
    .globl _start
_start:
    .include "console16.inc"
entry16:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ss
    movw $0x7000, %sp
    movw %ax, %ds
    movb $0x01, %al
    outb %al, $POST
    call com1_init16
    movw $msg_banner, %si
    call puts16
    movb $0x10, %al
    outb %al, $POST
    lgdtl %cs:gdt_ptr
    lidtl %cs:idt_ptr
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $(ROMBASE + prot32)
    .code32
prot32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %ss
    movl $0x7000, %esp
    movb $0x11, %al
    outb %al, $POST
    ud2
1:  jmp 1b
    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF
    .quad 0x00CF92000000FFFF
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .long ROMBASE + gdt
idt_ptr:
    .word 0
    .long 0
msg_banner: .asciz "dejavm test firmware: triple fault\n"
    .section .reset, "ax"
    .code16
    ljmp $0xF000, $entry16
