/*
 * Reset stub for the CPU benchmark ROM (64 KiB, mapped at 0xFFFF0000 and, by the PC boards, at 0xF0000).
 * Real mode at the reset vector -> flat 32-bit protected mode -> copy .data, clear .bss, run main() from ROM ->
 * report and stop in a way each emulator understands: dejavm ends at HLT with interrupts off, QEMU's
 * isa-debug-exit device (port 0xf4) exits, Bochs powers off on "Shutdown" written to port 0x8900.
 */
    .section .reset16, "ax"
    .code16
    .globl start16
start16:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    inb $0x92, %al              /* fast A20 on (the ROM's high alias needs address bit 20) */
    orb $2, %al
    andb $0xFE, %al
    outb %al, $0x92
    lgdtl %cs:(gdtr - start16)   /* start16 is the first byte of the ROM: offset in segment F000 */
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $start32

    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF
    .quad 0x00CF92000000FFFF
gdtr:
    .word gdtr - gdt - 1
    .long gdt

    .text
    .code32
start32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movl $0x200000, %esp
    movl $__data_load, %esi
    movl $__data_start, %edi
    movl $__data_end, %ecx
    subl %edi, %ecx
    rep movsb
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb
    call main
    movw $0xf4, %dx
    xorl %eax, %eax
    outl %eax, %dx
    movw $0x8900, %dx
    movl $shutdown, %esi
1:  lodsb
    testb %al, %al
    jz 2f
    outb %al, %dx
    jmp 1b
2:  cli
    hlt
    jmp 2b
shutdown:
    .asciz "Shutdown"

    .section .resetvec, "ax"
    .code16
    ljmp $0xF000, $0            /* start16: the ROM's first byte, at F000:0000 */
    .fill 11, 1, 0
    .section .note.GNU-stack, "", @progbits
