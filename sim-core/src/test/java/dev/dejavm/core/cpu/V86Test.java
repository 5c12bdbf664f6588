package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Virtual-8086 mode (SDM Vol. 3A, chapter 21, without VME): entered by IRET from CPL 0 with VM in the popped
 * EFLAGS; real-mode addressing at CPL 3; I/O checked against the TSS permission bitmap whatever the IOPL; INT n
 * goes to a CPL 0 handler through the IDT with GS, FS, DS, ES saved on the ring-0 stack and nulled, and IRET
 * returns into virtual-8086 mode; IOPL-sensitive instructions (CLI, INT n, PUSHF, POPF, IRET) raise #GP(0) when
 * IOPL < 3.
 */
class V86Test {
    /** GDT at 0x6000: 08 code, 10 data, 18 TSS (0x6800, limit 0x87: I/O bitmap at +0x68 for ports 0-255). */
    private static String setup(final int eflags) {
        return """
                movl $0x0000FFFF, 0x6008
                movl $0x00CF9A00, 0x600C
                movl $0x0000FFFF, 0x6010
                movl $0x00CF9200, 0x6014
                movl $0x68000087, 0x6018
                movl $0x00008900, 0x601C
                movw $0x1F, 0x5F00
                movl $0x6000, 0x5F02
                lgdt 0x5F00
                ljmp $0x08, $reloaded
            reloaded:
                movw $0x10, %ax
                movw %ax, %ds
                movw %ax, %es
                movw %ax, %ss
                movl $0x9000, %esp
                movl $0x9000, 0x6804
                movl $0x10, 0x6808
                movw $0x68, 0x6866
                movl $0x6868, %edi
                movl $0xFFFFFFFF, %eax
                movl $8, %ecx
                rep stosl
                andb $0xFE, 0x6868 + 0xE0 / 8
                movw $0x18, %ax
                ltr %ax
            """ + Idt.gate32(13, "h_gp") + Idt.gate32(0x21, "h_21") + """
                movw $0xEE00, 0x5000 + 0x21 * 8 + 4
            """ + Idt.lidt32(0x7FF) + """
                pushl $0
                pushl $0
                pushl $0x0123
                pushl $0x0456
                pushl $0x0800
                pushl $0x0100
                pushl $%s
                pushl $0
                pushl $v86
                iretl
            h_gp:
                movw $0x10, %%bx
                movw %%bx, %%ds
                popl %%ebx
                movl (%%esp), %%ecx
                movl 8(%%esp), %%edx
                hlt
            h_21:
                movw %%ds, %%ax
                movw $0x10, %%bx
                movw %%bx, %%ds
                movw %%ax, 0x7100
                movw $0xAAAA, 0x7102
                movl 8(%%esp), %%eax
                movl %%eax, 0x7104
                movl 20(%%esp), %%eax
                movl %%eax, 0x7108
                movl 24(%%esp), %%eax
                movl %%eax, 0x710C
                iretl
            """.formatted("0x%x".formatted(eflags));
    }

    @Test
    void shouldCheckIoBitmapAndReflectInterruptsToRingZeroWhenRunningInVirtual8086Mode() {
        try (TestMachine m = TestMachine.prot32(setup(0x23002) + """
            .code16
            v86:
                movw %ds, %si
                movb $0x5A, %al
                outb %al, $0xE0
                int $0x21
                movw %ds, %bp
                movw %sp, %di
                outb %al, $0x80
                hlt
            .code32
            """)) {
            m.runToHalt();
            assertEquals(0x0123, m.reg(Reg.RSI) & 0xFFFF, "DS from the IRET frame");
            assertEquals(1, m.portWrites.size(), "OUT to a port the bitmap allows");
            assertEquals(0x5A, m.portWrites.get(0)[2]);
            assertEquals(0, m.mem.readWord(0x7100), "DS null in the ring-0 handler");
            assertEquals(0xAAAA, m.mem.readWord(0x7102), "written (the handler reloaded DS)");
            assertEquals(CpuState.VM, m.mem.readDword(0x7104) & CpuState.VM, "the saved EFLAGS has VM");
            assertEquals(0x0456, m.mem.readDword(0x7108), "ES saved on the ring-0 stack");
            assertEquals(0x0123, m.mem.readDword(0x710C), "DS saved on the ring-0 stack");
            assertEquals(0x0123, m.reg(Reg.RBP) & 0xFFFF, "IRET back to virtual-8086 mode restored DS");
            assertEquals(0x0100, m.reg(Reg.RDI) & 0xFFFF, "and SP");
            assertEquals(0, m.reg(Reg.RBX), "OUT to a port the bitmap denies: #GP(0)");
            assertEquals(CpuState.VM, m.reg(Reg.RDX) & CpuState.VM, "raised in virtual-8086 mode");
            assertEquals(0xE6, m.mem.readByte(m.reg(Reg.RCX)), "at the OUT");
        }
    }

    @Test
    void shouldRaiseGeneralProtectionForCliWhenIoplIsBelowThree() {
        try (TestMachine m = TestMachine.prot32(setup(0x20002) + """
            .code16
            v86:
                cli
                hlt
            .code32
            """)) {
            m.runToHalt();
            assertEquals(0, m.reg(Reg.RBX));
            assertEquals(0xFA, m.mem.readByte(m.reg(Reg.RCX)), "#GP(0) at the CLI");
        }
    }
}
