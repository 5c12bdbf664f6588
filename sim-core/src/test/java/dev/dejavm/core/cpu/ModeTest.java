package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mode switches and segmentation (SDM Vol. 3A chapters 3, 9 and 10). */
class ModeTest {
    @Test
    void shouldStartAtResetVectorWhenReset() {
        try (TestMachine m = new TestMachine()) {
            m.cpu.reset();
            // SDM Vol. 3A, 10.1.4: first instruction at FFFFFFF0h (CS base FFFF0000h + IP FFF0h).
            assertEquals(0xF000, m.s.sel[CpuState.CS]);
            assertEquals(0xFFFF0000L, m.s.segBase[CpuState.CS]);
            assertEquals(0xFFF0, m.s.rip);
            assertEquals(0x60000010L, m.s.cr0);
            assertEquals(2, m.s.rflags);
            assertEquals(Interpreter.SIGNATURE, m.s.gpr[Reg.RDX]);
            assertEquals(0xFFFF0FF0L, m.s.dr[6]);
            assertEquals(0x400, m.s.dr[7]);
            assertEquals(0xFFFFFFF0L, m.cpu.rip());
        }
    }

    @Test
    void shouldAddressSegmentTimesSixteenWhenInRealMode() {
        try (TestMachine m = TestMachine.real("""
                movw $0x1234, %ax
                movw %ax, %ds
                movw $0xBEEF, 0x10
                movw $0x2000, %bx
                movw %bx, %es
                movl $0xCAFEBABE, %es:0x4
                hlt
                """)) {
            m.runToHalt();
            assertEquals(0xBEEF, m.mem.readWord(0x12340 + 0x10));
            assertEquals(0xCAFEBABEL, m.mem.readDword(0x20004) & 0xFFFFFFFFL);
        }
    }

    @Test
    void shouldUse32BitOperandAndAddressWhenPrefixedInRealMode() {
        try (TestMachine m = TestMachine.real("""
                movl $0x12345678, %eax
                movl $0x9000, %ebx
                movl %eax, (%ebx)
                addl $0x11111111, (%ebx)
                movl (%ebx), %ecx
                hlt
                """)) {
            m.runToHalt();
            assertEquals(0x23456789L, m.reg(Reg.RCX));
            assertEquals(0x23456789, m.mem.readDword(0x9000));
        }
    }

    @Test
    void shouldWrapAtOneMegabyteWhenA20IsDisabled() {
        try (TestMachine m = TestMachine.real("""
                movw $0xFFFF, %ax
                movw %ax, %ds
                movb $0x5A, 0x20
                hlt
                """)) {
            m.mem.setA20(false);
            m.runToHalt();
            // FFFF:0020 = 0x100010; with A20 masked the write lands at 0x000010.
            assertEquals(0x5A, m.mem.readByte(0x10));
            m.mem.setA20(true);
            assertNotEquals(0x5A, m.mem.readByte(0x100010));
        }
    }

    @Test
    void shouldReachFlat32BitCodeWhenFarJumpingAfterSettingPe() {
        try (TestMachine m = TestMachine.prot32("""
                movl $0x200000, %edi
                movl $0x11223344, (%edi)
                movl %cs, %eax
                movl %esp, %ebx
                hlt
                """)) {
            m.runToHalt();
            assertEquals(0x11223344, m.mem.readDword(0x200000));
            assertEquals(0x08, m.rax() & 0xFFFF);
            assertEquals(0x7000, m.reg(Reg.RBX));
            assertEquals("prot32", m.cpu.modeName());
            // The descriptor cache holds the flat segment (limit 4 GiB - 1 with G = 1).
            assertEquals(0xFFFFFFFFL, m.s.segLimit[CpuState.DS]);
        }
    }

    @Test
    void shouldEnter64BitModeWhenPagingIsEnabledWithLme() {
        try (TestMachine m = TestMachine.long64("""
                movabsq $0x123456789ABCDEF0, %rax
                movq %rax, %r9
                movq $0x300000, %rdi
                movq %r9, (%rdi)
                hlt
                """)) {
            m.runToHalt();
            assertTrue((m.s.efer & CpuState.EFER_LMA) != 0, "EFER.LMA");
            assertEquals("long64", m.cpu.modeName());
            assertEquals(0x123456789ABCDEF0L, m.reg(Reg.R9));
            assertEquals(0x123456789ABCDEF0L, m.mem.readQword(0x300000));
            // Accessed bits are set on the walk (SDM Vol. 3A, 4.8).
            assertTrue((m.mem.readQword(0x1000) & 0x20) != 0);
            assertTrue((m.mem.readQword(0x3000 + 8) & 0x40) != 0, "dirty bit of the 2 MiB page written");
        }
    }

    @Test
    void shouldKeepProtectedModeLimitsWhenReturningToRealMode() {
        // "Unreal mode": DS keeps its 4 GiB limit in the descriptor cache after PE is cleared.
        try (TestMachine m = TestMachine.load(TestMachine.PROT32 + """
                ljmp $0x20, $t16
            .code16
            t16:
                movl %cr0, %eax
                andl $0xFFFFFFFE, %eax
                movl %eax, %cr0
                ljmp $0, $treal
            treal:
                xorw %ax, %ax
                movw %ax, %ds
                movl $0x400000, %ebx
                movl $0x55667788, (%ebx)
                hlt
                """)) {
            m.runToHalt();
            assertEquals(0x55667788, m.mem.readDword(0x400000));
            assertEquals("real", m.cpu.modeName());
        }
    }
}
