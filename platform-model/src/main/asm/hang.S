/*
 * Test firmware: prints a banner and spins forever in real mode with interrupts off (a guest that never ends by
 * itself; the simulator's --max-icount / --max-virtual-time must stop it). POST code 0x01, then 0x02 once spinning.
 */
    .text
    .code16
    .globl _start
_start:
    .include "console16.inc"
entry16:
    cli
    xorw %ax, %ax
    movw %ax, %ss
    movw $0x7000, %sp
    movb $0x01, %al
    outb %al, $POST
    call com1_init16
    movw $msg_banner, %si
    call puts16
    movb $0x02, %al
    outb %al, $POST
1:  jmp 1b
msg_banner: .asciz "dejavm test firmware: endless loop\n"
    .section .reset, "ax"
    .code16
    ljmp $0xF000, $entry16
