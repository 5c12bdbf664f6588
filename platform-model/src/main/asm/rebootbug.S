/*
 * Demonstration firmware with a genuine reboot-dependent bug, for `dejavm campaign` (see the README tutorial).
 *
 * Every boot leaves a note in RAM for the next one ("WARM" at 0x500 and a slot number at 0x504), which survives a
 * warm reset, and resets through port 0xCF9. A warm boot trusts the note: it calls the handler of the slot the
 * previous boot chose from its table of seven handlers. The slot is taken from the ACPI PM timer (bits 12-14), a
 * clock that keeps running through the reset, so it depends on how long the previous boot and its reset took, and
 * the bug is the classic one: three bits give eight slots, not seven. Slot 7 reads the word after the table, a
 * stale pointer to code that loads an empty IDT and executes INT3: the CPU cannot deliver it and triple-faults.
 * Only some reboots of some seeds pick slot 7.
 */
    .set PM_BASE, 0x600
    .set NOTE_MAGIC, 0x500          /* "WARM" */
    .set NOTE_SLOT, 0x504

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
    movw %ax, %es
    call com1_init16
    movw $msg_banner, %si
    call puts16

    /* PIIX4 power management (00:01.3): PMBA = 0x600, PMREGMISC = I/O enable, so the PM timer is at 0x608 */
    movl $0x80000B40, %eax
    movw $0xCF8, %dx
    outl %eax, %dx
    movl $(PM_BASE | 1), %eax
    movw $0xCFC, %dx
    outl %eax, %dx
    movl $0x80000B80, %eax
    movw $0xCF8, %dx
    outl %eax, %dx
    movb $1, %al
    movw $0xCFC, %dx
    outb %al, %dx

    cmpl $0x4D524157, NOTE_MAGIC    /* "WARM" */
    jne cold
    movzbw NOTE_SLOT, %bx
    movw $msg_warm, %si
    call puts16
    movzwl %bx, %eax
    call putdec32_16
    movb $'\n', %al
    call putc16
    shlw $1, %bx
    call *%cs:handlers(%bx)         /* BUG: slot 7 is not a handler */
    jmp choose
cold:
    movw $msg_cold, %si
    call puts16

choose:
    movw $(PM_BASE + 8), %dx
    inl %dx, %eax
    shrl $12, %eax
    andl $7, %eax                   /* should have been: a slot 0..6 */
    movb %al, NOTE_SLOT
    movl $0x4D524157, NOTE_MAGIC
    movw $msg_next, %si
    call puts16
    call putdec32_16
    movb $'\n', %al
    call putc16
    movw $0xCF9, %dx
    movb $0x06, %al                 /* SYS_RST | RST_CPU */
    outb %al, %dx
1:  hlt
    jmp 1b

handler:
    movw $msg_handler, %si
    jmp puts16

stale:
    lidtl %cs:empty_idt
    int3                            /* vector 3 is beyond the IDT's limit: #GP, then #DF, then shutdown */
2:  jmp 2b

    .p2align 1
handlers:
    .word handler, handler, handler, handler, handler, handler, handler
    .word stale                     /* what lies after the table */
empty_idt:
    .word 0
    .long 0

msg_banner:  .asciz "dejavm reboot demonstration firmware\n"
msg_cold:    .asciz "cold boot\n"
msg_warm:    .asciz "warm boot, slot "
msg_handler: .asciz "slot handler done\n"
msg_next:    .asciz "next boot's slot: "

    .section .reset, "ax"
    .code16
    ljmp $0xF000, $entry16
