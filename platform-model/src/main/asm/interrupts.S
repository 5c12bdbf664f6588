/*
 * Test firmware: interrupts through the I/O APIC and the local APIC from the HPET and the RTC, in 32-bit protected
 * mode, for a differential test against QEMU's pc and q35 machines (same image, same debugcon text expected).
 *
 * With the 8259As masked and the local APIC software-enabled, it
 *   1. prints the I/O APIC version register and the HPET's capabilities (vendor, timers, period),
 *   2. HPET timer 0 one-shot, edge, routed to I/O APIC pin 2 -> vector 0x40; HLT until it arrives,
 *   3. the same timer level-triggered (pin 2 level -> vector 0x43; the handler clears the HPET status before EOI)
 *      and prints Remote IRR afterwards,
 *   4. HPET timer 0 periodic, five interrupts,
 *   5. the HPET in legacy replacement mode: timer 0 on IRQ0 (I/O APIC pin 2),
 *   6. the RTC periodic interrupt (register B PIE) on IRQ8 -> I/O APIC pin 8 -> vector 0x41, three times,
 * and resets through port 0xCF9. Every count printed is deterministic on a correct machine.
 */
    .set ROMBASE, 0xF0000
    .set IDT, 0x9000
    .set CNT0, 0x8000               /* vector 0x40 count */
    .set CNT1, 0x8004               /* vector 0x41 count */
    .set CNT3, 0x8008               /* vector 0x43 count */
    .set LAPIC, 0xFEE00000
    .set LAPIC_EOI, LAPIC + 0xB0
    .set LAPIC_SVR, LAPIC + 0xF0
    .set LAPIC_LINT0, LAPIC + 0x350
    .set IOAPIC, 0xFEC00000
    .set IOWIN, IOAPIC + 0x10
    .set HPET, 0xFED00000
    .set HPET_CFG, HPET + 0x010
    .set HPET_ISR, HPET + 0x020
    .set HPET_COUNTER, HPET + 0x0F0
    .set HPET_T0_CFG, HPET + 0x100
    .set HPET_T0_CMP, HPET + 0x108
    .set RESET_CONTROL, 0xCF9

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
    lgdtl %cs:gdt_ptr
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $(ROMBASE + prot32)

    .code32
prot32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl $0x7000, %esp
    movb $0xFF, %al             /* mask both 8259As (OCW1) */
    outb %al, $0x21
    outb %al, $0xA1
    movb $0x30, %al             /* 8254 counter 0: mode 0 and no count loaded: its output stays low (silent) */
    outb %al, $0x43

    /* IDT: every vector to `unexpected`, then the handlers; 32-bit interrupt gates, DPL 0 */
    xorl %ecx, %ecx
1:  movl $(ROMBASE + unexpected), %eax
    call set_gate
    incl %ecx
    cmpl $256, %ecx
    jne 1b
    movl $0x40, %ecx
    movl $(ROMBASE + isr40), %eax
    call set_gate
    movl $0x41, %ecx
    movl $(ROMBASE + isr41), %eax
    call set_gate
    movl $0x43, %ecx
    movl $(ROMBASE + isr43), %eax
    call set_gate
    movl $0xFF, %ecx
    movl $(ROMBASE + spurious), %eax
    call set_gate
    lidtl (ROMBASE + idt_ptr)
    movl $0, CNT0
    movl $0, CNT1
    movl $0, CNT3

    movl $0x1FF, LAPIC_SVR      /* software enable, spurious vector 0xFF */
    movl $0x10000, LAPIC_LINT0  /* LINT0 masked: nothing from the 8259A */

    movl $(ROMBASE + msg_ioapic), %esi
    call puts32
    movl $1, IOAPIC
    movl IOWIN, %eax
    call puthex32
    movl $(ROMBASE + msg_hpet), %esi
    call puts32
    movl HPET, %eax
    call puthex32
    movl $(ROMBASE + msg_period), %esi
    call puts32
    movl HPET + 4, %eax
    call puthex32
    call newline

    /* 2. one-shot, edge: pin 2 -> 0x40; timer 0 route 2, INT_ENB; comparator 100000 ticks (1 ms) */
    movl $2, %ecx
    movl $0x40, %eax
    call route
    movl $((2 << 9) | (1 << 2)), HPET_T0_CFG
    movl $100000, HPET_T0_CMP
    movl $0, HPET_T0_CMP + 4
    movl $1, HPET_CFG           /* ENABLE_CNF */
    call wait_cnt0_1
    movl $(ROMBASE + msg_oneshot), %esi
    movl CNT0, %eax
    call report

    /* 3. level: pin 2 level -> 0x43; timer 0 level-triggered, comparator 100000 ticks ahead */
    movl $0, HPET_CFG
    movl $2, %ecx
    movl $(0x43 | (1 << 15)), %eax
    call route
    movl $((2 << 9) | (1 << 2) | (1 << 1)), HPET_T0_CFG
    movl HPET_COUNTER, %eax
    addl $100000, %eax
    movl %eax, HPET_T0_CMP
    movl $1, HPET_CFG
2:  sti
    hlt
    cli
    cmpl $0, CNT3
    je 2b
    movl $(ROMBASE + msg_level), %esi
    movl CNT3, %eax
    call report_nonl
    movl $(ROMBASE + msg_rirr), %esi
    call puts32
    movl $0x14, IOAPIC
    movl IOWIN, %eax
    shrl $14, %eax
    andl $1, %eax
    call putdec32
    call newline

    /* 4. periodic: edge again, period 50000 ticks, five interrupts */
    movl $0, HPET_CFG
    movl $2, %ecx
    movl $0x40, %eax
    call route
    movl $0, CNT0
    movl $((2 << 9) | (1 << 2) | (1 << 3) | (1 << 6)), HPET_T0_CFG /* route 2, INT_ENB, periodic, VAL_SET */
    movl HPET_COUNTER, %eax
    addl $50000, %eax
    movl %eax, HPET_T0_CMP      /* the first match */
    movl $0, HPET_T0_CMP + 4
    movl $50000, HPET_T0_CMP    /* VAL_SET cleared by the previous write: this sets the period */
    movl $1, HPET_CFG
3:  sti
    hlt
    cli
    cmpl $5, CNT0
    jb 3b
    movl $0, HPET_T0_CFG        /* stop the timer before reporting */
    movl $(ROMBASE + msg_periodic), %esi
    movl $5, %eax
    call report

    /* 5. legacy replacement: timer 0 drives IRQ0, which reaches I/O APIC pin 2 */
    movl $0, HPET_CFG
    movl $0, CNT0
    movl $(1 << 2), HPET_T0_CFG /* one-shot, INT_ENB; the route field is ignored in legacy mode */
    movl HPET_COUNTER, %eax
    addl $100000, %eax
    movl %eax, HPET_T0_CMP
    movl $3, HPET_CFG           /* ENABLE_CNF | LEG_RT_CNF */
    call wait_cnt0_1
    movl $0, HPET_T0_CFG
    movl $0, HPET_CFG
    movl $(ROMBASE + msg_legacy), %esi
    movl CNT0, %eax
    call report

    /* 6. RTC periodic interrupt: 1024 Hz, IRQ8 -> pin 8 -> 0x41, three interrupts */
    movl $8, %ecx
    movl $0x41, %eax
    call route
    movb $0x0A, %al
    outb %al, $0x70
    movb $0x26, %al             /* 32.768 kHz time base, rate 6: 1024 Hz */
    outb %al, $0x71
    movb $0x0C, %al
    outb %al, $0x70
    inb $0x71, %al              /* clear pending flags */
    movb $0x0B, %al
    outb %al, $0x70
    inb $0x71, %al
    orb $0x40, %al              /* PIE */
    movb %al, %ah
    movb $0x0B, %al
    outb %al, $0x70
    movb %ah, %al
    outb %al, $0x71
4:  sti
    hlt
    cli
    cmpl $3, CNT1
    jb 4b
    movb $0x0B, %al
    outb %al, $0x70
    inb $0x71, %al
    andb $0xBF, %al
    movb %al, %ah
    movb $0x0B, %al
    outb %al, $0x70
    movb %ah, %al
    outb %al, $0x71
    movl $(ROMBASE + msg_rtc), %esi
    movl $3, %eax
    call report

    movl $(ROMBASE + msg_done), %esi
    call puts32
    movw $RESET_CONTROL, %dx
    movb $0x06, %al
    outb %al, %dx
5:  cli
    hlt
    jmp 5b

/* wait_cnt0_1: HLT with interrupts on until vector 0x40 has arrived once */
wait_cnt0_1:
1:  sti
    hlt
    cli
    cmpl $0, CNT0
    je 1b
    ret

/* route: I/O APIC pin ECX <- low dword EAX (vector, trigger), destination APIC 0, unmasked */
route:
    pushl %edx
    leal 0x11(,%ecx,2), %edx
    movl %edx, IOAPIC
    movl $0, IOWIN
    decl %edx
    movl %edx, IOAPIC
    movl %eax, IOWIN
    popl %edx
    ret

/* set_gate: IDT entry ECX -> handler EAX (flat address) */
set_gate:
    pushl %edx
    movl %eax, %edx
    andl $0xFFFF, %edx
    orl $(0x08 << 16), %edx
    movl %edx, IDT(,%ecx,8)
    movl %eax, %edx
    andl $0xFFFF0000, %edx
    orl $0x8E00, %edx
    movl %edx, IDT + 4(,%ecx,8)
    popl %edx
    ret

isr40:
    incl CNT0
    movl $0, LAPIC_EOI
    iret
isr41:
    pushl %eax
    movb $0x0C, %al             /* reading register C acknowledges the RTC interrupt */
    outb %al, $0x70
    inb $0x71, %al
    popl %eax
    incl CNT1
    movl $0, LAPIC_EOI
    iret
isr43:
    incl CNT3
    movl $1, HPET_ISR           /* clear timer 0's level status: the line drops */
    movl $0, LAPIC_EOI
    iret
spurious:
    iret
unexpected:
    movl $(ROMBASE + msg_unexpected), %esi
    call puts32
1:  cli
    hlt
    jmp 1b

/* report: string ESI, then EAX in decimal, newline */
report:
    call report_nonl
    jmp newline
report_nonl:
    call puts32
    jmp putdec32

newline:
    pushl %eax
    movb $'\n', %al
    call putc32
    popl %eax
    ret

putc32:
    pushl %edx
    pushl %eax
    movw $DEBUGCON, %dx
    outb %al, %dx
    movw $COM1 + 5, %dx
1:  inb %dx, %al
    testb $0x20, %al
    jz 1b
    popl %eax
    movw $COM1, %dx
    outb %al, %dx
    popl %edx
    ret

puts32:
    pushl %eax
    pushl %esi
1:  movb (%esi), %al
    testb %al, %al
    jz 2f
    call putc32
    incl %esi
    jmp 1b
2:  popl %esi
    popl %eax
    ret

/* puthex32: EAX as eight hex digits */
puthex32:
    pushl %eax
    pushl %ecx
    pushl %edx
    movl %eax, %ecx
    movl $8, %edx
1:  roll $4, %ecx
    movb %cl, %al
    andb $0x0F, %al
    cmpb $10, %al
    jb 2f
    addb $('a' - '0' - 10), %al
2:  addb $'0', %al
    call putc32
    decl %edx
    jnz 1b
    popl %edx
    popl %ecx
    popl %eax
    ret

/* putdec32: EAX in decimal */
putdec32:
    pushl %eax
    pushl %ecx
    pushl %edx
    pushl %ebx
    movl $10, %ebx
    xorl %ecx, %ecx
1:  xorl %edx, %edx
    divl %ebx
    pushl %edx
    incl %ecx
    testl %eax, %eax
    jnz 1b
2:  popl %eax
    addb $'0', %al
    call putc32
    loop 2b
    popl %ebx
    popl %edx
    popl %ecx
    popl %eax
    ret

    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF        /* 0x08: 32-bit code, base 0, limit 4 GiB */
    .quad 0x00CF92000000FFFF        /* 0x10: data, base 0, limit 4 GiB */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .long ROMBASE + gdt
idt_ptr:
    .word 256 * 8 - 1
    .long IDT

msg_banner:     .asciz "dejavm interrupt test\n"
msg_ioapic:     .asciz "ioapic version "
msg_hpet:       .asciz ", hpet capabilities "
msg_period:     .asciz " period "
msg_oneshot:    .asciz "hpet one-shot, edge, ioapic pin 2: "
msg_level:      .asciz "hpet one-shot, level, ioapic pin 2: "
msg_rirr:       .asciz ", remote irr after eoi "
msg_periodic:   .asciz "hpet periodic: "
msg_legacy:     .asciz "hpet legacy replacement, irq0: "
msg_rtc:        .asciz "rtc periodic, irq8, ioapic pin 8: "
msg_done:       .asciz "interrupts: done\n"
msg_unexpected: .asciz "unexpected interrupt\n"

    .section .reset, "ax"
    .code16
    ljmp $0xF000, $entry16
