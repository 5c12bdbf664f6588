/*
 * dejavm bundled firmware 1.0 — the test vehicle of the simulator, written for QEMU's `pc` machine so that QEMU
 * can serve as its reference (see README).
 *
 * Boot flow and POST codes (port 0x80):
 *   0x01  reset vector reached, real mode, stack at 0:7000
 *   0x02  COM1 initialised; banner printed
 *   0x03  RTC read through CMOS (waits for UIP = 0 in register A, reads BCD time/date and the century byte 0x32)
 *   0x04  fw_cfg: "QEMU" signature checked, id, RAM size (key 0x03), CPU count (key 0x05), file directory (0x19)
 *         walked for opt/dev.dejavm/exit ("reset" → reset through 0xCF9, anything else or absent → ACPI S5);
 *         then the PIIX4 PM function (00:01.3) is told to decode the ACPI PM registers at 0x600
 *   0x10  entering 32-bit protected mode (flat GDT)
 *   0x11  256 KiB at 0x00100000 filled with the LCG x' = 1664525 x + 1013904223, x0 = 0x12345678 (32-bit LE words)
 *   0x20  in 64-bit long mode: 4-level paging, 0-1 GiB identity mapped (first 2 MiB by a 4 KiB page table, the rest
 *         by 2 MiB pages)
 *   0x30  CRC-32 (IEEE 802.3, reflected, as zlib) of the filled range computed with a table at 0x20000
 *   0xF0  powering off: PM1a_CNT (0x604) <- SLP_EN | SLP_TYP 0 (QEMU's S5 type)
 *   0xF1  resetting: 0xCF9 <- 0x06
 *   0xEE  fw_cfg signature missing: halts with interrupts off
 *
 * Output (debugcon 0x402 and COM1, identical):
 *   dejavm builtin firmware 1.0
 *   rtc: CCYY-MM-DD hh:mm:ss
 *   fw_cfg: signature QEMU, id 0x%08x
 *   ram: %u MiB, cpus: %u
 *   exit action: poweroff|reset
 *   prot32: protected mode, filling 256 KiB at 0x00100000
 *   long64: long mode, 4-level paging
 *   long64: crc32 0x%08x
 *   exit: poweroff|reset
 *
 * RAM used: 0x7000 stack (grows down), 0x8000 variables, 0x10000-0x14fff page tables, 0x20000 CRC table,
 * 0x100000-0x13ffff filled data.
 */
    .set ROMBASE, 0xF0000           /* the ROM's alias below 1 MiB: code here runs at ROMBASE + offset */
    .set VARS, 0x8000
    .set V_SIG, VARS + 0x00         /* 4 bytes */
    .set V_ID, VARS + 0x04          /* u32 */
    .set V_RAM, VARS + 0x08         /* u64 */
    .set V_CPUS, VARS + 0x10        /* u16 */
    .set V_EXIT, VARS + 0x12        /* u8: 0 power-off, 1 reset */
    .set V_FSEL, VARS + 0x14        /* u16: selector of the exit file, 0 if absent */
    .set V_FSIZE, VARS + 0x18       /* u32 */
    .set V_COUNT, VARS + 0x20       /* u32 */
    .set V_ENTRY, VARS + 0x30       /* one 64-byte directory entry */
    .set V_FILE, VARS + 0x80        /* up to 16 bytes of the exit file */
    .set FW_CFG_SEL, 0x510
    .set FW_CFG_DATA, 0x511
    .set PM_BASE, 0x600
    .set PM1A_CNT, PM_BASE + 4
    .set RESET_CONTROL, 0xCF9
    .set FILL_BASE, 0x100000
    .set FILL_SIZE, 256 * 1024
    .set PML4, 0x10000
    .set PDPT, 0x11000
    .set PD, 0x12000
    .set PT, 0x13000
    .set CRC_TABLE, 0x20000

    .text
    .code16
    .globl _start
_start:

    .include "console16.inc"

/* ---- real mode ------------------------------------------------------------------------------------------ */
entry16:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ss
    movw $0x7000, %sp
    movw %ax, %ds
    movw %ax, %es
    movb $0x01, %al
    outb %al, $POST

    call com1_init16
    movb $0x02, %al
    outb %al, $POST
    movw $msg_banner, %si
    call puts16

    /* RTC: MC146818 register A bit 7 (UIP) must be clear; then all fields are stable for >= 244 us */
1:  movb $0x0A, %al
    outb %al, $0x70
    inb $0x71, %al
    testb $0x80, %al
    jnz 1b
    movw $msg_rtc, %si
    call puts16
    movb $0x32, %al             /* century */
    call cmos_hex16
    movb $0x09, %al             /* year */
    call cmos_hex16
    movb $'-', %al
    call putc16
    movb $0x08, %al             /* month */
    call cmos_hex16
    movb $'-', %al
    call putc16
    movb $0x07, %al             /* day of month */
    call cmos_hex16
    movb $' ', %al
    call putc16
    movb $0x04, %al             /* hours */
    call cmos_hex16
    movb $':', %al
    call putc16
    movb $0x02, %al             /* minutes */
    call cmos_hex16
    movb $':', %al
    call putc16
    movb $0x00, %al             /* seconds */
    call cmos_hex16
    movb $'\n', %al
    call putc16
    movb $0x03, %al
    outb %al, $POST

    /* fw_cfg (QEMU docs/specs/fw_cfg.txt): 16-bit selector write, byte-wise data reads */
    xorw %ax, %ax               /* FW_CFG_SIGNATURE */
    call fwcfg_select16
    movw $V_SIG, %di
    movw $4, %cx
    call fwcfg_read16
    movw $sig_qemu, %si
    movw $V_SIG, %di
    movw $4, %cx
    call memcmp_cs16
    je 2f
    movw $msg_nosig, %si
    call puts16
    movb $0xEE, %al
    outb %al, $POST
3:  cli
    hlt
    jmp 3b
2:  movw $1, %ax                /* FW_CFG_ID */
    call fwcfg_select16
    movw $V_ID, %di
    movw $4, %cx
    call fwcfg_read16
    movw $msg_sig, %si
    call puts16
    movl V_ID, %eax
    call puthex32_16
    movb $'\n', %al
    call putc16

    movw $0x03, %ax             /* FW_CFG_RAM_SIZE, u64 little-endian */
    call fwcfg_select16
    movw $V_RAM, %di
    movw $8, %cx
    call fwcfg_read16
    movw $0x05, %ax             /* FW_CFG_NB_CPUS, u16 little-endian */
    call fwcfg_select16
    movw $V_CPUS, %di
    movw $2, %cx
    call fwcfg_read16
    movw $msg_ram, %si
    call puts16
    movl V_RAM, %eax            /* MiB = size >> 20 */
    shrl $20, %eax
    movl V_RAM + 4, %edx
    shll $12, %edx
    orl %edx, %eax
    call putdec32_16
    movw $msg_cpus, %si
    call puts16
    movzwl V_CPUS, %eax
    call putdec32_16
    movb $'\n', %al
    call putc16

    /* File directory: u32 big-endian count, then 64-byte entries {be32 size, be16 select, u16, name[56]} */
    movb $0, V_EXIT
    movw $0, V_FSEL
    movw $0x19, %ax             /* FW_CFG_FILE_DIR */
    call fwcfg_select16
    movw $V_COUNT, %di
    movw $4, %cx
    call fwcfg_read16
    movl V_COUNT, %eax
    bswapl %eax
    movl %eax, V_COUNT
4:  cmpl $0, V_COUNT
    je 6f
    decl V_COUNT
    movw $V_ENTRY, %di
    movw $64, %cx
    call fwcfg_read16
    movw $name_exit, %si
    movw $V_ENTRY + 8, %di
    movw $name_exit_len, %cx
    call memcmp_cs16
    jne 4b
    movw V_ENTRY + 4, %ax       /* be16 select */
    xchgb %al, %ah
    movw %ax, V_FSEL
    movl V_ENTRY, %eax          /* be32 size */
    bswapl %eax
    movl %eax, V_FSIZE
6:  cmpw $0, V_FSEL
    je 7f
    movw V_FSEL, %ax
    call fwcfg_select16
    movl V_FSIZE, %ecx
    cmpl $16, %ecx
    jbe 8f
    movl $16, %ecx
8:  cmpl $5, %ecx
    jb 7f
    movw $V_FILE, %di
    call fwcfg_read16
    movw $word_reset, %si
    movw $V_FILE, %di
    movw $5, %cx
    call memcmp_cs16
    jne 7f
    movb $1, V_EXIT
7:  movw $msg_exit_action, %si
    call puts16
    movw $word_poweroff, %si
    cmpb $0, V_EXIT
    je 9f
    movw $word_reset, %si
9:  call puts16
    movb $'\n', %al
    call putc16
    movb $0x04, %al
    outb %al, $POST

    /* ACPI PM I/O at 0x600: PIIX4 function 00:01.3 (PCI configuration mechanism #1), PMBA (0x40) = 0x600 and
       PMREGMISC (0x80) bit 0 = PM I/O enable (PIIX4 datasheet 3.3). QEMU's pc has the same function. */
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

    /* ---- to 32-bit protected mode ----------------------------------------------------------------------- */
    movb $0x10, %al
    outb %al, $POST
    lgdtl %cs:gdt_ptr
    movl %cr0, %eax
    orl $1, %eax                /* CR0.PE */
    movl %eax, %cr0
    ljmpl $0x08, $(ROMBASE + prot32)

/* cmos_hex16: AL = CMOS index; prints the register's value as two hex digits (BCD → decimal digits) */
cmos_hex16:
    outb %al, $0x70
    inb $0x71, %al
    call puthex8_16
    ret

/* fwcfg_select16: AX = key */
fwcfg_select16:
    pushw %dx
    movw $FW_CFG_SEL, %dx
    outw %ax, %dx
    popw %dx
    ret

/* fwcfg_read16: CX (> 0) bytes of the selected item into ES:DI */
fwcfg_read16:
    pushw %ax
    pushw %cx
    pushw %dx
    pushw %di
    movw $FW_CFG_DATA, %dx
1:  inb %dx, %al
    stosb
    loop 1b
    popw %di
    popw %dx
    popw %cx
    popw %ax
    ret

/* memcmp_cs16: compares CX (> 0) bytes at CS:SI with DS:DI; ZF = 1 if equal */
memcmp_cs16:
    pushw %ax
    pushw %cx
    pushw %si
    pushw %di
1:  movb %cs:(%si), %al
    cmpb (%di), %al
    jne 2f
    incw %si
    incw %di
    loop 1b
    cmpb %al, %al               /* ZF = 1 */
2:  popw %di
    popw %si
    popw %cx
    popw %ax
    ret

/* ---- 32-bit protected mode -------------------------------------------------------------------------------- */
    .code32
prot32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movl $0x7000, %esp
    movl $(ROMBASE + msg_prot), %esi
    call puts32

    movl $FILL_BASE, %edi
    movl $0x12345678, %eax
    movl $(FILL_SIZE / 4), %ecx
1:  movl %eax, (%edi)
    addl $4, %edi
    imull $1664525, %eax, %eax
    addl $1013904223, %eax
    loop 1b
    movb $0x11, %al
    outb %al, $POST

    /* 4-level page tables: PML4[0] -> PDPT[0] -> PD; PD[0] -> PT (4 KiB pages), PD[1..511] = 2 MiB pages */
    movl $PML4, %edi
    xorl %eax, %eax
    movl $(5 * 1024), %ecx
    rep stosl
    movl $(PDPT + 3), PML4      /* present | writable */
    movl $(PD + 3), PDPT
    movl $(PT + 3), PD
    movl $1, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax             /* present | writable | PS */
    movl %eax, PD(,%ecx,8)
    incl %ecx
    cmpl $512, %ecx
    jne 2b
    xorl %ecx, %ecx
3:  movl %ecx, %eax
    shll $12, %eax
    orl $3, %eax
    movl %eax, PT(,%ecx,8)
    incl %ecx
    cmpl $512, %ecx
    jne 3b

    movl %cr4, %eax
    orl $0x20, %eax             /* CR4.PAE */
    movl %eax, %cr4
    movl $PML4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx      /* IA32_EFER */
    rdmsr
    orl $0x100, %eax            /* EFER.LME */
    wrmsr
    movl %cr0, %eax
    orl $0x80000000, %eax       /* CR0.PG: long mode becomes active (EFER.LMA) */
    movl %eax, %cr0
    ljmpl $0x18, $(ROMBASE + long64)

/* putc32: AL = character */
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

/* puts32: ESI = NUL-terminated string (flat address) */
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

/* ---- 64-bit long mode --------------------------------------------------------------------------------------- */
    .code64
long64:
    movb $0x20, %al
    outb %al, $POST
    movl $0x7000, %esp
    movl $(ROMBASE + msg_long), %esi
    call puts64

    xorl %ecx, %ecx             /* CRC table: entry n = n shifted right 8 times, xor 0xEDB88320 on each 1 out */
1:  movl %ecx, %eax
    movl $8, %edx
2:  shrl $1, %eax
    jnc 3f
    xorl $0xEDB88320, %eax
3:  decl %edx
    jnz 2b
    movl %eax, CRC_TABLE(,%rcx,4)
    incl %ecx
    cmpl $256, %ecx
    jne 1b

    movl $0xFFFFFFFF, %eax
    movl $FILL_BASE, %esi
    movl $FILL_SIZE, %ecx
4:  movzbl (%rsi), %edx
    xorb %al, %dl
    shrl $8, %eax
    xorl CRC_TABLE(,%rdx,4), %eax
    incq %rsi
    decl %ecx
    jnz 4b
    notl %eax
    movl %eax, %ebx
    movl $(ROMBASE + msg_crc), %esi
    call puts64
    movl %ebx, %eax
    call puthex32_64
    movb $'\n', %al
    call putc64
    movb $0x30, %al
    outb %al, $POST

    movl $(ROMBASE + msg_exit), %esi
    call puts64
    cmpb $0, V_EXIT
    jne 6f
    movl $(ROMBASE + word_poweroff), %esi
    call puts64
    movb $'\n', %al
    call putc64
    movb $0xF0, %al
    outb %al, $POST
    movw $PM1A_CNT, %dx
    movw $0x2000, %ax           /* SLP_EN (bit 13) | SLP_TYP = 0 */
    outw %ax, %dx
    jmp 7f
6:  movl $(ROMBASE + word_reset), %esi
    call puts64
    movb $'\n', %al
    call putc64
    movb $0xF1, %al
    outb %al, $POST
    movw $RESET_CONTROL, %dx
    movb $0x06, %al             /* SYS_RST | RST_CPU */
    outb %al, %dx
7:  cli
    hlt
    jmp 7b

/* putc64: AL = character */
putc64:
    pushq %rdx
    pushq %rax
    movw $DEBUGCON, %dx
    outb %al, %dx
    movw $COM1 + 5, %dx
1:  inb %dx, %al
    testb $0x20, %al
    jz 1b
    popq %rax
    movw $COM1, %dx
    outb %al, %dx
    popq %rdx
    ret

/* puts64: RSI = NUL-terminated string */
puts64:
    pushq %rax
    pushq %rsi
1:  movb (%rsi), %al
    testb %al, %al
    jz 2f
    call putc64
    incq %rsi
    jmp 1b
2:  popq %rsi
    popq %rax
    ret

/* puthex32_64: EAX as eight hex digits */
puthex32_64:
    pushq %rax
    pushq %rcx
    movl %eax, %ecx
    movl $8, %edx
1:  roll $4, %ecx
    movb %cl, %al
    andb $0x0F, %al
    cmpb $10, %al
    jb 2f
    addb $('a' - '0' - 10), %al
2:  addb $'0', %al
    call putc64
    decl %edx
    jnz 1b
    popq %rcx
    popq %rax
    ret

/* ---- data --------------------------------------------------------------------------------------------------- */
    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF        /* 0x08: 32-bit code, base 0, limit 4 GiB */
    .quad 0x00CF92000000FFFF        /* 0x10: data, base 0, limit 4 GiB */
    .quad 0x00AF9A000000FFFF        /* 0x18: 64-bit code (L = 1) */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .long ROMBASE + gdt

sig_qemu:       .ascii "QEMU"
name_exit:      .asciz "opt/dev.dejavm/exit"
    .set name_exit_len, . - name_exit
msg_banner:     .asciz "dejavm builtin firmware 1.0\n"
msg_rtc:        .asciz "rtc: "
msg_nosig:      .asciz "fw_cfg: no signature, halting\n"
msg_sig:        .asciz "fw_cfg: signature QEMU, id 0x"
msg_ram:        .asciz "ram: "
msg_cpus:       .asciz " MiB, cpus: "
msg_exit_action: .asciz "exit action: "
word_poweroff:  .asciz "poweroff"
word_reset:     .asciz "reset"
msg_prot:       .asciz "prot32: protected mode, filling 256 KiB at 0x00100000\n"
msg_long:       .asciz "long64: long mode, 4-level paging\n"
msg_crc:        .asciz "long64: crc32 0x"
msg_exit:       .asciz "exit: "

/* ---- reset vector (0xFFFFFFF0 = F000:FFF0) ---------------------------------------------------------------- */
    .section .reset, "ax"
    .code16
reset_vector:
    ljmp $0xF000, $entry16
